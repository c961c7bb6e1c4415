package planner

// Role assignments, and the warning for legacy roles that look contradictory.

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func (p *permDiffer) assignments() {
	// Each live key is built once, for the index and for the pass below.
	liveKeys := make([]string, len(p.lp.Assignments))
	live := make(map[string]*model.Assignment, len(p.lp.Assignments))
	for i := range p.lp.Assignments {
		a := &p.lp.Assignments[i]
		liveKeys[i] = liveAssignmentKey(a)
		live[liveKeys[i]] = a
	}
	wanted := make(map[string]bool, len(p.desired.Assignments))
	for i := range p.desired.Assignments {
		a := &p.desired.Assignments[i]
		key := spec.AssignmentKey(a)
		if wanted[key] {
			continue
		}
		wanted[key] = true
		if live[key] != nil && !p.replacedRoles[a.Role] {
			continue
		}
		p.createAssignment(a, live[key] != nil)
	}
	var unnamed []string
	for i := range p.lp.Assignments {
		a := &p.lp.Assignments[i]
		if wanted[liveKeys[i]] {
			continue
		}
		// Dropped with what this plan deletes: no change of their own.
		if p.goneRoles[a.Role] || p.goneEnvs[a.Scope] ||
			(a.Principal.Kind == spec.PrincipalUser && p.deletedUsers[a.Principal.Name]) ||
			(a.Principal.Kind == spec.PrincipalGroup && p.goneGroups[a.Principal.Name]) {
			continue
		}
		if p.assignmentIgnored(a) {
			p.plan.Ignored[spec.KindAssignment]++
			continue
		}
		expired := p.isExpired(liveAssignment(a).Ref()) // expiry.go: removed whether or not pruned
		if a.PrincipalType == "provisioningKey" || !(p.prune[spec.KindAssignment] || expired) || !p.canDelete(spec.KindAssignment) {
			// Account API keys' assignments are never removed: losing one can
			// lock cldsync itself out.
			p.plan.addUnmanaged(spec.KindAssignment, liveAssignment(a).Ref().Name)
			continue
		}
		if a.Principal.Kind == "" {
			// A principal no listing names (missing from an incomplete
			// listing, or read wrongly) could be one the configuration
			// assigns this very role by name: never delete on a guess.
			p.plan.addUnmanaged(spec.KindAssignment, liveAssignment(a).Ref().Name)
			unnamed = append(unnamed, a.PrincipalName())
			continue
		}
		before := liveAssignment(a)
		p.add(Change{Action: Delete, Ref: before.Ref(), Before: before, Reason: "not in the configuration, and assignments are pruned"})
	}
	if n := len(unnamed); n > 0 {
		slices.Sort(unnamed)
		principals := slices.Compact(unnamed)
		named := principals[:min(len(principals), maxLegacyExamples)]
		more := ""
		if m := len(principals) - len(named); m > 0 {
			more = fmt.Sprintf(" and %d more", m)
		}
		p.warnf("assignments: %s to principals that no live listing names (%s%s); %s left alone, though assignments are pruned: the configuration may assign the same %s to them by name",
			nounCount(n, "live assignment belongs", "live assignments belong"), strings.Join(named, ", "), more,
			Plural(n, "it is", "they are"), Plural(n, "role", "roles"))
	}
}

// liveAssignmentKey is a live assignment's key in the form of
// spec.AssignmentKey; principals without a name never match.
func liveAssignmentKey(a *model.Assignment) string {
	return a.PrincipalName() + "\x00" + a.Role + "\x00" + a.Scope + "\x00" + a.FolderID + "\x00" + a.CollectionID
}

func liveAssignment(a *model.Assignment) AssignmentValue {
	name := a.Principal.Name
	if a.Principal.Kind == "" {
		name = a.PrincipalID
	}
	return AssignmentValue{
		PrincipalType: string(a.PrincipalType), Principal: name, PrincipalID: a.PrincipalID,
		Role: a.Role, Scope: a.Scope, ScopeID: a.ScopeID, FolderID: a.FolderID, CollectionID: a.CollectionID,
	}
}

