package planner

// Custom roles: create, update, and deletes that must force through assignments.

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func (p *permDiffer) roles() {
	for i := range p.lp.Roles {
		p.lRoles[p.lp.Roles[i].ID] = &p.lp.Roles[i]
	}
	for i := range p.desired.Roles {
		r := &p.desired.Roles[i]
		if _, dup := p.dRoles[r.ID]; dup {
			p.errorf(Ref{spec.KindRole, r.ID}, "defined twice in the configuration; refusing to plan it")
			continue
		}
		p.dRoles[r.ID] = r
	}
	for _, id := range slices.Sorted(maps.Keys(p.dRoles)) {
		r := p.dRoles[id]
		ref := Ref{spec.KindRole, id}
		if msg := p.checkRolePolicies(r); msg != "" {
			p.errorf(ref, "%s", msg)
			continue
		}
		l := p.lRoles[id]
		if l == nil {
			after := p.desiredRole(r, nil)
			c := Change{Action: Create, Ref: ref, After: after, Reason: "not in the account"}
			c.Fields = roleFields(RoleValue{}, after, true)
			p.add(c)
			continue
		}
		before := liveRole(l)
		after := p.desiredRole(r, l)
		if r.PermissionType != l.PermissionType || r.ScopeType != l.ScopeType {
			p.goneRoles[id] = true
			p.replacedRoles[id] = true
			p.add(Change{
				Action: Replace, Ref: ref, Before: before, After: after,
				Fields: roleFields(before, after, false),
				Reason: "permission_type and scope_type cannot change in place",
				Notes:  []string{"deleted and created again with the same id: the role is missing in between"},
			})
			continue
		}
		if fields := roleFields(before, after, false); len(fields) > 0 {
			p.add(Change{Action: Update, Ref: ref, Before: before, After: after, Fields: fields, Reason: "differs from the configuration"})
		}
	}
	for i := range p.lp.Roles {
		l := &p.lp.Roles[i]
		if p.dRoles[l.ID] != nil {
			continue
		}
		if !p.prune[spec.KindRole] {
			p.plan.addUnmanaged(spec.KindRole, l.ID)
			continue
		}
		p.goneRoles[l.ID] = true
		p.add(Change{Action: Delete, Ref: Ref{spec.KindRole, l.ID}, Before: liveRole(l), Reason: "not in the configuration, and roles are pruned"})
	}
}

// checkRolePolicies checks a role's system policies against the live
// catalog (the configuration was checked against the shipped snapshot).
func (p *permDiffer) checkRolePolicies(r *spec.Role) string {
	for _, id := range r.SystemPolicies {
		sp, ok := p.cat.Policies[id]
		switch {
		case !ok:
			return fmt.Sprintf("system policy %q is not in the account's catalog", id)
		case sp.PermissionType != r.PermissionType || sp.ScopeType != r.ScopeType:
			return fmt.Sprintf("system policy %q is %s/%s in the account's catalog, but the role is %s/%s", id, sp.PermissionType, sp.ScopeType, r.PermissionType, r.ScopeType)
		}
	}
	return ""
}

func liveRole(l *model.Role) RoleValue {
	return RoleValue{
		ID: l.ID, Name: l.Name, Description: l.Description,
		PermissionType: l.PermissionType, ScopeType: l.ScopeType,
		SystemPolicies: slices.Clone(l.SystemPolicies),
	}
}

// desiredRole is the role to send: the configuration's values, and the
// live ones (l, when set) for what it does not manage.
func (p *permDiffer) desiredRole(r *spec.Role, l *model.Role) RoleValue {
	v := RoleValue{ID: r.ID, Name: r.Name, PermissionType: r.PermissionType, ScopeType: r.ScopeType, SystemPolicies: []string{}}
	if l != nil {
		v.Description = l.Description
		v.SystemPolicies = slices.Clone(l.SystemPolicies)
	}
	if r.Description != nil {
		v.Description = *r.Description
	}
	if r.SystemPolicies != nil {
		v.SystemPolicies = slices.Clone(r.SystemPolicies)
		slices.Sort(v.SystemPolicies)
		v.SystemPolicies = slices.Compact(v.SystemPolicies)
	}
	return v
}

// roleFields lists what differs (every set field for a create).
func roleFields(before, after RoleValue, create bool) []FieldDiff {
	var out []FieldDiff
	add := func(name, old, new string, changed bool) {
		if create || changed {
			out = append(out, FieldDiff{Name: name, Old: old, New: new})
		}
	}
	if create {
		before = RoleValue{}
	}
	add("name", quoteOr(before.Name, create), quote(after.Name), before.Name != after.Name)
	if !create || after.Description != "" {
		add("description", quoteOr(before.Description, create), quote(after.Description), before.Description != after.Description)
	}
	add("permission_type", quoteOr(before.PermissionType, create), quote(after.PermissionType), before.PermissionType != after.PermissionType)
	add("scope_type", quoteOr(before.ScopeType, create), quote(after.ScopeType), before.ScopeType != after.ScopeType)
	oldPols := ""
	if !create {
		oldPols = quoteList(before.SystemPolicies)
	}
	add("system_policies", oldPols, quoteList(after.SystemPolicies), !slices.Equal(before.SystemPolicies, after.SystemPolicies))
	return out
}

func quoteOr(s string, create bool) string {
	if create {
		return ""
	}
	return quote(s)
}

// forceRoleDeletes marks the role deletes and replaces that need force, and
// says what they drop.
func (p *permDiffer) forceRoleDeletes() {
	held := map[string][]string{}
	for i := range p.lp.Assignments {
		a := &p.lp.Assignments[i]
		held[a.Role] = append(held[a.Role], a.PrincipalName()+" in "+a.Scope)
	}
	for i := range p.plan.Changes {
		c := &p.plan.Changes[i]
		if c.Ref.Kind != spec.KindRole || (c.Action != Delete && c.Action != Replace) {
			continue
		}
		holders := held[c.Ref.Name]
		if len(holders) == 0 {
			continue
		}
		b := c.Before.(RoleValue)
		b.Force = true
		c.Before = b
		slices.Sort(holders)
		note := fmt.Sprintf("deleted with force=true, which drops its %d %s: %s",
			len(holders), Plural(len(holders), "assignment", "assignments"), strings.Join(holders, ", "))
		if c.Action == Replace {
			note += "; the configured ones are added again after"
		}
		c.Notes = append(c.Notes, note)
	}
}

// ---- policies ----
