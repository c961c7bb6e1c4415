package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestRefusalsAreCountedAndGrouped: the deletes the threshold guard
// refuses stay in the plan as refused changes, the summary line counts
// them ("11 to destroy (all refused)", or how many of a count were
// refused), and their one reason is one group listing the objects.
func TestRefusalsAreCountedAndGrouped(t *testing.T) {
	t.Parallel()
	desired := &spec.Config{Users: []spec.User{{Email: "root@acme.test"}}, Groups: desiredGroups("new"), Prune: []spec.Kind{spec.KindUser}}
	live := &model.Account{Users: append(liveUsers("u", 11), root)}
	p, err := Diff(desired, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.SummaryLine(), "Plan: 1 to add, 0 to change, 11 to destroy (all refused)."; got != want {
		t.Errorf("SummaryLine = %q, want %q", got, want)
	}
	refused := p.RefusedChanges()
	if len(refused) != 11 || refused[0].Action != Delete || refused[0].Ref != (Ref{spec.KindUser, "u00@acme.test"}) {
		t.Errorf("RefusedChanges = %d changes, first %+v; want the 11 deletes", len(refused), refused[0])
	}
	groups := p.ErrorGroups()
	if len(groups) != 1 || len(groups[0].Errors) != 11 {
		t.Fatalf("ErrorGroups = %+v, want one group of 11", groups)
	}
	want := "refusing to delete 11 users: this plan deletes 11 objects, more than safety.max_deletes (10); check what would go and re-run with --allow-deletes"
	if diff := cmp.Diff(want, groups[0].Headline()); diff != "" {
		t.Errorf("Headline (-want +got):\n%s", diff)
	}

	// Some of a count refused: the count says how many.
	p.Changes = append(p.Changes, Change{Action: Delete, Ref: Ref{spec.KindGroup, "old"}})
	if got, want := p.SummaryLine(), "Plan: 1 to add, 0 to change, 12 to destroy (11 refused)."; got != want {
		t.Errorf("SummaryLine = %q, want %q", got, want)
	}
	// One error: its own line, position first.
	one := ErrorGroup{Message: "m", Errors: []PlanError{{Ref: Ref{spec.KindGroup, "g"}, Message: "m", Pos: spec.Pos{File: "a.yaml", Line: 3, Col: 5}}}}
	if got, want := one.Headline(), "a.yaml:3:5: group g: m"; got != want {
		t.Errorf("Headline of one = %q, want %q", got, want)
	}
}
