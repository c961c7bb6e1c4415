package planner

// Guards run once the differ has planned every change, and again in apply
// on exactly the changes it is about to run (Check). Each guard is an
// invariant over the plan's Transition: it compares the account before the
// plan with the account after it (Project), and refuses the changes that
// break it. A refused change leaves the plan and becomes a PlanError
// naming the object, so a plan with refusals cannot be applied (the CLI
// exits 1), and the reader sees exactly what would have gone. In order:
//
//  1. protect: an object marked `protect: true` must neither disappear nor
//     be replaced (deleted and created again). No flag overrides it: remove
//     protect first. Every kind can be protected; a protected assignment
//     also refuses the replace of its role, which drops it until it is
//     added again. A protected access key is not rotated (for its max_age
//     or --rotate): a rotation disables the old key and later deletes it.
//  2. lockout: the holders of master-admin power are counted on both
//     sides (guards_lockout.go): the enabled users who have accepted their
//     invitation with the legacy master_admin role, and, where the
//     Permissions API is on, the principals holding
//     cld::role::account::master_admin at account scope that can act (a
//     user enabled and accepted, a group with such a member, a key). A
//     plan must not take either count from safety.min_master_admins or more
//     to fewer (nor lower it further when already below); every change that
//     takes power away from a lost holder is refused. Guards refuse
//     transitions, so an account that already has too few can still be
//     planned. When enough remain only thanks to what the plan grants, the
//     removals depend on the grants, so a failed grant skips them at apply.
//     No flag overrides it.
//  3. environment deletes destroy every asset in the environment: each
//     needs Options.AllowEnvironmentDeletes (--allow-environment-deletes).
//  4. thresholds, over what disappears: more objects deleted than
//     safety.max_deletes, or more than safety.max_delete_percent of the live
//     objects of a kind that has at least spec.MinObjectsForPercent, need
//     Options.AllowDeletes (--allow-deletes); without it every delete
//     concerned is refused.
//
// Before them all, completeness: no delete of a kind whose live listing is
// incomplete is kept (the differ's canDelete plans none for the kinds it
// knows; the guard holds it for every kind).

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// Check evaluates every guard of desired's safety settings and opts on
// the changes of plan against live, as Diff does, and returns the changes
// that pass, in order (with the dependencies the lockout guard adds), and
// a PlanError for each change it refuses. It is what apply runs on the
// set of changes it is about to execute: a plan whose changes were
// filtered (stale changes dropped, a saved plan edited) is judged as it
// will run, not as it was planned. plan is not modified.
func Check(desired *spec.Config, live *model.Account, plan *Plan, opts Options) ([]Change, []PlanError) {
	d := &differ{plan: &Plan{Changes: slices.Clone(plan.Changes)}, ignore: desired.Ignore, incomplete: live.Incomplete,
		refused: map[Ref]bool{}, ambiguous: map[Ref][]string{}, deletedUsers: map[string]bool{}}
	for i := range d.plan.Changes {
		c := &d.plan.Changes[i]
		c.DependsOn = slices.Clone(c.DependsOn)
		if c.Ref.Kind == spec.KindAccessKey {
			d.keys = &keyDiffer{}
		}
	}
	live = d.renameLive(desired, live)
	d.index(desired, live)
	d.plan.Errors = nil // index's refusals are the differ's, not a guard's
	d.guard(desired, live, opts)
	d.guardLastKey(live, opts) // access_keys_guards.go
	return d.plan.Changes, d.plan.Errors
}

// guardRun collects the refusals of one evaluation: the first reason
// given for a change is the one reported.
type guardRun struct {
	changes []Change
	refused map[int]string // index in changes → why
}

func (g *guardRun) refuse(i int, msg string) {
	if _, done := g.refused[i]; !done {
		g.refused[i] = msg
	}
}

