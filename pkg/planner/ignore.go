package planner

// Ignore rules (spec.Config.Ignore) keep live objects out of the plan
// entirely, pruned kind or not: an ignored object is never deleted,
// changed or counted as unmanaged, and only the number ignored is
// reported (Plan.Ignored, and one line under Warnings). The differ asks
// isIgnored at each place it walks live objects:
//
//   - live environments, users and groups that the configuration does not
//     list are skipped when they match;
//   - a managed group's live members who are ignored users are neither
//     removed nor reported;
//   - a user whose environment access the configuration manages keeps its
//     access to ignored environments, so that listing access to "our"
//     environments never revokes access to another team's.
//
// An object the configuration lists is managed, never ignored: spec.Load
// reports such a conflict, and the planner lets the configuration win.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// isIgnored reports whether the live object of kind k with this natural
// key is kept out of the plan.
func (d *differ) isIgnored(k spec.Kind, key string) bool {
	if len(d.ignore) == 0 || d.hasDesired(k)(key) {
		return false
	}
	_, ok := d.ignore.Match(k, key)
	return ok
}

// countIgnored counts the live objects the ignore rules keep out of the
// plan, and says so in a warning.
func (d *differ) countIgnored(live *state.Account) {
	if len(d.ignore) == 0 {
		return
	}
	count := func(k spec.Kind, key string) {
		if d.isIgnored(k, key) {
			d.plan.Ignored[k]++
		}
	}
	for _, e := range live.Environments {
		count(spec.KindEnvironment, e.CloudName)
	}
	for _, u := range live.Users {
		count(spec.KindUser, normEmail(u.Email))
	}
	for _, g := range live.Groups {
		count(spec.KindGroup, g.Name)
	}
	if phrase := countPhrase(d.plan.Ignored); phrase != "" {
		d.warnf("ignore: %s %s ignore rules and %s left out of this plan", phrase,
			plural(total(d.plan.Ignored), "matches", "match"), plural(total(d.plan.Ignored), "is", "are"))
	}
}

// withIgnoredAccess adds to a desired list of cloud names the ignored
// environments the live user may access, so that an update keeps them.
func (d *differ) withIgnoredAccess(list []string, l *state.User) []string {
	if len(d.ignore[spec.KindEnvironment]) == 0 {
		return list
	}
	var keep []string
	if l.AllEnvironments {
		for cn := range d.lEnvs {
			if d.isIgnored(spec.KindEnvironment, cn) {
				keep = append(keep, cn)
			}
		}
	} else {
		for _, cn := range l.Environments {
			if d.isIgnored(spec.KindEnvironment, cn) {
				keep = append(keep, cn)
			}
		}
	}
	if len(keep) == 0 {
		return list
	}
	out := append(slices.Clone(list), keep...)
	slices.Sort(out)
	return slices.Compact(out)
}

// countPhrase is "2 environments, 1 user", in kind order, or "".
func countPhrase(m map[spec.Kind]int) string {
	var parts []string
	for _, k := range Kinds(m) {
		n := m[k]
		if n == 0 {
			continue
		}
		word := string(k)
		if n == 1 {
			word = Noun(k)
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, word))
	}
	return strings.Join(parts, ", ")
}

func total(m map[spec.Kind]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
