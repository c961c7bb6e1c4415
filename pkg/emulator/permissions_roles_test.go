package emulator

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The spec's create-role request examples.
const (
	createGlobalRoleExample = `{"id":"upload_manager_12334565","permission_type":"global","scope_type":"prodenv","name":"Upload manager",
		"description":"Responsible for managing uploads and uploading new assets.",
		"system_policy_ids":["cld::policy::global::upload_presets::manage","cld::policy::global::folder_and_asset_management::create_asset"]}`
	createContentRoleExample = `{"id":"marketing_content_contributor_1357fhe","permission_type":"content","scope_type":"prodenv","name":"Marketing content contributor",
		"description":"View all assets in selected folders and contribute to those folders, without permission to download.",
		"system_policy_ids":["cld::policy::content::folder::view_download","cld::policy::content::folder::add_assets"]}`
	// CreateAcctRoleExample as the spec writes it, with the invalid
	// cld::global:: id (NOTES.md P10).
	createAcctRoleExample = `{"id":"sensitive_account_details_manager_88825hl","permission_type":"global","scope_type":"account","name":"Sensitive account details manager",
		"description":"Responsible for managing users and account security.",
		"system_policy_ids":["cld::global::users_and_groups::manage","cld::policy::global::account_security::manage"]}`
)

func policyIDs(t *testing.T, role any) []any {
	t.Helper()
	var out []any
	for _, x := range field(t, role, "data", "policies").([]any) {
		out = append(out, x.(map[string]any)["id"])
	}
	return out
}

func TestCreateRole(t *testing.T) {
	p := newPermFixture(t)
	got := p.expect("POST", permBase+"/roles", createGlobalRoleExample, 201, "")
	gotPolicies := policyIDs(t, got)
	data := field(t, got, "data").(map[string]any)
	want := map[string]any{
		"id": "upload_manager_12334565", "name": "Upload manager", "description": "Responsible for managing uploads and uploading new assets.",
		"management_type": "custom", "permission_type": "global", "scope_type": "prodenv",
		"created_at": float64(1700000000), "updated_at": float64(1700000000),
	}
	policies := data["policies"]
	delete(data, "policies")
	if diff := cmp.Diff(want, data); diff != "" {
		t.Errorf("created role (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"cld::policy::global::upload_presets::manage", "cld::policy::global::folder_and_asset_management::create_asset"}, gotPolicies); diff != "" {
		t.Errorf("created role's policies (-want +got):\n%s", diff)
	}
	first := policies.([]any)[0].(map[string]any)
	if first["policy_statement"] != theCatalog().policyByID["cld::policy::global::upload_presets::manage"].Statement || first["category"] != "Settings" {
		t.Errorf("expanded policy: %v", first)
	}

	content := p.expect("POST", permBase+"/roles", createContentRoleExample, 201, "")
	if diff := cmp.Diff([]any{"folder_id"}, field(t, content, "data", "policy_parameters")); diff != "" {
		t.Errorf("content role policy_parameters (-want +got):\n%s", diff)
	}

	// No id: one is generated. A custom role may share a system role's name.
	gen := p.expect("POST", permBase+"/roles", `{"permission_type":"global","scope_type":"account","name":"Admin"}`, 201, "")
	if id := field(t, gen, "data", "id").(string); !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(id) {
		t.Errorf("generated id %q", id)
	}
	if diff := cmp.Diff([]any{}, field(t, gen, "data", "policies")); diff != "" {
		t.Errorf("role without policies (-want +got):\n%s", diff)
	}

	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"missing fields", `{"description":"x"}`, 400, permError(400, "missing fields", "permission_type", "scope_type", "name")},
		{"spec CreateAcctRoleExample (cld::global:: id)", createAcctRoleExample, 400,
			permError(400, "invalid request", map[string]any{"system_policy_ids": "cld::global::users_and_groups::manage"})},
		{"unknown policy", `{"permission_type":"global","scope_type":"prodenv","name":"n","system_policy_ids":["cld::global::upload_presets::sample"]}`, 400,
			permError(400, "invalid request", map[string]any{"system_policy_ids": "cld::global::upload_presets::sample"})},
		{"policy of another scope", `{"permission_type":"global","scope_type":"account","name":"n","system_policy_ids":["cld::policy::global::ml::access"]}`, 400,
			permError(400, "invalid request", map[string]any{"system_policy_ids": "cld::policy::global::ml::access"})},
		{"policy of another permission type", `{"permission_type":"global","scope_type":"prodenv","name":"n","system_policy_ids":["cld::policy::content::folder::add_assets"]}`, 400,
			permError(400, "invalid request", map[string]any{"system_policy_ids": "cld::policy::content::folder::add_assets"})},
		{"content role at account scope (spec InvalidFieldErrorExample)", `{"permission_type":"content","scope_type":"account","name":"n"}`, 400,
			permError(400, "invalid request", map[string]any{"scope_type": "account"})},
		{"bad permission_type", `{"permission_type":"all","scope_type":"account","name":"n"}`, 400,
			permError(400, "invalid request", map[string]any{"permission_type": "all"})},
		{"reserved id", `{"id":"cld::role::account::mine","permission_type":"global","scope_type":"account","name":"n"}`, 400,
			permError(400, "invalid request", map[string]any{"id": "cld::role::account::mine"})},
		{"id with a slash", `{"id":"a/b","permission_type":"global","scope_type":"account","name":"n"}`, 400,
			permError(400, "invalid request", map[string]any{"id": "a/b"})},
		{"duplicate id", `{"id":"upload_manager_12334565","permission_type":"global","scope_type":"account","name":"n"}`, 409,
			permError(409, "already exists", map[string]any{"id": "upload_manager_12334565"})},
		{"system role id", `{"id":"cld::role::folder::viewer","permission_type":"global","scope_type":"account","name":"n"}`, 400,
			permError(400, "invalid request", map[string]any{"id": "cld::role::folder::viewer"})},
		{"duplicate name (spec RoleAlreadyExistsErrorExample)", `{"permission_type":"global","scope_type":"account","name":"Admin"}`, 409,
			permError(409, "already exists", map[string]any{"name": "Admin"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.t = t
			p.expect("POST", permBase+"/roles", tt.body, tt.status, tt.want)
		})
	}
}

