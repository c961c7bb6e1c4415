package planner

import (
	"fmt"
	"slices"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// warnLookalikes warns about each environment, user or group the plan
// creates whose name looks like a live one's of the same kind (Cyrillic
// for Latin letters, full-width letters, composed and decomposed accents):
// the service keeps them apart, so the plan makes a second object where
// the reader sees one. The load warns about such names within the
// configuration (spec.LookalikeKey); this is the same check against the
// account. Live names are keyed only for the kinds the plan creates, so
// a plan without creates costs nothing.
func (d *differ) warnLookalikes(live *model.Account) {
	created := map[spec.Kind][]string{}
	for _, c := range d.plan.Changes {
		switch k := c.Ref.Kind; k {
		case spec.KindEnvironment, spec.KindUser, spec.KindGroup:
			if c.Action == Create {
				created[k] = append(created[k], c.Ref.Name)
			}
		}
	}
	var warnings []string
	check := func(k spec.Kind, what string, fold bool, liveNames func(yield func(string))) {
		names := created[k]
		if len(names) == 0 {
			return
		}
		keys := map[string]string{}
		liveNames(func(n string) { keys[spec.LookalikeKey(n, fold)] = n })
		for _, n := range names {
			if l, ok := keys[spec.LookalikeKey(n, fold)]; ok && l != n {
				warnings = append(warnings, fmt.Sprintf("%s %q is created, but looks like the live %s %q: %s; the service keeps them apart (write the live name to manage that one)",
					what, n, what, l, spec.HowDiffer(n, l)))
			}
		}
	}
	check(spec.KindEnvironment, "environment", false, func(yield func(string)) {
		for _, e := range live.Environments {
			yield(e.CloudName)
		}
	})
	check(spec.KindUser, "user", true, func(yield func(string)) {
		for _, u := range live.Users {
			yield(u.Email)
		}
	})
	check(spec.KindGroup, "group", true, func(yield func(string)) {
		for _, g := range live.Groups {
			yield(g.Name)
		}
	})
	slices.Sort(warnings)
	d.plan.Warnings = append(d.plan.Warnings, warnings...)
}
