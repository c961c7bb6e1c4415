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
	groups   map[string]map[string]bool // name → member emails
	roles    map[string]accessRole      // custom roles by id
	assigns  map[accessAssign]bool
	policies map[string]AccessPolicy // by live id, or "new\x00" + ref for creates

	// held caches holdings once the graph is built (queries may run
	// concurrently).
	heldOnce sync.Once
	held     map[spec.Principal]map[holding][]string
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
	g := &AccessGraph{
		users: map[string]bool{}, groups: map[string]map[string]bool{}, roles: map[string]accessRole{},
		assigns: map[accessAssign]bool{}, policies: map[string]AccessPolicy{}, cat: spec.BuiltinCatalog(),
	}
	for _, u := range live.Users {
		g.users[normEmail(u.Email)] = true
	}
	for _, gr := range live.Groups {
		m := map[string]bool{}
		for _, e := range gr.Members {
			m[normEmail(e)] = true
		}
		g.groups[gr.Name] = m
	}
	lp := live.Permissions
	if lp == nil || lp.Unavailable != "" {
		return g
	}
	if lp.Catalog != nil {
		g.cat = lp.Catalog
	}
	for _, r := range lp.Roles {
		g.roles[r.ID] = accessRole{Name: r.Name, Policies: slices.Clone(r.SystemPolicies)}
	}
	for _, a := range lp.Assignments {
		if a.Principal.Kind == "" {
			continue // provisioning keys and unknown ids name no one we show
		}
		g.assigns[accessAssign{a.Principal, a.Role, a.Scope, a.FolderID, a.CollectionID}] = true
	}
	for _, p := range lp.Policies {
		g.policies[p.ID] = AccessPolicy{Name: p.Name, Scope: p.Scope, Statement: lp.Unresolve(live, p.Statement), Enabled: p.Enabled}
	}
	return g
}

// PlannedAccess is the access graph of the live account once plan is
// applied to it: removals first (deletes, and what a replace drops), then
// additions, so the order of the plan's changes does not matter. Removals
// are gathered and applied in one pass over the graph, so the cost is
// linear in the sizes of the graph and the plan.
func PlannedAccess(live *model.Account, plan *Plan) *AccessGraph {
	g := LiveAccess(live)
	g.renames(plan)
	r := removals{principals: map[spec.Principal]bool{}, roles: map[string]bool{}, scopes: map[string]bool{}, users: map[string]bool{}}
	for i := range plan.Changes {
		g.remove(&plan.Changes[i], &r)
	}
	if len(r.users) > 0 {
		for _, m := range g.groups {
			for e := range r.users {
				delete(m, e)
			}
		}
	}
	for a := range g.assigns {
		if r.principals[a.Principal] || r.roles[a.Role] || r.scopes[a.Scope] {
			delete(g.assigns, a)
		}
	}
	for id, p := range g.policies {
		if r.scopes[p.Scope] {
			delete(g.policies, id)
		}
	}
	for i := range plan.Changes {
		g.add(&plan.Changes[i])
	}
	return g
}

// AccessGraphs returns the live account's access graph and the graph once
// plan is applied, both under the names the plan leaves: the plan's renames
// (`previously:`) are applied to the live graph too, so that a renamed
// user or group is the same principal on both sides and gains or loses
// nothing by the rename alone.
func AccessGraphs(live *model.Account, plan *Plan) (before, after *AccessGraph) {
	before = LiveAccess(live)
	before.renames(plan)
	return before, PlannedAccess(live, plan)
}

// renames applies the plan's renames (an Update whose Before and After
// name different keys). The planner plans against the live account with
// its renames done, where they change nothing; apply passes the live
// account as read.
func (g *AccessGraph) renames(plan *Plan) {
	for i := range plan.Changes {
		c := &plan.Changes[i]
		if c.Action != Update {
			continue
		}
		switch b := c.Before.(type) {
		case EnvironmentValue:
			if a, ok := c.After.(EnvironmentValue); ok && b.CloudName != a.CloudName {
				g.renameScope(b.CloudName, a.CloudName)
			}
		case UserValue:
			if a, ok := c.After.(UserValue); ok && normEmail(b.Email) != normEmail(a.Email) {
				g.renameUser(normEmail(b.Email), normEmail(a.Email))
			}
		case GroupValue:
			if a, ok := c.After.(GroupValue); ok && b.Name != a.Name {
				g.renameGroup(b.Name, a.Name)
			}
		}
	}
}

