package emulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCatalogHasEverySpecID checks that every system role and system policy
// id the spec names (NOTES.md 7) is in the catalog, and that the defective
// cld::global:: form (P10) is not.
func TestCatalogHasEverySpecID(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "api", "provisioning.openapi.yml"))
	if err != nil {
		t.Fatalf("read the spec: %v", err)
	}
	cat := theCatalog()
	ids := regexp.MustCompile(`cld::(?:policy|role)::[a-z_:]+[a-z_]`).FindAllString(string(raw), -1)
	if len(ids) < 20 {
		t.Fatalf("found only %d system ids in the spec", len(ids))
	}
	for _, id := range ids {
		if cat.policyByID[id] == nil && cat.roleByID[id] == nil {
			t.Errorf("spec id %s is not in the catalog", id)
		}
	}
	for _, p := range cat.policies {
		if strings.HasPrefix(p.ID, "cld::global::") {
			t.Errorf("policy id %s has the invalid cld::global:: form", p.ID)
		}
	}
}

func TestCatalogEndpoints(t *testing.T) {
	p := newPermFixture(t)
	// Public: no credentials.
	status, raw := sendTo(t, p.e, "GET", "/v2/accounts/permissions/public/catalog", "", false)
	if status != 200 {
		t.Fatalf("catalog answered %d: %s", status, raw)
	}
	body := decodeJSON(t, raw)
	pols := field(t, body, "catalog", "system_policies").([]any)
	roles := field(t, body, "catalog", "system_roles").([]any)
	if len(pols) != len(theCatalog().policies) || len(roles) != len(theCatalog().roles) {
		t.Fatalf("catalog has %d policies and %d roles, want %d and %d", len(pols), len(roles), len(theCatalog().policies), len(theCatalog().roles))
	}
	var viewDownload map[string]any
	for _, x := range pols {
		m := x.(map[string]any)
		if _, has := m["policy_statement"]; has {
			t.Errorf("catalog policy %v uses policy_statement, want policy (P10)", m["id"])
		}
		if _, has := m["origin"]; has {
			t.Errorf("catalog policy %v leaks the internal origin field", m["id"])
		}
		if m["id"] == "cld::policy::content::folder::view_download" {
			viewDownload = m
		}
	}
	want := map[string]any{
		"id": "cld::policy::content::folder::view_download", "name": "View assets",
		"description": "View all assets in the folder and its nested subfolders.",
		"category":    "Folder", "sub_category": "View and download",
		"permission_type": "content", "scope_type": "prodenv",
		"policy_parameters": []any{"folder_id"},
		"policy": "permit (\n    principal,\n    action == Cloudinary::Action::\"read\",\n    resource is Cloudinary::Folder\n)\n" +
			"when { resource.ancestor_ids.contains(\"<folder_id>\") };\n\n" +
			"permit (\n    principal,\n    action == Cloudinary::Action::\"read\",\n    resource is Cloudinary::Asset\n)\n" +
			"when { resource.ancestor_ids.contains(\"<folder_id>\") };",
	}
	if diff := cmp.Diff(want, viewDownload); diff != "" {
		t.Errorf("view_download in the catalog (-want +got):\n%s", diff)
	}
	wantRole := map[string]any{
		"id": "cld::role::folder::viewer", "name": "Viewer", "description": "View and download public assets.",
		"permission_type": "content", "scope_type": "prodenv",
		"system_policy_ids": []any{"cld::policy::content::folder::view_download", "cld::policy::content::folder::download_public_assets"},
	}
	if diff := cmp.Diff(wantRole, roles[len(roles)-1]); diff != "" {
		t.Errorf("folder viewer in the catalog (-want +got):\n%s", diff)
	}

	status, raw = sendTo(t, p.e, "GET", "/v2/accounts/permissions/public/schema", "", false)
	if status != 200 {
		t.Fatalf("schema answered %d: %s", status, raw)
	}
	schema := decodeJSON(t, raw)
	for _, typ := range []string{"User", "Group", "APIKey", "Asset", "Folder", "Feature"} {
		if field(t, schema, "schema", "Cloudinary", "entityTypes", typ) == nil {
			t.Errorf("schema lacks Cloudinary::%s", typ)
		}
	}
	if field(t, schema, "schema", "MediaFlows", "actions", "read") == nil {
		t.Error("schema lacks MediaFlows::Action::\"read\"")
	}
}

