package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/internal/plantest"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func accessLive() *model.Account { return plantest.AccessLive() }
func accessConfig() *spec.Config { return plantest.AccessConfig() }

func user(email string) spec.Principal { return spec.Principal{Kind: spec.PrincipalUser, Name: email} }

func TestAccess(t *testing.T) {
	raj := spec.Assignment{Principal: user("raj@acme.test"), Role: "reviewer", Scope: "acme-staging"}
	tests := []struct {
		name   string
		config func(c *spec.Config)
		opts   Options
		want   []string
	}{
		{name: "no changes, no access changes"},
		{
			name: "joining a group gives its roles and the policies naming it",
			config: func(c *spec.Config) {
				c.Groups[0].Members = append(c.Groups[0].Members, "raj@acme.test")
			},
			want: []string{
				"raj@acme.test gains Asset reviewer on acme-staging (via group designers)",
				"raj@acme.test gains create on Asset in acme-staging (via policy upload, group designers)",
			},
		},
		{
			name: "a direct assignment of what a group already gives changes nothing",
			config: func(c *spec.Config) {
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: user("ana@acme.test"), Role: "reviewer", Scope: "acme-staging"})
			},
		},
		{
			name: "leaving the group while assigned directly keeps the role but not the group's policy",
			config: func(c *spec.Config) {
				c.Groups[0].Members = []string{"raj@acme.test"}
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: user("ana@acme.test"), Role: "reviewer", Scope: "acme-staging"})
			},
			want: []string{
				"ana@acme.test loses create on Asset in acme-staging (via policy upload, group designers)",
				"raj@acme.test gains Asset reviewer on acme-staging (via group designers)",
				"raj@acme.test gains create on Asset in acme-staging (via policy upload, group designers)",
			},
		},
		{
			name: "content roles name their folder; every environment",
			config: func(c *spec.Config) {
				c.Assignments = append(c.Assignments,
					spec.Assignment{Principal: user("raj@acme.test"), Role: "cld::role::folder::viewer", Scope: "acme-prod", FolderID: "f1"},
					spec.Assignment{Principal: user("raj@acme.test"), Role: "cld::role::prodenv::ml_user", Scope: "all"})
			},
			want: []string{
				"raj@acme.test gains Viewer on Folder f1 in acme-prod",
				"raj@acme.test gains Media Library User on every environment",
			},
		},
		{
			name: "a role's new system policy reaches its holders",
			config: func(c *spec.Config) {
				c.Roles[0].SystemPolicies = []string{"cld::policy::global::folder_and_asset_management::view"}
			},
			want: []string{
				"ana@acme.test gains View all folders and assets on acme-staging (via role Asset reviewer, group designers)",
				"ana@acme.test loses Moderate all assets on acme-staging (via role Asset reviewer, group designers)",
			},
		},
		{
			name: "a pruned policy and assignment: the key loses them",
			config: func(c *spec.Config) {
				c.Policies = c.Policies[:1]
				c.Assignments = c.Assignments[:1]
			},
			want: []string{
				"key acme-prod/ci loses Media Library User on acme-prod",
				"key acme-prod/ci loses create on Folder f8a5c2e1 in acme-prod (via policy ci-writes)",
			},
		},
		{
			name: "forbid and when are conditional; an open principal is everyone",
			config: func(c *spec.Config) {
				c.Policies = append(c.Policies,
					spec.Policy{Name: "no-deletes", Scope: "acme-prod",
						Statement: "forbid(principal == Cloudinary::User::\"${user:raj@acme.test}\", action in [Cloudinary::Action::\"delete\", Cloudinary::Action::\"update\"], resource) when { context.hour > 18 };"},
					spec.Policy{Name: "all-read", Scope: "account",
						Statement: "permit(principal, action == Cloudinary::Action::\"read\", resource in Cloudinary::ProductEnvironment::\"${environment:acme-prod}\");"},
					spec.Policy{Name: "users-read", Scope: "all",
						Statement: "permit(principal is Cloudinary::User, action, resource is Cloudinary::Asset);"})
			},
			want: []string{
				"raj@acme.test gains forbid delete, update on any resource in acme-prod (via policy no-deletes) [conditional: forbid, when; not evaluated]",
				"every user gains any action on Asset in every environment (via policy users-read)",
				"everyone gains read on anything in ProductEnvironment acme-prod in the account (via policy all-read)",
			},
		},
		{
			name: "a deleted user loses what it held; a disabled policy gives nothing",
			config: func(c *spec.Config) {
				c.Users = c.Users[1:]
				c.Groups[0].Members = nil
				c.Policies[0].Enabled = ptr(false)
			},
			opts: Options{AllowDeletes: true},
			want: []string{
				"ana@acme.test loses Asset reviewer on acme-staging (via group designers)",
				"ana@acme.test loses create on Asset in acme-staging (via policy upload, group designers)",
			},
		},
		{
			name: "a new user in a new group with a new role",
			config: func(c *spec.Config) {
				c.Users = append(c.Users, spec.User{Email: "mei@acme.test"})
				c.Groups = append(c.Groups, spec.Group{Name: "ops", Members: []string{"mei@acme.test"}, MembersManaged: true})
				c.Roles = append(c.Roles, spec.Role{ID: "ops", Name: "Operator", PermissionType: "global", ScopeType: "prodenv",
					SystemPolicies: []string{"cld::policy::global::upload_presets::manage"}})
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "ops"}, Role: "ops", Scope: "acme-prod"}, raj)
			},
			want: []string{
				"mei@acme.test gains Operator on acme-prod (via group ops)",
				"raj@acme.test gains Asset reviewer on acme-staging",
			},
		},
		{
			name: "renames keep access: a renamed group and user gain and lose nothing",
			config: func(c *spec.Config) {
				c.Groups[0].Name = "design"
				c.Groups[0].Previously = []spec.Previous{{Name: "designers"}}
				c.Users[0].Email = "ana.lima@acme.test"
				c.Users[0].Previously = []spec.Previous{{Name: "ana@acme.test"}}
				c.Groups[0].Members = []string{"ana.lima@acme.test"}
				c.Policies[0].Statement = strings.ReplaceAll(c.Policies[0].Statement, "group:designers", "group:design")
				c.Assignments[0].Principal.Name = "design"
			},
		},
		{
			name: "--no-access-diff",
			config: func(c *spec.Config) {
				c.Assignments = append(c.Assignments, raj)
			},
			opts: Options{NoAccessDiff: true},
		},
		{
			name: "permissions: false",
			config: func(c *spec.Config) {
				c.Groups[0].Members = append(c.Groups[0].Members, "raj@acme.test")
				c.Permissions = &spec.PermissionsSetting{Enabled: false}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := accessConfig()
			if tt.config != nil {
				tt.config(cfg)
			}
			p, err := Diff(cfg, accessLive(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Errors) > 0 {
				t.Fatalf("plan errors: %v", p.Errors)
			}
			var got []string
			for _, a := range p.Access {
				got = append(got, a.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Access (-want +got):\n%s", diff)
			}
			// Apply's verification computes it again from the live account
			// as read (renames not done) and the plan: the same answer.
			if tt.opts.NoAccessDiff || cfg.PermissionsOff() {
				return
			}
			if diff := cmp.Diff(p.Access, Access(nil, accessLive(), p)); diff != "" {
				t.Errorf("Access from the live account as read (-plan's +again):\n%s", diff)
			}
		})
	}
}

