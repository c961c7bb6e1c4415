package planner

// Planning the permissions half: custom roles, custom policies and role
// assignments (NOTES.md 2.7-2.16, 4.3-4.5).
//
//   - Roles are matched by id. name, description and system_policies are
//     updated in place (a full PUT); a change of permission_type or
//     scope_type, which the API cannot change, is a Replace: the role is
//     deleted and created again with the same id, and the assignments the
//     configuration lists for it are added again after.
//   - Deleting (or replacing) a role that principals still hold uses
//     force=true, which drops those assignments; the plan says so in a note
//     and in RoleValue.Force, so the force is visible before apply.
//   - Policies are matched by (scope, name). Statements are compared in the
//     canonical form of their ids-resolved text (spec.CanonicalCedar), so
//     the service's reformatting never shows as a change. A changed
//     statement is an Update (a full PUT). A change of only the
//     description or enabled is a Replace: the PUT answers 409 when the
//     statement is unchanged (NOTES.md P2), so the policy is deleted and
//     created again, briefly leaving the permission out. A configured
//     policy whose statement a live policy of another name holds in the
//     same scope is that policy renamed: a Replace too (the API refuses two
//     identical statements in a scope).
//   - Assignments are tuples (principal, role, scope, folder/collection):
//     missing ones are created, extra ones deleted when assignments are
//     pruned; there is no update. Assignments of provisioningKey principals
//     are never deleted, nor those that a user, group, environment or role
//     delete of the same plan drops anyway.
//   - ${user:…}, ${group:…}, ${environment:…} and ${api_key:…/…} in a
//     statement stay names in the plan; apply resolves them to ids, after
//     the objects they name exist (the change depends on their creates).
//   - An account without the Permissions API gets one warning; a
//     configuration with permissions sections is then refused with one
//     error, while its provisioning changes are still planned.

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// RoleValue is a custom role.
type RoleValue struct {
	ID             string
	Name           string
	Description    string
	PermissionType string
	ScopeType      string
	// SystemPolicies are system policy ids, sorted.
	SystemPolicies []string
	// Force is set in the Before of a Delete or Replace of a role that
	// principals still hold: it is deleted with force=true, which drops
	// those assignments.
	Force bool
}

// PolicyValue is a custom Cedar policy.
type PolicyValue struct {
	// ID is the live id; empty in a Create's After.
	ID   string
	Name string
	// Scope is spec.ScopeAccount, spec.ScopeAll or a cloud_name; ScopeID is
	// the live environment id (or "all"), empty for account scope and when
	// the environment is created by the same plan (apply resolves it).
	Scope   string
	ScopeID string
	// Description is sent as is (full replace).
	Description string
	// Statement is Cedar with ${kind:name} references: as configured in an
	// After, which apply resolves to ids; in a Before the live text with
	// the ids it knows turned back into references, for display.
	Statement string
	Enabled   bool
}

// AssignmentValue is one role assignment.
type AssignmentValue struct {
	// PrincipalType is the API's: user, group, apiKey or provisioningKey.
	PrincipalType string
	// Principal is the natural key (email, group name, "cloud_name/key"),
	// or the id when there is none.
	Principal string
	// PrincipalID is the live id; empty when the principal is created by
	// the same plan (apply resolves it).
	PrincipalID string
	Role        string
	// Scope is spec.ScopeAccount, spec.ScopeAll or a cloud_name; ScopeID the
	// live environment id or "all" (empty for account, or when the
	// environment is created by the same plan).
	Scope        string
	ScopeID      string
	FolderID     string
	CollectionID string
}

// Ref implements Value.
func (v RoleValue) Ref() Ref { return Ref{spec.KindRole, v.ID} }

// Ref implements Value.
func (v PolicyValue) Ref() Ref { return Ref{spec.KindPolicy, spec.PolicyKey(v.Scope, v.Name)} }

// Ref implements Value.
func (v AssignmentValue) Ref() Ref {
	return Ref{spec.KindAssignment, AssignmentName(v.PrincipalType, v.Principal, v.Role, v.Scope, v.FolderID, v.CollectionID)}
}

func (RoleValue) sealed()       {}
func (PolicyValue) sealed()     {}
func (AssignmentValue) sealed() {}

