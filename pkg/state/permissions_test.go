package state_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

const permSeed = `
environments:
  - {cloud_name: acme-prod, name: Acme Production, id: env-prod, access_keys: [{name: ci, api_key: "123456789012345"}]}
  - {cloud_name: acme-staging, name: Acme Staging, id: env-staging}
users:
  - {email: ana@acme.test, name: Ana, role: admin, id: u-ana}
groups:
  - {name: designers, id: g-designers}
roles:
  - {id: reviewer, name: Reviewer, permission_type: global, scope_type: prodenv, system_policy_ids: [cld::policy::global::assets::moderate, cld::policy::global::ml::access]}
  - {id: folders, name: Folders, permission_type: content, scope_type: prodenv, system_policy_ids: [cld::policy::content::folder::view_download]}
policies:
  - {name: p-all, scope_type: prodenv, scope: all, policy_statement: 'permit(principal == Cloudinary::Group::"g-designers", action, resource);'}
  - {name: p-acct, scope_type: account, policy_statement: 'permit(principal, action == Cloudinary::Action::"read", resource);', enabled: false, description: Reads}
assignments:
  - {principal_type: group, principal: designers, role_id: reviewer, scope: all}
  - {principal_type: user, principal: ana@acme.test, role_id: folders, scope: acme-prod, policy_parameters: {folder_id: f1}}
  - {principal_type: user, principal: ana@acme.test, role_id: cld::role::account::admin}
  - {principal_type: apiKey, principal: "123456789012345", role_id: cld::role::prodenv::ml_user, scope: acme-prod}
  - {principal_type: provisioningKey, principal: "pk-1", role_id: cld::role::account::reports}
`

func TestReadPermissions(t *testing.T) {
	emu, c := newAccount(t, permSeed)
	emu.ResetStats()
	got, err := state.Read(t.Context(), state.FromClient(c), state.Options{Permissions: true})
	if err != nil {
		t.Fatal(err)
	}
	p := got.Permissions
	if p == nil || p.Unavailable != "" || p.Catalog == nil {
		t.Fatalf("Permissions = %+v", p)
	}
	wantRoles := []state.Role{
		{ID: "folders", Name: "Folders", PermissionType: "content", ScopeType: "prodenv", SystemPolicies: []string{"cld::policy::content::folder::view_download"}},
		{ID: "reviewer", Name: "Reviewer", PermissionType: "global", ScopeType: "prodenv", SystemPolicies: []string{"cld::policy::global::assets::moderate", "cld::policy::global::ml::access"}},
	}
	if diff := cmp.Diff(wantRoles, p.Roles); diff != "" {
		t.Errorf("roles mismatch (-want +got):\n%s", diff)
	}
	wantPolicies := []state.Policy{
		{Name: "p-acct", Description: "Reads", Scope: "account", Statement: "permit (\n    principal,\n    action == Cloudinary::Action::\"read\",\n    resource\n);"},
		{Name: "p-all", Scope: "all", ScopeID: "all", Enabled: true, Statement: "permit (\n    principal == Cloudinary::Group::\"g-designers\",\n    action,\n    resource\n);"},
	}
	if diff := cmp.Diff(wantPolicies, p.Policies, cmpopts.IgnoreFields(state.Policy{}, "ID")); diff != "" {
		t.Errorf("policies mismatch (-want +got):\n%s", diff)
	}
	wantAssigns := []state.Assignment{
		{PrincipalType: "apiKey", PrincipalID: "123456789012345", Principal: spec.Principal{Kind: "api_key", Name: "acme-prod/ci"}, Role: "cld::role::prodenv::ml_user", Scope: "acme-prod", ScopeID: "env-prod"},
		{PrincipalType: "group", PrincipalID: "g-designers", Principal: spec.Principal{Kind: "group", Name: "designers"}, Role: "reviewer", Scope: "all", ScopeID: "all"},
		{PrincipalType: "provisioningKey", PrincipalID: "pk-1", Role: "cld::role::account::reports", Scope: "account"},
		{PrincipalType: "user", PrincipalID: "u-ana", Principal: spec.Principal{Kind: "user", Name: "ana@acme.test"}, Role: "cld::role::account::admin", Scope: "account"},
		{PrincipalType: "user", PrincipalID: "u-ana", Principal: spec.Principal{Kind: "user", Name: "ana@acme.test"}, Role: "folders", Scope: "acme-prod", ScopeID: "env-prod", FolderID: "f1"},
	}
	if diff := cmp.Diff(wantAssigns, p.Assignments); diff != "" {
		t.Errorf("assignments mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]state.APIKey{{Environment: "acme-prod", Name: "ci", Key: "123456789012345"}}, p.APIKeys); diff != "" {
		t.Errorf("API keys mismatch (-want +got):\n%s", diff)
	}
	// Fewest requests: 2 role listings + 1 getRole per custom role, the
	// catalog once, policies and inspect once per scope (account + 2
	// environments), access keys of the one environment with an API key
	// principal.
	wantCalls := map[string]int{
		"getRoles": 2, "getRole": 2, "getSystemRolesAndPoliciesCatalog": 1,
		"getCustomPolicies": 3, "inspect": 3, "getAccessKeys": 1,
	}
	stats := emu.Stats()
	for op, want := range wantCalls {
		if got := stats[op].Requests; got != want {
			t.Errorf("%s: %d requests, want %d", op, got, want)
		}
	}
	if got := p.Unresolve(got, p.Policies[1].Statement); !strings.Contains(got, `Cloudinary::Group::"${group:designers}"`) {
		t.Errorf("Unresolve = %s", got)
	}
}

func TestReadPermissionsUnavailable(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusNotFound} {
		emu := emulator.New(emulator.Options{})
		// An account without the Permissions API answers every /v2
		// permissions request so.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/permissions/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				w.Write([]byte(`{"error":{"category":"user_error","code":"ACCOUNTS_00006","message":"not allowed"}}`))
				return
			}
			emu.ServeHTTP(w, r)
		}))
		c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := state.Read(t.Context(), state.FromClient(c), state.Options{Permissions: true})
		srv.Close()
		if err != nil {
			t.Fatalf("%d: Read returned %v", status, err)
		}
		if got.Permissions == nil || !strings.Contains(got.Permissions.Unavailable, "GET roles answered") || len(got.Users) != 1 {
			t.Errorf("%d: Permissions = %+v, users %d", status, got.Permissions, len(got.Users))
		}
	}
}

func TestReadWithoutPermissions(t *testing.T) {
	emu, c := newAccount(t, permSeed)
	got, err := state.Read(t.Context(), state.FromClient(c), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Permissions != nil {
		t.Errorf("Permissions = %+v, want nil when not asked", got.Permissions)
	}
	if n := emu.Stats()["getRoles"].Requests; n != 0 {
		t.Errorf("getRoles requests = %d, want 0", n)
	}
}

func TestCedarValidator(t *testing.T) {
	_, c := newAccount(t, "")
	validate := state.CedarValidator(state.FromClient(c))
	tests := []struct {
		stmt string
		want []string
	}{
		{`permit(principal == Cloudinary::User::"u1", action == Cloudinary::Action::"read", resource);`, nil},
		{`permit(principal == Cloudinary::APIKy::"1234", action, resource);`, []string{"invalid_principal"}},
	}
	for _, tt := range tests {
		got, err := validate(t.Context(), tt.stmt)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("validate(%s) mismatch (-want +got):\n%s", tt.stmt, diff)
		}
	}
}
