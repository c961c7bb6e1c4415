package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func principalRolesBody(op, typ, id string, roles ...string) string {
	return fmt.Sprintf(`{"operation":%q,"principal":{"type":%q,"id":%q},"roles":[%s]}`, op, typ, id, strings.Join(roles, ","))
}

func TestUpdatePrincipalRoles(t *testing.T) {
	p := newPermFixture(t)
	p.expect("POST", permBase+"/roles", createGlobalRoleExample, 201, "")
	p.expect("POST", permBase+"/roles", createContentRoleExample, 201, "")
	roles := []string{
		`{"id":"cld::role::account::reports"}`,
		`{"id":"upload_manager_12334565","scope_id":"` + envDev + `"}`,
		`{"id":"marketing_content_contributor_1357fhe","scope_id":"` + envDev + `","policy_parameters":{"folder_id":"asdfjkl12347890"}}`,
	}
	status, raw := p.send("PUT", permBase+"/principal_roles", principalRolesBody("add", "user", userAnn, roles...))
	if status != 200 || raw != "" {
		t.Fatalf("add answered %d %q, want 200 with no body", status, raw)
	}
	// Adding again is a no-op.
	p.expect("PUT", permBase+"/principal_roles", principalRolesBody("add", "user", userAnn, roles...), 200, "")
	q := permBase + "/principal_roles?principal_type=user&principal_id=" + userAnn
	p.expect("GET", q+"&permission_type=global", "", 200, fmt.Sprintf(`{"data":[
		{"id":"cld::role::account::reports","name":"Reports","description":%s,"management_type":"system","permission_type":"global","scope_type":"account","created_at":1700000000,"updated_at":1700000000},
		{"id":"upload_manager_12334565","name":"Upload manager","description":"Responsible for managing uploads and uploading new assets.","management_type":"custom","permission_type":"global","scope_type":"prodenv","scope_id":%q,"created_at":1700000000,"updated_at":1700000000}]}`,
		jsonString(theCatalog().roleByID["cld::role::account::reports"].Description), envDev))
	p.expect("GET", q+"&permission_type=content", "", 200, fmt.Sprintf(`{"data":[
		{"id":"marketing_content_contributor_1357fhe","name":"Marketing content contributor","description":"View all assets in selected folders and contribute to those folders, without permission to download.",
		 "management_type":"custom","permission_type":"content","scope_type":"prodenv","scope_id":%q,"policy_parameters":{"folder_id":"asdfjkl12347890"},"created_at":1700000000,"updated_at":1700000000}]}`, envDev))
	count := func(query string) int {
		t.Helper()
		return len(field(t, p.expect("GET", q+query, "", 200, ""), "data").([]any))
	}
	filters := map[string]int{
		"&permission_type=global&management_type=system":         1,
		"&permission_type=global&scope_type=account":             1,
		"&permission_type=global&scope_id=" + envDev:             1,
		"&permission_type=global&scope_id=" + envProd:            0,
		"&permission_type=content&folder_id=asdfjkl12347890":     1,
		"&permission_type=content&folder_id=other":               0,
		"&permission_type=content&collection_id=asdfjkl12347890": 0,
	}
	for query, want := range filters {
		if got := count(query); got != want {
			t.Errorf("getPrincipalRoles%s: %d roles, want %d", query, got, want)
		}
	}

	// Removing one and a missing one.
	p.expect("PUT", permBase+"/principal_roles", principalRolesBody("remove", "user", userAnn, roles[1], `{"id":"cld::role::account::admin"}`), 200, "")
	if got := count("&permission_type=global"); got != 1 {
		t.Errorf("after remove: %d global roles, want 1", got)
	}

	errs := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"spec InvalidOperationFieldErrorExample", principalRolesBody("subtract", "user", userAnn, roles[0]), 400,
			permError(400, "invalid request", map[string]any{"operation": "subtract"})},
		{"missing everything", `{}`, 400, permError(400, "missing fields", "operation", "principal_type", "principal_id", "roles")},
		{"spec MissingPrincipalFieldsErrorExample", `{"operation":"add","principal":{"id":"x"},"roles":[{"id":"cld::role::account::reports"}]}`, 400,
			permError(400, "missing fields", "principal_type")},
		{"role without id", principalRolesBody("add", "user", userAnn, `{"scope_id":"x"}`), 400, permError(400, "missing fields", "role_id")},
		{"bad principal type", principalRolesBody("add", "robot", "r", roles[0]), 400, permError(400, "invalid request", map[string]any{"principal_type": "robot"})},
		{"unknown user (spec PrincipalNotFoundErrorExample)", principalRolesBody("add", "user", "xyz098ppb", roles[0]), 404,
			permError(404, "not found", map[string]any{"principal_id": "xyz098ppb"})},
		{"unknown role", principalRolesBody("add", "user", userAnn, `{"id":"nope"}`), 404, permError(404, "not found", map[string]any{"role_id": "nope"})},
		{"prodenv role without scope", principalRolesBody("add", "user", userAnn, `{"id":"cld::role::prodenv::reports"}`), 400, permError(400, "missing fields", "scope_id")},
		{"unknown scope (spec ScopeNotFoundErrorExample)", principalRolesBody("add", "user", userAnn, `{"id":"cld::role::prodenv::reports","scope_id":"55559999333hhx"}`), 404,
			permError(404, "not found", map[string]any{"scope_id": "55559999333hhx"})},
		{"account role with a scope", principalRolesBody("add", "user", userAnn, `{"id":"cld::role::account::reports","scope_id":"`+envDev+`"}`), 400,
			permError(400, "invalid request", map[string]any{"scope_id": envDev})},
		{"content role without parameters", principalRolesBody("add", "user", userAnn, `{"id":"cld::role::folder::viewer","scope_id":"`+envDev+`"}`), 400,
			permError(400, "missing fields", "policy_parameters")},
		{"content role with another content type", principalRolesBody("add", "user", userAnn, `{"id":"cld::role::folder::viewer","scope_id":"`+envDev+`","policy_parameters":{"collection_id":"c"}}`), 400,
			permError(400, "invalid request", map[string]any{"policy_parameters": map[string]any{"collection_id": "c"}})},
		{"global role with parameters", principalRolesBody("add", "user", userAnn, `{"id":"cld::role::prodenv::reports","scope_id":"`+envDev+`","policy_parameters":{"folder_id":"f"}}`), 400,
			permError(400, "invalid request", map[string]any{"policy_parameters": map[string]any{"folder_id": "f"}})},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			p.t = t
			p.expect("PUT", permBase+"/principal_roles", tt.body, tt.status, tt.want)
		})
	}
	p.t = t
	// A failed request changes nothing, even when its first role was fine.
	before := len(p.e.perm.assigns)
	p.expect("PUT", permBase+"/principal_roles", principalRolesBody("add", "user", userBob, roles[0], `{"id":"nope"}`), 404, "")
	if len(p.e.perm.assigns) != before {
		t.Error("a refused request added assignments")
	}

	getErrs := map[string]struct {
		status int
		want   string
	}{
		"": {400, permError(400, "missing fields", "principal_type", "principal_id", "permission_type")},
		"?principal_type=user&principal_id=" + userAnn:                                           {400, permError(400, "missing fields", "permission_type")},
		"?principal_type=user&principal_id=nope&permission_type=global":                          {404, permError(404, "not found", map[string]any{"principal_id": "nope"})},
		"?principal_type=user&principal_id=" + userAnn + "&permission_type=both":                 {400, permError(400, "invalid request", map[string]any{"permission_type": "both"})},
		"?principal_type=user&principal_id=" + userAnn + "&permission_type=global&scope_id=gone": {404, permError(404, "not found", map[string]any{"scope_id": "gone"})},
	}
	for query, tt := range getErrs {
		p.expect("GET", permBase+"/principal_roles"+query, "", tt.status, tt.want)
	}
}