// removals are what a plan's deletes take with them.
type removals struct {
	principals map[spec.Principal]bool // their assignments go
	roles      map[string]bool         // their assignments go
	scopes     map[string]bool         // their assignments and policies go
	users      map[string]bool         // their memberships go
}

func (g *AccessGraph) remove(c *Change, r *removals) {
	switch b := c.Before.(type) {
	case EnvironmentValue:
		if c.Action == Delete {
			r.scopes[b.CloudName] = true
		}
	case UserValue:
		if c.Action == Delete || c.Action == Replace {
			email := normEmail(b.Email)
			delete(g.users, email)
			r.users[email] = true
			r.principals[spec.Principal{Kind: spec.PrincipalUser, Name: email}] = true
		}
	case GroupValue:
		if c.Action == Delete || c.Action == Replace {
			delete(g.groups, b.Name)
			r.principals[spec.Principal{Kind: spec.PrincipalGroup, Name: b.Name}] = true
		}
	case MembershipValue:
		if c.Action == Delete {
			delete(g.groups[b.Group], normEmail(b.User))
		}
	case RoleValue:
		if c.Action == Delete || c.Action == Replace {
			delete(g.roles, b.ID)
			r.roles[b.ID] = true
		}
	case PolicyValue:
		if c.Action == Delete || c.Action == Replace {
			delete(g.policies, b.ID)
		}
	case AssignmentValue:
		if a, ok := assignOf(b); ok && c.Action == Delete {
			delete(g.assigns, a)
		}
	}
}

func (g *AccessGraph) add(c *Change) {
	switch a := c.After.(type) {
	case UserValue:
		g.users[normEmail(a.Email)] = true
	case GroupValue:
		if g.groups[a.Name] == nil {
			g.groups[a.Name] = map[string]bool{}
		}
	case MembershipValue:
		if g.groups[a.Group] == nil {
			g.groups[a.Group] = map[string]bool{}
		}
		g.groups[a.Group][normEmail(a.User)] = true
	case RoleValue:
		g.roles[a.ID] = accessRole{Name: a.Name, Policies: slices.Clone(a.SystemPolicies)}
	case PolicyValue:
		key := "new\x00" + c.Ref.Name
		if c.Action == Update {
			if b, ok := c.Before.(PolicyValue); ok {
				key = b.ID
			}
		}
		g.policies[key] = AccessPolicy{Name: a.Name, Scope: a.Scope, Statement: a.Statement, Enabled: a.Enabled}
	case AssignmentValue:
		if as, ok := assignOf(a); ok {
			g.assigns[as] = true
		}
	}
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

func (g *AccessGraph) renameScope(from, to string) {
	for a := range g.assigns {
		if a.Scope == from {
			delete(g.assigns, a)
			a.Scope = to
			g.assigns[a] = true
		}
	}
	for id, p := range g.policies {
		if p.Scope == from {
			p.Scope = to
			g.policies[id] = p
		}
	}
}

func (g *AccessGraph) renamePrincipal(from, to spec.Principal) {
	for a := range g.assigns {
		if a.Principal == from {
			delete(g.assigns, a)
			a.Principal = to
			g.assigns[a] = true
		}
	}
	// Live statements name the principal by id, which a rename keeps.
	old, now := "${"+string(from.Kind)+":"+from.Name+"}", "${"+string(to.Kind)+":"+to.Name+"}"
	for id, p := range g.policies {
		if strings.Contains(p.Statement, old) {
			p.Statement = strings.ReplaceAll(p.Statement, old, now)
			g.policies[id] = p
		}
	}
}

func (g *AccessGraph) renameUser(from, to string) {
	if g.users[from] {
		delete(g.users, from)
		g.users[to] = true
	}
	for _, m := range g.groups {
		if m[from] {
			delete(m, from)
			m[to] = true
		}
	}
	g.renamePrincipal(spec.Principal{Kind: spec.PrincipalUser, Name: from}, spec.Principal{Kind: spec.PrincipalUser, Name: to})
}

func (g *AccessGraph) renameGroup(from, to string) {
	if m, ok := g.groups[from]; ok {
		delete(g.groups, from)
		g.groups[to] = m
	}
	g.renamePrincipal(spec.Principal{Kind: spec.PrincipalGroup, Name: from}, spec.Principal{Kind: spec.PrincipalGroup, Name: to})
}

// ---- holdings ----