// AssignmentName is an assignment's Ref.Name:
// "group:designers / acme-asset-reviewer / acme-staging", with
// " / folder_id=ID" or " / collection_id=ID" for content roles. The
// principal is "user:EMAIL", "group:NAME", "api_key:CLOUD/KEY", or
// "TYPE:ID" when it has no name.
func AssignmentName(principalType, principal, role, scope, folderID, collectionID string) string {
	kind := principalType
	switch principalType {
	case "apiKey":
		if strings.Contains(principal, "/") {
			kind = string(spec.PrincipalAPIKey)
		}
	}
	s := kind + ":" + principal + " / " + role + " / " + scope
	switch {
	case folderID != "":
		s += " / folder_id=" + folderID
	case collectionID != "":
		s += " / collection_id=" + collectionID
	}
	return s
}

// apiPrincipalType maps a configured principal kind to the API's type.
func apiPrincipalType(k spec.PrincipalKind) string {
	if k == spec.PrincipalAPIKey {
		return "apiKey"
	}
	return string(k)
}

// permissionsRef names the permissions sections in errors about them all.
var permissionsRef = Ref{Kind: "permissions", Name: "sections"}

// permDiffer plans the permissions half for one Diff.
type permDiffer struct {
	*differ
	desired *spec.Config
	live    *state.Account
	lp      *state.Permissions
	cat     *spec.Catalog

	lRoles map[string]*state.Role
	dRoles map[string]*spec.Role
	// goneRoles are the live roles this plan deletes or replaces (their
	// assignments go with them); replacedRoles those it creates again.
	goneRoles     map[string]bool
	replacedRoles map[string]bool
	// goneGroups and goneEnvs are deleted by this plan.
	goneGroups map[string]bool
	goneEnvs   map[string]bool
	// apiKeys maps "cloud_name/name" to the key value.
	apiKeys map[string]string
}

// permissions plans roles, policies and assignments; it runs after the
// provisioning kinds, whose changes it reads.
func (d *differ) permissions(desired *spec.Config, live *state.Account) {
	if desired.PermissionsOff() {
		return
	}
	lp := live.Permissions
	switch {
	case lp == nil:
		if desired.HasPermissions() {
			d.errorf(permissionsRef, "the live roles, policies and assignments were not read; refusing to plan them")
		}
		return
	case lp.Unavailable != "":
		d.warnf("permissions: this account has no Permissions API (%s): only environments, users, groups and memberships are planned; set permissions: false to say so and skip the check", lp.Unavailable)
		if desired.HasPermissions() {
			d.errorf(permissionsRef, "refusing the roles, policies and assignments of the configuration: the account has no Permissions API (%s); remove them, or set permissions: false to manage provisioning only", lp.Unavailable)
		}
		return
	}
	p := &permDiffer{
		differ: d, desired: desired, live: live, lp: lp, cat: lp.Catalog,
		lRoles: map[string]*state.Role{}, dRoles: map[string]*spec.Role{},
		goneRoles: map[string]bool{}, replacedRoles: map[string]bool{},
		goneGroups: map[string]bool{}, goneEnvs: map[string]bool{},
		apiKeys: map[string]string{},
	}
	if p.cat == nil {
		p.cat = spec.BuiltinCatalog()
	}
	for _, c := range d.plan.Changes {
		if c.Action != Delete {
			continue
		}
		switch c.Ref.Kind {
		case spec.KindGroup:
			p.goneGroups[c.Ref.Name] = true
		case spec.KindEnvironment:
			p.goneEnvs[c.Ref.Name] = true
		}
	}
	for i := range lp.APIKeys {
		k := &lp.APIKeys[i]
		p.apiKeys[k.Environment+"/"+k.Name] = k.Key
	}
	ignored := d.ignoredWarning()
	p.roles()
	p.policies()
	p.assignments()
	d.updateIgnoredWarning(ignored)
	p.forceRoleDeletes()
	p.warnLegacyRoles()
}

// ---- roles ----

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
			p.plan.Unmanaged[spec.KindRole]++
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

func liveRole(l *state.Role) RoleValue {
	return RoleValue{
		ID: l.ID, Name: l.Name, Description: l.Description,
		PermissionType: l.PermissionType, ScopeType: l.ScopeType,
		SystemPolicies: slices.Clone(l.SystemPolicies),
	}
}

