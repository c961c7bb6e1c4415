package planner

// One Transition per plan: the guards, the last-key guard and the access
// diff ask their questions of the same projection and the same access
// graphs, rather than projecting the account (and building its graphs)
// once each.

import (
	"hash/maphash"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// sharedTransition is the Transition of a set of changes, and what
// identifies that set.
type sharedTransition struct {
	t     *Transition
	print changesPrint
}

// changesPrint identifies a set of changes whatever their order: their
// number and the sum of the hashes of their refs and actions. Between the
// guards and the access diff changes are only dropped (refused) and
// ordered, never added or edited, so the same print is the same set; the
// sum is a check that this stays true.
type changesPrint struct {
	n   int
	sum uint64
}

var printSeed = maphash.MakeSeed()

func printChanges(changes []Change) changesPrint {
	p := changesPrint{n: len(changes)}
	for i := range changes {
		p.sum += maphash.Comparable(printSeed, struct {
			Ref
			Action
		}{changes[i].Ref, changes[i].Action})
	}
	return p
}

// transition is NewTransition(live, the plan's changes), built once while
// the plan holds the same set of changes: Project does not depend on
// their order. live must be the same account on every call.
func (d *differ) transition(live *model.Account) *Transition {
	p := printChanges(d.plan.Changes)
	if d.shared.t == nil || d.shared.print != p {
		d.shared = sharedTransition{t: NewTransition(live, &Plan{Changes: d.plan.Changes}), print: p}
		if d.shared.t.Before == live {
			d.shared.t.beforeNames = d.liveNames // nil when the permissions half was not planned
		}
	}
	return d.shared.t
}

// access is Access(desired, live, d.plan) on the shared transition.
func (d *differ) access(desired *spec.Config, live *model.Account) []AccessChange {
	if !wantAccess(desired, live, d.plan) {
		return nil
	}
	return CompareAccess(d.transition(live).Access())
}
