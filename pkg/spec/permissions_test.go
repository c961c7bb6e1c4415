package spec

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/emulator"
)

func TestLoadPermissions(t *testing.T) {
	path := filepath.Join(specTestdata, "ok", "perm_issue.yaml")
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%q) returned error:\n%v", path, err)
	}
	at := func(line, col int) Pos { return Pos{File: path, Line: line, Col: col} }
	wantRoles := []Role{{
		ID: "acme-asset-reviewer", Name: "Asset reviewer", Description: ptr("Reviews and moderates assets"),
		PermissionType: "global", ScopeType: "prodenv",
		SystemPolicies: []string{"cld::policy::global::assets::moderate", "cld::policy::global::folder_and_asset_management::view"},
		Pos:            at(11, 5),
	}}
	wantPolicies := []Policy{
		{
			Name: "designers-upload-staging", Scope: "acme-staging", Description: ptr("Designers may upload to staging"),
			Statement:    "permit(\n  principal == Cloudinary::Group::\"${group:designers}\",\n  action == Cloudinary::Action::\"create\",\n  resource is Cloudinary::Asset\n);\n",
			StatementPos: at(24, 7), StatementBlock: true, Pos: at(20, 5),
		},
		{
			Name: "ci-reads", Scope: "all", Enabled: ptr(false),
			Statement:    `permit(principal == Cloudinary::APIKey::"${api_key:acme-prod/ci}", action == Cloudinary::Action::"read", resource);`,
			StatementPos: at(32, 17), Pos: at(29, 5),
		},
	}
	wantAssignments := []Assignment{
		{Principal: Principal{PrincipalGroup, "designers"}, Role: "acme-asset-reviewer", Scope: "acme-staging", Pos: at(34, 5), PrincipalPos: at(34, 16), RolePos: at(35, 11)},
		{Principal: Principal{PrincipalUser, "ana@acme.test"}, Role: "cld::role::folder::viewer", Scope: "acme-prod", FolderID: "f8a5c2e1", Pos: at(37, 5), PrincipalPos: at(37, 16), RolePos: at(38, 11)},
		{Principal: Principal{PrincipalAPIKey, "acme-prod/ci"}, Role: "cld::role::account::reports", Scope: "account", Pos: at(41, 5), PrincipalPos: at(41, 16), RolePos: at(42, 11)},
	}
	if diff := cmp.Diff(wantRoles, cfg.Roles); diff != "" {
		t.Errorf("roles mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantPolicies, cfg.Policies); diff != "" {
		t.Errorf("policies mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantAssignments, cfg.Assignments); diff != "" {
		t.Errorf("assignments mismatch (-want +got):\n%s", diff)
	}
	if got := cfg.APIKeyEnvironments(); !cmp.Equal(got, []string{"acme-prod"}) {
		t.Errorf("APIKeyEnvironments() = %v, want [acme-prod]", got)
	}
	if cfg.PermissionsOff() || !cfg.HasPermissions() {
		t.Errorf("PermissionsOff() = %v, HasPermissions() = %v, want false, true", cfg.PermissionsOff(), cfg.HasPermissions())
	}
}

func TestPermissionsSwitch(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		off     bool
		wantErr string
	}{
		{name: "default on", src: "version: 1\n"},
		{name: "off", src: "version: 1\npermissions: false\n", off: true},
		{name: "on", src: "version: 1\npermissions: true\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("in.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.PermissionsOff(); got != tt.off {
				t.Errorf("PermissionsOff() = %v, want %v", got, tt.off)
			}
		})
	}
	dir := t.TempDir()
	for name, src := range map[string]string{"a.yaml": "version: 1\npermissions: true\n", "b.yaml": "permissions: false\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Load(dir)
	want := filepath.Join(dir, "b.yaml") + ":1:14: permissions: differs from permissions at " + filepath.Join(dir, "a.yaml") + ":2:14; files that repeat permissions must agree"
	if err == nil || err.Error() != want {
		t.Errorf("Load(dir) error %v, want %s", err, want)
	}
}

func TestPolicyPosAt(t *testing.T) {
	block := Policy{Statement: "a\nbb\n", StatementPos: Pos{File: "f", Line: 10, Col: 7}, StatementBlock: true}
	line := Policy{Statement: "permit(x)", StatementPos: Pos{File: "f", Line: 3, Col: 17}}
	folded := Policy{Statement: "a\nb", StatementPos: Pos{File: "f", Line: 3, Col: 17}}
	tests := []struct {
		name      string
		p         Policy
		line, col int
		want      Pos
	}{
		{"block first line", block, 1, 1, Pos{File: "f", Line: 10, Col: 7}},
		{"block later line", block, 2, 3, Pos{File: "f", Line: 11, Col: 9}},
		{"one line", line, 1, 5, Pos{File: "f", Line: 3, Col: 21}},
		{"folded", folded, 2, 5, Pos{File: "f", Line: 3, Col: 17}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.PosAt(tt.line, tt.col); got != tt.want {
				t.Errorf("PosAt(%d, %d) = %v, want %v", tt.line, tt.col, got, tt.want)
			}
		})
	}
}

