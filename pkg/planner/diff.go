package planner

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// roleMasterAdmin is the legacy role that may access every product
// environment, whatever sub_account_ids says (the API ignores it).
const roleMasterAdmin = "master_admin"

// Diff plans the changes that make live match desired. Objects it cannot
// plan safely are reported in Plan.Errors rather than failing the whole
// plan; Diff returns an error only for unusable input (nil arguments, an
// unknown kind to prune, a dependency cycle such as two environments that
// are each other's base).
//
// Diff reads desired and live but never modifies them, and keeps no
// reference into them except CustomAttributes maps (shallow copies).
func Diff(desired *spec.Config, live *model.Account, opts Options) (*Plan, error) {
	if desired == nil {
		return nil, errors.New("plan: nil configuration")
	}
	if live == nil {
		return nil, errors.New("plan: nil live account")
	}
	pruneKinds := desired.Prune
	if opts.Prune != nil {
		pruneKinds = opts.Prune
	}
	prune := make(map[spec.Kind]bool, len(pruneKinds))
	for _, k := range pruneKinds {
		if kindRank(k) == len(kindOrder) {
			return nil, fmt.Errorf("plan: prune: unknown kind %q", k)
		}
		prune[k] = true
	}

	d := &differ{
		plan: &Plan{
			FormatVersion: FormatVersion,
			Unmanaged:     map[spec.Kind]int{},
			Ignored:       map[spec.Kind]int{},
		},
		ignore:       desired.Ignore,
		prune:        prune,
		incomplete:   live.Incomplete,
		refused:      map[Ref]bool{},
		ambiguous:    map[Ref][]string{},
		deletedUsers: map[string]bool{},
	}
	// From here on, desired is the configuration at the planner's clock,
	// what expired removed (expiry.go), and live is the account with the
	// configuration's renames done (rename.go).
	desired = d.expire(desired, opts)
	live = d.renameLive(desired, live)
	d.index(desired, live)
	d.countIgnored(live)
	d.warnIncomplete()
	d.staleInvitations(desired, live, opts) // stale.go
	d.environments(desired, live)
	live = d.accessKeys(desired, live, opts) // access_keys.go: live as its keys' renames leave it
	d.users(desired, live)
	d.groups(desired, live)
	d.permissions(desired, live) // permissions.go
	d.planRenames(desired)       // rename.go
	d.warnLookalikes(live)       // lookalike.go
	d.markExpired()              // expiry.go

	d.guard(desired, live, opts)
	d.guardLastKey(live, opts) // access_keys_guards.go
	d.dropOrphans()
	d.noteCustomAttributesReset()
	changes, err := order(d.plan.Changes)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	d.plan.Changes = changes
	if !opts.NoAccessDiff {
		d.plan.Access = d.access(desired, live) // access.go, on the guards' transition
	}
	slices.SortStableFunc(d.plan.Errors, func(a, b PlanError) int {
		if c := compareRefs(a.Ref, b.Ref); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	for k, n := range d.plan.Unmanaged {
		if n == 0 {
			delete(d.plan.Unmanaged, k)
		}
	}
	for k, n := range d.plan.Ignored {
		if n == 0 {
			delete(d.plan.Ignored, k)
		}
	}
	return d.plan, nil
}

// differ holds the indexes of one Diff call. Every lookup is a map keyed by
// natural key, so planning is linear in the size of the inputs.
type differ struct {
	plan       *Plan
	prune      map[spec.Kind]bool
	incomplete map[spec.Kind]string
	// ignore holds the configuration's ignore rules (ignore.go).
	ignore spec.Ignore

	dEnvs   map[string]*spec.Environment
	dUsers  map[string]*spec.User
	dGroups map[string]*spec.Group

	lEnvs   map[string]*model.Environment
	lUsers  map[string]*model.User
	lGroups map[string]*model.Group

	// refused holds the refs of objects that the plan refuses (ambiguous
	// live key or duplicate desired key), so that changes referring to them
	// are refused too.
	refused map[Ref]bool
	// ambiguous holds the sorted ids of the live objects sharing a key, for
	// messages about objects that refer to them.
	ambiguous map[Ref][]string
	// deletedUsers holds the emails of users this plan deletes.
	deletedUsers map[string]bool
	// renames maps the ref of a configured object that renames a live one
	// to the live key it renames (rename.go).
	renames map[Ref]string
	// expired holds the refs of the removals of what expired, with the
	// expiry (expiry.go).
	expired map[Ref]spec.Expiry
	// keys plans access keys (access_keys.go).
	keys *keyDiffer
	// shared is the plan's Transition, built by the first guard and
	// shared while the plan keeps its changes (diff_transition.go).
	shared sharedTransition
	// liveNames is statementNames(live), once the permissions half needs
	// it (idnames.go).
	liveNames map[string]string
}

// indexLive indexes live objects by key. Keys seen more than once map to
// the ids of all their objects in ambiguous, and are absent from the index.
func indexLive[T any](items []T, key func(*T) string, id func(*T) string) (map[string]*T, map[string][]string) {
	idx := make(map[string]*T, len(items))
	var ambiguous map[string][]string
	for i := range items {
		it := &items[i]
		k := key(it)
		if ids, ok := ambiguous[k]; ok {
			ambiguous[k] = append(ids, id(it))
			continue
		}
		if prev, ok := idx[k]; ok {
			if ambiguous == nil {
				ambiguous = map[string][]string{}
			}
			ambiguous[k] = []string{id(prev), id(it)}
			delete(idx, k)
			continue
		}
		idx[k] = it
	}
	return idx, ambiguous
}

// indexDesired indexes desired objects by key. Keys defined more than once
// map to their positions in dups, and are absent from the index.
func indexDesired[T any](items []T, key func(*T) string, pos func(*T) spec.Pos) (map[string]*T, map[string][]spec.Pos) {
	idx := make(map[string]*T, len(items))
	var dups map[string][]spec.Pos
	for i := range items {
		it := &items[i]
		k := key(it)
		if ps, ok := dups[k]; ok {
			dups[k] = append(ps, pos(it))
			continue
		}
		if prev, ok := idx[k]; ok {
			if dups == nil {
				dups = map[string][]spec.Pos{}
			}
			dups[k] = []spec.Pos{pos(prev), pos(it)}
			delete(idx, k)
			continue
		}
		idx[k] = it
	}
	return idx, dups
}

func (d *differ) index(desired *spec.Config, live *model.Account) {
	var ambEnvs, ambUsers, ambGroups map[string][]string
	d.lEnvs, ambEnvs = indexLive(live.Environments,
		func(e *model.Environment) string { return e.CloudName },
		func(e *model.Environment) string { return e.ID })
	d.lUsers, ambUsers = indexLive(live.Users,
		func(u *model.User) string { return normEmail(u.Email) },
		func(u *model.User) string { return u.ID })
	d.lGroups, ambGroups = indexLive(live.Groups,
		func(g *model.Group) string { return g.Name },
		func(g *model.Group) string { return g.ID })

	var dupEnvs, dupUsers, dupGroups map[string][]spec.Pos
	d.dEnvs, dupEnvs = indexDesired(desired.Environments,
		func(e *spec.Environment) string { return e.CloudName },
		func(e *spec.Environment) spec.Pos { return e.Pos })
	d.dUsers, dupUsers = indexDesired(desired.Users,
		func(u *spec.User) string { return normEmail(u.Email) },
		func(u *spec.User) spec.Pos { return u.Pos })
	d.dGroups, dupGroups = indexDesired(desired.Groups,
		func(g *spec.Group) string { return g.Name },
		func(g *spec.Group) spec.Pos { return g.Pos })

	for _, a := range []struct {
		kind      spec.Kind
		keyWord   string
		amb       map[string][]string
		dups      map[string][]spec.Pos
		inDesired func(string) bool
	}{
		{spec.KindEnvironment, "cloud_name", ambEnvs, dupEnvs, d.hasDesired(spec.KindEnvironment)},
		{spec.KindUser, "email", ambUsers, dupUsers, d.hasDesired(spec.KindUser)},
		{spec.KindGroup, "name", ambGroups, dupGroups, d.hasDesired(spec.KindGroup)},
	} {
		for _, k := range slices.Sorted(maps.Keys(a.amb)) {
			ref := Ref{a.kind, k}
			ids := slices.Clone(a.amb[k])
			slices.Sort(ids)
			d.refused[ref] = true
			d.ambiguous[ref] = ids
			// An ambiguous object that the plan would not touch anyway (not
			// in the configuration, kind not pruned) is only counted.
			if !a.inDesired(k) && (!d.prune[a.kind] || d.isIgnored(a.kind, k)) {
				continue
			}
			d.errorf(ref, "%d live %s have this %s (ids %s); refusing to plan it until all but one are renamed or deleted",
				len(ids), a.kind, a.keyWord, strings.Join(ids, ", "))
		}
		for _, k := range slices.Sorted(maps.Keys(a.dups)) {
			ref := Ref{a.kind, k}
			d.refused[ref] = true
			var at []string
			for _, p := range a.dups[k] {
				at = append(at, fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col))
			}
			d.errorf(ref, "defined %d times in the configuration (%s); refusing to plan it", len(at), strings.Join(at, ", "))
		}
	}
}

func (d *differ) hasDesired(k spec.Kind) func(string) bool {
	return func(key string) bool {
		switch k {
		case spec.KindEnvironment:
			return d.dEnvs[key] != nil
		case spec.KindUser:
			return d.dUsers[key] != nil
		case spec.KindGroup:
			return d.dGroups[key] != nil
		}
		return false
	}
}

func (d *differ) warnIncomplete() {
	for _, k := range Kinds(countKeys(d.incomplete)) {
		extra := ""
		if k == spec.KindGroup {
			extra = " and no members are removed"
		}
		d.warnf("%s: the live listing is incomplete (%s): no %s are deleted%s, and objects missing from the listing may be planned as creates",
			k, d.incomplete[k], k, extra)
	}
	if d.prune[spec.KindMembership] {
		d.warnf("memberships: pruning memberships has no effect: list a group's members to manage them completely; members of groups not in the configuration are left alone")
	}
}

func countKeys(m map[spec.Kind]string) map[spec.Kind]int {
	out := make(map[spec.Kind]int, len(m))
	for k := range m {
		out[k] = 1
	}
	return out
}

// canDelete reports whether deletes of kind k may be planned at all.
func (d *differ) canDelete(k spec.Kind) bool {
	if _, ok := d.incomplete[k]; ok {
		return false
	}
	// Members come from the group listing: an incomplete group listing makes
	// the members of the groups it does list suspect too.
	if k == spec.KindMembership {
		return d.canDelete(spec.KindGroup)
	}
	return true
}

func (d *differ) errorf(ref Ref, format string, args ...any) {
	d.plan.Errors = append(d.plan.Errors, PlanError{Ref: ref, Message: fmt.Sprintf(format, args...)})
}

func (d *differ) warnf(format string, args ...any) {
	d.plan.Warnings = append(d.plan.Warnings, fmt.Sprintf(format, args...))
}

func (d *differ) add(c Change) { d.plan.Changes = append(d.plan.Changes, c) }

// envCreated reports whether this plan creates the environment.
func (d *differ) envCreated(cloudName string) bool {
	ref := Ref{spec.KindEnvironment, cloudName}
	return d.dEnvs[cloudName] != nil && d.lEnvs[cloudName] == nil && !d.refused[ref]
}

// checkEnvRef returns why an environment named by another object cannot be
// resolved, or "" when it exists live or is created by this plan.
func (d *differ) checkEnvRef(cloudName string) string {
	ref := Ref{spec.KindEnvironment, cloudName}
	switch {
	case d.refused[ref]:
		return d.refusedMessage(ref)
	case d.lEnvs[cloudName] != nil || d.dEnvs[cloudName] != nil:
		return ""
	}
	return fmt.Sprintf("environment %q is neither in the configuration nor in the account", cloudName)
}
