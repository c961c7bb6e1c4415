package rehearse

import (
	"fmt"
	"strings"

	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// Seed returns an emulator seed with the shape of acc: environments,
// users and groups with their ids, the access keys that were read (their
// key values, which name apiKey principals; never their secrets), custom
// roles (ids are the client's), custom policies and every role assignment.
//
// The root user is left out: an emulator has its own, which New makes
// look like acc's. rootID is that user's id in the emulator; it replaces
// the live root's id in policy statements. Policies get new ids, which
// nothing in the account refers to; New maps them.
//
// Seed refuses an account whose listings are incomplete, since a copy of
// part of it would rehearse something else.
func Seed(acc *state.Account, rootID string) (emulator.Seed, error) {
	var s emulator.Seed
	if len(acc.Incomplete) > 0 {
		for _, k := range []spec.Kind{spec.KindEnvironment, spec.KindUser, spec.KindGroup} {
			if reason, ok := acc.Incomplete[k]; ok {
				return s, fmt.Errorf("the live listing of %s is incomplete (%s)", k, reason)
			}
		}
		return s, fmt.Errorf("a live listing is incomplete")
	}
	// Managed access keys come with their status and age, so that the copy
	// plans the same rotations; others as far as principals name them.
	keys := map[string][]emulator.SeedAccessKey{}
	managed := map[string]bool{}
	for _, env := range acc.AccessKeysRead {
		managed[env] = true
		keys[env] = []emulator.SeedAccessKey{}
	}
	for _, k := range acc.AccessKeys {
		enabled, created := k.Enabled, k.CreatedAt
		sk := emulator.SeedAccessKey{Name: k.Name, APIKey: k.Key, Enabled: &enabled}
		if !created.IsZero() {
			sk.CreatedAt = &created
		}
		keys[k.Environment] = append(keys[k.Environment], sk)
	}
	if acc.Permissions != nil {
		for _, k := range acc.Permissions.APIKeys {
			if !managed[k.Environment] {
				keys[k.Environment] = append(keys[k.Environment], emulator.SeedAccessKey{Name: k.Name, APIKey: k.Key})
			}
		}
	}
	for _, e := range acc.Environments {
		enabled := e.Enabled
		s.Environments = append(s.Environments, emulator.SeedEnvironment{
			ID: e.ID, CloudName: e.CloudName, Name: e.Name, Enabled: &enabled,
			AccessKeys: keys[e.CloudName], // nil: the emulator makes one, as a new environment has
		})
	}
	liveRoot := ""
	for _, u := range acc.Users {
		if u.Root {
			liveRoot = u.ID
			continue
		}
		enabled := u.Enabled
		su := emulator.SeedUser{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Enabled: &enabled, Pending: u.Pending}
		if created := u.CreatedAt; !created.IsZero() {
			// A pending user stays as stale in the copy as it is live.
			su.CreatedAt = &created
		}
		if !u.AllEnvironments {
			su.Environments = append([]string{}, u.Environments...)
		}
		s.Users = append(s.Users, su)
	}
	for _, g := range acc.Groups {
		s.Groups = append(s.Groups, emulator.SeedGroup{ID: g.ID, Name: g.Name, Members: append([]string(nil), g.Members...)})
	}
	p := acc.Permissions
	if p == nil || p.Unavailable != "" {
		return s, nil
	}
	for _, r := range p.Roles {
		s.Roles = append(s.Roles, emulator.SeedRole{
			ID: r.ID, Name: r.Name, Description: r.Description, PermissionType: r.PermissionType,
			ScopeType: r.ScopeType, SystemPolicyIDs: append([]string(nil), r.SystemPolicies...),
		})
	}
	for _, pol := range p.Policies {
		sp := emulator.SeedPolicy{Name: pol.Name, Description: pol.Description, PolicyStatement: pol.Statement, ScopeType: "prodenv", Scope: pol.Scope}
		if pol.Scope == spec.ScopeAccount {
			sp.ScopeType, sp.Scope = "account", ""
		}
		if liveRoot != "" && rootID != "" {
			sp.PolicyStatement = strings.ReplaceAll(sp.PolicyStatement, `"`+liveRoot+`"`, `"`+rootID+`"`)
		}
		enabled := pol.Enabled
		sp.Enabled = &enabled
		s.Policies = append(s.Policies, sp)
	}
	for _, a := range p.Assignments {
		sa := emulator.SeedAssignment{PrincipalType: string(a.PrincipalType), RoleID: a.Role, Scope: a.Scope}
		switch a.PrincipalType {
		case model.PrincipalUser, model.PrincipalGroup:
			if a.Principal.Kind == "" {
				return s, fmt.Errorf("role %s is assigned to %s %s, which is not in the live listing", a.Role, a.PrincipalType, a.PrincipalID)
			}
			sa.Principal = a.Principal.Name
		default: // apiKey, provisioningKey: the id is the key
			sa.Principal = a.PrincipalID
		}
		switch {
		case a.FolderID != "":
			sa.PolicyParameters = map[string]string{"folder_id": a.FolderID}
		case a.CollectionID != "":
			sa.PolicyParameters = map[string]string{"collection_id": a.CollectionID}
		}
		s.Assignments = append(s.Assignments, sa)
	}
	return s, nil
}
