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
//     environments never revokes access to another team's;
//   - live role assignments the configuration does not list are skipped
//     when their principal is an ignored user or group, an API key of an
//     ignored environment, or their scope an ignored environment; live
//     custom policies the configuration does not list, when their scope is
//     an ignored environment (permissions.go). They count as ignored
//     assignments and policies. (A custom role has neither principal nor
//     scope, so no rule reaches it; deleting a role still drops every
//     assignment of it, ignored principals' included, as its note says.)
//
// An object the configuration lists is managed, never ignored: spec.Load
// reports such a conflict, and the planner lets the configuration win.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
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
func (d *differ) countIgnored(live *model.Account) {
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
	if w := d.ignoredWarning(); w != "" {
		d.warnf("%s", w)
	}
}

// ignoredWarning is the one warning line counting what the ignore rules
// keep out of the plan so far, or "" when they keep nothing out.
func (d *differ) ignoredWarning() string {
	phrase := countPhrase(d.plan.Ignored)
	if phrase == "" {
		return ""
	}
	n := total(d.plan.Ignored)
	return fmt.Sprintf("ignore: %s %s ignore rules and %s left out of this plan", phrase, Plural(n, "matches", "match"), Plural(n, "is", "are"))
}

// updateIgnoredWarning rewrites the warning countIgnored wrote (prev, from
// ignoredWarning) once the permissions half has counted the assignments
// and policies it ignores, keeping its place among the warnings; it adds
// the warning when there was none.
func (d *differ) updateIgnoredWarning(prev string) {
	w := d.ignoredWarning()
	if w == prev {
		return
	}
	if i := slices.Index(d.plan.Warnings, prev); prev != "" && i >= 0 {
		d.plan.Warnings[i] = w
		return
	}
	d.warnf("%s", w)
}

// scopeIgnored reports whether a permissions scope (account, all or a
// cloud_name) is an environment the ignore rules keep out of the plan.
func (d *differ) scopeIgnored(scope string) bool {
	return scope != spec.ScopeAccount && scope != spec.ScopeAll && d.isIgnored(spec.KindEnvironment, scope)
}

// assignmentIgnored reports whether the ignore rules keep a live role
// assignment out of the plan: its principal is an ignored user or group
// or an API key of an ignored environment, or its scope is an ignored
// environment.
func (d *differ) assignmentIgnored(a *model.Assignment) bool {
	switch a.Principal.Kind {
	case spec.PrincipalUser:
		if d.isIgnored(spec.KindUser, normEmail(a.Principal.Name)) {
			return true
		}
	case spec.PrincipalGroup:
		if d.isIgnored(spec.KindGroup, a.Principal.Name) {
			return true
		}
	case spec.PrincipalAPIKey:
		if env, _ := spec.SplitAPIKey(a.Principal.Name); d.isIgnored(spec.KindEnvironment, env) {
			return true
		}
	}
	return d.scopeIgnored(a.Scope)
}

// withIgnoredAccess adds to a desired list of cloud names the ignored
// environments the live user may access, so that an update keeps them.
func (d *differ) withIgnoredAccess(list []string, l *model.User) []string {
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