func (p *permDiffer) createAssignment(a *spec.Assignment, readd bool) {
	v := AssignmentValue{
		PrincipalType: apiPrincipalType(a.Principal.Kind), Principal: a.Principal.Name,
		Role: a.Role, Scope: a.Scope, FolderID: a.FolderID, CollectionID: a.CollectionID,
	}
	ref := v.Ref()
	var deps []Ref
	var id, msg string
	var dep *Ref
	switch a.Principal.Kind {
	case spec.PrincipalUser:
		id, dep, msg = p.userID(a.Principal.Name)
	case spec.PrincipalGroup:
		id, dep, msg = p.groupID(a.Principal.Name)
	case spec.PrincipalAPIKey:
		id, dep, msg = p.apiKey(a.Principal.Name)
	default:
		msg = "no principal"
	}
	if msg != "" {
		p.errorf(ref, "principal: %s", msg)
		return
	}
	if dep == nil {
		v.PrincipalID = id
	}
	deps = appendDep(deps, dep)
	switch {
	case p.dRoles[a.Role] != nil:
		if p.lRoles[a.Role] == nil || p.replacedRoles[a.Role] {
			deps = appendDep(deps, &Ref{spec.KindRole, a.Role})
		}
	case p.cat.Roles[a.Role].ID != "":
	default:
		p.errorf(ref, "role %q is neither in the configuration nor in the account's catalog of system roles", a.Role)
		return
	}
	switch a.Scope {
	case spec.ScopeAccount:
	case spec.ScopeAll:
		v.ScopeID = spec.ScopeAll
	default:
		id, dep, msg := p.envID(a.Scope)
		if msg != "" {
			p.errorf(ref, "scope: %s", msg)
			return
		}
		if dep == nil {
			v.ScopeID = id
		}
		deps = appendDep(deps, dep)
	}
	c := Change{Action: Create, Ref: ref, After: v, DependsOn: deps, Reason: "not in the account"}
	if readd {
		c.Reason = "added again after its role is replaced"
	}
	c.Fields = []FieldDiff{
		{Name: "principal", New: quote(string(a.Principal.Kind) + ":" + a.Principal.Name)},
		{Name: "role", New: quote(a.Role)},
		{Name: "scope", New: quote(a.Scope)},
	}
	if a.FolderID != "" {
		c.Fields = append(c.Fields, FieldDiff{Name: "folder_id", New: quote(a.FolderID)})
	}
	if a.CollectionID != "" {
		c.Fields = append(c.Fields, FieldDiff{Name: "collection_id", New: quote(a.CollectionID)})
	}
	p.add(c)
}

// ---- api/NOTES.md P19 ----

// legacyAccountRoles maps the legacy user roles to the account-scope system
// role of the same name, where there is one.
var legacyAccountRoles = map[string]string{
	"master_admin": "cld::role::account::master_admin",
	"admin":        "cld::role::account::admin",
	"reports":      "cld::role::account::reports",
}

// maxLegacyExamples caps the emails named in the one warning about the
// users the configuration does not manage.
const maxLegacyExamples = 3

// warnLegacyRoles warns when a user's legacy role and the account-scope
// system roles assigned to it (in the configuration, or live and kept)
// disagree: the API does not say how the two systems combine (api/NOTES.md
// P19). A user the configuration manages (lists under users:, or names in
// an assignment) gets a warning of its own; the others, which this plan
// does not touch and which a large account may hold by the hundred, are
// counted in one warning naming a few.
func (p *permDiffer) warnLegacyRoles() {
	accountRoles := map[string][]string{} // email → account system roles
	managed := map[string]bool{}          // emails the configuration names
	addRole := func(email, role string) {
		if strings.HasPrefix(role, "cld::role::account::") && !slices.Contains(accountRoles[email], role) {
			accountRoles[email] = append(accountRoles[email], role)
		}
	}
	for i := range p.desired.Assignments {
		if a := &p.desired.Assignments[i]; a.Principal.Kind == spec.PrincipalUser {
			addRole(a.Principal.Name, a.Role)
		}
	}
	if !p.prune[spec.KindAssignment] {
		for i := range p.lp.Assignments {
			if a := &p.lp.Assignments[i]; a.Principal.Kind == spec.PrincipalUser {
				addRole(a.Principal.Name, a.Role)
			}
		}
	}
	// managed is asked only about the users holding account roles.
	asked := make(map[string]bool, len(accountRoles))
	for email := range accountRoles {
		asked[normEmail(email)] = true
	}
	for i := range p.desired.Assignments {
		if a := &p.desired.Assignments[i]; a.Principal.Kind == spec.PrincipalUser {
			if e := normEmail(a.Principal.Name); asked[e] {
				managed[e] = true
			}
		}
	}
	var others []string
	for _, email := range slices.Sorted(maps.Keys(accountRoles)) {
		legacy := ""
		if u := p.dUsers[email]; u != nil && u.Role != nil {
			legacy = *u.Role
		} else if l := p.lUsers[email]; l != nil {
			legacy = l.Role
		}
		if legacy == "" {
			continue
		}
		roles := accountRoles[email]
		slices.Sort(roles)
		want := legacyAccountRoles[legacy]
		if len(roles) == 1 && roles[0] == want {
			continue
		}
		if p.dUsers[email] == nil && !managed[normEmail(email)] {
			others = append(others, email)
			continue
		}
		p.warnf("user %s: the legacy role %q and the permission roles %s look contradictory; the API does not say how they combine", email, legacy, quoteList(roles))
	}
	if len(others) > 0 {
		named := others[:min(len(others), maxLegacyExamples)]
		more := ""
		if n := len(others) - len(named); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		p.warnf("%s not in the configuration %s a legacy role and account permission roles that look contradictory (%s%s); the API does not say how they combine",
			nounCount(len(others), "user", "users"), Plural(len(others), "has", "have"), strings.Join(named, ", "), more)
	}
}