func TestGetRoles(t *testing.T) {
	p := newPermFixture(t)
	p.expect("POST", permBase+"/roles", createGlobalRoleExample, 201, "")
	p.expect("POST", permBase+"/roles", createContentRoleExample, 201, "")
	ids := func(query string) []string {
		t.Helper()
		var out []string
		for _, x := range field(t, p.expect("GET", permBase+"/roles?"+query, "", 200, ""), "data").([]any) {
			m := x.(map[string]any)
			if _, has := m["policies"]; has {
				t.Errorf("getRoles item carries policies (P4): %v", m)
			}
			out = append(out, m["id"].(string))
		}
		return out
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"permission_type=global", []string{"cld::role::account::master_admin", "cld::role::account::admin", "cld::role::account::reports",
			"cld::role::prodenv::master_admin", "cld::role::prodenv::ml_user", "cld::role::prodenv::reports", "upload_manager_12334565"}},
		{"permission_type=global&scope_type=prodenv&management_type=custom", []string{"upload_manager_12334565"}},
		{"permission_type=global&scope_type=account", []string{"cld::role::account::master_admin", "cld::role::account::admin", "cld::role::account::reports"}},
		{"permission_type=content", []string{"cld::role::folder::viewer", "marketing_content_contributor_1357fhe"}},
		{"permission_type=content&management_type=system", []string{"cld::role::folder::viewer"}},
		{"permission_type=content&policy_parameters=%5B%22folder_id%22%5D", []string{"cld::role::folder::viewer", "marketing_content_contributor_1357fhe"}},
		{"permission_type=content&policy_parameters=%5B%22collection_id%22%5D", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ids(tt.query)); diff != "" {
			t.Errorf("getRoles?%s (-want +got):\n%s", tt.query, diff)
		}
	}
	// getRoles lists no 400: a missing required permission_type answers 500.
	p.expect("GET", permBase+"/roles", "", 500, permError(500, "missing fields", "permission_type"))
	p.expect("GET", permBase+"/roles?permission_type=global&management_type=both", "", 500,
		permError(500, "invalid request", map[string]any{"management_type": "both"}))
	p.expect("GET", permBase+"/roles?permission_type=global&policy_parameters=folder_id", "", 500,
		permError(500, "invalid request", map[string]any{"policy_parameters": "folder_id"}))
}

