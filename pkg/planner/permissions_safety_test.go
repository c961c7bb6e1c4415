package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestUnnamedAssignmentsAreNotDeleted: a live assignment whose principal
// no listing names (keyed user:ID) is never deleted, even when assignments
// are pruned and every listing claims to be complete: it could be one the
// configuration assigns by name. It counts as unmanaged, with a warning.
// An incomplete assignment listing deletes nothing and counts the extras
// as unmanaged too.
func TestUnnamedAssignmentsAreNotDeleted(t *testing.T) {
	t.Parallel()
	raj := spec.Principal{Kind: spec.PrincipalUser, Name: "raj@acme.test"}
	unnamed := func(ptype, id string) model.Assignment {
		a := model.Assignment{PrincipalType: "user", PrincipalID: id, Role: "cld::role::account::admin", Scope: spec.ScopeAccount}
		if ptype == "group" {
			a.PrincipalType = "group"
		}
		return a
	}
	tests := []struct {
		name   string
		config func(c *spec.Config)
		live   func(a *model.Account)
		want   string
	}{
		{
			name: "the principal is missing from the listings",
			config: func(c *spec.Config) {
				c.Users = append(c.Users, spec.User{Email: "raj@acme.test"})
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: raj, Role: "cld::role::account::admin", Scope: spec.ScopeAccount})
				c.Prune = []spec.Kind{spec.KindAssignment}
			},
			live: func(a *model.Account) {
				a.Permissions.Assignments = append(a.Permissions.Assignments, unnamed("user", "u7"))
			},
			want: `create users/raj@acme.test
  name: "raj@acme.test"
  enabled: true
  environments: all
  note: name is not set: the email is used as the name, which the API requires
  note: environments is not set: the API gives the user access to all product environments
  note: sends an invitation email to raj@acme.test
create assignments/user:raj@acme.test / cld::role::account::admin / account after users/raj@acme.test
  principal: "user:raj@acme.test"
  role: "cld::role::account::admin"
  scope: "account"
unmanaged assignments: 2
warning: assignments: 1 live assignment belongs to principals that no live listing names (user:u7); it is left alone, though assignments are pruned: the configuration may assign the same role to them by name
`,
		},
		{
			name:   "several, named a few at a time",
			config: func(c *spec.Config) { c.Prune = []spec.Kind{spec.KindAssignment} },
			live: func(a *model.Account) {
				a.Permissions.Assignments = append(a.Permissions.Assignments,
					unnamed("user", "u7"), unnamed("user", "u8"), unnamed("user", "u9"), unnamed("group", "g9"))
				u7 := unnamed("user", "u7")
				u7.Role = "cld::role::account::reports"
				a.Permissions.Assignments = append(a.Permissions.Assignments, u7)
			},
			want: `unmanaged assignments: 6
warning: assignments: 5 live assignments belong to principals that no live listing names (group:g9, user:u7, user:u8 and 1 more); they are left alone, though assignments are pruned: the configuration may assign the same roles to them by name
`,
		},
		{
			name:   "an incomplete assignment listing deletes nothing",
			config: func(c *spec.Config) { c.Assignments = nil; c.Prune = []spec.Kind{spec.KindAssignment} },
			live: func(a *model.Account) {
				a.Incomplete = map[spec.Kind]string{spec.KindAssignment: "principals missing from the incomplete users listing cannot be named: page 2 repeats page 1"}
			},
			want: `unmanaged assignments: 2
warning: assignments: the live listing is incomplete (principals missing from the incomplete users listing cannot be named: page 2 repeats page 1): no assignments are deleted, and objects missing from the listing may be planned as creates
`,
		},
		{
			name:   "named extras are deleted when pruned",
			config: func(c *spec.Config) { c.Assignments = nil; c.Prune = []spec.Kind{spec.KindAssignment} },
			want: `delete assignments/group:designers / reviewer / acme-staging
  reason: not in the configuration, and assignments are pruned
unmanaged assignments: 1
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, live := permConfig(), permLive()
			tt.config(cfg)
			if tt.live != nil {
				tt.live(live)
			}
			p, err := Diff(cfg, live, Options{AllowDeletes: true})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, dump(p)); diff != "" {
				t.Errorf("Diff mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIgnorePermissions: with assignments and policies pruned, the live
// assignments held by ignored users and groups, by API keys of ignored
// environments, or scoped to ignored environments, and the custom
// policies scoped to ignored environments, are kept out of the plan and
// counted as ignored, in the one ignore warning. What the configuration
// lists is managed whatever the rules.
func TestIgnorePermissions(t *testing.T) {
	t.Parallel()
	cfg, live := permConfig(), permLive()
	cfg.Prune = []spec.Kind{spec.KindAssignment, spec.KindPolicy}
	cfg.Ignore = spec.Ignore{
		spec.KindUser:        {{Pattern: "*@other.test"}},
		spec.KindGroup:       {{Pattern: "their-*"}},
		spec.KindEnvironment: {{Pattern: "other-*"}},
	}
	live.Environments = append(live.Environments, model.Environment{ID: "e9", CloudName: "other-prod", Enabled: true})
	live.Users = append(live.Users, model.User{ID: "u9", Email: "ext@other.test", Role: "admin", Enabled: true, AllEnvironments: true})
	live.Groups = append(live.Groups, model.Group{ID: "g9", Name: "their-team"})
	ext := spec.Principal{Kind: spec.PrincipalUser, Name: "ext@other.test"}
	ana := spec.Principal{Kind: spec.PrincipalUser, Name: "ana@acme.test"}
	lp := live.Permissions
	lp.APIKeys = append(lp.APIKeys, model.APIKey{Environment: "other-prod", Name: "deploy", Key: "999"})
	lp.Assignments = append(lp.Assignments,
		// ignored: by principal, by scope, by the API key's environment
		model.Assignment{PrincipalType: "user", PrincipalID: "u9", Principal: ext, Role: "cld::role::account::admin", Scope: spec.ScopeAccount},
		model.Assignment{PrincipalType: "group", PrincipalID: "g9", Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "their-team"}, Role: "reviewer", Scope: "acme-prod", ScopeID: "e1"},
		model.Assignment{PrincipalType: "user", PrincipalID: "u1", Principal: ana, Role: "reviewer", Scope: "other-prod", ScopeID: "e9"},
		model.Assignment{PrincipalType: "apiKey", PrincipalID: "999", Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "other-prod/deploy"}, Role: "cld::role::prodenv::ml_user", Scope: "all", ScopeID: "all"},
		// not ignored: ana's, at account scope
		model.Assignment{PrincipalType: "user", PrincipalID: "u1", Principal: ana, Role: "cld::role::account::reports", Scope: spec.ScopeAccount},
	)
	lp.Policies = append(lp.Policies,
		model.Policy{ID: "p9", Name: "theirs", Scope: "other-prod", ScopeID: "e9", Enabled: true, Statement: `permit(principal, action, resource);`},
		model.Policy{ID: "p8", Name: "stale", Scope: "acme-prod", ScopeID: "e1", Enabled: true, Statement: `forbid(principal, action, resource);`},
	)
	p, err := Diff(cfg, live, Options{AllowDeletes: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `delete assignments/user:ana@acme.test / cld::role::account::reports / account
  reason: not in the configuration, and assignments are pruned
delete policies/acme-prod/stale
  reason: not in the configuration, and policies are pruned
unmanaged assignments: 1
warning: ignore: 1 environment, 1 user, 1 group, 1 policy, 4 assignments match ignore rules and are left out of this plan
`
	if diff := cmp.Diff(want, dump(p)); diff != "" {
		t.Errorf("Diff mismatch (-want +got):\n%s", diff)
	}
	wantIgnored := map[spec.Kind]int{spec.KindEnvironment: 1, spec.KindUser: 1, spec.KindGroup: 1, spec.KindPolicy: 1, spec.KindAssignment: 4}
	if diff := cmp.Diff(wantIgnored, p.Ignored); diff != "" {
		t.Errorf("Ignored mismatch (-want +got):\n%s", diff)
	}

	// The configuration wins: an ignored user's assignment it lists is
	// kept, neither deleted nor counted.
	cfg.Assignments = append(cfg.Assignments, spec.Assignment{Principal: ext, Role: "cld::role::account::admin", Scope: spec.ScopeAccount})
	p, err = Diff(cfg, live, Options{AllowDeletes: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Ignored[spec.KindAssignment]; got != 3 {
		t.Errorf("ignored assignments = %d, want 3: the listed one is managed", got)
	}
}

// TestIgnorePermissionsWarningAlone: when only the permissions half has
// ignored objects, the ignore warning is added all the same.
func TestIgnorePermissionsWarningAlone(t *testing.T) {
	t.Parallel()
	d := &differ{plan: &Plan{Ignored: map[spec.Kind]int{}}}
	prev := d.ignoredWarning()
	d.plan.Ignored[spec.KindPolicy] = 2
	d.updateIgnoredWarning(prev)
	want := []string{"ignore: 2 policies match ignore rules and are left out of this plan"}
	if diff := cmp.Diff(want, d.plan.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