func TestRolePrincipals(t *testing.T) {
	p := newPermFixture(t)
	p.expect("POST", permBase+"/roles", createContentRoleExample, 201, "")
	path := permBase + "/roles/marketing_content_contributor_1357fhe/principals"
	body := fmt.Sprintf(`{"operation":"add","principals":[
		{"principal_type":"user","principal_id":%q,"scope_id":%q,"policy_parameters":{"folder_id":"f1"}},
		{"principal_type":"user","principal_id":%q,"scope_id":%q,"policy_parameters":{"folder_id":"f2"}},
		{"principal_type":"group","principal_id":%q,"scope_id":"all","policy_parameters":{"folder_id":"f1"}},
		{"principal_type":"apiKey","principal_id":%q,"scope_id":%q,"policy_parameters":{"folder_id":"f1"}}]}`,
		userAnn, envDev, userAnn, envProd, groupDes, ciKey, envDev)
	status, raw := p.send("PUT", path, body)
	if status != 200 || raw != "" {
		t.Fatalf("add answered %d %q", status, raw)
	}
	p.expect("GET", path, "", 200, fmt.Sprintf(`{"data":[{"id":%q,"type":"user"},{"id":%q,"type":"group"},{"id":%q,"type":"apiKey"}]}`, userAnn, groupDes, ciKey))
	p.expect("GET", path+"?verbose=true&folder_id=f1&scope_id="+envDev, "", 200, fmt.Sprintf(`{"data":[
		{"id":%q,"type":"user","role_id":"marketing_content_contributor_1357fhe","policy_parameters":{"folder_id":"f1"},"scope_type":"prodenv","scope_id":%q,"created_at":1700000000,"updated_at":1700000000},
		{"id":%q,"type":"group","role_id":"marketing_content_contributor_1357fhe","policy_parameters":{"folder_id":"f1"},"scope_type":"prodenv","scope_id":"all","created_at":1700000000,"updated_at":1700000000},
		{"id":%q,"type":"apiKey","role_id":"marketing_content_contributor_1357fhe","policy_parameters":{"folder_id":"f1"},"scope_type":"prodenv","scope_id":%q,"created_at":1700000000,"updated_at":1700000000}]}`,
		userAnn, envDev, groupDes, ciKey, envDev))
	if n := len(field(t, p.expect("GET", path+"?verbose=true", "", 200, ""), "data").([]any)); n != 4 {
		t.Errorf("verbose lists %d rows, want one per assignment (4)", n)
	}
	if n := len(field(t, p.expect("GET", path+"?scope_type=account", "", 200, ""), "data").([]any)); n != 0 {
		t.Errorf("account scope lists %d principals of a prodenv role", n)
	}
	p.expect("PUT", path, fmt.Sprintf(`{"operation":"remove","principals":[{"principal_type":"user","principal_id":%q,"scope_id":%q,"policy_parameters":{"folder_id":"f2"}}]}`, userAnn, envProd), 200, "")
	if n := len(field(t, p.expect("GET", path+"?verbose=true", "", 200, ""), "data").([]any)); n != 3 {
		t.Errorf("after remove: %d rows, want 3", n)
	}

	p.expect("GET", permBase+"/roles/nope/principals", "", 404, permError(404, "not found", map[string]any{"role_id": "nope"}))
	p.expect("PUT", permBase+"/roles/nope/principals", `{"operation":"add","principals":[]}`, 404, permError(404, "not found", map[string]any{"role_id": "nope"}))
	p.expect("PUT", path, `{"operation":"add"}`, 400, permError(400, "missing fields", "principals"))
	p.expect("PUT", path, `{"operation":"subtract","principals":[{"principal_type":"user","principal_id":"x"}]}`, 400,
		permError(400, "invalid request", map[string]any{"operation": "subtract"}))
	p.expect("PUT", path, `{"operation":"add","principals":[{"principal_type":"apiKey","principal_id":"akwut728390anvy52sxgti","scope_id":"all","policy_parameters":{"folder_id":"f"}}]}`, 404,
		permError(404, "not found", map[string]any{"principal_id": "akwut728390anvy52sxgti"}))
	p.expect("PUT", path, `{"operation":"add","principals":[{"principal_id":"x"}]}`, 400, permError(400, "missing fields", "principal_type"))
	// provisioningKey principals cannot be checked: they are accepted.
	p.expect("PUT", path, `{"operation":"add","principals":[{"principal_type":"provisioningKey","principal_id":"k1","scope_id":"all","policy_parameters":{"folder_id":"f"}}]}`, 200, "")
	// getRolePrincipals lists no 400 or 500: a bad verbose answers 403.
	p.expect("GET", path+"?verbose=yes", "", 403, permError(403, "invalid request", map[string]any{"verbose": "yes"}))
}

