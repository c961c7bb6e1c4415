package state

// Finishing the permissions read: ids named, incomplete listings marked,
// lists sorted, the catalog converted.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// finish names principals by the users and groups of r.acc, sorts
// everything and returns the result. It runs once every listing is in,
// r.acc.Incomplete included.
func (r *permReader) finish() *Permissions {
	out := r.out
	if out.Unavailable != "" {
		return out
	}
	r.principalsIncomplete()
	out.Roles = r.full
	slices.SortFunc(out.Roles, func(a, b Role) int { return strings.Compare(a.ID, b.ID) })
	for _, p := range r.policies {
		out.Policies = append(out.Policies, Policy{
			ID: p.ID, Name: p.Name, Description: p.Description, Statement: p.PolicyStatement,
			Scope: r.scopeName(string(p.ScopeType), p.ScopeID), ScopeID: p.ScopeID, Enabled: p.Enabled,
		})
	}
	slices.SortFunc(out.Policies, func(a, b Policy) int {
		return cmpJoin(strings.Compare(spec.PolicyKey(a.Scope, a.Name), spec.PolicyKey(b.Scope, b.Name)), strings.Compare(a.ID, b.ID))
	})
	slices.SortFunc(out.APIKeys, func(a, b APIKey) int {
		return cmpJoin(strings.Compare(a.Environment, b.Environment), cmpJoin(strings.Compare(a.Name, b.Name), strings.Compare(a.Key, b.Key)))
	})
	users := map[string]string{}
	for _, u := range r.acc.Users {
		users[u.ID] = u.Email
	}
	groups := map[string]string{}
	for _, g := range r.acc.Groups {
		groups[g.ID] = g.Name
	}
	keys := map[string]string{}
	for _, k := range out.APIKeys {
		keys[k.Key] = k.Environment + "/" + k.Name
	}
	// Each sort key is built once (not twice per comparison), and ties,
	// which differ only in what the key leaves out (principal type, scope
	// id), are broken by identity so that the order does not depend on the
	// map's.
	keyed := make([]keyedAssignment, 0, len(r.assigns))
	for id, a := range r.assigns {
		switch a.PrincipalType {
		case model.PrincipalUser:
			if e, ok := users[a.PrincipalID]; ok {
				a.Principal = spec.Principal{Kind: spec.PrincipalUser, Name: e}
			}
		case model.PrincipalGroup:
			if n, ok := groups[a.PrincipalID]; ok {
				a.Principal = spec.Principal{Kind: spec.PrincipalGroup, Name: n}
			}
		case model.PrincipalAPIKey:
			if n, ok := keys[a.PrincipalID]; ok {
				a.Principal = spec.Principal{Kind: spec.PrincipalAPIKey, Name: n}
			}
		}
		keyed = append(keyed, keyedAssignment{key: assignmentSortKey(&a), id: id, a: a})
	}
	slices.SortFunc(keyed, func(a, b keyedAssignment) int {
		return cmpJoin(strings.Compare(a.key, b.key), strings.Compare(a.id, b.id))
	})
	out.Assignments = slices.Grow(out.Assignments, len(keyed))
	for i := range keyed {
		out.Assignments = append(out.Assignments, keyed[i].a)
	}
	return out
}

// keyedAssignment is an assignment with its sort key and identity.
type keyedAssignment struct {
	key, id string
	a       Assignment
}

// principalsIncomplete records the assignments incomplete when the users
// or groups listing is: a principal missing from it cannot be named, so its
// assignments are keyed by id, match nothing in the configuration, and
// would otherwise be planned as deletes while the configuration assigns the
// same role by name. (readKeys does the same for API keys as it reads
// them.) The reason of the assignment listing itself, if any, comes first.
func (r *permReader) principalsIncomplete() {
	var whys []string
	if why, ok := r.acc.Incomplete[spec.KindAssignment]; ok {
		whys = append(whys, why)
	}
	for _, l := range []struct {
		kind spec.Kind
		what string
	}{{spec.KindUser, "users"}, {spec.KindGroup, "user groups"}} {
		if why, ok := r.acc.Incomplete[l.kind]; ok {
			whys = append(whys, fmt.Sprintf("principals missing from the incomplete %s listing cannot be named: %s", l.what, why))
		}
	}
	if len(whys) > 0 {
		r.acc.Incomplete[spec.KindAssignment] = strings.Join(whys, "; ")
	}
}

func assignmentSortKey(a *Assignment) string {
	return strings.Join([]string{a.PrincipalName(), a.Role, a.Scope, a.FolderID, a.CollectionID, a.PrincipalID}, "\x00")
}

// catalogOf converts the catalog answer.
func catalogOf(c *client.Catalog) *spec.Catalog {
	pols := make([]spec.CatalogPolicy, 0, len(c.SystemPolicies))
	stmts := make(map[string]string, len(c.SystemPolicies))
	for _, p := range c.SystemPolicies {
		pols = append(pols, spec.CatalogPolicy{ID: p.ID, Name: p.Name, PermissionType: string(p.PermissionType), ScopeType: string(p.ScopeType)})
		stmts[p.ID] = p.Policy
	}
	roles := make([]spec.CatalogRole, 0, len(c.SystemRoles))
	for _, r := range c.SystemRoles {
		roles = append(roles, spec.CatalogRole{ID: r.ID, Name: r.Name, PermissionType: string(r.PermissionType), ScopeType: string(r.ScopeType), Policies: r.SystemPolicyIDs})
	}
	return spec.NewCatalog(pols, stmts, roles)
}
