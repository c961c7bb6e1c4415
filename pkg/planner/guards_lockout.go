package planner

// The lockout guard (guards.go, 2): master-admin power counted before and
// after the plan.

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// accountAdminRole is the Permissions API's system role that administers
// the whole account.
const accountAdminRole = "cld::role::account::master_admin"

// power is who holds master-admin power in one account, by principal key
// ("user:ana@acme.test", "group:admins", "apiKey:…").
type power map[string]bool

// adminMeasure counts one kind of master-admin power in an account.
type adminMeasure struct {
	count func(acc *model.Account) power
	// refusal says why change c is refused, given the counts.
	refusal func(c *Change, before, after int, minimum int, via []string) string
}

// lockout checks, for the legacy role and for the Permissions API's role
// alike, that the plan does not take the holders of master-admin power
// below minimum (see guards.go), and makes removals wait for grants when
// enough remain only thanks to them.
func (g *guardRun) lockout(transition func() *Transition, minimum int, ignored func(email string) bool) {
	// Only changes that take power are refused or made to wait: without
	// one there is nothing to do, and nothing to project.
	if minimum <= 0 || !slices.ContainsFunc(g.changes, func(c Change) bool { return takesPower(&c) }) {
		return
	}
	t := transition()
	legacy := adminMeasure{count: func(acc *model.Account) power { return legacyAdmins(acc, ignored) }, refusal: legacyRefusal}
	holders := adminMeasure{count: accountAdmins, refusal: holderRefusal}
	groupsOf := memberGroups(t.Before, changedUsers(g.changes))
	var floor *model.Account // the account after the plan without its grants, when needed
	for _, m := range []adminMeasure{legacy, holders} {
		before, after := m.count(t.Before), m.count(t.After)
		if len(after) < minimum && len(after) < len(before) {
			g.refuseLosses(m, minus(before, after), groupsOf, len(before), len(after), minimum)
			continue
		}
		if !slices.ContainsFunc(g.changes, func(c Change) bool { return takesPower(&c) && touches(&c, before, groupsOf) }) {
			continue
		}
		if floor == nil {
			floor = Project(t.Before, &Plan{Changes: slices.DeleteFunc(slices.Clone(g.changes), grantsPower)})
		}
		if base := m.count(floor); len(base) < minimum {
			g.waitForGrants(minus(before, base), minus(after, base), groupsOf)
		}
	}
}

// refuseLosses refuses every change that takes power away from a holder
// the plan loses.
func (g *guardRun) refuseLosses(m adminMeasure, lost power, groupsOf map[string][]string, before, after, minimum int) {
	for i := range g.changes {
		c := &g.changes[i]
		if !takesPower(c) {
			continue
		}
		var hit, via []string
		for _, k := range powerKeys(c, groupsOf) {
			if lost[k] {
				hit = append(hit, k)
				if name, ok := strings.CutPrefix(k, "group:"); ok && !ownsGroupPower(c) {
					via = append(via, name)
				}
			}
		}
		if len(hit) > 0 {
			g.refuse(i, m.refusal(c, before, after, minimum, via))
		}
	}
}

// waitForGrants makes each change that takes power from a holder who
// stays only thanks to the plan's grants depend on the grants that keep
// or give power, so that a failed grant skips the removal at apply.
func (g *guardRun) waitForGrants(dropped, gained power, groupsOf map[string][]string) {
	var grants []int
	for j := range g.changes {
		if grantsPower(g.changes[j]) && touches(&g.changes[j], gained, groupsOf) {
			grants = append(grants, j)
		}
	}
	for i := range g.changes {
		c := &g.changes[i]
		if !takesPower(c) || !touches(c, dropped, groupsOf) {
			continue
		}
		for _, j := range grants {
			if j != i {
				c.DependsOn = appendDep(c.DependsOn, &g.changes[j].Ref)
			}
		}
	}
}

