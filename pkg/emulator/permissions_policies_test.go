package emulator

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func policyBody(name, statement, scopeType, scopeID string) string {
	b := `{"name":` + jsonString(name) + `,"policy_statement":` + jsonString(statement) + `,"scope_type":"` + scopeType + `"`
	if scopeID != "" {
		b += `,"scope_id":"` + scopeID + `"`
	}
	return b + `}`
}

func TestCustomPolicyLifecycle(t *testing.T) {
	p := newPermFixture(t)
	created := p.expect("POST", permBase+"/policies/custom",
		`{"name":"Read access to Clothing folder","description":"Permit read access.","scope_type":"prodenv","scope_id":"`+envDev+`","enabled":true,"policy_statement":`+jsonString(specCreateStatement)+`}`,
		201, "")
	id := field(t, created, "data", "id").(string)
	want := fmt.Sprintf(`{"data":{"id":%q,"name":"Read access to Clothing folder","description":"Permit read access.",
		"policy_statement":%s,"scope_type":"prodenv","scope_id":%q,"enabled":true,"created_at":1700000000,"updated_at":1700000000}}`,
		id, jsonString(specCreateCanonical), envDev)
	if diff := cmp.Diff(decodeJSON(t, want), created); diff != "" {
		t.Errorf("create answer (-want +got):\n%s", diff)
	}
	p.expect("GET", permBase+"/policies/custom/"+id, "", 200, want)

	// Full replace: description left out becomes null, enabled is taken.
	updated := `permit(principal == Cloudinary::APIKey::"1234", action == Cloudinary::Action::"update", resource is Cloudinary::Folder);`
	canonUpdated, _ := checkCedar(updated)
	p.expect("PUT", permBase+"/policies/custom/"+id,
		`{"name":"Update access","policy_statement":`+jsonString(updated)+`,"scope_type":"prodenv","scope_id":"all","enabled":false}`,
		200, fmt.Sprintf(`{"data":{"id":%q,"name":"Update access","description":null,"policy_statement":%s,
		"scope_type":"prodenv","scope_id":"all","enabled":false,"created_at":1700000000,"updated_at":1700000000}}`, id, jsonString(canonUpdated)))

	// P2: the same statement again, even re-spaced, is a 409.
	respaced := "permit(principal == Cloudinary::APIKey::\"1234\",\n action == Cloudinary::Action::\"update\",\n resource is Cloudinary::Folder)  ;"
	p.expect("PUT", permBase+"/policies/custom/"+id,
		`{"name":"Renamed","policy_statement":`+jsonString(respaced)+`,"scope_type":"prodenv","scope_id":"all","enabled":true}`,
		409, permError(409, "already exists for the scope", map[string]any{"policy_statement": respaced}))

	p.expect("DELETE", permBase+"/policies/custom/"+id, "", 204, "")
	p.expect("GET", permBase+"/policies/custom/"+id, "", 404, permError(404, "not found", map[string]any{"policy_id": id}))
	p.expect("DELETE", permBase+"/policies/custom/"+id, "", 404, permError(404, "not found", map[string]any{"policy_id": id}))
	p.expect("PUT", permBase+"/policies/custom/"+id, policyBody("x", updated, "account", ""), 404,
		permError(404, "not found", map[string]any{"policy_id": id}))
}

