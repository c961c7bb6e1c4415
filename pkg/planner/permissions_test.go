package planner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// permLive is an account with two environments, a user, a group, an API
// key, a custom role, a policy and assignments, including one of an
// account API key.
func permLive() *model.Account {
	return &model.Account{
		Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod", Enabled: true}, {ID: "e2", CloudName: "acme-staging", Enabled: true}},
		Users:        []model.User{{ID: "u1", Email: "ana@acme.test", Role: "admin", Enabled: true, AllEnvironments: true}},
		Groups:       []model.Group{{ID: "g1", Name: "designers"}},
		Permissions: &model.Permissions{
			Catalog: spec.BuiltinCatalog(),
			Roles: []model.Role{{ID: "reviewer", Name: "Reviewer", Description: "Reviews", PermissionType: "global", ScopeType: "prodenv",
				SystemPolicies: []string{"cld::policy::global::assets::moderate"}}},
			Policies: []model.Policy{{ID: "p1", Name: "upload", Scope: "acme-staging", ScopeID: "e2", Enabled: true,
				Statement: "permit (\n    principal == Cloudinary::Group::\"g1\",\n    action == Cloudinary::Action::\"create\",\n    resource is Cloudinary::Asset\n);"}},
			Assignments: []model.Assignment{
				{PrincipalType: "group", PrincipalID: "g1", Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "designers"}, Role: "reviewer", Scope: "acme-staging", ScopeID: "e2"},
				{PrincipalType: "provisioningKey", PrincipalID: "pk1", Role: "cld::role::account::admin", Scope: "account"},
			},
			APIKeys: []model.APIKey{{Environment: "acme-prod", Name: "ci", Key: "123456789012345"}},
		},
	}
}

// permConfig is the configuration permLive matches.
func permConfig() *spec.Config {
	return &spec.Config{
		Version:      1,
		Environments: []spec.Environment{{CloudName: "acme-prod"}, {CloudName: "acme-staging"}},
		Users:        []spec.User{{Email: "ana@acme.test"}},
		Groups:       []spec.Group{{Name: "designers"}},
		Roles: []spec.Role{{ID: "reviewer", Name: "Reviewer", PermissionType: "global", ScopeType: "prodenv",
			SystemPolicies: []string{"cld::policy::global::assets::moderate"}}},
		Policies: []spec.Policy{{Name: "upload", Scope: "acme-staging",
			Statement: "permit(principal == Cloudinary::Group::\"${group:designers}\", action == Cloudinary::Action::\"create\", resource is Cloudinary::Asset);"}},
		Assignments: []spec.Assignment{{Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "designers"}, Role: "reviewer", Scope: "acme-staging"}},
	}
}