// guard applies the guards to the planned changes.
func (d *differ) guard(desired *spec.Config, live *model.Account, opts Options) {
	d.keepCompleteDeletes()
	g := &guardRun{changes: d.plan.Changes, refused: map[int]string{}}
	// The transition is projected when a guard first needs it: a plan
	// without deletes, power taken or access tests needs none.
	t := func() *Transition { return d.transition(live) }
	limits := desired.Safety.Limits()

	protected := protectedRefs(desired)
	g.protect(t, protected)
	g.protectAssignments(live, protected)
	g.lockout(t, limits.MinMasterAdmins, func(email string) bool { return d.isIgnored(spec.KindUser, email) })
	d.guardAccessTests(desired, t) // access_tests.go
	if !opts.AllowEnvironmentDeletes {
		for i, c := range g.changes {
			if c.Action == Delete && c.Ref.Kind == spec.KindEnvironment {
				g.refuse(i, "refusing to delete a product environment, which destroys every asset in it, without --allow-environment-deletes")
			}
		}
	}
	if !opts.AllowDeletes {
		g.thresholds(t, limits, func(k spec.Kind) int { return d.liveCount(live, k) })
	}

	if len(g.refused) == 0 {
		return
	}
	kept := g.changes[:0]
	for i, c := range g.changes {
		if msg, ok := g.refused[i]; ok {
			refused := c
			d.plan.Errors = append(d.plan.Errors, PlanError{Ref: c.Ref, Message: msg, Change: &refused})
			continue
		}
		kept = append(kept, c)
	}
	d.plan.Changes = kept
}

// keepCompleteDeletes drops the deletes of kinds whose listing is
// incomplete: the differ plans none (canDelete), and this catches any
// kind that does not ask. The warning of warnIncomplete says why.
func (d *differ) keepCompleteDeletes() {
	kept := d.plan.Changes[:0]
	for _, c := range d.plan.Changes {
		if c.Action != Delete || d.canDelete(c.Ref.Kind) {
			kept = append(kept, c)
		}
	}
	d.plan.Changes = kept
}

// protect refuses the changes that would make a protected object
// disappear (the plan deletes it and it is not in the account after) or
// replace it (it is in the account after, but the plan deletes it to
// create it again).
func (g *guardRun) protect(t func() *Transition, protected map[Ref]spec.Pos) {
	if len(protected) == 0 {
		return
	}
	after := map[Ref]bool{}
	if deleted := deletedRefs(g.changes); len(deleted) > 0 {
		after = refsOf(t().After, deleted)
	}
	for i, c := range g.changes {
		if (c.Action != Delete && c.Action != Replace && !c.IsRotation()) || c.Before == nil {
			continue
		}
		// What goes is the live object: for a policy renamed by a Replace,
		// the one under the old name, not the configured one.
		gone := c.Before.Ref()
		pos, ok := protected[gone]
		if !ok {
			continue
		}
		if c.IsRotation() {
			// A rotation replaces the key: the old one is disabled at once,
			// which stops whatever still uses it, and deleted later.
			g.refuse(i, fmt.Sprintf("refusing to rotate it: a rotation disables this key at once and deletes it after retire_after, and it is protected (protect: true at %s); remove protect first to allow it", pos))
			continue
		}
		what := "delete"
		if c.Action == Replace || (after[c.Ref] && slices.ContainsFunc(g.changes, func(o Change) bool { return o.Ref == c.Ref && o.Action == Create })) {
			what = "replace"
		}
		g.refuse(i, fmt.Sprintf("refusing to %s it: it is protected (protect: true at %s); remove protect first to allow it", what, pos))
	}
}

// deletedRefs is the set of refs of the deletes among changes.
func deletedRefs(changes []Change) map[Ref]bool {
	out := map[Ref]bool{}
	for i := range changes {
		if changes[i].Action == Delete {
			out[changes[i].Ref] = true
		}
	}
	return out
}

// refsOf is the set of the refs of want that name an object of acc: only
// want's are kept, so that asking about a few deletes does not index a
// large account.
func refsOf(acc *model.Account, want map[Ref]bool) map[Ref]bool {
	out := map[Ref]bool{}
	if len(want) == 0 {
		return out
	}
	kinds := map[spec.Kind]bool{}
	for r := range want {
		kinds[r.Kind] = true
	}
	add := func(k spec.Kind, name string) {
		if r := (Ref{k, name}); want[r] {
			out[r] = true
		}
	}
	if kinds[spec.KindEnvironment] {
		for _, e := range acc.Environments {
			add(spec.KindEnvironment, e.CloudName)
		}
	}
	if kinds[spec.KindUser] {
		for _, u := range acc.Users {
			add(spec.KindUser, normEmail(u.Email))
		}
	}
	// The groups whose memberships want names: every name a membership's
	// could start with, so that a separator in a group name is no matter.
	memberOf := map[string]bool{}
	for r := range want {
		if r.Kind != spec.KindMembership {
			continue
		}
		for i := range len(r.Name) {
			if strings.HasPrefix(r.Name[i:], membershipSeparator) {
				memberOf[r.Name[:i]] = true
			}
		}
	}
	for _, g := range acc.Groups {
		if kinds[spec.KindGroup] {
			add(spec.KindGroup, g.Name)
		}
		if !memberOf[g.Name] {
			continue
		}
		for _, m := range g.Members {
			add(spec.KindMembership, MembershipName(g.Name, normEmail(m)))
		}
	}
	if kinds[spec.KindAccessKey] {
		for _, k := range acc.AccessKeys {
			add(spec.KindAccessKey, spec.AccessKeyName(k.Environment, k.Name))
		}
	}
	if lp := acc.Permissions; lp != nil {
		refsOfPermissions(lp, kinds, add)
	}
	return out
}