// legacyAdmins are the users who count towards min_master_admins through
// the legacy role: enabled, invitation accepted, role master_admin, and
// not kept out of the plan by an ignore rule. A user the plan creates is
// pending until they accept, so it never counts.
func legacyAdmins(acc *model.Account, ignored func(email string) bool) power {
	out := power{}
	for _, u := range acc.Users {
		email := normEmail(u.Email)
		if u.Role == roleMasterAdmin && u.Enabled && !u.Pending && !ignored(email) {
			out["user:"+email] = true
		}
	}
	return out
}

// accountAdmins are the principals holding accountAdminRole at account
// scope that can act, where the Permissions API is on: a user enabled and
// invitation accepted, a group with at least one such member, an API or
// provisioning key.
func accountAdmins(acc *model.Account) power {
	out := power{}
	if acc.Permissions == nil || acc.Permissions.Unavailable != "" {
		return out
	}
	// The account admin assignments first: only their users, and the
	// members of their groups, need to be looked up, not every user.
	var admins []AssignmentValue
	need := map[string]bool{}   // emails whose users are asked about
	groups := map[string]bool{} // groups holding the role
	for i := range acc.Permissions.Assignments {
		a := &acc.Permissions.Assignments[i]
		if a.Role != accountAdminRole || a.Scope != spec.ScopeAccount {
			continue
		}
		v := liveAssignment(a)
		admins = append(admins, v)
		switch v.PrincipalType {
		case string(model.PrincipalUser):
			need[normEmail(v.Principal)] = true
		case string(model.PrincipalGroup):
			groups[v.Principal] = true
		}
	}
	if len(admins) == 0 {
		return out
	}
	for _, gr := range acc.Groups {
		if groups[gr.Name] {
			for _, m := range gr.Members {
				need[normEmail(m)] = true
			}
		}
	}
	acts := map[string]bool{}
	for _, u := range acc.Users {
		if u.Enabled && !u.Pending {
			if e := normEmail(u.Email); need[e] {
				acts[e] = true
			}
		}
	}
	groupActs := map[string]bool{}
	for _, gr := range acc.Groups {
		if groups[gr.Name] {
			groupActs[gr.Name] = slices.ContainsFunc(gr.Members, func(m string) bool { return acts[normEmail(m)] })
		}
	}
	for _, v := range admins {
		switch v.PrincipalType {
		case string(model.PrincipalUser):
			if !acts[normEmail(v.Principal)] {
				continue
			}
		case string(model.PrincipalGroup):
			if !groupActs[v.Principal] {
				continue
			}
		}
		out[principalKey(v.PrincipalType, v.Principal)] = true
	}
	return out
}

// principalKey is "type:name", with user emails lower-cased.
func principalKey(ptype, name string) string {
	if ptype == string(model.PrincipalUser) {
		name = normEmail(name)
	}
	return ptype + ":" + name
}

// powerKeys are the holders whose power a change can move: the user it
// changes, and the groups that user is in; the group it changes, or whose
// members it changes; the principal of an account admin assignment.
func powerKeys(c *Change, groupsOf map[string][]string) []string {
	v := c.Before
	if v == nil {
		v = c.After
	}
	switch v := v.(type) {
	case UserValue:
		email := normEmail(v.Email)
		keys := []string{"user:" + email}
		for _, gr := range groupsOf[email] {
			keys = append(keys, "group:"+gr)
		}
		return keys
	case GroupValue:
		return []string{"group:" + v.Name}
	case MembershipValue:
		return []string{"group:" + v.Group}
	case AssignmentValue:
		if v.Role == accountAdminRole && v.Scope == spec.ScopeAccount {
			return []string{principalKey(v.PrincipalType, v.Principal)}
		}
	}
	return nil
}

// touches reports whether c can move the power of any holder in keys.
func touches(c *Change, keys power, groupsOf map[string][]string) bool {
	return slices.ContainsFunc(powerKeys(c, groupsOf), func(k string) bool { return keys[k] })
}

// ownsGroupPower reports whether c moves a group's power itself (deletes
// the group or its assignment) rather than through its members.
func ownsGroupPower(c *Change) bool {
	switch c.Before.(type) {
	case GroupValue, AssignmentValue:
		return true
	}
	return false
}

