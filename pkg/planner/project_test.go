package planner

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// projectLive has two environments, three users (bob pending), a group
// holding the account admin role, a custom role assigned in acme-prod and
// a policy scoped there.
func projectLive() *model.Account {
	return &model.Account{
		Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod", Enabled: true}, {ID: "e2", CloudName: "old", Enabled: true}},
		Users: []model.User{
			{ID: "u1", Email: "ana@acme.test", Role: "master_admin", Enabled: true, AllEnvironments: true},
			{ID: "u2", Email: "bob@acme.test", Role: "admin", Enabled: true, Pending: true, Environments: []string{"acme-prod", "old"}},
			{ID: "u3", Email: "raj@acme.test", Role: "admin", Enabled: true, Environments: []string{"old"}},
		},
		Groups: []model.Group{{ID: "g1", Name: "admins", Members: []string{"ana@acme.test", "raj@acme.test"}}},
		Permissions: &model.Permissions{
			Roles:    []model.Role{{ID: "reviewer", Name: "Reviewer", PermissionType: "global", ScopeType: "prodenv"}},
			Policies: []model.Policy{{ID: "p1", Name: "up", Scope: "old", ScopeID: "e2", Statement: `permit(principal == Cloudinary::User::"u3", action, resource);`, Enabled: true}},
			Assignments: []model.Assignment{
				{PrincipalType: "group", PrincipalID: "g1", Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "admins"}, Role: accountAdminRole, Scope: spec.ScopeAccount},
				{PrincipalType: "user", PrincipalID: "u3", Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "raj@acme.test"}, Role: "reviewer", Scope: "acme-prod", ScopeID: "e1"},
			},
		},
	}
}