// refsOfPermissions adds the refs of the permissions half's objects of
// the given kinds.
func refsOfPermissions(lp *model.Permissions, kinds map[spec.Kind]bool, add func(spec.Kind, string)) {
	if kinds[spec.KindRole] {
		for _, r := range lp.Roles {
			add(spec.KindRole, r.ID)
		}
	}
	if kinds[spec.KindPolicy] {
		for _, p := range lp.Policies {
			add(spec.KindPolicy, spec.PolicyKey(p.Scope, p.Name))
		}
	}
	if kinds[spec.KindAssignment] {
		for _, a := range lp.Assignments {
			add(spec.KindAssignment, liveAssignment(&a).Ref().Name)
		}
	}
}

// protectedRefs maps the refs of the objects marked protect: true to where
// they were marked.
func protectedRefs(desired *spec.Config) map[Ref]spec.Pos {
	out := map[Ref]spec.Pos{}
	for _, e := range desired.Environments {
		if e.Protect {
			out[Ref{spec.KindEnvironment, e.CloudName}] = e.Pos
		}
	}
	for _, u := range desired.Users {
		if u.Protect {
			out[Ref{spec.KindUser, normEmail(u.Email)}] = u.Pos
		}
	}
	for _, g := range desired.Groups {
		if g.Protect {
			out[Ref{spec.KindGroup, g.Name}] = g.Pos
		}
	}
	for _, r := range desired.Roles {
		if r.Protect {
			out[Ref{spec.KindRole, r.ID}] = r.Pos
		}
	}
	for _, p := range desired.Policies {
		if p.Protect {
			out[Ref{spec.KindPolicy, p.Key()}] = p.Pos
		}
	}
	protectedKeys(desired, out) // access_keys_guards.go
	for _, a := range desired.Assignments {
		if a.Protect {
			out[Ref{spec.KindAssignment, AssignmentName(apiPrincipalType(a.Principal.Kind), a.Principal.Name, a.Role, a.Scope, a.FolderID, a.CollectionID)}] = a.Pos
		}
	}
	return out
}

// protectAssignments refuses the replace of a role that would drop a
// protected assignment: the role is deleted with force=true, which removes
// its assignments, and the plan adds them again after it is created, so
// the assignment is gone in between (or for good, should the create fail).
// Both the role's replace and the assignment's re-add are refused, each
// naming the other.
func (g *guardRun) protectAssignments(live *model.Account, protected map[Ref]spec.Pos) {
	if live == nil || live.Permissions == nil {
		return
	}
	replaced := map[string]int{} // role id → index of its Replace
	for i, c := range g.changes {
		if c.Action == Replace && c.Ref.Kind == spec.KindRole {
			replaced[c.Ref.Name] = i
		}
	}
	if len(replaced) == 0 {
		return
	}
	held := map[Ref]bool{} // the live assignments
	for i := range live.Permissions.Assignments {
		held[liveAssignment(&live.Permissions.Assignments[i]).Ref()] = true
	}
	for i, c := range g.changes {
		pos, ok := protected[c.Ref]
		if c.Action != Create || c.Ref.Kind != spec.KindAssignment || !ok || !held[c.Ref] {
			continue
		}
		a, _ := c.After.(AssignmentValue)
		j, ok := replaced[a.Role]
		if !ok {
			continue
		}
		g.refuse(i, fmt.Sprintf("refusing to replace it: replacing role %s removes it until it is added again, and it is protected (protect: true at %s); remove protect first to allow it", a.Role, pos))
		g.refuse(j, fmt.Sprintf("refusing to replace it: that removes assignment %s until it is added again, and the assignment is protected (protect: true at %s); remove protect first to allow it", c.Ref.Name, pos))
	}
}