func TestCreateCustomPolicyErrors(t *testing.T) {
	p := newPermFixture(t)
	valid := `permit(principal == Cloudinary::APIKey::"1", action == Cloudinary::Action::"read", resource is Cloudinary::Asset);`
	p.expect("POST", permBase+"/policies/custom", policyBody("first", valid, "prodenv", envDev), 201, "")
	specBad := `permit(principal == Cloudinary::APIKy::"1234", action == Cloudinary::Action::"read", resource is Cloudinary::Folder ) when {resource.ancestor_ids.contains("asdfjkl12347890")} ;`
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"empty object", `{}`, 400, permError(400, "missing fields", "name", "policy_statement", "scope_type")},
		{"no body", ``, 400, ""},
		{"wrong type", `{"name":1}`, 400, ""},
		{"bad scope_type", policyBody("n", valid, "global", ""), 400, permError(400, "invalid request", map[string]any{"scope_type": "global"})},
		{"prodenv without scope_id", policyBody("n", valid, "prodenv", ""), 400, permError(400, "missing fields", "scope_id")},
		{"unknown scope_id", policyBody("n", valid, "prodenv", "nope"), 400, permError(400, "invalid request", map[string]any{"scope_id": "nope"})},
		{"spec CedarErrorExample", policyBody("n", specBad, "prodenv", envDev), 400,
			`{"error":{"category":"user_error","code":"ACCOUNTS_00002","message":"invalid request","details":{"fields":[{"policy_statement":` +
				jsonString(specBad) + `},{"cedar_errors":[{"cedar_message":"invalid_principal"}]}]}}}`},
		{"duplicate in the scope, re-spaced", policyBody("other name", "permit(principal==Cloudinary::APIKey::\"1\",action==Cloudinary::Action::\"read\",resource is Cloudinary::Asset);", "prodenv", envDev), 409,
			permError(409, "already exists for the scope", map[string]any{"policy_statement": "permit(principal==Cloudinary::APIKey::\"1\",action==Cloudinary::Action::\"read\",resource is Cloudinary::Asset);"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.t = t
			p.expect("POST", permBase+"/policies/custom", tt.body, tt.status, tt.want)
		})
	}
	p.t = t
	// The same statement in another scope is not a duplicate.
	p.expect("POST", permBase+"/policies/custom", policyBody("prod", valid, "prodenv", envProd), 201, "")
	p.expect("POST", permBase+"/policies/custom", policyBody("all", valid, "prodenv", "all"), 201, "")
	acct := p.expect("POST", permBase+"/policies/custom", `{"name":"acct","scope_type":"account","scope_id":"ignored","policy_statement":`+jsonString(valid)+`}`, 201, "")
	if _, has := field(t, acct, "data").(map[string]any)["scope_id"]; has {
		t.Errorf("an account policy carries scope_id: %v", acct)
	}
	status, _ := sendTo(t, p.e, "POST", permBase+"/policies/custom", policyBody("x", valid, "account", ""), false)
	if status != http.StatusUnauthorized {
		t.Errorf("create without credentials answered %d, want 401", status)
	}
}

func TestUpdateCustomPolicyErrors(t *testing.T) {
	p := newPermFixture(t)
	a := `permit(principal == Cloudinary::APIKey::"a", action, resource);`
	b := `permit(principal == Cloudinary::APIKey::"b", action, resource);`
	p.expect("POST", permBase+"/policies/custom", policyBody("a", a, "account", ""), 201, "")
	idB := field(t, p.expect("POST", permBase+"/policies/custom", policyBody("b", b, "account", ""), 201, ""), "data", "id").(string)
	path := permBase + "/policies/custom/" + idB
	p.expect("PUT", path, policyBody("b", `permit(principal == Cloudinary::APIKey::"c", action, resource);`, "account", ""), 400,
		permError(400, "missing fields", "enabled"))
	p.expect("PUT", path, `{"enabled":true}`, 400, permError(400, "missing fields", "name", "policy_statement", "scope_type"))
	p.expect("PUT", path, `{"name":"b","enabled":true,"scope_type":"account","policy_statement":"permit("}`, 400, "")
	// Another policy of the scope already has the statement.
	p.expect("PUT", path, `{"name":"b","enabled":true,"scope_type":"account","policy_statement":`+jsonString(a)+`}`, 409,
		permError(409, "already exists for the scope", map[string]any{"policy_statement": a}))
	// Moving it to a scope where the statement is new is fine.
	p.expect("PUT", path, `{"name":"b","enabled":true,"scope_type":"prodenv","scope_id":"`+envProd+`","policy_statement":`+jsonString(a)+`}`, 200, "")
}

