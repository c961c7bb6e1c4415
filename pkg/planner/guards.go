package planner

// Guards run once the differ has planned every change, and refuse the
// changes that are too dangerous to apply as they stand. A refused change
// leaves the plan and becomes a PlanError naming the object, so a plan with
// refusals cannot be applied (the CLI exits 1), and the reader sees exactly
// what would have gone. In the order they are checked:
//
//  1. protect: a change that deletes an object marked `protect: true` (or
//     replaces it: deletes it and creates it again) is refused. No flag
//     overrides it: remove protect first. Every kind can be protected; a
//     protected assignment also refuses the replace of its role, which
//     drops it until it is added again.
//  2. lockout: a plan must not take the number of enabled, non-pending
//     users with the legacy master_admin role from safety.min_master_admins
//     or more to fewer (nor lower it further when already below); every
//     delete, disable or downgrade that would is refused. Guards refuse
//     transitions, so an account that already has too few can still be
//     planned. When the plan stays at the minimum only thanks to users it
//     promotes, the removals are made to depend on the promotions, so a
//     failed promotion skips them at apply. No flag overrides it. Where
//     the Permissions API is on, the same holds for the principals holding
//     cld::role::account::master_admin at account scope (guardAccountAdmins).
//  3. environment deletes destroy every asset in the environment: each
//     needs Options.AllowEnvironmentDeletes (--allow-environment-deletes).
//  4. thresholds: more deletes than safety.max_deletes in the plan, or more
//     than safety.max_delete_percent of the live objects of a kind that has
//     at least spec.MinObjectsForPercent, need Options.AllowDeletes
//     (--allow-deletes); without it every delete concerned is refused.
//
// Before them all, completeness: no delete of a kind whose live listing is
// incomplete is kept (the differ's canDelete plans none for the kinds it
// knows; the guard holds it for every kind).

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// guard applies the guards to the planned changes.
func (d *differ) guard(desired *spec.Config, live *model.Account, opts Options) {
	limits := desired.Safety.Limits()
	refused := map[int]string{} // index in d.plan.Changes → why
	refuse := func(i int, msg string) {
		if _, done := refused[i]; !done {
			refused[i] = msg
		}
	}
	// 0. completeness, for every kind: the differ plans no delete of a kind
	// whose listing is incomplete (canDelete), and this catches any kind
	// that does not ask. The warning of warnIncomplete says why.
	kept := d.plan.Changes[:0]
	for _, c := range d.plan.Changes {
		if c.Action != Delete || d.canDelete(c.Ref.Kind) {
			kept = append(kept, c)
		}
	}
	d.plan.Changes = kept
	changes := d.plan.Changes

	// 1. protect.
	protected := protectedRefs(desired)
	for i, c := range changes {
		if c.Action != Delete && c.Action != Replace {
			continue
		}
		// What goes is the live object: for a policy renamed by a Replace,
		// the one under the old name, not the configured one.
		gone := c.Ref
		if c.Before != nil {
			gone = c.Before.Ref()
		}
		if pos, ok := protected[gone]; ok {
			what := "delete"
			if c.Action == Replace || slices.ContainsFunc(changes, func(o Change) bool { return o.Ref == c.Ref && o.Action == Create }) {
				what = "replace"
			}
			refuse(i, fmt.Sprintf("refusing to %s it: it is protected (protect: true at %s); remove protect first to allow it", what, pos))
		}
	}
	d.guardProtectedAssignments(live, protected, refuse)

	// 2. lockout, of the legacy role and of the permissions API's.
	d.guardMasterAdmins(live, limits.MinMasterAdmins, refuse)
	d.guardAccountAdmins(live, limits.MinMasterAdmins, refuse)

	// 3. environment deletes.
	if !opts.AllowEnvironmentDeletes {
		for i, c := range changes {
			if c.Action == Delete && c.Ref.Kind == spec.KindEnvironment {
				refuse(i, "refusing to delete a product environment, which destroys every asset in it, without --allow-environment-deletes")
			}
		}
	}

	// 4. thresholds, over the deletes no other guard refused.
	if !opts.AllowDeletes {
		var deletes []int
		perKind := map[spec.Kind][]int{}
		for i, c := range changes {
			if _, no := refused[i]; c.Action == Delete && !no {
				deletes = append(deletes, i)
				perKind[c.Ref.Kind] = append(perKind[c.Ref.Kind], i)
			}
		}
		if n := len(deletes); n > limits.MaxDeletes {
			for _, i := range deletes {
				refuse(i, fmt.Sprintf("refusing to delete it: this plan deletes %d objects, more than safety.max_deletes (%d); check what would go and re-run with --allow-deletes", n, limits.MaxDeletes))
			}
		}
		for _, k := range Kinds(countLists(perKind)) {
			idx := perKind[k]
			liveN := d.liveCount(live, k)
			if liveN < spec.MinObjectsForPercent {
				continue
			}
			pct := 100 * float64(len(idx)) / float64(liveN)
			if pct <= limits.MaxDeletePercent {
				continue
			}
			for _, i := range idx {
				refuse(i, fmt.Sprintf("refusing to delete it: this plan deletes %d of %d live %s (%.0f%%), more than safety.max_delete_percent (%g%%); check what would go and re-run with --allow-deletes",
					len(idx), liveN, k, pct, limits.MaxDeletePercent))
			}
		}
	}

	if len(refused) == 0 {
		return
	}
	kept = changes[:0]
	for i, c := range changes {
		if msg, ok := refused[i]; ok {
			d.errorf(c.Ref, "%s", msg)
			continue
		}
		kept = append(kept, c)
	}
	d.plan.Changes = kept
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
	protectedKeys(desired, out) // access_keys.go
	for _, a := range desired.Assignments {
		if a.Protect {
			out[Ref{spec.KindAssignment, AssignmentName(apiPrincipalType(a.Principal.Kind), a.Principal.Name, a.Role, a.Scope, a.FolderID, a.CollectionID)}] = a.Pos
		}
	}
	return out
}

