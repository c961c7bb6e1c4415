package planner

// Groups and their memberships, and the changes dropped with a refused object.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func (d *differ) groups(desired *spec.Config, live *model.Account) {
	for i := range desired.Groups {
		g := &desired.Groups[i]
		ref := Ref{spec.KindGroup, g.Name}
		if d.refused[ref] {
			continue
		}
		l := d.lGroups[g.Name]
		if l == nil {
			d.add(Change{
				Action: Create,
				Ref:    ref,
				After:  GroupValue{Name: g.Name},
				Fields: []FieldDiff{{Name: "name", New: quote(g.Name)}},
				Reason: "not in the account",
			})
		}
		if g.MembersManaged {
			d.memberships(g, l)
		} else if l != nil {
			d.plan.addUnmanagedMembers(l.Name, l.Members)
		}
	}
	for i := range live.Groups {
		l := &live.Groups[i]
		if d.dGroups[l.Name] != nil || d.isIgnored(spec.KindGroup, l.Name) {
			continue
		}
		ref := Ref{spec.KindGroup, l.Name}
		if !d.prune[spec.KindGroup] || !d.canDelete(spec.KindGroup) || d.refused[ref] {
			d.plan.addUnmanaged(spec.KindGroup, l.Name)
			d.plan.addUnmanagedMembers(l.Name, l.Members)
			continue
		}
		c := Change{
			Action: Delete,
			Ref:    ref,
			Before: GroupValue{ID: l.ID, Name: l.Name, Members: normEmails(l.Members)},
			Reason: "not in the configuration, and groups are pruned",
		}
		if n := len(l.Members); n > 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("also drops its %d %s", n, Plural(n, "membership", "memberships")))
		}
		d.add(c)
	}
}

// memberships plans the membership changes of a desired group whose
// members are managed; l is the live group, or nil when it is created.
func (d *differ) memberships(g *spec.Group, l *model.Group) {
	groupCreated := l == nil
	groupID := ""
	want := normEmails(g.Members)
	var have []string // the live members, normalized like want
	live := map[string]bool{}
	if l != nil {
		groupID = l.ID
		have = normEmails(l.Members)
		if slices.Equal(have, want) {
			return // the same members: nothing to add or remove
		}
		for _, m := range have {
			live[m] = true
		}
	}
	wanted := make(map[string]bool, len(want))
	for _, m := range want {
		wanted[m] = true
		if live[m] {
			continue
		}
		ref := Ref{spec.KindMembership, MembershipName(g.Name, m)}
		userID, userCreated, msg := d.resolveMember(m)
		if msg != "" {
			d.errorf(ref, "%s", msg)
			continue
		}
		c := Change{
			Action: Create,
			Ref:    ref,
			After:  MembershipValue{Group: g.Name, GroupID: groupID, User: m, UserID: userID},
			Reason: "listed in the members of group " + quote(g.Name),
		}
		if groupCreated {
			c.DependsOn = append(c.DependsOn, Ref{spec.KindGroup, g.Name})
		}
		if userCreated {
			c.DependsOn = append(c.DependsOn, Ref{spec.KindUser, m})
		}
		d.add(c)
	}
	if l == nil || !d.canDelete(spec.KindMembership) {
		return
	}
	for _, m := range have {
		// Deleting a user drops its memberships; the user delete says so.
		if wanted[m] || d.deletedUsers[m] || d.isIgnored(spec.KindUser, m) {
			continue
		}
		ref := Ref{spec.KindMembership, MembershipName(g.Name, m)}
		userID := ""
		if u := d.lUsers[m]; u != nil {
			userID = u.ID
		} else if d.refused[Ref{spec.KindUser, m}] {
			d.errorf(ref, "%s; refusing to remove it from the group", d.refusedMessage(Ref{spec.KindUser, m}))
			continue
		}
		d.add(Change{
			Action: Delete,
			Ref:    ref,
			Before: MembershipValue{Group: g.Name, GroupID: groupID, User: m, UserID: userID},
			Reason: "not in the members of group " + quote(g.Name),
		})
	}
}

// refusedMessage says why an object that another one refers to is refused.
func (d *differ) refusedMessage(ref Ref) string {
	if ids, ok := d.ambiguous[ref]; ok {
		return fmt.Sprintf("%s %s matches %d live %s (ids %s)", Noun(ref.Kind), ref.Name, len(ids), ref.Kind, strings.Join(ids, ", "))
	}
	return fmt.Sprintf("%s %s is refused by this plan (see its error)", Noun(ref.Kind), ref.Name)
}

// resolveMember finds the user a membership create refers to: its live id
// when it has one, whether this plan creates it, or why it cannot be used.
func (d *differ) resolveMember(email string) (id string, created bool, msg string) {
	ref := Ref{spec.KindUser, email}
	l := d.lUsers[email]
	switch {
	case d.refused[ref]:
		return "", false, d.refusedMessage(ref)
	case d.dUsers[email] != nil && l == nil:
		return "", true, ""
	case l == nil:
		if reason, ok := d.incomplete[spec.KindUser]; ok {
			return "", false, fmt.Sprintf("user %s is not in the configuration, and not in the live user listing, which is incomplete (%s)", email, reason)
		}
		return "", false, fmt.Sprintf("user %s is neither in the configuration nor in the account", email)
	case d.deletedUsers[email]:
		return "", false, fmt.Sprintf("user %s is deleted by this plan (not in the configuration, and users are pruned)", email)
	}
	return l.ID, false, ""
}

// dropOrphans refuses the changes that depend on a change the plan does
// not contain (because it was refused), and then their dependents in turn.
func (d *differ) dropOrphans() {
	for {
		present := make(map[Ref]bool, len(d.plan.Changes))
		for _, c := range d.plan.Changes {
			present[c.Ref] = true
		}
		kept := d.plan.Changes[:0]
		dropped := false
		for _, c := range d.plan.Changes {
			missing := ""
			for _, dep := range c.DependsOn {
				if !present[dep] {
					missing = dep.String()
					break
				}
			}
			if missing != "" {
				d.errorf(c.Ref, "depends on %s, which this plan refuses", missing)
				dropped = true
				continue
			}
			kept = append(kept, c)
		}
		d.plan.Changes = kept
		if !dropped {
			return
		}
	}
}