func TestInspect(t *testing.T) {
	p := newPermFixture(t)
	put := func(typ, id, role string) {
		t.Helper()
		p.expect("PUT", permBase+"/principal_roles", principalRolesBody("add", typ, id, role), 200, "")
	}
	put("user", userAnn, `{"id":"cld::role::account::admin"}`)
	put("user", userAnn, `{"id":"cld::role::prodenv::reports","scope_id":"`+envDev+`"}`)
	put("user", userBob, `{"id":"cld::role::prodenv::ml_user","scope_id":"all"}`)
	put("group", groupDes, `{"id":"cld::role::prodenv::reports","scope_id":"`+envProd+`"}`)
	put("apiKey", ciKey, `{"id":"cld::role::folder::viewer","scope_id":"`+envDev+`","policy_parameters":{"folder_id":"f1"}}`)

	principals := func(query string) []string {
		t.Helper()
		var out []string
		for _, x := range field(t, p.expect("GET", permBase+"/principal_roles/inspect?"+query, "", 200, ""), "data", "principals").([]any) {
			m := x.(map[string]any)
			var roles []string
			for _, r := range m["roles"].([]any) {
				roles = append(roles, r.(map[string]any)["id"].(string))
			}
			out = append(out, fmt.Sprintf("%s:%s=%s", m["type"], m["id"], strings.Join(roles, ",")))
		}
		return out
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"scope_type=account", []string{"user:" + userAnn + "=cld::role::account::admin"}},
		// Assignments to "all" show in every environment's inspect.
		{"scope_type=prodenv&scope_id=" + envDev, []string{"user:" + userAnn + "=cld::role::prodenv::reports", "user:" + userBob + "=cld::role::prodenv::ml_user", "apiKey:" + ciKey + "=cld::role::folder::viewer"}},
		{"scope_type=prodenv&scope_id=" + envProd, []string{"user:" + userBob + "=cld::role::prodenv::ml_user", "group:" + groupDes + "=cld::role::prodenv::reports"}},
		{"scope_type=prodenv&scope_id=all", []string{"user:" + userBob + "=cld::role::prodenv::ml_user"}},
		{"scope_type=prodenv", []string{"user:" + userAnn + "=cld::role::prodenv::reports", "user:" + userBob + "=cld::role::prodenv::ml_user", "group:" + groupDes + "=cld::role::prodenv::reports", "apiKey:" + ciKey + "=cld::role::folder::viewer"}},
		{"scope_type=prodenv&folder_id=f1", []string{"apiKey:" + ciKey + "=cld::role::folder::viewer"}},
		{"scope_type=prodenv&principal_type=group&principal_id=" + groupDes, []string{"group:" + groupDes + "=cld::role::prodenv::reports"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, principals(tt.query)); diff != "" {
			t.Errorf("inspect?%s (-want +got):\n%s", tt.query, diff)
		}
	}
	p.expect("GET", permBase+"/principal_roles/inspect", "", 400, permError(400, "missing fields", "scope_type"))
	p.expect("GET", permBase+"/principal_roles/inspect?scope_type=account&scope_id="+envDev, "", 400, permError(400, "invalid request", map[string]any{"scope_id": envDev}))
	p.expect("GET", permBase+"/principal_roles/inspect?scope_type=prodenv&scope_id=gone", "", 404, permError(404, "not found", map[string]any{"scope_id": "gone"}))
	p.expect("GET", permBase+"/principal_roles/inspect?scope_type=prodenv&principal_type=user", "", 400, permError(400, "missing fields", "principal_id"))
	p.expect("GET", permBase+"/principal_roles/inspect?scope_type=prodenv&cursor=bad", "", 400, permError(400, "invalid request", map[string]any{"cursor": "bad"}))

	// inspectMultiple: only the principals given, each even without roles.
	p.expect("POST", permBase+"/principal_roles/inspect", fmt.Sprintf(`{"scope_type":"prodenv","scope_id":%q,"policy_parameters":{"folder_id":"f1"},
		"principals":[{"type":"apiKey","id":%q},{"type":"user","id":%q}]}`, envDev, ciKey, userCat), 200,
		fmt.Sprintf(`{"data":{"principals":[
		{"type":"apiKey","id":%q,"roles":[{"id":"cld::role::folder::viewer","name":"Viewer","description":"View and download public assets.","management_type":"system",
		 "permission_type":"content","scope_type":"prodenv","scope_id":%q,"policy_parameters":{"folder_id":"f1"},"created_at":1700000000,"updated_at":1700000000}]},
		{"type":"user","id":%q,"roles":[]}]}}`, ciKey, envDev, userCat))
	p.expect("POST", permBase+"/principal_roles/inspect", `{"scope_type":"prodenv"}`, 400, permError(400, "missing fields", "principals"))
	p.expect("POST", permBase+"/principal_roles/inspect", `{"scope_type":"prodenv","principals":[{"type":"user","id":"nope"}]}`, 404,
		permError(404, "not found", map[string]any{"principal_id": "nope"}))
	p.expect("POST", permBase+"/principal_roles/inspect", `{"scope_type":"org","principals":[{"type":"user","id":"x"}]}`, 400,
		permError(400, "invalid request", map[string]any{"scope_type": "org"}))
}

