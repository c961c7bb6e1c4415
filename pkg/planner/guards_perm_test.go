package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestProtectPermissions: protect on roles, policies and assignments
// refuses the changes that delete or replace them, whatever the flags, and
// names the object; the rest of the plan is kept.
func TestProtectPermissions(t *testing.T) {
	t.Parallel()
	pos := spec.Pos{File: "cfg.yaml", Line: 7, Col: 5}
	at := "(protect: true at cfg.yaml:7:5); remove protect first to allow it"
	designers := "assignments/" + AssignmentName("group", "designers", "reviewer", "acme-staging", "", "")
	all := Options{AllowDeletes: true, AllowEnvironmentDeletes: true}
	tests := []struct {
		name   string
		config func(c *spec.Config)
		live   func(a *model.Account)
		want   []string
	}{
		{
			name: "a role whose permission_type changes is a replace",
			config: func(c *spec.Config) {
				c.Roles[0].Protect, c.Roles[0].Pos = true, pos
				c.Roles[0].PermissionType = "content"
				c.Roles[0].SystemPolicies = []string{"cld::policy::content::folder::view_download"}
				c.Assignments = nil
			},
			want: []string{"refused roles/reviewer: refusing to replace it: it is protected " + at},
		},
		{
			name: "an unprotected role is replaced",
			config: func(c *spec.Config) {
				c.Roles[0].PermissionType = "content"
				c.Roles[0].SystemPolicies = []string{"cld::policy::content::folder::view_download"}
				c.Assignments = nil
			},
			want: []string{"replace roles/reviewer"},
		},
		{
			name: "a policy whose description alone changes is a replace",
			config: func(c *spec.Config) {
				c.Policies[0].Protect, c.Policies[0].Pos = true, pos
				c.Policies[0].Description = ptr("Designers upload")
			},
			want: []string{"refused policies/acme-staging/upload: refusing to replace it: it is protected " + at},
		},
		{
			name: "a policy whose statement changes is updated in place",
			config: func(c *spec.Config) {
				c.Policies[0].Protect, c.Policies[0].Pos = true, pos
				c.Policies[0].Statement = `permit(principal == Cloudinary::Group::"${group:designers}", action == Cloudinary::Action::"read", resource);`
			},
			want: []string{"update policies/acme-staging/upload"},
		},
		{
			name: "renaming a policy replaces the live one, not the protected new name",
			config: func(c *spec.Config) {
				c.Policies[0].Protect, c.Policies[0].Pos = true, pos
				c.Policies[0].Name = "designers-upload"
			},
			want: []string{"replace policies/acme-staging/designers-upload"},
		},
		{
			// spec.Load refuses this configuration (an account role
			// assigned in an environment), so a listed assignment cannot
			// meet its role's replace there; the planner holds the
			// guarantee on its own all the same.
			name: "replacing the role of a protected assignment drops it: both refused",
			config: func(c *spec.Config) {
				c.Assignments[0].Protect, c.Assignments[0].Pos = true, pos
				c.Roles[0].ScopeType = "account"
				c.Roles[0].SystemPolicies = nil
				c.Assignments[0].Scope = spec.ScopeAccount
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "designers"}, Role: "reviewer", Scope: "acme-staging", Protect: true, Pos: pos})
			},
			want: []string{
				"refused roles/reviewer: refusing to replace it: that removes assignment group:designers / reviewer / acme-staging until it is added again, and the assignment is protected " + at,
				"refused assignments/group:designers / reviewer / account: depends on roles/reviewer, which this plan refuses",
				"refused " + designers + ": refusing to replace it: replacing role reviewer removes it until it is added again, and it is protected " + at,
			},
		},
		{
			name: "a protected assignment that is new does not hold back its role's replace",
			config: func(c *spec.Config) {
				c.Roles[0].ScopeType = "account"
				c.Roles[0].SystemPolicies = nil
				c.Assignments[0].Scope = spec.ScopeAccount
				c.Assignments[0].Protect, c.Assignments[0].Pos = true, pos
			},
			want: []string{
				"replace roles/reviewer",
				"create assignments/group:designers / reviewer / account after roles/reviewer",
			},
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
			p, err := Diff(cfg, live, all)
			if err != nil {
				t.Fatalf("Diff returned error %v", err)
			}
			if diff := cmp.Diff(tt.want, outline(p)); diff != "" {
				t.Errorf("plan mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProtectPermissionsDeletes: deletes of protected roles, policies and
// assignments are refused. The differ never deletes an object the
// configuration lists, so, as in TestProtect, the guard runs on planned
// changes directly.
func TestProtectPermissionsDeletes(t *testing.T) {
	t.Parallel()
	pos := spec.Pos{File: "cfg.yaml", Line: 3, Col: 5}
	designers := spec.Principal{Kind: spec.PrincipalGroup, Name: "designers"}
	desired := &spec.Config{
		Roles:       []spec.Role{{ID: "reviewer", Protect: true, Pos: pos}, {ID: "temp"}},
		Policies:    []spec.Policy{{Name: "upload", Scope: "acme-staging", Protect: true, Pos: pos}},
		Assignments: []spec.Assignment{{Principal: designers, Role: "reviewer", Scope: "acme-staging", Protect: true, Pos: pos}},
	}
	assigned := AssignmentValue{PrincipalType: "group", Principal: "designers", PrincipalID: "g1", Role: "reviewer", Scope: "acme-staging", ScopeID: "e2"}
	other := AssignmentValue{PrincipalType: "group", Principal: "designers", PrincipalID: "g1", Role: "reviewer", Scope: "acme-prod", ScopeID: "e1"}
	d := &differ{plan: &Plan{Changes: []Change{
		{Action: Delete, Ref: assigned.Ref(), Before: assigned},
		{Action: Delete, Ref: other.Ref(), Before: other},
		{Action: Delete, Ref: Ref{spec.KindPolicy, "acme-staging/upload"}, Before: PolicyValue{ID: "p1", Name: "upload", Scope: "acme-staging"}},
		{Action: Delete, Ref: Ref{spec.KindRole, "reviewer"}, Before: RoleValue{ID: "reviewer", Force: true}},
		{Action: Delete, Ref: Ref{spec.KindRole, "temp"}, Before: RoleValue{ID: "temp"}},
	}}}
	d.guard(desired, &model.Account{}, Options{AllowDeletes: true, AllowEnvironmentDeletes: true})
	want := []string{
		"delete " + other.Ref().String(),
		"delete roles/temp",
		"refused " + assigned.Ref().String() + ": refusing to delete it: it is protected (protect: true at cfg.yaml:3:5); remove protect first to allow it",
		"refused policies/acme-staging/upload: refusing to delete it: it is protected (protect: true at cfg.yaml:3:5); remove protect first to allow it",
		"refused roles/reviewer: refusing to delete it: it is protected (protect: true at cfg.yaml:3:5); remove protect first to allow it",
	}
	if diff := cmp.Diff(want, outline(d.plan)); diff != "" {
		t.Errorf("guarded plan mismatch (-want +got):\n%s", diff)
	}
}