func TestDiffPermissions(t *testing.T) {
	tests := []struct {
		name   string
		config func(c *spec.Config)
		live   func(a *model.Account)
		opts   Options
		want   string
	}{
		{
			name: "matching account: no changes, reformatting ignored",
			want: "unmanaged assignments: 1\n",
		},
		{
			name: "everything new, depending on what the plan creates",
			config: func(c *spec.Config) {
				c.Environments = append(c.Environments, spec.Environment{CloudName: "acme-dev"})
				c.Users = append(c.Users, spec.User{Email: "raj@acme.test"})
				c.Roles = append(c.Roles, spec.Role{ID: "viewer", Name: "Viewer", Description: ptr("Views"), PermissionType: "content", ScopeType: "prodenv",
					SystemPolicies: []string{"cld::policy::content::folder::view_download"}})
				c.Policies = append(c.Policies, spec.Policy{Name: "raj", Scope: "acme-dev", Description: ptr("Raj reads"),
					Statement: "permit(principal == Cloudinary::User::\"${user:raj@acme.test}\", action, resource);"})
				c.Assignments = append(c.Assignments,
					spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "raj@acme.test"}, Role: "viewer", Scope: "acme-dev", FolderID: "f1"},
					spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}, Role: "cld::role::prodenv::ml_user", Scope: "all"})
			},
			want: `create environments/acme-dev
  name: "acme-dev"
  enabled: true
  note: name is not set: the cloud_name is used as the display name, which the API requires
create users/raj@acme.test
  name: "raj@acme.test"
  enabled: true
  environments: all
  note: name is not set: the email is used as the name, which the API requires
  note: environments is not set: the API gives the user access to all product environments
  note: sends an invitation email to raj@acme.test
create roles/viewer
  name: "Viewer"
  description: "Views"
  permission_type: "content"
  scope_type: "prodenv"
  system_policies: ["cld::policy::content::folder::view_download"]
create policies/acme-dev/raj after environments/acme-dev, users/raj@acme.test
  description: "Raj reads"
  enabled: true
  name: "raj"
  statement: "permit(principal == Cloudinary::User::\"${user:raj@acme.test}\", action, resource);"
create assignments/api_key:acme-prod/ci / cld::role::prodenv::ml_user / all
  principal: "api_key:acme-prod/ci"
  role: "cld::role::prodenv::ml_user"
  scope: "all"
create assignments/user:raj@acme.test / viewer / acme-dev / folder_id=f1 after users/raj@acme.test, roles/viewer, environments/acme-dev
  principal: "user:raj@acme.test"
  role: "viewer"
  scope: "acme-dev"
  folder_id: "f1"
unmanaged assignments: 1
`,
		},
		{
			name: "drift repaired: statement, role policies, extra assignment pruned",
			config: func(c *spec.Config) {
				c.Prune = []spec.Kind{spec.KindAssignment, spec.KindPolicy, spec.KindRole}
			},
			live: func(a *model.Account) {
				p := a.Permissions
				p.Policies[0].Statement = `permit(principal == Cloudinary::Group::"g1", action, resource);`
				p.Policies = append(p.Policies, model.Policy{ID: "p2", Name: "extra", Scope: "account", Statement: "forbid(principal, action, resource);", Enabled: true})
				p.Roles[0].SystemPolicies = append(p.Roles[0].SystemPolicies, "cld::policy::global::ml::access")
				p.Assignments = append(p.Assignments, model.Assignment{PrincipalType: "user", PrincipalID: "u1", Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "ana@acme.test"}, Role: "reviewer", Scope: "all", ScopeID: "all"})
			},
			want: `update roles/reviewer
  system_policies: ["cld::policy::global::assets::moderate", "cld::policy::global::ml::access"] → ["cld::policy::global::assets::moderate"]
update policies/acme-staging/upload
  statement: "permit(principal == Cloudinary::Group::\"${group:designers}\", action, resource);" → "permit(principal == Cloudinary::Group::\"${group:designers}\", action == Cloudinary::Action::\"create\", resource is Cloudinary::Asset);"
delete assignments/user:ana@acme.test / reviewer / all
  reason: not in the configuration, and assignments are pruned
delete policies/account/extra
  reason: not in the configuration, and policies are pruned
unmanaged assignments: 1
`,
		},
		{
			name: "replaces: role types, policy description, policy rename",
			config: func(c *spec.Config) {
				c.Roles[0].ScopeType = "account"
				c.Roles[0].SystemPolicies = []string{"cld::policy::global::users_and_groups::manage"}
				c.Assignments[0].Scope = "account"
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "ana@acme.test"}, Role: "reviewer", Scope: "account"})
				c.Policies[0].Name = "designers-upload"
				c.Policies[0].Enabled = ptr(false)
			},
			want: `replace roles/reviewer
  scope_type: "prodenv" → "account"
  system_policies: ["cld::policy::global::assets::moderate"] → ["cld::policy::global::users_and_groups::manage"]
  note: deleted and created again with the same id: the role is missing in between
  note: deleted with force=true, which drops its 1 assignment: group:designers in acme-staging; the configured ones are added again after
replace policies/acme-staging/designers-upload
  enabled: true → false
  name: "upload" → "designers-upload"
  note: renamed: policy "upload" is deleted and created again under the new name, leaving the permission out in between
create assignments/group:designers / reviewer / account after roles/reviewer
  principal: "group:designers"
  role: "reviewer"
  scope: "account"
create assignments/user:ana@acme.test / reviewer / account after roles/reviewer
  principal: "user:ana@acme.test"
  role: "reviewer"
  scope: "account"
unmanaged assignments: 1
`,
		},
		{
			name: "description only: replace because of the 409",
			config: func(c *spec.Config) {
				c.Policies[0].Description = ptr("Designers upload")
			},
			want: `replace policies/acme-staging/upload
  description: "" → "Designers upload"
  note: deleted and created again: the permission is missing for a moment in between
unmanaged assignments: 1
`,
		},
		{
			name: "deletes drop what depends on them; provisioning keys are kept",
			config: func(c *spec.Config) {
				c.Groups = nil
				c.Roles = nil
				c.Policies = nil
				c.Assignments = nil
				c.Prune = []spec.Kind{spec.KindGroup, spec.KindRole, spec.KindAssignment}
			},
			want: `delete roles/reviewer
  reason: not in the configuration, and roles are pruned
  note: deleted with force=true, which drops its 1 assignment: group:designers in acme-staging
delete groups/designers
  reason: not in the configuration, and groups are pruned
unmanaged policies: 1
unmanaged assignments: 1
`,
		},
		{
			name: "legacy role contradicts an account role",
			config: func(c *spec.Config) {
				c.Users[0].Role = ptr("media_library_user")
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "ana@acme.test"}, Role: "cld::role::account::master_admin", Scope: "account"})
			},
			want: `update users/ana@acme.test
  role: "admin" → "media_library_user"
create assignments/user:ana@acme.test / cld::role::account::master_admin / account
  principal: "user:ana@acme.test"
  role: "cld::role::account::master_admin"
  scope: "account"
unmanaged assignments: 1
warning: user ana@acme.test: the legacy role "media_library_user" and the permission roles ["cld::role::account::master_admin"] look contradictory; the API does not say how they combine
`,
		},
		{
			name: "unresolvable references are refused",
			config: func(c *spec.Config) {
				c.Policies[0].Statement = `permit(principal == Cloudinary::APIKey::"${api_key:acme-prod/nope}", action, resource);`
				c.Assignments[0].Role = "cld::role::prodenv::gone"
			},
			want: `unmanaged assignments: 2
error: policies/acme-staging/upload: statement: ${api_key:acme-prod/nope}: environment acme-prod has no API key named "nope"
error: assignments/group:designers / cld::role::prodenv::gone / acme-staging: role "cld::role::prodenv::gone" is neither in the configuration nor in the account's catalog of system roles
`,
		},
		{
			name: "no permissions API: provisioning planned, permissions refused",
			config: func(c *spec.Config) {
				c.Users = append(c.Users, spec.User{Email: "raj@acme.test", Name: ptr("Raj")})
			},
			live: func(a *model.Account) {
				a.Permissions = &model.Permissions{Unavailable: "GET roles answered 403 forbidden"}
			},
			want: `create users/raj@acme.test
  name: "Raj"
  enabled: true
  environments: all
  note: environments is not set: the API gives the user access to all product environments
  note: sends an invitation email to raj@acme.test
warning: permissions: this account has no Permissions API (GET roles answered 403 forbidden): only environments, users, groups and memberships are planned; set permissions: false to say so and skip the check
error: permissions/sections: refusing the roles, policies and assignments of the configuration: the account has no Permissions API (GET roles answered 403 forbidden); remove them, or set permissions: false to manage provisioning only
`,
		},
		{
			name: "permissions: false plans nothing of them",
			config: func(c *spec.Config) {
				c.Roles, c.Policies, c.Assignments = nil, nil, nil
				c.Permissions = &spec.PermissionsSetting{Enabled: false}
			},
			live: func(a *model.Account) { a.Permissions = nil },
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, live := permConfig(), permLive()
			if tt.config != nil {
				tt.config(cfg)
			}
			if tt.live != nil {
				tt.live(live)
			}
			p, err := Diff(cfg, live, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, dump(p)); diff != "" {
				t.Errorf("Diff mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffPermissionsValues(t *testing.T) {
	cfg, live := permConfig(), permLive()
	cfg.Policies[0].Description = ptr("new")
	cfg.Roles[0].ScopeType = "account"
	cfg.Roles[0].SystemPolicies = nil
	cfg.Assignments = nil
	p, err := Diff(cfg, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 2 {
		t.Fatalf("Diff = %s", dump(p))
	}
	wantRole := Change{
		Action: Replace, Ref: Ref{spec.KindRole, "reviewer"},
		Before: RoleValue{ID: "reviewer", Name: "Reviewer", Description: "Reviews", PermissionType: "global", ScopeType: "prodenv", SystemPolicies: []string{"cld::policy::global::assets::moderate"}, Force: true},
		After:  RoleValue{ID: "reviewer", Name: "Reviewer", Description: "Reviews", PermissionType: "global", ScopeType: "account", SystemPolicies: []string{"cld::policy::global::assets::moderate"}},
	}
	if diff := cmp.Diff(wantRole, p.Changes[0], cmpChangeCore); diff != "" {
		t.Errorf("role change mismatch (-want +got):\n%s", diff)
	}
	wantPolicy := Change{
		Action: Replace, Ref: Ref{spec.KindPolicy, "acme-staging/upload"},
		Before: PolicyValue{ID: "p1", Name: "upload", Scope: "acme-staging", ScopeID: "e2", Enabled: true,
			Statement: "permit (\n    principal == Cloudinary::Group::\"${group:designers}\",\n    action == Cloudinary::Action::\"create\",\n    resource is Cloudinary::Asset\n);"},
		After: PolicyValue{ID: "p1", Name: "upload", Scope: "acme-staging", ScopeID: "e2", Enabled: true, Description: "new",
			Statement: "permit (\n    principal == Cloudinary::Group::\"${group:designers}\",\n    action == Cloudinary::Action::\"create\",\n    resource is Cloudinary::Asset\n);"},
	}
	if diff := cmp.Diff(wantPolicy, p.Changes[1], cmpChangeCore); diff != "" {
		t.Errorf("policy change mismatch (-want +got):\n%s", diff)
	}
	if s := p.Summary(); s != (Summary{Add: 2, Destroy: 2}) {
		t.Errorf("Summary = %+v, want 2 to add, 2 to destroy", s)
	}
}

// cmpChangeCore compares a change's action, ref and values only.
var cmpChangeCore = cmp.Transformer("core", func(c Change) [4]any { return [4]any{c.Action, c.Ref, c.Before, c.After} })

func TestValidatePolicies(t *testing.T) {
	cfg, live := permConfig(), permLive()
	cfg.Policies[0].Statement = "permit(\n  principal == Cloudinary::Group::\"${group:designers}\",\n  action,\n  resource is Cloudinary::Asst\n);\n"
	cfg.Policies[0].StatementPos = spec.Pos{File: "perm.yaml", Line: 10, Col: 7}
	cfg.Policies[0].StatementBlock = true
	cfg.Policies = append(cfg.Policies, spec.Policy{Name: "ok", Scope: "all", Statement: "permit(principal, action, resource);", StatementPos: spec.Pos{File: "perm.yaml", Line: 20, Col: 16}})
	p, err := Diff(cfg, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	validate := func(_ context.Context, stmt string) ([]string, error) {
		asked = append(asked, stmt)
		if strings.Contains(stmt, "Asst") {
			return []string{"invalid_resource", `invalid_syntax: parse error at <input>:4:15 "Asst": unknown type`}, nil
		}
		return nil, nil
	}
	if err := ValidatePolicies(t.Context(), p, cfg, live, validate); err != nil {
		t.Fatal(err)
	}
	wantAsked := []string{
		"permit(\n  principal == Cloudinary::Group::\"g1\",\n  action,\n  resource is Cloudinary::Asst\n);\n",
		"permit(principal, action, resource);",
	}
	if diff := cmp.Diff(wantAsked, asked); diff != "" {
		t.Errorf("validated statements mismatch (-want +got):\n%s", diff)
	}
	want := `create policies/all/ok
  enabled: true
  name: "ok"
  statement: "permit(principal, action, resource);"
unmanaged assignments: 1
error: policies/acme-staging/upload: perm.yaml:10:7: the API rejects the statement: invalid_resource
error: policies/acme-staging/upload: perm.yaml:13:21: the API rejects the statement: "Asst": unknown type
`
	if diff := cmp.Diff(want, dump(p)); diff != "" {
		t.Errorf("plan mismatch (-want +got):\n%s", diff)
	}
	boom := errors.New("boom")
	if err := ValidatePolicies(t.Context(), p, cfg, live, func(context.Context, string) ([]string, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("ValidatePolicies error %v, want %v", err, boom)
	}
}

func TestPermissionsJSONRoundTrip(t *testing.T) {
	for _, v := range []Value{
		RoleValue{ID: "r", Name: "R", Description: "d", PermissionType: "global", ScopeType: "account", SystemPolicies: []string{"x"}, Force: true},
		PolicyValue{ID: "p", Name: "n", Scope: "acme", ScopeID: "e1", Description: "d", Statement: "permit(principal, action, resource);", Enabled: true},
		AssignmentValue{PrincipalType: "apiKey", Principal: "acme/ci", PrincipalID: "123", Role: "r", Scope: "all", ScopeID: "all", FolderID: "f"},
	} {
		j, err := jsonValue(v)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := fromJSONPermValue(v.Ref().Kind, func(x any) error {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			return dec.Decode(x)
		})
		if err != nil || !ok {
			t.Fatalf("fromJSONPermValue(%s) = %v, %v", raw, ok, err)
		}
		if diff := cmp.Diff(v, got); diff != "" {
			t.Errorf("round trip mismatch (-want +got):\n%s", diff)
		}
	}
	if _, ok, _ := fromJSONPermValue(spec.KindUser, nil); ok {
		t.Error("fromJSONPermValue(users) ok, want not a permissions kind")
	}
}

// TestPlanReplace: a policy change the API cannot make in place is one
// replace, which says why (pkg/render shows it as -/+).
func TestPlanReplace(t *testing.T) {
	cfg, live := permConfig(), permLive()
	cfg.Policies[0].Description = ptr("new")
	p, err := Diff(cfg, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 {
		t.Fatalf("%d changes, want 1: %+v", len(p.Changes), p.Changes)
	}
	c := p.Changes[0]
	if c.Action != Replace || c.Ref != (Ref{spec.KindPolicy, "acme-staging/upload"}) || c.Before == nil || c.After == nil {
		t.Errorf("change = %s %s (before %v, after %v), want a replace of acme-staging/upload with both values", c.Action, c.Ref, c.Before, c.After)
	}
	if want := "the API refuses (409) an update that keeps the policy statement unchanged"; c.Reason != want {
		t.Errorf("reason = %q, want %q", c.Reason, want)
	}
	if got := p.Summary(); got != (Summary{Add: 1, Destroy: 1}) {
		t.Errorf("summary = %+v, want 1 add and 1 destroy", got)
	}
}