func TestCedarRefs(t *testing.T) {
	stmt := `permit(principal == Cloudinary::User::"${user:Ana@Acme.test}", action, resource in Cloudinary::ProductEnvironment::"${environment:acme-prod}") when { "${x:y}" == "$" };`
	got := CedarRefs(stmt)
	want := []CedarRef{
		{Kind: "user", Name: "ana@acme.test", Start: 39, End: 60},
		{Kind: "environment", Name: "acme-prod", Start: 116, End: 140},
		{Kind: "x", Name: "y", Start: 151, End: 157},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("CedarRefs mismatch (-want +got):\n%s", diff)
	}
	resolved, err := ResolveCedar(stmt, func(r CedarRef) (string, error) {
		if r.Kind == "x" {
			return `q"\`, nil
		}
		return "id-" + r.Name, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantResolved := `permit(principal == Cloudinary::User::"id-ana@acme.test", action, resource in Cloudinary::ProductEnvironment::"id-acme-prod") when { "q\"\\" == "$" };`
	if resolved != wantResolved {
		t.Errorf("ResolveCedar = %s\nwant %s", resolved, wantResolved)
	}
	boom := errors.New("boom")
	if _, err := ResolveCedar(stmt, func(CedarRef) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Errorf("ResolveCedar error %v, want %v", err, boom)
	}
}

func TestCanonicalCedar(t *testing.T) {
	a := "permit(principal,action==Cloudinary::Action::\"read\",resource is Cloudinary::Folder ) when {resource.ancestor_ids.contains(\"x\")} ;"
	b := "// reformatted\npermit (\n    principal,\n    action == Cloudinary::Action::\"read\",\n    resource is Cloudinary::Folder\n)\nwhen { resource.ancestor_ids.contains(\"x\") };"
	if CanonicalCedar(a) != CanonicalCedar(b) {
		t.Errorf("CanonicalCedar differs:\n%s\n%s", CanonicalCedar(a), CanonicalCedar(b))
	}
	if got, want := CanonicalCedar("not   cedar\n at all"), "not cedar at all"; got != want {
		t.Errorf("CanonicalCedar(invalid) = %q, want %q", got, want)
	}
}

func TestCedarErrorPos(t *testing.T) {
	line, col, rest, ok := CedarErrorPos(`invalid_syntax: parser error: parse error at <input>:3:2 "action": expected ident`)
	if !ok || line != 3 || col != 2 || rest != `"action": expected ident` {
		t.Errorf("CedarErrorPos = %d, %d, %q, %v", line, col, rest, ok)
	}
	if _, _, rest, ok := CedarErrorPos("invalid_principal"); ok || rest != "invalid_principal" {
		t.Errorf("CedarErrorPos(no position) = %q, %v", rest, ok)
	}
}

// TestCatalogSnapshot checks that the catalog shipped in the binary is
// what GET public/catalog answers (the emulator's reviewed catalog); run
// with -update to refresh it.
func TestCatalogSnapshot(t *testing.T) {
	srv := httptest.NewServer(emulator.New(emulator.Options{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/v2/accounts/permissions/public/catalog")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var served, shipped any
	if err := json.Unmarshal(body, &served); err != nil {
		t.Fatal(err)
	}
	if *update {
		out, err := json.MarshalIndent(served, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("catalog.json", append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := json.Unmarshal(catalogJSON, &shipped); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(served, shipped); diff != "" {
		t.Errorf("catalog.json differs from public/catalog (-served +shipped):\n%s\nrefresh with: go test ./pkg/spec -run TestCatalogSnapshot -update", diff)
	}
	c := BuiltinCatalog()
	if got := c.RoleParams(c.Roles["cld::role::folder::viewer"].Policies); !cmp.Equal(got, []string{"folder_id"}) {
		t.Errorf("RoleParams(folder viewer) = %v, want [folder_id]", got)
	}
	if p := c.Policies["cld::policy::global::assets::moderate"]; p.PermissionType != "global" || p.ScopeType != "prodenv" || len(p.Params) != 0 {
		t.Errorf("moderate policy = %+v", p)
	}
}

func TestNewCatalogParamsFromStatement(t *testing.T) {
	c := NewCatalog([]CatalogPolicy{
		{ID: "a", PermissionType: "content"},
		{ID: "b", PermissionType: "content"},
		{ID: "c", PermissionType: "global"},
	}, map[string]string{"a": `when { resource.ancestor_ids.contains("<collection_id>") }`}, nil)
	want := map[string][]string{"a": {"collection_id"}, "b": {"folder_id", "collection_id"}, "c": nil}
	for id, w := range want {
		if got := c.Policies[id].Params; !cmp.Equal(got, w) {
			t.Errorf("Params(%s) = %v, want %v", id, got, w)
		}
	}
	if !strings.Contains(string(catalogJSON), "cld::role::folder::viewer") {
		t.Error("snapshot lacks the folder viewer role")
	}
}
