package planner

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/internal/plantest"
	"github.com/cldsync/cldsync/pkg/spec"
)

// The guards' transition is shared while the plan keeps its changes, in
// any order, and built again once a change leaves it.
func TestSharedTransitionFollowsTheChanges(t *testing.T) {
	t.Parallel()
	live := projectLive()
	d := &differ{plan: &Plan{Changes: []Change{
		{Action: Delete, Ref: Ref{spec.KindUser, "bob@acme.test"}, Before: UserValue{ID: "u2", Email: "bob@acme.test"}},
		{Action: Delete, Ref: Ref{spec.KindEnvironment, "old"}, Before: EnvironmentValue{ID: "e2", CloudName: "old"}},
	}}}
	first := d.transition(live)
	slices.Reverse(d.plan.Changes)
	if d.transition(live) != first {
		t.Error("the same changes in another order built another transition, want the shared one")
	}
	d.plan.Changes = d.plan.Changes[1:] // the user's delete is refused
	again := d.transition(live)
	if again == first {
		t.Fatal("a change left the plan, and the transition still projects it")
	}
	if diff := cmp.Diff(NewTransition(live, &Plan{Changes: d.plan.Changes}).After, again.After); diff != "" {
		t.Errorf("transition after the refusal differs from a fresh one (-want +got):\n%s", diff)
	}
}

// Diff's access diff, on the guards' transition, is the access diff of
// the plan it returns, whether the guards refuse changes or not.
func TestDiffAccessIsThePlansAccess(t *testing.T) {
	t.Parallel()
	desired, live := plantest.LargePermissions(plantest.PermissionsSize{Users: 2000, Groups: 100, Environments: 10, Roles: 40, Policies: 200, Assignments: 2000})
	for _, opts := range []Options{{AllowDeletes: true}, {}} {
		p, err := Diff(desired, live, opts)
		if err != nil {
			t.Fatal(err)
		}
		if refused := len(p.Errors) > 0; refused == opts.AllowDeletes {
			t.Fatalf("AllowDeletes %v: %d refusals; the test needs refusals exactly without it", opts.AllowDeletes, len(p.Errors))
		}
		if len(p.Access) == 0 {
			t.Fatal("no access changes; the test needs some")
		}
		if diff := cmp.Diff(Access(desired, live, p), p.Access); diff != "" {
			t.Errorf("AllowDeletes %v: Diff's access diff differs from the plan's (-want +got):\n%s", opts.AllowDeletes, diff)
		}
	}
}

// The guards project the account only when one needs it: not for a plan
// that deletes nothing and takes no power, as most re-runs are.
func TestGuardsProjectOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	live := projectLive()
	desired := &spec.Config{Environments: []spec.Environment{{CloudName: "acme-prod", Protect: true}}}
	create := Change{Action: Create, Ref: Ref{spec.KindUser, "new@acme.test"}, After: UserValue{Email: "new@acme.test", Enabled: true}}
	d := &differ{plan: &Plan{Changes: []Change{create}}, refused: map[Ref]bool{}}
	d.guard(desired, live, Options{})
	if d.shared.t != nil {
		t.Error("the guards projected a plan that only creates a user")
	}
	del := Change{Action: Delete, Ref: Ref{spec.KindUser, "bob@acme.test"}, Before: UserValue{ID: "u2", Email: "bob@acme.test"}}
	d = &differ{plan: &Plan{Changes: []Change{create, del}}, refused: map[Ref]bool{}}
	d.guard(desired, live, Options{})
	if d.shared.t == nil {
		t.Error("the guards did not project a plan that deletes a user")
	}
}