func TestGetRole(t *testing.T) {
	p := newPermFixture(t)
	p.expect("POST", permBase+"/roles", createContentRoleExample, 201, "")
	sys := p.expect("GET", permBase+"/roles/cld::role::account::admin", "", 200, "")
	if field(t, sys, "data", "management_type") != "system" || field(t, sys, "data", "created_at") != float64(catalogEpoch) {
		t.Errorf("system role: %v", sys)
	}
	if diff := cmp.Diff([]any{"cld::policy::global::users_and_groups::manage"}, policyIDs(t, sys)); diff != "" {
		t.Errorf("system role's policies (-want +got):\n%s", diff)
	}
	path := permBase + "/roles/marketing_content_contributor_1357fhe"
	stmt := func(body any) string { return field(t, body, "data", "policies", 1, "policy_statement").(string) }
	placeholder := stmt(p.expect("GET", path, "", 200, ""))
	want := theCatalog().policyByID["cld::policy::content::folder::add_assets"].Statement
	if placeholder != want {
		t.Errorf("without folder_id the placeholder stays:\n%s\nwant:\n%s", placeholder, want)
	}
	for _, q := range []string{"?folder_id=f123", "?param_key=folder_id&param_value=f123"} {
		got := stmt(p.expect("GET", path+q, "", 200, ""))
		wantSub := "permit (\n    principal,\n    action == Cloudinary::Action::\"create\",\n    resource is Cloudinary::Asset\n)\nwhen { resource.ancestor_ids.contains(\"f123\") };"
		if got != wantSub {
			t.Errorf("getRole%s statement:\n%s\nwant:\n%s", q, got, wantSub)
		}
	}
	p.expect("GET", permBase+"/roles/manage_transformations_q1829qwnkli", "", 404,
		permError(404, "not found", map[string]any{"role_id": "manage_transformations_q1829qwnkli"}))
	// getRole lists neither 400 nor 500: a bad parameter answers 403.
	p.expect("GET", path+"?param_key=asset_id&param_value=a", "", 403, permError(403, "invalid request", map[string]any{"param_key": "asset_id"}))
}

func TestUpdateRole(t *testing.T) {
	p := newPermFixture(t)
	p.expect("POST", permBase+"/roles", createGlobalRoleExample, 201, "")
	p.expect("POST", permBase+"/roles", `{"id":"other","permission_type":"global","scope_type":"prodenv","name":"Other"}`, 201, "")
	path := permBase + "/roles/upload_manager_12334565"
	got := p.expect("PUT", path, `{"name":"Uploader","system_policy_ids":["cld::policy::global::ml::access"]}`, 200, "")
	if field(t, got, "data", "name") != "Uploader" || field(t, got, "data", "description") != nil || field(t, got, "data", "permission_type") != "global" {
		t.Errorf("full replace: %v", got)
	}
	if diff := cmp.Diff([]any{"cld::policy::global::ml::access"}, policyIDs(t, got)); diff != "" {
		t.Errorf("updated policies (-want +got):\n%s", diff)
	}
	p.expect("GET", path, "", 200, "")
	tests := []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"missing name", path, `{"description":"d"}`, 400, permError(400, "missing fields", "name")},
		{"spec InvalidPolicyIDFieldErrorExample", path, `{"name":"U","system_policy_ids":["cld::global::upload_presets::sample"]}`, 400,
			permError(400, "invalid request", map[string]any{"system_policy_ids": "cld::global::upload_presets::sample"})},
		{"content policy in a global role", path, `{"name":"U","system_policy_ids":["cld::policy::content::folder::add_assets"]}`, 400,
			permError(400, "invalid request", map[string]any{"system_policy_ids": "cld::policy::content::folder::add_assets"})},
		{"name of another role", path, `{"name":"Other"}`, 409, permError(409, "already exists", map[string]any{"name": "Other"})},
		{"system role", permBase + "/roles/cld::role::account::admin", `{"name":"Mine"}`, 403, permError(403, "not allowed")},
		{"unknown role", permBase + "/roles/nope", `{"name":"x"}`, 404, permError(404, "not found", map[string]any{"role_id": "nope"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.t = t
			p.expect("PUT", tt.path, tt.body, tt.status, tt.want)
		})
	}
	p.t = t
	// Keeping its own name is fine.
	p.expect("PUT", path, `{"name":"Uploader","description":"again"}`, 200, "")
}

func TestDeleteRole(t *testing.T) {
	p := newPermFixture(t)
	p.expect("POST", permBase+"/roles", createGlobalRoleExample, 201, "")
	p.expect("POST", permBase+"/roles", `{"id":"unused","permission_type":"global","scope_type":"account","name":"Unused"}`, 201, "")
	p.expect("DELETE", permBase+"/roles/unused", "", 204, "")
	p.expect("GET", permBase+"/roles/unused", "", 404, "")

	path := permBase + "/roles/upload_manager_12334565"
	p.expect("PUT", path+"/principals", fmt.Sprintf(`{"operation":"add","principals":[{"principal_type":"user","principal_id":%q,"scope_id":%q}]}`, userAnn, envDev), 200, "")
	p.expect("DELETE", path, "", 403, permError(403, "role has associated principals", map[string]any{"role_id": "upload_manager_12334565"}))
	p.expect("DELETE", path+"?force=false", "", 403, "")
	p.expect("DELETE", path+"?force=true", "", 204, "")
	p.expect("GET", path, "", 404, "")
	if len(p.e.perm.assigns) != 0 {
		t.Errorf("force delete left assignments: %v", p.e.perm.assigns)
	}
	p.expect("DELETE", permBase+"/roles/cld::role::folder::viewer", "", 403, permError(403, "not allowed"))
	p.expect("DELETE", permBase+"/roles/nope", "", 404, permError(404, "not found", map[string]any{"role_id": "nope"}))
}