// takesPower reports whether c can take master-admin power away: a delete
// or replace, or an update that disables a user or takes master_admin
// from them.
func takesPower(c *Change) bool {
	switch c.Action {
	case Delete, Replace:
		return true
	case Update:
		b, _ := c.Before.(UserValue)
		a, ok := c.After.(UserValue)
		return ok && ((b.Enabled && !a.Enabled) || (b.Role == roleMasterAdmin && a.Role != roleMasterAdmin))
	}
	return false
}

// grantsPower reports whether c can give master-admin power: a create
// (of a membership, an assignment), or an update that enables a user or
// makes them master_admin.
func grantsPower(c Change) bool {
	switch c.Action {
	case Create:
		return true
	case Update:
		b, _ := c.Before.(UserValue)
		a, ok := c.After.(UserValue)
		return ok && ((!b.Enabled && a.Enabled) || (b.Role != roleMasterAdmin && a.Role == roleMasterAdmin))
	}
	return false
}

// memberGroups maps each of emails (lower-cased) to the groups of acc
// listing it, in acc's order; a member not in emails is not indexed.
func memberGroups(acc *model.Account, emails map[string]bool) map[string][]string {
	return groupsListing(func(yield func(*model.Group) bool) {
		for i := range acc.Groups {
			if !yield(&acc.Groups[i]) {
				return
			}
		}
	}, emails)
}

// groupsListing maps each of emails (lower-cased) to the names of the
// groups listing it, in the order groups come; one pass over the members,
// keeping only those asked about.
func groupsListing(groups iter.Seq[*model.Group], emails map[string]bool) map[string][]string {
	out := map[string][]string{}
	if len(emails) == 0 {
		return out
	}
	for g := range groups {
		for _, m := range g.Members {
			if m = normEmail(m); emails[m] {
				out[m] = append(out[m], g.Name)
			}
		}
	}
	return out
}

// changedUsers are the lower-cased emails of the users that changes
// change: the only ones powerKeys asks the groups of.
func changedUsers(changes []Change) map[string]bool {
	out := map[string]bool{}
	for i := range changes {
		v := changes[i].Before
		if v == nil {
			v = changes[i].After
		}
		if u, ok := v.(UserValue); ok {
			out[normEmail(u.Email)] = true
		}
	}
	return out
}

// minus is the holders of a that b does not have.
func minus(a, b power) power {
	out := power{}
	for k := range a {
		if !b[k] {
			out[k] = true
		}
	}
	return out
}

// legacyRefusal words the refusal of a change that removes a user with the
// legacy master_admin role.
func legacyRefusal(c *Change, before, after, minimum int, _ []string) string {
	verb := "downgrade"
	switch a, _ := c.After.(UserValue); {
	case c.Action == Delete:
		verb = "delete"
	case !a.Enabled:
		verb = "disable"
	}
	return fmt.Sprintf("refusing to %s it: the account has %d enabled master_admin %s and this plan would leave %d, below safety.min_master_admins (%d); --allow-deletes does not override this",
		verb, before, Plural(before, "user", "users"), after, minimum)
}

// holderRefusal words the refusal of a change that removes a holder of
// accountAdminRole, directly or by leaving a holder group with no member
// who can act.
func holderRefusal(c *Change, before, after, minimum int, via []string) string {
	verb := "delete"
	if c.Action == Update {
		verb = "disable"
	}
	why := ""
	if len(via) > 0 {
		slices.Sort(via)
		why = fmt.Sprintf(": it leaves %s %s, which %s it, with no member who can act",
			Plural(len(via), "group", "groups"), strings.Join(slices.Compact(via), ", "), Plural(len(via), "holds", "hold"))
	}
	return fmt.Sprintf("refusing to %s it: %d %s %s at account scope, and this plan would leave %d, below safety.min_master_admins (%d)%s; --allow-deletes does not override this",
		verb, before, Plural(before, "principal holds", "principals hold"), accountAdminRole, after, minimum, why)
}