func TestGetCustomPolicies(t *testing.T) {
	p := newPermFixture(t)
	stmt := func(i int) string {
		return fmt.Sprintf(`permit(principal == Cloudinary::APIKey::"%d", action, resource);`, i)
	}
	const accountN = 2*PermissionsPageSize + 5
	for i := range accountN {
		p.expect("POST", permBase+"/policies/custom", policyBody(fmt.Sprint("acct", i), stmt(i), "account", ""), 201, "")
	}
	devID := field(t, p.expect("POST", permBase+"/policies/custom", policyBody("dev", stmt(1000), "prodenv", envDev), 201, ""), "data", "id")
	allID := field(t, p.expect("POST", permBase+"/policies/custom", `{"name":"all","enabled":false,"scope_type":"prodenv","scope_id":"all","policy_statement":`+jsonString(stmt(1001))+`}`, 201, ""), "data", "id")
	prodID := field(t, p.expect("POST", permBase+"/policies/custom", policyBody("prod", stmt(1002), "prodenv", envProd), 201, ""), "data", "id")

	// Page through the account policies.
	var names []string
	cursor, pages := "", 0
	for {
		q := permBase + "/policies/custom"
		if cursor != "" {
			q += "?cursor=" + cursor
		}
		body := p.expect("GET", q, "", 200, "").(map[string]any)
		pages++
		for _, x := range body["data"].([]any) {
			names = append(names, x.(map[string]any)["name"].(string))
		}
		next, has := body["next_cursor"]
		if !has {
			break
		}
		cursor = next.(string)
	}
	if pages != 3 || len(names) != accountN || names[0] != "acct0" || names[accountN-1] != fmt.Sprint("acct", accountN-1) {
		t.Errorf("paged %d pages, %d names (%v ... %v), want 3 pages of %d", pages, len(names), names[0], names[len(names)-1], accountN)
	}

	ids := func(query string) []any {
		t.Helper()
		var out []any
		for _, x := range field(t, p.expect("GET", permBase+"/policies/custom?"+query, "", 200, ""), "data").([]any) {
			out = append(out, x.(map[string]any)["id"])
		}
		return out
	}
	if diff := cmp.Diff([]any{devID, allID}, ids("scope_type=prodenv&scope_id="+envDev)); diff != "" {
		t.Errorf("dev policies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{allID, prodID}, ids("scope_type=prodenv&scope_id="+envProd)); diff != "" {
		t.Errorf("prod policies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{devID}, ids("scope_type=prodenv&scope_id="+envDev+"&enabled=true")); diff != "" {
		t.Errorf("enabled dev policies (-want +got):\n%s", diff)
	}
	// getCustomPolicies lists no 400 and no 404: bad parameters answer 500.
	p.expect("GET", permBase+"/policies/custom?scope_type=prodenv", "", 500, permError(500, "missing fields", "scope_id"))
	p.expect("GET", permBase+"/policies/custom?scope_type=prodenv&scope_id=nope", "", 500, permError(500, "invalid request", map[string]any{"scope_id": "nope"}))
	p.expect("GET", permBase+"/policies/custom?cursor=zz", "", 500, permError(500, "invalid request", map[string]any{"cursor": "zz"}))
	p.expect("GET", permBase+"/policies/custom?enabled=maybe", "", 500, permError(500, "invalid request", map[string]any{"enabled": "maybe"}))

	// Deleting the environment takes its policies, not those for "all".
	p.expect("DELETE", "/v1_1/provisioning/accounts/acc/sub_accounts/"+envDev, "", 200, "")
	if diff := cmp.Diff([]any{allID, prodID}, ids("scope_type=prodenv&scope_id="+envProd)); diff != "" {
		t.Errorf("prod policies after deleting dev (-want +got):\n%s", diff)
	}
	for _, pol := range p.e.perm.policies {
		if pol.ScopeID == envDev {
			t.Errorf("policy %s of the deleted environment survived", pol.ID)
		}
	}
}