func TestGetSystemPolicies(t *testing.T) {
	p := newPermFixture(t)
	ids := func(query string) []string {
		t.Helper()
		body := p.expect("GET", permBase+"/policies/system"+query, "", 200, "")
		var out []string
		for _, x := range field(t, body, "data").([]any) {
			out = append(out, x.(map[string]any)["id"].(string))
		}
		return out
	}
	account := []string{"cld::policy::global::users_and_groups::manage", "cld::policy::global::account_security::manage"}
	if diff := cmp.Diff(account, ids("")); diff != "" {
		t.Errorf("default (account) system policies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(account, ids("?scope_type=account&permission_type=global")); diff != "" {
		t.Errorf("account global system policies (-want +got):\n%s", diff)
	}
	content := []string{"cld::policy::content::folder::view_download", "cld::policy::content::folder::download_public_assets", "cld::policy::content::folder::add_assets"}
	if diff := cmp.Diff(content, ids("?scope_type=prodenv&permission_type=content")); diff != "" {
		t.Errorf("prodenv content system policies (-want +got):\n%s", diff)
	}
	if got := ids("?scope_type=prodenv"); len(got) != 12 {
		t.Errorf("prodenv system policies: %d, want 12: %v", len(got), got)
	}
	one := p.expect("GET", permBase+"/policies/system?scope_type=prodenv&permission_type=global", "", 200, "")
	first := field(t, one, "data", 0).(map[string]any)
	for _, k := range []string{"id", "name", "description", "scope_type", "permission_type", "policy_statement", "category", "sub_category", "created_at", "updated_at"} {
		if _, has := first[k]; !has {
			t.Errorf("system policy lacks %s: %v", k, first)
		}
	}
	// getSystemPolicies lists no 400: a bad enum answers 500.
	p.expect("GET", permBase+"/policies/system?scope_type=global", "", 500,
		permError(500, "invalid request", map[string]any{"scope_type": "global"}))
	p.expect("GET", permBase+"/policies/system?permission_type=x", "", 500,
		permError(500, "invalid request", map[string]any{"permission_type": "x"}))
}

func TestLoadCatalogRefusesBadData(t *testing.T) {
	var base map[string]any
	if err := json.Unmarshal(catalogJSON, &base); err != nil {
		t.Fatal(err)
	}
	tests := map[string]func(m map[string]any){
		"invalid statement": func(m map[string]any) {
			pol(m, 0)["policy"] = `permit(principal == Cloudinary::user::"1", action, resource);`
		},
		"unparsable statement": func(m map[string]any) { pol(m, 0)["policy"] = `permit(` },
		"unknown policy in a role": func(m map[string]any) {
			role(m, 0)["system_policy_ids"] = []any{"cld::policy::global::nope"}
		},
		"policy of another scope in a role": func(m map[string]any) {
			role(m, 0)["system_policy_ids"] = []any{"cld::policy::global::ml::access"}
		},
		"duplicate policy id": func(m map[string]any) {
			pols := m["system_policies"].([]any)
			m["system_policies"] = append(pols, pols[0])
		},
		"id without policy::": func(m map[string]any) { pol(m, 0)["id"] = "cld::global::ml::access" },
		"global policy with parameters": func(m map[string]any) {
			pol(m, 0)["policy_parameters"] = []any{"folder_id"}
		},
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			raw, _ := json.Marshal(base)
			_ = json.Unmarshal(raw, &m)
			mutate(m)
			raw, _ = json.Marshal(m)
			if _, err := loadCatalog(raw); err == nil {
				t.Error("loadCatalog accepted it")
			}
		})
	}
	if _, err := loadCatalog(catalogJSON); err != nil {
		t.Errorf("the embedded catalog: %v", err)
	}
}

func pol(m map[string]any, i int) map[string]any {
	return m["system_policies"].([]any)[i].(map[string]any)
}

func role(m map[string]any, i int) map[string]any {
	return m["system_roles"].([]any)[i].(map[string]any)
}

func TestCatalogRolesMatchTheirPolicies(t *testing.T) {
	for _, r := range theCatalog().roles {
		for _, id := range r.PolicyIDs {
			p := theCatalog().policyByID[id]
			if p.ScopeType != r.ScopeType || p.PermissionType != r.PermissionType {
				t.Errorf("role %s (%s/%s) has policy %s (%s/%s)", r.ID, r.ScopeType, r.PermissionType, id, p.ScopeType, p.PermissionType)
			}
		}
		if !slices.Contains([]string{"account", "prodenv"}, r.ScopeType) {
			t.Errorf("role %s scope_type %q", r.ID, r.ScopeType)
		}
	}
}