func TestInspectPaging(t *testing.T) {
	p := newPermFixture(t)
	const n = PermissionsPageSize + 5
	var users []SeedUser
	var assigns []SeedAssignment
	var refs []string
	for i := range n {
		email := fmt.Sprintf("u%02d@example.com", i)
		users = append(users, SeedUser{Email: email, ID: fmt.Sprintf("pageuser%022d", i)})
		assigns = append(assigns, SeedAssignment{PrincipalType: "user", Principal: email, RoleID: "cld::role::account::reports"})
		refs = append(refs, fmt.Sprintf(`{"type":"user","id":"pageuser%022d"}`, i))
	}
	if err := p.e.Seed(Seed{ProvisioningSeed: ProvisioningSeed{Users: users}, PermissionsSeed: PermissionsSeed{Assignments: assigns}}); err != nil {
		t.Fatal(err)
	}
	collect := func(next func(cursor string) any) []string {
		t.Helper()
		var ids []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("paging does not end")
			}
			body := next(cursor).(map[string]any)
			for _, x := range field(t, body, "data", "principals").([]any) {
				ids = append(ids, x.(map[string]any)["id"].(string))
			}
			c, has := body["next_cursor"]
			if !has {
				return ids
			}
			cursor = c.(string)
		}
	}
	get := collect(func(cursor string) any {
		q := permBase + "/principal_roles/inspect?scope_type=account"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		return p.expect("GET", q, "", 200, "")
	})
	post := collect(func(cursor string) any {
		return p.expect("POST", permBase+"/principal_roles/inspect",
			`{"scope_type":"account","cursor":`+jsonString(cursor)+`,"principals":[`+strings.Join(refs, ",")+`]}`, 200, "")
	})
	if len(get) != n || get[0] != "pageuser0000000000000000000000" || get[n-1] != fmt.Sprintf("pageuser%022d", n-1) {
		t.Errorf("inspect pages: %d principals %v", len(get), get)
	}
	if diff := cmp.Diff(get, post); diff != "" {
		t.Errorf("inspectMultiple pages differ from inspect (-inspect +multiple):\n%s", diff)
	}
}

