package planner

// The access graph: the live account's roles, assignments and policies, and the same graph with a plan applied.

import (
	"slices"
	"strings"
	"sync"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// AccessGraph is who may do what in one state of the account: users,
// group memberships, custom roles, role assignments of named principals
// and custom policies, by natural keys. Build it with LiveAccess or
// PlannedAccess.
type AccessGraph struct {
	cat      *spec.Catalog
	users    map[string]bool            // lower-cased emails
	userList []string                   // the same, in the account's order (dirtyPrincipals)
	groups   map[string]map[string]bool // name → member emails
	roles    map[string]accessRole      // custom roles by id
	assigns  []accessAssign             // as listed: holdings() drops duplicates
	policies map[string]AccessPolicy    // by live id, or "new\x00" + ref for creates

	// held caches holdings once the graph is built (queries may run
	// concurrently).
	heldOnce sync.Once
	held     map[held]string
	// byPrincipal lists held by principal, for queries (holdingsOf).
	byPrincipalOnce sync.Once
	byPrincipal     map[spec.Principal][]holding
}

type accessRole struct {
	Name     string
	Policies []string // system policy ids
}

// accessAssign is one assignment of a named principal.
type accessAssign struct {
	Principal spec.Principal
	Role      string
	Scope     string
	Folder    string
	Coll      string
}

// AccessPolicy is a custom policy of an AccessGraph. Statement holds
// ${kind:name} references where the live text held ids it knows.
type AccessPolicy struct {
	Name      string
	Scope     string
	Statement string
	Enabled   bool
}

// LiveAccess is the live account's access graph.
func LiveAccess(live *model.Account) *AccessGraph {
	return accessOf(live, statementNames(live)) // idnames.go
}

// accessOf is the access graph of acc, where names maps the ids that
// policy statements name to ${kind:name} references (model.IDNames, or
// only the ids the statements hold: statementNames).
func accessOf(acc *model.Account, names map[string]string) *AccessGraph {
	g := &AccessGraph{
		users: map[string]bool{}, groups: map[string]map[string]bool{}, roles: map[string]accessRole{},
		policies: map[string]AccessPolicy{}, cat: spec.BuiltinCatalog(),
	}
	g.userList = make([]string, 0, len(acc.Users))
	for _, u := range acc.Users {
		g.users[normEmail(u.Email)] = true
		g.userList = append(g.userList, normEmail(u.Email))
	}
	for _, gr := range acc.Groups {
		m := map[string]bool{}
		for _, e := range gr.Members {
			m[normEmail(e)] = true
		}
		g.groups[gr.Name] = m
	}
	lp := acc.Permissions
	if lp == nil || lp.Unavailable != "" {
		return g
	}
	if lp.Catalog != nil {
		g.cat = lp.Catalog
	}
	for _, r := range lp.Roles {
		g.roles[r.ID] = accessRole{Name: r.Name, Policies: slices.Clone(r.SystemPolicies)}
	}
	g.assigns = make([]accessAssign, 0, len(lp.Assignments))
	for _, a := range lp.Assignments {
		if a.Principal.Kind == "" {
			continue // provisioning keys and unknown ids name no one we show
		}
		g.assigns = append(g.assigns, accessAssign{a.Principal, a.Role, a.Scope, a.FolderID, a.CollectionID})
	}
	for _, p := range lp.Policies {
		g.policies[policyKey(p)] = AccessPolicy{Name: p.Name, Scope: p.Scope, Statement: model.UnresolveNames(names, p.Statement), Enabled: p.Enabled}
	}
	return g
}

// PlannedAccess is the access graph of the account once plan is applied to
// live: the graph of Project(live, plan).
func PlannedAccess(live *model.Account, plan *Plan) *AccessGraph {
	_, after := NewTransition(live, plan).Access()
	return after
}

// AccessGraphs returns the live account's access graph and the graph once
// plan is applied, both under the names the plan leaves: the plan's renames
// (`previously:`) are applied to the live graph too, so that a renamed
// user or group is the same principal on both sides and gains or loses
// nothing by the rename alone. It is NewTransition(live, plan).Access().
func AccessGraphs(live *model.Account, plan *Plan) (before, after *AccessGraph) {
	return NewTransition(live, plan).Access()
}

func assignOf(v AssignmentValue) (accessAssign, bool) {
	var k spec.PrincipalKind
	switch v.PrincipalType {
	case "user":
		k = spec.PrincipalUser
	case "group":
		k = spec.PrincipalGroup
	case "apiKey":
		if !strings.Contains(v.Principal, "/") {
			return accessAssign{}, false // an id without a name
		}
		k = spec.PrincipalAPIKey
	default:
		return accessAssign{}, false
	}
	name := v.Principal
	if k == spec.PrincipalUser {
		name = normEmail(name)
	}
	return accessAssign{spec.Principal{Kind: k, Name: name}, v.Role, v.Scope, v.FolderID, v.CollectionID}, true
}