// guardProtectedAssignments refuses the replace of a role that would drop
// a protected assignment: the role is deleted with force=true, which
// removes its assignments, and the plan adds them again after it is
// created, so the assignment is gone in between (or for good, should the
// create fail). Both the role's replace and the assignment's re-add are
// refused, each naming the other.
func (d *differ) guardProtectedAssignments(live *model.Account, protected map[Ref]spec.Pos, refuse func(int, string)) {
	if live == nil || live.Permissions == nil {
		return
	}
	replaced := map[string]int{} // role id → index of its Replace
	for i, c := range d.plan.Changes {
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
	for i, c := range d.plan.Changes {
		pos, ok := protected[c.Ref]
		if c.Action != Create || c.Ref.Kind != spec.KindAssignment || !ok || !held[c.Ref] {
			continue
		}
		a, _ := c.After.(AssignmentValue)
		j, ok := replaced[a.Role]
		if !ok {
			continue
		}
		refuse(i, fmt.Sprintf("refusing to replace it: replacing role %s removes it until it is added again, and it is protected (protect: true at %s); remove protect first to allow it", a.Role, pos))
		refuse(j, fmt.Sprintf("refusing to replace it: that removes assignment %s until it is added again, and the assignment is protected (protect: true at %s); remove protect first to allow it", c.Ref.Name, pos))
	}
}

// isMasterAdmin reports whether a user counts towards min_master_admins:
// enabled, invitation accepted, legacy role master_admin. A user created
// by the plan is pending until they accept, so creates never count.
func isMasterAdmin(u UserValue) bool {
	return u.Role == roleMasterAdmin && u.Enabled && !u.Pending
}

// guardMasterAdmins refuses the changes that would take the enabled
// master_admins below minimum.
func (d *differ) guardMasterAdmins(live *model.Account, minimum int, refuse func(int, string)) {
	if minimum <= 0 {
		return
	}
	before := 0
	for _, u := range live.Users {
		if isMasterAdmin(liveUser(&u)) && !d.isIgnored(spec.KindUser, normEmail(u.Email)) {
			before++
		}
	}
	var removals, promotions []int
	for i, c := range d.plan.Changes {
		if c.Ref.Kind != spec.KindUser {
			continue
		}
		was, is := false, false
		if b, ok := c.Before.(UserValue); ok {
			was = isMasterAdmin(b)
		}
		if a, ok := c.After.(UserValue); ok && c.Action != Create {
			is = isMasterAdmin(a)
		}
		switch {
		case was && !is:
			removals = append(removals, i)
		case !was && is:
			promotions = append(promotions, i)
		}
	}
	if len(removals) == 0 {
		return
	}
	after := before - len(removals) + len(promotions)
	if after < minimum && after < before {
		for _, i := range removals {
			c := d.plan.Changes[i]
			verb := "downgrade"
			switch a, _ := c.After.(UserValue); {
			case c.Action == Delete:
				verb = "delete"
			case !a.Enabled:
				verb = "disable"
			}
			refuse(i, fmt.Sprintf("refusing to %s it: the account has %d enabled master_admin %s and this plan would leave %d, below safety.min_master_admins (%d); --allow-deletes does not override this",
				verb, before, Plural(before, "user", "users"), after, minimum))
		}
		return
	}
	// Enough remain only thanks to promotions: remove only after they
	// succeed, so that a failed promotion cannot lock the account out.
	if before-len(removals) < minimum {
		for _, i := range removals {
			c := &d.plan.Changes[i]
			for _, p := range promotions {
				c.DependsOn = append(c.DependsOn, d.plan.Changes[p].Ref)
			}
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

// accountAdminRole is the Permissions API's system role that administers
// the whole account.
const accountAdminRole = "cld::role::account::master_admin"

// guardAccountAdmins refuses the changes that would leave fewer than
// minimum principals holding accountAdminRole at account scope, where the
// Permissions API is on. A principal counts when it can act: a user that
// is enabled and has accepted its invitation, a group with at least one
// such member, an API or provisioning key.
//
// Whether each holder can still act is worked out on the account as the
// plan leaves it. A holder is removed by deleting its assignment; a user
// holder also by deleting or disabling the user; a group holder also by
// deleting the group, or by taking away its last members who can act
// (deleting or disabling them, or removing them from the group), each of
// those changes then counting as a removal. New holders count when they
// can act after the plan without anything it creates: an assignment to a
// live principal, or a live user who can act added to a holder group that
// would otherwise stop acting. Removals then wait for them, as for
// promotions.
func (d *differ) guardAccountAdmins(live *model.Account, minimum int, refuse func(int, string)) {
	if minimum <= 0 || live.Permissions == nil || live.Permissions.Unavailable != "" {
		return
	}
	changes := d.plan.Changes
	// What the plan takes away and adds, by change index.
	userOut := map[string]int{}    // email → its delete or disable
	memberOut := map[string]int{}  // group NUL email → the membership delete
	groupOut := map[string]int{}   // group name → its delete
	memberIn := map[string][]int{} // group name → membership creates
	for i, c := range changes {
		switch b := c.Before.(type) {
		case UserValue:
			if a, _ := c.After.(UserValue); c.Action == Delete || (c.Action == Update && !a.Enabled) {
				userOut[normEmail(b.Email)] = i
			}
		case MembershipValue:
			if c.Action == Delete {
				memberOut[b.Group+"\x00"+normEmail(b.User)] = i
			}
		case GroupValue:
			if c.Action == Delete {
				groupOut[b.Name] = i
			}
		}
		if a, ok := c.After.(MembershipValue); ok && c.Action == Create {
			memberIn[a.Group] = append(memberIn[a.Group], i)
		}
	}

	canAct := map[string]bool{} // lower-cased email of users who can act
	for _, u := range live.Users {
		if u.Enabled && !u.Pending {
			canAct[normEmail(u.Email)] = true
		}
	}
	actsAfter := func(email string) bool {
		_, out := userOut[email]
		return canAct[email] && !out
	}
	members := map[string][]string{}
	for _, g := range live.Groups {
		for _, m := range g.Members {
			members[g.Name] = append(members[g.Name], normEmail(m))
		}
	}
	// groupActs says whether the live group can act, before the plan and
	// after it (not counting the members it adds); when it stops, taken
	// lists the changes that take its last members who can act away.
	groupActs := func(name string) (before, after bool, taken []int) {
		for _, m := range members[name] {
			if !canAct[m] {
				continue
			}
			before = true
			i, userGone := userOut[m]
			j, memberGone := memberOut[name+"\x00"+m]
			if !userGone && !memberGone {
				return true, true, nil
			}
			if userGone {
				taken = append(taken, i)
			}
			if memberGone {
				taken = append(taken, j)
			}
		}
		return before, false, taken
	}
	eligible := func(ptype, name string, after bool) bool {
		switch ptype {
		case "user":
			if after {
				return actsAfter(normEmail(name))
			}
			return canAct[normEmail(name)]
		case "group":
			b, a, _ := groupActs(name)
			if after {
				_, deleted := groupOut[name]
				return a && !deleted
			}
			return b
		}
		return true
	}
	key := func(ptype, name string) string {
		if ptype == "user" {
			name = normEmail(name)
		}
		return ptype + ":" + name
	}
	holders := map[string]bool{}
	holderGroups := map[string]bool{}
	for _, a := range live.Permissions.Assignments {
		v := liveAssignment(&a)
		if v.Role == accountAdminRole && v.Scope == spec.ScopeAccount && eligible(v.PrincipalType, v.Principal, false) {
			holders[key(v.PrincipalType, v.Principal)] = true
			if v.PrincipalType == "group" {
				holderGroups[v.Principal] = true
			}
		}
	}
	before := len(holders)

	removes := map[int]bool{}
	via := map[int][]string{} // removal → the holder groups it leaves unable to act
	gone := map[string]bool{} // holders that no longer hold or cannot act
	var adds []int
	added := map[string]bool{}
	for i, c := range changes {
		switch b := c.Before.(type) {
		case AssignmentValue:
			if k := key(b.PrincipalType, b.Principal); c.Action == Delete && b.Role == accountAdminRole && b.Scope == spec.ScopeAccount && holders[k] {
				removes[i], gone[k] = true, true
			}
		case UserValue:
			if k := key("user", b.Email); holders[k] {
				if j, out := userOut[normEmail(b.Email)]; out && j == i {
					removes[i], gone[k] = true, true
				}
			}
		case GroupValue:
			if k := key("group", b.Name); holders[k] && c.Action == Delete {
				removes[i], gone[k] = true, true
			}
		}
		if a, ok := c.After.(AssignmentValue); ok && c.Action == Create && a.Role == accountAdminRole && a.Scope == spec.ScopeAccount &&
			a.PrincipalID != "" && eligible(a.PrincipalType, a.Principal, true) {
			if k := key(a.PrincipalType, a.Principal); !holders[k] && !added[k] {
				added[k] = true
				adds = append(adds, i)
			}
		}
	}
	// Holder groups left without a member who can act; a live user who
	// can act, added to the group by this plan, keeps it acting once added.
	rescued := 0
	for _, name := range slices.Sorted(maps.Keys(holderGroups)) {
		k := key("group", name)
		if gone[k] {
			continue
		}
		_, after, taken := groupActs(name)
		if after {
			continue
		}
		for _, i := range taken {
			removes[i] = true
			via[i] = append(via[i], name)
		}
		var rescue []int
		for _, i := range memberIn[name] {
			if m := changes[i].After.(MembershipValue); m.UserID != "" && actsAfter(normEmail(m.User)) {
				rescue = append(rescue, i)
			}
		}
		if len(rescue) == 0 {
			gone[k] = true
			continue
		}
		// Lost, then regained once a member is added.
		rescued++
		adds = append(adds, rescue...)
	}
	if len(removes) == 0 {
		return
	}
	after := before - len(gone) + len(added)
	if after < minimum && after < before {
		for _, i := range slices.Sorted(maps.Keys(removes)) {
			verb := "delete"
			if changes[i].Action == Update {
				verb = "disable"
			}
			why := ""
			if gs := via[i]; len(gs) > 0 {
				why = fmt.Sprintf(": it leaves %s %s, which %s it, with no member who can act",
					Plural(len(gs), "group", "groups"), strings.Join(gs, ", "), Plural(len(gs), "holds", "hold"))
			}
			refuse(i, fmt.Sprintf("refusing to %s it: %d %s %s at account scope, and this plan would leave %d, below safety.min_master_admins (%d)%s; --allow-deletes does not override this",
				verb, before, Plural(before, "principal holds", "principals hold"), accountAdminRole, after, minimum, why))
		}
		return
	}
	if before-len(gone)-rescued < minimum {
		for i := range removes {
			c := &changes[i]
			for _, j := range adds {
				c.DependsOn = appendDep(c.DependsOn, &changes[j].Ref)
			}
		}
	}
}
