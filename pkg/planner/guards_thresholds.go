package planner

// The thresholds guard: how much of the account a plan may make disappear
// without --allow-deletes (guards.go, 4).

import (
	"fmt"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// thresholds refuses every delete concerned when the objects the plan
// makes disappear (deleted, and not in the account after it) are more
// than safety.max_deletes, or more than safety.max_delete_percent of the
// live objects of a kind; deletes another guard refused do not count.
// liveCount is how many live objects of a kind the plan could delete from.
func (g *guardRun) thresholds(t func() *Transition, limits spec.Limits, liveCount func(spec.Kind) int) {
	deleted := deletedRefs(g.changes)
	if len(deleted) == 0 {
		return
	}
	after := refsOf(t().After, deleted)
	var deletes []int
	perKind := map[spec.Kind][]int{}
	for i, c := range g.changes {
		if _, no := g.refused[i]; c.Action != Delete || no {
			continue
		}
		if !after[c.Ref] {
			deletes = append(deletes, i)
			perKind[c.Ref.Kind] = append(perKind[c.Ref.Kind], i)
		}
	}
	if n := len(deletes); n > limits.MaxDeletes {
		for _, i := range deletes {
			g.refuse(i, fmt.Sprintf("refusing to delete it: this plan deletes %d objects, more than safety.max_deletes (%d); check what would go and re-run with --allow-deletes", n, limits.MaxDeletes))
		}
	}
	for _, k := range Kinds(countLists(perKind)) {
		idx := perKind[k]
		liveN := liveCount(k)
		if liveN < spec.MinObjectsForPercent {
			continue
		}
		pct := 100 * float64(len(idx)) / float64(liveN)
		if pct <= limits.MaxDeletePercent {
			continue
		}
		for _, i := range idx {
			g.refuse(i, fmt.Sprintf("refusing to delete it: this plan deletes %d of %d live %s (%.0f%%), more than safety.max_delete_percent (%g%%); check what would go and re-run with --allow-deletes",
				len(idx), liveN, k, pct, limits.MaxDeletePercent))
		}
	}
}

// liveCount is how many live objects of kind k the plan could delete from:
// those the ignore rules do not keep out. Kinds it does not know count 0,
// which turns the percentage limit off for them.
func (d *differ) liveCount(live *model.Account, k spec.Kind) int {
	n := 0
	switch k {
	case spec.KindEnvironment:
		for _, e := range live.Environments {
			if !d.isIgnored(k, e.CloudName) {
				n++
			}
		}
	case spec.KindUser:
		for _, u := range live.Users {
			if !d.isIgnored(k, normEmail(u.Email)) {
				n++
			}
		}
	case spec.KindGroup:
		for _, g := range live.Groups {
			if !d.isIgnored(k, g.Name) {
				n++
			}
		}
	case spec.KindMembership:
		for _, g := range live.Groups {
			if !d.isIgnored(spec.KindGroup, g.Name) {
				n += len(g.Members)
			}
		}
	case spec.KindAccessKey:
		for _, key := range live.AccessKeys {
			if !d.isIgnored(k, spec.AccessKeyName(key.Environment, key.Name)) {
				n++
			}
		}
	}
	return n
}

func countLists(m map[spec.Kind][]int) map[spec.Kind]int {
	out := make(map[spec.Kind]int, len(m))
	for k, v := range m {
		out[k] = len(v)
	}
	return out
}
