package plantest

import (
	"fmt"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// PermissionsSize is the shape of LargePermissions' account, like the
// generated accounts of issue 18 (cldsync emulator --generate).
type PermissionsSize struct {
	Users, Groups, Environments, Roles, Policies, Assignments int
}

// LargePermissions builds a configuration and a live account that mostly
// agree, heavy in the permissions half: LargeInputs' users and groups
// (10 members each), and Environments more environments holding custom
// roles, Cedar policies naming users by id, and role assignments of users
// and groups. Every kind drifts: created, changed and pruned objects.
func LargePermissions(s PermissionsSize) (*spec.Config, *state.Account) {
	desired, live := LargeInputs(s.Users, s.Groups, 10)
	desired.Prune = append(desired.Prune, spec.KindRole, spec.KindPolicy, spec.KindAssignment)
	lp := &state.Permissions{Catalog: spec.BuiltinCatalog()}
	live.Permissions = lp
	env := func(i int) string { return fmt.Sprintf("perm-%03d", i%max(s.Environments, 1)) }
	envID := func(i int) string { return "pe" + env(i) }
	for i := range s.Environments {
		desired.Environments = append(desired.Environments, spec.Environment{CloudName: env(i), Name: "Env " + env(i)})
		live.Environments = append(live.Environments, state.Environment{ID: envID(i), CloudName: env(i), Name: "Env " + env(i), Enabled: true})
	}
	policies := []string{"cld::policy::global::assets::moderate", "cld::policy::global::folder_and_asset_management::view"}
	role := func(i int) string { return fmt.Sprintf("role-%04d", i%max(s.Roles, 1)) }
	for i := range s.Roles {
		desired.Roles = append(desired.Roles, spec.Role{ID: role(i), Name: "Role " + role(i), PermissionType: "global", ScopeType: "prodenv",
			SystemPolicies: policies[:1]})
		switch i % 100 {
		case 17: // created
			continue
		case 3, 53: // other contents
			lp.Roles = append(lp.Roles, state.Role{ID: role(i), Name: "Role " + role(i), PermissionType: "global", ScopeType: "prodenv", SystemPolicies: policies})
			continue
		}
		lp.Roles = append(lp.Roles, state.Role{ID: role(i), Name: "Role " + role(i), PermissionType: "global", ScopeType: "prodenv", SystemPolicies: policies[:1]})
	}
	email := func(i int) string { return fmt.Sprintf("user%06d@acme.test", i%max(s.Users, 1)) }
	userID := func(i int) string { return fmt.Sprintf("u%d", i%max(s.Users, 1)) }
	// user i%100 == 99 is created by LargeInputs: name the others.
	named := func(i int) int {
		if i%100 == 99 {
			return i - 1
		}
		return i
	}
	statement := func(who, action string) string {
		return fmt.Sprintf("permit(principal == Cloudinary::User::%q, action == Cloudinary::Action::%q, resource is Cloudinary::Asset);", who, action)
	}
	for i := range s.Policies {
		name, u := fmt.Sprintf("policy-%04d", i), named(i*7)
		action := "create"
		if i%20 == 4 { // changed statement
			action = "delete"
		}
		desired.Policies = append(desired.Policies, spec.Policy{Name: name, Scope: env(i), Statement: statement("${user:"+email(u)+"}", action)})
		if i%100 == 61 { // created
			continue
		}
		lp.Policies = append(lp.Policies, state.Policy{ID: fmt.Sprintf("p%d", i), Name: name, Scope: env(i), ScopeID: envID(i),
			Statement: statement(userID(u), "create"), Enabled: true})
	}
	for i := range s.Policies / 100 { // extra live policies, pruned
		lp.Policies = append(lp.Policies, state.Policy{ID: fmt.Sprintf("x%d", i), Name: fmt.Sprintf("extra-%04d", i), Scope: env(i), ScopeID: envID(i),
			Statement: statement(userID(named(i)), "update"), Enabled: true})
	}
	for i := range s.Assignments {
		a := spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalUser, Name: email(named(i))}, Role: role(i), Scope: env(i / max(s.Roles, 1))}
		l := state.Assignment{PrincipalType: "user", PrincipalID: userID(named(i)), Principal: a.Principal, Role: a.Role, Scope: a.Scope, ScopeID: envID(i / max(s.Roles, 1))}
		if i%10 == 5 && s.Groups > 0 { // a group's
			g := i % s.Groups
			if g%100 == 42 { // created by LargeInputs
				g--
			}
			a.Principal = spec.Principal{Kind: spec.PrincipalGroup, Name: fmt.Sprintf("group-%05d", g)}
			l.PrincipalType, l.PrincipalID, l.Principal = "group", fmt.Sprintf("g%d", g), a.Principal
		}
		desired.Assignments = append(desired.Assignments, a)
		if i%50 == 21 { // created
			continue
		}
		lp.Assignments = append(lp.Assignments, l)
	}
	for i := range s.Assignments / 50 { // extra live assignments, pruned
		lp.Assignments = append(lp.Assignments, state.Assignment{PrincipalType: "user", PrincipalID: userID(named(i)),
			Principal: spec.Principal{Kind: spec.PrincipalUser, Name: email(named(i))}, Role: role(i), Scope: env(i/max(s.Roles, 1) + 1), ScopeID: envID(i/max(s.Roles, 1) + 1)})
	}
	return desired, live
}