// desiredRole is the role to send: the configuration's values, and the
// live ones (l, when set) for what it does not manage.
func (p *permDiffer) desiredRole(r *spec.Role, l *state.Role) RoleValue {
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

func (p *permDiffer) policies() {
	type liveKey = string
	lByKey := map[liveKey][]*state.Policy{}
	for i := range p.lp.Policies {
		l := &p.lp.Policies[i]
		k := spec.PolicyKey(l.Scope, l.Name)
		lByKey[k] = append(lByKey[k], l)
	}
	matched := map[string]bool{} // live ids planned or kept
	dKeys := map[string]bool{}
	// Live policies of one scope by canonical statement, to find renames.
	byStatement := map[string]*state.Policy{}
	for i := range p.lp.Policies {
		l := &p.lp.Policies[i]
		byStatement[l.Scope+"\x00"+spec.CanonicalCedar(l.Statement)] = l
	}
	var creates []*spec.Policy
	for i := range p.desired.Policies {
		dp := &p.desired.Policies[i]
		key := dp.Key()
		ref := Ref{spec.KindPolicy, key}
		if dKeys[key] {
			p.errorf(ref, "defined twice in the configuration; refusing to plan it")
			continue
		}
		dKeys[key] = true
		ls := lByKey[key]
		if len(ls) > 1 {
			ids := make([]string, len(ls))
			for j, l := range ls {
				ids[j] = l.ID
				matched[l.ID] = true
			}
			slices.Sort(ids)
			p.errorf(ref, "%d live policies have this scope and name (ids %s); refusing to plan it until all but one are renamed or deleted", len(ids), strings.Join(ids, ", "))
			continue
		}
		if len(ls) == 0 {
			creates = append(creates, dp)
			continue
		}
		l := ls[0]
		matched[l.ID] = true
		p.updatePolicy(ref, dp, l)
	}
	for _, dp := range creates {
		ref := Ref{spec.KindPolicy, dp.Key()}
		after, deps, resolved, msg := p.desiredPolicy(dp, nil)
		if msg != "" {
			p.errorf(ref, "%s", msg)
			continue
		}
		if resolved != "" {
			if l := byStatement[dp.Scope+"\x00"+spec.CanonicalCedar(resolved)]; l != nil && !matched[l.ID] && !dKeys[spec.PolicyKey(l.Scope, l.Name)] {
				// The statement exists under another name: rename it.
				matched[l.ID] = true
				before := p.livePolicy(l)
				p.add(Change{
					Action: Replace, Ref: ref, Before: before, After: after, DependsOn: deps,
					Fields: policyFields(before, after, false),
					Reason: fmt.Sprintf("the account holds this statement as policy %q; the API refuses two identical statements in a scope", l.Name),
					Notes:  []string{fmt.Sprintf("renamed: policy %q is deleted and created again under the new name, leaving the permission out in between", l.Name)},
				})
				continue
			}
		}
		c := Change{Action: Create, Ref: ref, After: after, DependsOn: deps, Reason: "not in the account"}
		c.Fields = policyFields(PolicyValue{}, after, true)
		p.add(c)
	}
	for i := range p.lp.Policies {
		l := &p.lp.Policies[i]
		if matched[l.ID] || dKeys[spec.PolicyKey(l.Scope, l.Name)] {
			continue
		}
		if p.goneEnvs[l.Scope] {
			continue // deleted with its environment
		}
		if p.scopeIgnored(l.Scope) {
			p.plan.Ignored[spec.KindPolicy]++
			continue
		}
		if !p.prune[spec.KindPolicy] || !p.canDelete(spec.KindPolicy) {
			p.plan.Unmanaged[spec.KindPolicy]++
			continue
		}
		p.add(Change{Action: Delete, Ref: Ref{spec.KindPolicy, spec.PolicyKey(l.Scope, l.Name)}, Before: p.livePolicy(l), Reason: "not in the configuration, and policies are pruned"})
	}
}

func (p *permDiffer) livePolicy(l *state.Policy) PolicyValue {
	return PolicyValue{
		ID: l.ID, Name: l.Name, Scope: l.Scope, ScopeID: l.ScopeID, Description: l.Description,
		Statement: p.lp.Unresolve(p.live, l.Statement), Enabled: l.Enabled,
	}
}

func (p *permDiffer) updatePolicy(ref Ref, dp *spec.Policy, l *state.Policy) {
	after, deps, resolved, msg := p.desiredPolicy(dp, l)
	if msg != "" {
		p.errorf(ref, "%s", msg)
		return
	}
	before := p.livePolicy(l)
	same := resolved != "" && spec.CanonicalCedar(resolved) == spec.CanonicalCedar(l.Statement)
	if same {
		// Keep the text the account holds: nothing to send for it.
		after.Statement = before.Statement
	}
	fields := policyFields(before, after, false)
	if same {
		fields = slices.DeleteFunc(fields, func(f FieldDiff) bool { return f.Name == "statement" })
	}
	switch {
	case len(fields) == 0:
		return
	case !same:
		p.add(Change{Action: Update, Ref: ref, Before: before, After: after, Fields: fields, DependsOn: deps, Reason: "differs from the configuration"})
	default:
		p.add(Change{
			Action: Replace, Ref: ref, Before: before, After: after, Fields: fields, DependsOn: deps,
			Reason: "the API refuses (409) an update that keeps the policy statement unchanged",
			Notes:  []string{"deleted and created again: the permission is missing for a moment in between"},
		})
	}
}

// desiredPolicy is the policy to send, the creates it depends on, and its
// statement resolved with live ids ("" when a reference names an object
// this plan creates); msg says why it cannot be planned.
func (p *permDiffer) desiredPolicy(dp *spec.Policy, l *state.Policy) (v PolicyValue, deps []Ref, resolved, msg string) {
	v = PolicyValue{Name: dp.Name, Scope: dp.Scope, Statement: dp.Statement, Enabled: true}
	if l != nil {
		v.ID, v.Description, v.Enabled = l.ID, l.Description, l.Enabled
	}
	if dp.Description != nil {
		v.Description = *dp.Description
	}
	if dp.Enabled != nil {
		v.Enabled = *dp.Enabled
	}
	switch dp.Scope {
	case spec.ScopeAccount:
	case spec.ScopeAll:
		v.ScopeID = spec.ScopeAll
	default:
		id, dep, m := p.envID(dp.Scope)
		if m != "" {
			return v, nil, "", "scope: " + m
		}
		if dep == nil {
			v.ScopeID = id
		}
		deps = appendDep(deps, dep)
	}
	pending := false
	resolved, err := spec.ResolveCedar(dp.Statement, func(r spec.CedarRef) (string, error) {
		id, dep, m := p.refID(r)
		if m != "" {
			return "", fmt.Errorf("statement: %s: %s", r, m)
		}
		if dep != nil {
			deps = appendDep(deps, dep)
			pending = true
		}
		return id, nil
	})
	if err != nil {
		return v, nil, "", err.Error()
	}
	if pending {
		resolved = ""
	}
	return v, deps, resolved, ""
}

func appendDep(deps []Ref, dep *Ref) []Ref {
	if dep == nil || slices.Contains(deps, *dep) {
		return deps
	}
	return append(deps, *dep)
}

// refID resolves one statement reference to a live id, or to the create it
// waits for (then the id is a placeholder).
func (p *permDiffer) refID(r spec.CedarRef) (id string, dep *Ref, msg string) {
	switch r.Kind {
	case spec.RefUser:
		return p.userID(r.Name)
	case spec.RefGroup:
		return p.groupID(r.Name)
	case spec.RefEnvironment:
		return p.envID(r.Name)
	case spec.RefAPIKey:
		return p.apiKey(r.Name)
	}
	return "", nil, fmt.Sprintf("unknown reference kind %q", r.Kind)
}

func (p *permDiffer) userID(email string) (string, *Ref, string) {
	id, created, msg := p.resolveMember(email)
	switch {
	case msg != "":
		return "", nil, msg
	case created:
		return "pending", &Ref{spec.KindUser, email}, ""
	}
	return id, nil, ""
}

func (p *permDiffer) groupID(name string) (string, *Ref, string) {
	ref := Ref{spec.KindGroup, name}
	l := p.lGroups[name]
	switch {
	case p.refused[ref]:
		return "", nil, p.refusedMessage(ref)
	case p.goneGroups[name]:
		return "", nil, fmt.Sprintf("group %s is deleted by this plan", name)
	case l != nil:
		return l.ID, nil, ""
	case p.dGroups[name] != nil:
		return "pending", &ref, ""
	}
	return "", nil, fmt.Sprintf("group %s is neither in the configuration nor in the account", name)
}

func (p *permDiffer) envID(cloudName string) (string, *Ref, string) {
	if msg := p.checkEnvRef(cloudName); msg != "" {
		return "", nil, msg
	}
	if p.goneEnvs[cloudName] {
		return "", nil, fmt.Sprintf("environment %s is deleted by this plan", cloudName)
	}
	if l := p.lEnvs[cloudName]; l != nil {
		return l.ID, nil, ""
	}
	return "pending", &Ref{spec.KindEnvironment, cloudName}, ""
}

func (p *permDiffer) apiKey(name string) (string, *Ref, string) {
	env, key := spec.SplitAPIKey(name)
	if k, ok := p.apiKeys[name]; ok {
		return k, nil, ""
	}
	if p.lEnvs[env] == nil {
		return "", nil, fmt.Sprintf("environment %s is not in the account yet, so it has no API key %q: apply once without it, create the key, then add it", env, key)
	}
	return "", nil, fmt.Sprintf("environment %s has no API key named %q", env, key)
}

// policyFields lists what differs (every field for a create). Statements
// are shown on one line, whitespace collapsed.
func policyFields(before, after PolicyValue, create bool) []FieldDiff {
	var out []FieldDiff
	add := func(name, old, new string, changed bool) {
		if create || changed {
			out = append(out, FieldDiff{Name: name, Old: old, New: new})
		}
	}
	if create {
		before = PolicyValue{}
	}
	if !create || after.Description != "" {
		add("description", quoteOr(before.Description, create), quote(after.Description), before.Description != after.Description)
	}
	oldEnabled := ""
	if !create {
		oldEnabled = strconv.FormatBool(before.Enabled)
	}
	add("enabled", oldEnabled, strconv.FormatBool(after.Enabled), before.Enabled != after.Enabled)
	if create || before.Name != after.Name {
		add("name", quoteOr(before.Name, create), quote(after.Name), true)
	}
	add("statement", quoteOr(oneLine(before.Statement), create), quote(oneLine(after.Statement)),
		spec.CanonicalCedar(before.Statement) != spec.CanonicalCedar(after.Statement))
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ---- assignments ----

func (p *permDiffer) assignments() {
	live := map[string]*state.Assignment{}
	for i := range p.lp.Assignments {
		a := &p.lp.Assignments[i]
		live[liveAssignmentKey(a)] = a
	}
	wanted := map[string]bool{}
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
		if wanted[liveAssignmentKey(a)] {
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
		if a.PrincipalType == "provisioningKey" || !p.prune[spec.KindAssignment] || !p.canDelete(spec.KindAssignment) {
			// Account API keys' assignments are never removed: losing one can
			// lock cldsync itself out.
			p.plan.Unmanaged[spec.KindAssignment]++
			continue
		}
		if a.Principal.Kind == "" {
			// A principal no listing names (missing from an incomplete
			// listing, or read wrongly) could be one the configuration
			// assigns this very role by name: never delete on a guess.
			p.plan.Unmanaged[spec.KindAssignment]++
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
func liveAssignmentKey(a *state.Assignment) string {
	return strings.Join([]string{a.PrincipalName(), a.Role, a.Scope, a.FolderID, a.CollectionID}, "\x00")
}

func liveAssignment(a *state.Assignment) AssignmentValue {
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
	for _, a := range p.desired.Assignments {
		if a.Principal.Kind == spec.PrincipalUser {
			addRole(a.Principal.Name, a.Role)
			managed[normEmail(a.Principal.Name)] = true
		}
	}
	if !p.prune[spec.KindAssignment] {
		for _, a := range p.lp.Assignments {
			if a.Principal.Kind == spec.PrincipalUser {
				addRole(a.Principal.Name, a.Role)
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