// TestAccessUnavailable: no permissions read, no access diff, even with
// membership changes.
func TestAccessUnavailable(t *testing.T) {
	live := accessLive()
	live.Permissions = &model.Permissions{Unavailable: "GET roles answered 403 forbidden"}
	cfg := accessConfig()
	cfg.Roles, cfg.Policies, cfg.Assignments, cfg.Prune = nil, nil, nil, nil
	cfg.Groups[0].Members = append(cfg.Groups[0].Members, "raj@acme.test")
	p, err := Diff(cfg, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Access != nil {
		t.Errorf("Access = %v, want none", p.Access)
	}
}

func TestPlannedAccessQueries(t *testing.T) {
	cfg := accessConfig()
	cfg.Groups[0].Members = append(cfg.Groups[0].Members, "raj@acme.test")
	cfg.Assignments = append(cfg.Assignments, spec.Assignment{Principal: user("raj@acme.test"), Role: "cld::role::prodenv::ml_user", Scope: "all"})
	live := accessLive()
	p, err := Diff(cfg, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := PlannedAccess(live, p)
	for _, tt := range []struct {
		scope string
		roles []string
		pols  []string
	}{
		{scope: "acme-staging", roles: []string{"cld::role::prodenv::ml_user", "reviewer"}, pols: []string{"acme-staging/upload"}},
		{scope: "acme-prod", roles: []string{"cld::role::prodenv::ml_user"}},
		{scope: "all", roles: []string{"cld::role::prodenv::ml_user"}},
		{scope: "account"},
	} {
		var pols []string
		for _, pol := range g.PoliciesNaming(user("raj@acme.test"), tt.scope) {
			pols = append(pols, spec.PolicyKey(pol.Scope, pol.Name))
		}
		if diff := cmp.Diff(tt.roles, g.RolesIn(user("raj@acme.test"), tt.scope)); diff != "" {
			t.Errorf("RolesIn(raj, %s) (-want +got):\n%s", tt.scope, diff)
		}
		if diff := cmp.Diff(tt.pols, pols); diff != "" {
			t.Errorf("PoliciesNaming(raj, %s) (-want +got):\n%s", tt.scope, diff)
		}
	}
	// The live graph has raj in no group.
	if got := LiveAccess(live).RolesIn(user("raj@acme.test"), "acme-staging"); len(got) != 0 {
		t.Errorf("live RolesIn(raj) = %v, want none", got)
	}
}

func TestAccessChangeString(t *testing.T) {
	for _, tt := range []struct {
		a    AccessChange
		want string
	}{
		{AccessChange{Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}, Verb: Loses, What: "create", Resource: "Folder f8a5c2e1", Scope: "acme-prod"},
			"key acme-prod/ci loses create on Folder f8a5c2e1 in acme-prod"},
		{AccessChange{Principal: user("raj@acme.test"), Verb: Gains, What: "Admin", Scope: "account"},
			"raj@acme.test gains Admin on the account"},
		{AccessChange{Principal: user("raj@acme.test"), Verb: AccessVerb(0), What: "x", Scope: "all"},
			"raj@acme.test AccessVerb(0) x on every environment"},
	} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	if !strings.HasPrefix(Gains.String(), "gains") || Loses.String() != "loses" {
		t.Errorf("verbs: %s %s", Gains, Loses)
	}
}
