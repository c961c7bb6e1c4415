package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// handOverConfig promotes bob and demotes alice, the only master admin:
// the plan is safe only because the demotion waits for the promotion.
func handOverConfig() (*spec.Config, *model.Account) {
	desired := &spec.Config{Users: []spec.User{
		{Email: "alice@acme.test", Role: ptr("admin")},
		{Email: "bob@acme.test", Role: ptr("master_admin")},
	}}
	live := &model.Account{Users: []model.User{
		masterAdmin("u1", "alice@acme.test"),
		{ID: "u2", Email: "bob@acme.test", Name: "Bob", Role: "admin", Enabled: true, AllEnvironments: true},
	}}
	return desired, live
}

// TestCheckEditedPlan: the guards judge the changes that will run. A plan
// edited to drop "promote bob" still demotes alice, the last master
// admin: Check refuses the demotion; the whole plan passes as planned.
func TestCheckEditedPlan(t *testing.T) {
	t.Parallel()
	desired, live := handOverConfig()
	p, err := Diff(desired, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"update users/bob@acme.test", "update users/alice@acme.test after users/bob@acme.test"}, outline(p)); diff != "" {
		t.Fatalf("plan mismatch (-want +got):\n%s", diff)
	}
	kept, errs := Check(desired, live, p, Options{})
	if len(errs) != 0 || !cmp.Equal(kept, p.Changes) {
		t.Errorf("Check of the plan as planned = %v, %v; want every change and no refusal", kept, errs)
	}

	edited := &Plan{Changes: []Change{p.Changes[1]}} // "promote bob" dropped
	edited.Changes[0].DependsOn = nil
	kept, errs = Check(desired, live, edited, Options{})
	if len(kept) != 0 || len(errs) != 1 || errs[0].Ref != (Ref{spec.KindUser, "alice@acme.test"}) ||
		!strings.Contains(errs[0].Message, "refusing to downgrade it: the account has 1 enabled master_admin user and this plan would leave 0") {
		t.Errorf("Check of the edited plan = %v, %v; want the demotion of alice refused", kept, errs)
	}
	if len(p.Changes[1].DependsOn) != 1 {
		t.Errorf("Check modified the plan it was given: %v", p.Changes[1].DependsOn)
	}
}

// TestLockoutPendingHolder: a user who has not accepted the invitation
// cannot act, so holding cld::role::account::master_admin does not count
// for them, directly or as a group's member.
func TestLockoutPendingHolder(t *testing.T) {
	t.Parallel()
	holder := func(ptype model.PrincipalType, id string, kind spec.PrincipalKind, name string) model.Assignment {
		return model.Assignment{PrincipalType: ptype, PrincipalID: id, Principal: spec.Principal{Kind: kind, Name: name}, Role: accountAdminRole, Scope: spec.ScopeAccount}
	}
	live := &model.Account{
		Users: []model.User{
			{ID: "u1", Email: "ana@acme.test", Role: "admin", Enabled: true},
			{ID: "u2", Email: "pat@acme.test", Role: "admin", Enabled: true, Pending: true},
		},
		Groups: []model.Group{{ID: "g1", Name: "admins", Members: []string{"ana@acme.test", "pat@acme.test"}}},
		Permissions: &model.Permissions{Assignments: []model.Assignment{
			holder("user", "u2", spec.PrincipalUser, "pat@acme.test"),
			holder("group", "g1", spec.PrincipalGroup, "admins"),
		}},
	}
	desired := &spec.Config{
		Users:  []spec.User{{Email: "ana@acme.test"}, {Email: "pat@acme.test"}},
		Groups: []spec.Group{{Name: "admins", Members: []string{"pat@acme.test"}, MembersManaged: true}},
	}
	p, err := Diff(desired, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"refused memberships/admins / ana@acme.test: refusing to delete it: 1 principal holds " + accountAdminRole +
		" at account scope, and this plan would leave 0, below safety.min_master_admins (1): it leaves group admins, which holds it, with no member who can act; --allow-deletes does not override this"}
	if diff := cmp.Diff(want, outline(p)); diff != "" {
		t.Errorf("plan mismatch (-want +got):\n%s", diff)
	}
}

// TestUnmet: a change whose dependency is not in the set cannot run, nor
// what depends on it, transitively.
func TestUnmet(t *testing.T) {
	t.Parallel()
	ref := func(name string) Ref { return Ref{spec.KindGroup, name} }
	changes := []Change{
		{Action: Create, Ref: ref("a")},
		{Action: Create, Ref: ref("b"), DependsOn: []Ref{ref("gone")}},
		{Action: Create, Ref: ref("c"), DependsOn: []Ref{ref("b")}},
		{Action: Create, Ref: ref("d"), DependsOn: []Ref{ref("a")}},
	}
	runnable, unmet := Unmet(changes)
	name := func(cs []Change) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Ref.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"a", "d"}, name(runnable)); diff != "" {
		t.Errorf("runnable (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"b", "c"}, name(unmet)); diff != "" {
		t.Errorf("unmet (-want +got):\n%s", diff)
	}
}