func TestEffectivePolicies(t *testing.T) {
	p := newPermFixture(t)
	p.expect("PUT", permBase+"/principal_roles", principalRolesBody("add", "user", userAnn,
		`{"id":"cld::role::folder::viewer","scope_id":"`+envDev+`","policy_parameters":{"folder_id":"f1"}}`), 200, "")
	p.expect("PUT", permBase+"/principal_roles", principalRolesBody("add", "group", groupDes,
		`{"id":"cld::role::prodenv::ml_user","scope_id":"all"}`), 200, "")
	p.expect("PUT", permBase+"/principal_roles", principalRolesBody("add", "user", userBob,
		`{"id":"cld::role::prodenv::reports","scope_id":"`+envProd+`"}`), 200, "")
	forAnn := `permit(principal == Cloudinary::User::"` + userAnn + `", action == Cloudinary::Action::"read", resource is Cloudinary::Folder);`
	forKey := `permit(principal == Cloudinary::APIKey::"` + ciKey + `", action == Cloudinary::Action::"read", resource is Cloudinary::Folder);`
	annID := field(t, p.expect("POST", permBase+"/policies/custom", policyBody("ann", forAnn, "prodenv", envDev), 201, ""), "data", "id")
	keyID := field(t, p.expect("POST", permBase+"/policies/custom", policyBody("key", forKey, "prodenv", "all"), 201, ""), "data", "id")
	canon := func(s string) string { c, _ := checkCedar(s); return c }
	sub := func(id, folder string) string {
		return substituteParams(theCatalog().policyByID[id].Statement, map[string]string{"folder_id": folder})
	}

	got := p.expect("GET", permBase+"/policies/effective?scope_type=prodenv&scope_id="+envDev+"&principal_type=user&principal_id="+userAnn, "", 200, "")
	want := map[string]any{"data": map[string]any{
		"principals": []any{map[string]any{"principal_type": "user", "principal_id": userAnn, "roles": []any{
			map[string]any{"id": "cld::role::folder::viewer", "system_policies": []any{
				map[string]any{"id": "cld::policy::content::folder::view_download", "policy_statement": sub("cld::policy::content::folder::view_download", "f1")},
				map[string]any{"id": "cld::policy::content::folder::download_public_assets", "policy_statement": sub("cld::policy::content::folder::download_public_assets", "f1")},
			}},
			// Through the designers group.
			map[string]any{"id": "cld::role::prodenv::ml_user", "system_policies": []any{
				map[string]any{"id": "cld::policy::global::ml::access", "policy_statement": theCatalog().policyByID["cld::policy::global::ml::access"].Statement},
			}},
		}}},
		"custom_policies": []any{map[string]any{"id": annID, "policy_statement": canon(forAnn)}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("effective policies of ann in dev (-want +got):\n%s", diff)
	}
	if strings.Contains(fmt.Sprint(got), "<folder_id>") {
		t.Error("a placeholder was not substituted")
	}

	all := p.expect("GET", permBase+"/policies/effective?scope_type=prodenv&scope_id="+envProd, "", 200, "")
	var who []string
	for _, x := range field(t, all, "data", "principals").([]any) {
		who = append(who, x.(map[string]any)["principal_id"].(string))
	}
	if diff := cmp.Diff([]string{groupDes, userBob}, who); diff != "" {
		t.Errorf("principals with roles in prod (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{map[string]any{"id": keyID, "policy_statement": canon(forKey)}}, field(t, all, "data", "custom_policies")); diff != "" {
		t.Errorf("custom policies of prod (-want +got):\n%s", diff)
	}
	p.expect("GET", permBase+"/policies/effective?scope_type=prodenv&scope_id=55559999333hhx", "", 404,
		permError(404, "not found", map[string]any{"scope_id": "55559999333hhx"}))
	p.expect("GET", permBase+"/policies/effective?principal_type=user", "", 400, permError(400, "missing fields", "principal_id"))
	p.expect("GET", permBase+"/policies/effective?principal_type=user&principal_id=nope", "", 404, permError(404, "not found", map[string]any{"principal_id": "nope"}))
	p.expect("GET", permBase+"/policies/effective?scope_type=global", "", 400, permError(400, "invalid request", map[string]any{"scope_type": "global"}))
}

// TestForgetPrincipalAndScope deletes principals and an environment through
// the provisioning API and checks their assignments go with them.
func TestForgetPrincipalAndScope(t *testing.T) {
	p := newPermFixture(t)
	add := func(typ, id, role string) {
		t.Helper()
		p.expect("PUT", permBase+"/principal_roles", principalRolesBody("add", typ, id, role), 200, "")
	}
	add("user", userAnn, `{"id":"cld::role::account::admin"}`)
	add("user", userBob, `{"id":"cld::role::account::admin"}`)
	add("user", userBob, `{"id":"cld::role::prodenv::reports","scope_id":"`+envProd+`"}`)
	add("user", userBob, `{"id":"cld::role::prodenv::ml_user","scope_id":"all"}`)
	add("group", groupDes, `{"id":"cld::role::account::reports"}`)
	add("apiKey", ciKey, `{"id":"cld::role::prodenv::reports","scope_id":"`+envDev+`"}`)

	const prov = "/v1_1/provisioning/accounts/acc"
	p.expect("DELETE", prov+"/users/"+userAnn, "", 200, "")
	p.expect("DELETE", prov+"/user_groups/"+groupDes, "", 200, "")
	p.expect("DELETE", prov+"/sub_accounts/"+envDev+"/access_keys/"+ciKey, "", 200, "")
	p.expect("DELETE", prov+"/sub_accounts/"+envProd, "", 200, "")
	var left []string
	for _, a := range p.e.perm.assigns {
		left = append(left, a.PrincipalID+" "+a.RoleID+" "+a.ScopeID)
	}
	want := []string{userBob + " cld::role::account::admin ", userBob + " cld::role::prodenv::ml_user all"}
	if diff := cmp.Diff(want, left); diff != "" {
		t.Errorf("assignments left (-want +got):\n%s", diff)
	}
}

func TestPermissionsSeed(t *testing.T) {
	p := newPermFixture(t)
	seed := `
roles:
  - id: upload_manager
    name: Upload manager
    permission_type: global
    scope_type: prodenv
    system_policy_ids: [cld::policy::global::upload_presets::manage]
policies:
  - name: ci reads
    scope_type: prodenv
    scope: dev
    policy_statement: 'permit(principal == Cloudinary::APIKey::"111111111111111", action == Cloudinary::Action::"read", resource is Cloudinary::Folder);'
  - name: account wide
    scope_type: account
    enabled: false
    policy_statement: 'permit(principal, action, resource == Cloudinary::Feature::"cld::global::ml::access");'
assignments:
  - {principal_type: user, principal: bob@example.com, role_id: upload_manager, scope: prod}
  - {principal_type: group, principal: designers, role_id: cld::role::account::reports, scope: account}
  - {principal_type: apiKey, principal: "111111111111111", role_id: cld::role::folder::viewer, scope: all, policy_parameters: {folder_id: f9}}
`
	if err := p.e.LoadSeed(strings.NewReader(seed)); err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	p.expect("GET", permBase+"/roles/upload_manager", "", 200, "")
	if got := field(t, p.expect("GET", permBase+"/policies/custom?scope_type=prodenv&scope_id="+envDev, "", 200, ""), "data", 0, "name"); got != "ci reads" {
		t.Errorf("seeded dev policy: %v", got)
	}
	if got := field(t, p.expect("GET", permBase+"/policies/custom", "", 200, ""), "data", 0, "enabled"); got != false {
		t.Errorf("seeded account policy enabled = %v, want false", got)
	}
	p.expect("GET", permBase+"/roles/upload_manager/principals?verbose=true", "", 200, fmt.Sprintf(`{"data":[
		{"id":%q,"type":"user","role_id":"upload_manager","scope_type":"prodenv","scope_id":%q,"created_at":1700000000,"updated_at":1700000000}]}`, userBob, envProd))
	p.expect("GET", permBase+"/roles/cld::role::account::reports/principals", "", 200, fmt.Sprintf(`{"data":[{"id":%q,"type":"group"}]}`, groupDes))
	p.expect("GET", permBase+"/roles/cld::role::folder::viewer/principals?folder_id=f9", "", 200, fmt.Sprintf(`{"data":[{"id":%q,"type":"apiKey"}]}`, ciKey))

	bad := map[string]string{
		"unknown user":        `{assignments: [{principal_type: user, principal: nobody@example.com, role_id: cld::role::account::admin}]}`,
		"unknown environment": `{policies: [{name: x, scope_type: prodenv, scope: nowhere, policy_statement: 'permit(principal, action, resource);'}]}`,
		"invalid statement":   `{policies: [{name: x, scope_type: account, policy_statement: 'permit(principal == Cloudinary::APIKy::"1", action, resource);'}]}`,
		"duplicate role name": `{roles: [{name: Upload manager, permission_type: global, scope_type: account}]}`,
		"bad policy id":       `{roles: [{name: y, permission_type: global, scope_type: account, system_policy_ids: [cld::global::users_and_groups::manage]}]}`,
		"missing scope":       `{assignments: [{principal_type: user, principal: bob@example.com, role_id: cld::role::prodenv::reports}]}`,
		"bad principal type":  `{assignments: [{principal_type: robot, principal: r, role_id: cld::role::account::admin}]}`,
		"unknown field":       `{roles: [{name: z, permission_type: global, scope_type: account, colour: red}]}`,
	}
	for name, s := range bad {
		if err := p.e.LoadSeed(strings.NewReader(s)); err == nil {
			t.Errorf("LoadSeed accepted a seed with %s", name)
		}
	}
}

func TestPermissionsAuthentication(t *testing.T) {
	p := newPermFixture(t)
	for _, op := range operations {
		if !op.permissions() {
			continue
		}
		path := strings.NewReplacer("{account_id}", "acc", "{policy_id}", "x", "{role_id}", "x").Replace(op.Path)
		body := ""
		if op.Method == http.MethodPost || op.Method == http.MethodPut {
			body = `{}`
		}
		status, raw := sendTo(t, p.e, op.Method, path, body, false)
		if op.public() {
			if status == http.StatusUnauthorized {
				t.Errorf("%s (public) answered 401", op.ID)
			}
			continue
		}
		if status != http.StatusUnauthorized {
			t.Errorf("%s without credentials answered %d, want 401", op.ID, status)
			continue
		}
		if diff := cmp.Diff(decodeJSON(t, permError(401, "Invalid credentials")), decodeJSON(t, raw)); diff != "" {
			t.Errorf("%s 401 body (-want +got):\n%s", op.ID, diff)
		}
	}
}