func TestProject(t *testing.T) {
	t.Parallel()
	live := projectLive()
	before := projectLive()
	raj := UserValue{ID: "u3", Email: "raj@acme.test", Role: "admin", Enabled: true, Environments: []string{"old"}}
	plan := &Plan{Changes: []Change{
		// Deletes first in the list: Project must not depend on the order.
		{Action: Delete, Ref: Ref{spec.KindEnvironment, "old"}, Before: EnvironmentValue{ID: "e2", CloudName: "old"}},
		{Action: Update, Ref: Ref{spec.KindGroup, "root-admins"}, Before: GroupValue{ID: "g1", Name: "admins"}, After: GroupValue{ID: "g1", Name: "root-admins"}},
		{Action: Create, Ref: Ref{spec.KindUser, "new@acme.test"}, After: UserValue{Email: "New@acme.test", Role: "master_admin", Enabled: true, AllEnvironments: true}},
		{Action: Update, Ref: Ref{spec.KindUser, "raj@acme.test"}, Before: raj, After: UserValue{ID: "u3", Email: "raj@acme.test", Role: "admin", Enabled: false, Environments: []string{"acme-prod"}}},
		{Action: Delete, Ref: MembershipValue{Group: "root-admins", User: "ana@acme.test"}.Ref(), Before: MembershipValue{Group: "root-admins", GroupID: "g1", User: "ana@acme.test"}},
		{Action: Create, Ref: MembershipValue{Group: "root-admins", User: "new@acme.test"}.Ref(), After: MembershipValue{Group: "root-admins", GroupID: "g1", User: "new@acme.test"}},
		{Action: Replace, Ref: Ref{spec.KindRole, "reviewer"}, Before: RoleValue{ID: "reviewer", Name: "Reviewer"}, After: RoleValue{ID: "reviewer", Name: "Asset reviewer"}},
		{Action: Create, Ref: Ref{spec.KindPolicy, "acme-prod/ci"}, After: PolicyValue{Name: "ci", Scope: "acme-prod", Statement: "permit(principal, action, resource);", Enabled: true}},
		{Action: Delete, Ref: Ref{spec.KindUser, "bob@acme.test"}, Before: UserValue{ID: "u2", Email: "bob@acme.test"}},
	}}
	got := Project(live, plan)
	if diff := cmp.Diff(before, live); diff != "" {
		t.Fatalf("Project modified live (-before +after):\n%s", diff)
	}
	want := &model.Account{
		Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod", Enabled: true}},
		Users: []model.User{
			{ID: "u1", Email: "ana@acme.test", Role: "master_admin", Enabled: true, AllEnvironments: true},
			// Created: no id, pending until the invitation is accepted.
			{Email: "new@acme.test", Role: "master_admin", Enabled: true, Pending: true, AllEnvironments: true},
			// Disabled by the update, which is the complete object.
			{ID: "u3", Email: "raj@acme.test", Role: "admin", Environments: []string{"acme-prod"}},
		},
		Groups: []model.Group{{ID: "g1", Name: "root-admins", Members: []string{"new@acme.test", "raj@acme.test"}}},
		Permissions: &model.Permissions{
			Roles: []model.Role{{ID: "reviewer", Name: "Asset reviewer"}},
			// The policy scoped to the deleted environment goes with it.
			Policies: []model.Policy{{Name: "ci", Scope: "acme-prod", Statement: "permit(principal, action, resource);", Enabled: true}},
			// The rename follows the group's assignment; the role's replace
			// drops raj's (the plan would add it again as a create).
			Assignments: []model.Assignment{
				{PrincipalType: "group", PrincipalID: "g1", Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "root-admins"}, Role: accountAdminRole, Scope: spec.ScopeAccount},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Project mismatch (-want +got):\n%s", diff)
	}
	// The empty plan projects the account unchanged.
	if diff := cmp.Diff(before, Project(live, &Plan{})); diff != "" {
		t.Errorf("Project of an empty plan changed the account (-live +projected):\n%s", diff)
	}
}

// TestProjectDeletesCascade: deleting a user or group drops its
// memberships and assignments, as the API does.
func TestProjectDeletesCascade(t *testing.T) {
	t.Parallel()
	plan := &Plan{Changes: []Change{
		{Action: Delete, Ref: Ref{spec.KindUser, "raj@acme.test"}, Before: UserValue{ID: "u3", Email: "raj@acme.test"}},
		{Action: Delete, Ref: Ref{spec.KindGroup, "admins"}, Before: GroupValue{ID: "g1", Name: "admins"}},
		{Action: Delete, Ref: Ref{spec.KindEnvironment, "old"}, Before: EnvironmentValue{ID: "e2", CloudName: "old"}},
	}}
	got := Project(projectLive(), plan)
	if bob := got.Users[1]; bob.Email != "bob@acme.test" || !cmp.Equal(bob.Environments, []string{"acme-prod"}) {
		t.Errorf("bob = %+v, want the deleted environment gone from his list", bob)
	}
	if len(got.Groups) != 0 || len(got.Permissions.Assignments) != 0 {
		t.Errorf("groups %v, assignments %v; want none left", got.Groups, got.Permissions.Assignments)
	}
	if len(got.Users) != 2 {
		t.Errorf("users %v, want ana and bob", got.Users)
	}
}

// TestProjectRenamesKeyPrincipals: an API key is named after its
// environment, so renaming the environment renames the key's assignments.
func TestProjectRenamesKeyPrincipals(t *testing.T) {
	t.Parallel()
	live := &model.Account{
		Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod"}},
		// The user's access list is live's until the rename edits it.
		Users: []model.User{{ID: "u1", Email: "ana@acme.test", Environments: []string{"acme-prod", "b"}}},
		Permissions: &model.Permissions{
			APIKeys: []model.APIKey{{Environment: "acme-prod", Name: "ci", Key: "123"}},
			Assignments: []model.Assignment{{PrincipalType: "apiKey", PrincipalID: "123",
				Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}, Role: "reviewer", Scope: "acme-prod", ScopeID: "e1"}},
		},
	}
	plan := &Plan{Changes: []Change{{Action: Update, Ref: Ref{spec.KindEnvironment, "acme-production"},
		Before: EnvironmentValue{ID: "e1", CloudName: "acme-prod"}, After: EnvironmentValue{ID: "e1", CloudName: "acme-production"}}}}
	projected := Project(live, plan)
	if got, want := projected.Users[0].Environments, []string{"acme-production", "b"}; !slices.Equal(got, want) {
		t.Errorf("user's environments = %q, want %q", got, want)
	}
	if got := live.Users[0].Environments; !slices.Equal(got, []string{"acme-prod", "b"}) {
		t.Errorf("Project modified live's user access: %q", got)
	}
	got := projected.Permissions
	if a := got.Assignments[0]; a.Principal.Name != "acme-production/ci" || a.Scope != "acme-production" {
		t.Errorf("assignment = %+v, want the key and scope renamed", a)
	}
	if k := got.APIKeys[0]; k.Environment != "acme-production" {
		t.Errorf("API key = %+v, want its environment renamed", k)
	}
	if live.Permissions.APIKeys[0].Environment != "acme-prod" {
		t.Error("Project modified live")
	}
}
