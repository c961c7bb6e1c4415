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
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
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
	live    *model.Account
	lp      *model.Permissions
	names   map[string]string // the ids live statements hold as references (statementNames), one table
	cat     *spec.Catalog

	lRoles map[string]*model.Role
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
func (d *differ) permissions(desired *spec.Config, live *model.Account) {
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
	d.liveNames = statementNames(live) // idnames.go
	p := &permDiffer{
		differ: d, desired: desired, live: live, lp: lp, names: d.liveNames, cat: lp.Catalog,
		lRoles: map[string]*model.Role{}, dRoles: map[string]*spec.Role{},
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
