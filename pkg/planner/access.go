package planner

// The effective-access diff: besides the objects a plan changes, what
// changes for people and keys. It is computed offline, from the live
// account and the live account as the plan leaves it (the plan's changes
// applied to a model of the live graph), never by asking the service:
//
//	users → groups → role assignments → roles → system policies
//	users, groups, API keys ← principal clauses of custom policies
//
// Three kinds of line come out of it:
//
//   - holding a role: "raj@acme.test gains Asset reviewer on acme-staging
//     (via group designers)". A principal holds a role in a scope (and, for
//     content roles, on a folder or collection) directly or through the
//     groups it is a member of; only a holding it did not have by any path
//     is gained, and one it no longer has by any path is lost.
//   - a role's content: a custom role whose system policies change gives
//     or takes those policies from everyone who holds it before and after,
//     "… gains Moderate assets on acme-staging (via role Asset reviewer,
//     group designers)".
//   - a custom policy's rule: each Cedar policy of an enabled custom policy
//     whose principal clause names a user, a group (its members) or an API
//     key — or names none, or tests only the principal's type: everyone,
//     every user, every API key — "key acme-prod/ci loses create on Folder
//     f8a5c2e1 in acme-prod (via policy ci-writes)". `when`/`unless`
//     conditions and `forbid` are not evaluated: the line is marked
//     conditional and says why.
//
// Holdings are compared per role, not per system policy: two roles that
// grant the same policy are two holdings. That is the granularity
// getEffectivePolicies answers in, which apply's verification relies on
// (pkg/apply/verify.go).
//
// Groups are not principals of the output: what a group gains, its
// members gain (via the group). The legacy user role and environment
// access (`role:`, `environments:`) are object fields of the user change
// and are not repeated here.

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// AccessVerb says whether a principal gains or loses something. The zero
// value is invalid.
type AccessVerb int

const (
	// Gains is access the principal does not have now and has after.
	Gains AccessVerb = iota + 1
	// Loses is access the principal has now and not after.
	Loses
)

// String returns "gains" or "loses".
func (v AccessVerb) String() string {
	switch v {
	case Gains:
		return "gains"
	case Loses:
		return "loses"
	}
	return fmt.Sprintf("AccessVerb(%d)", int(v))
}

// Pseudo-principals of custom policies whose principal clause names no one.
const (
	Everyone      = "everyone"
	EveryUser     = "every user"
	EveryAPIKey   = "every API key"
	EveryGroupMem = "every group member"
)

// AccessChange is one line of the effective-access diff.
type AccessChange struct {
	// Principal is a user (lower-cased email) or an API key
	// ("cloud_name/name", or the key value when its environment's keys were
	// not read). For a custom policy whose principal clause names
	// no one, Kind is empty and Name is Everyone, EveryUser, EveryAPIKey or
	// EveryGroupMem.
	Principal spec.Principal
	Verb      AccessVerb
	// What is a role's name, a system policy's name, or a Cedar rule's
	// actions ("create", "any action", "forbid delete").
	What string
	// Resource is what a content role's holding or a Cedar rule applies to:
	// "Folder f8a5c2e1", "Asset", "any resource"; empty for the whole scope.
	Resource string
	// Scope is spec.ScopeAccount, spec.ScopeAll or a cloud_name.
	Scope string
	// Via says how the principal gets it: "" (directly), "group designers",
	// "role Asset reviewer, group designers", "policy ci-reads".
	Via string
	// Conditional marks a rule that a `forbid` or a `when`/`unless` clause
	// qualifies; Condition says which ("forbid", "when", "forbid, unless").
	// Conditions are shown, not evaluated.
	Conditional bool
	Condition   string
	// Role is the role's id for holdings and role contents; empty for rules.
	Role string
}

// PrincipalName names the principal in a sentence: the email, "key
// cloud_name/name", or the pseudo-principal.
func (a AccessChange) PrincipalName() string {
	switch a.Principal.Kind {
	case spec.PrincipalAPIKey:
		return "key " + a.Principal.Name
	case spec.PrincipalGroup:
		return "group " + a.Principal.Name
	}
	return a.Principal.Name
}

// String is the sentence: "raj@acme.test gains Asset reviewer on
// acme-staging (via group designers)".
func (a AccessChange) String() string {
	var b strings.Builder
	b.WriteString(a.PrincipalName() + " " + a.Verb.String() + " " + a.What)
	if a.Resource != "" {
		b.WriteString(" on " + a.Resource + " in " + scopePhrase(a.Scope))
	} else {
		b.WriteString(" on " + scopePhrase(a.Scope))
	}
	if a.Via != "" {
		b.WriteString(" (via " + a.Via + ")")
	}
	if a.Conditional {
		b.WriteString(" [conditional: " + a.Condition + "; not evaluated]")
	}
	return b.String()
}

// scopePhrase is "acme-staging", "the account" or "every environment".
func scopePhrase(scope string) string {
	switch scope {
	case spec.ScopeAccount:
		return "the account"
	case spec.ScopeAll:
		return "every environment"
	}
	return scope
}

// Access computes the effective-access diff of a plan: what changes for
// people and keys once plan is applied to live. desired may be nil; a
// configuration with `permissions: false`, and a live account whose
// permissions were not read or are unavailable, give none. The result is
// sorted by principal, then verb (gains first), scope, what and resource.
func Access(desired *spec.Config, live *state.Account, plan *Plan) []AccessChange {
	if live == nil || plan == nil || (desired != nil && desired.PermissionsOff()) {
		return nil
	}
	if lp := live.Permissions; lp == nil || lp.Unavailable != "" {
		return nil
	}
	before, after := AccessGraphs(live, plan)
	var out []AccessChange
	out = append(out, diffHoldings(before, after)...)
	out = append(out, diffRoleContents(before, after)...)
	out = append(out, diffRules(before, after)...)
	slices.SortFunc(out, compareAccess)
	return slices.CompactFunc(out, func(a, b AccessChange) bool { return a == b })
}

func compareAccess(a, b AccessChange) int {
	return cmp.Or(
		cmp.Compare(principalRank(a.Principal.Kind), principalRank(b.Principal.Kind)),
		strings.Compare(a.Principal.Name, b.Principal.Name),
		cmp.Compare(a.Verb, b.Verb),
		strings.Compare(a.Scope, b.Scope),
		strings.Compare(a.What, b.What),
		strings.Compare(a.Resource, b.Resource),
		strings.Compare(a.Via, b.Via),
		strings.Compare(a.Condition, b.Condition),
	)
}

func principalRank(k spec.PrincipalKind) int {
	switch k {
	case spec.PrincipalUser:
		return 0
	case spec.PrincipalAPIKey:
		return 1
	case spec.PrincipalGroup:
		return 2
	}
	return 3
}

// ---- the graph ----

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
func LiveAccess(live *state.Account) *AccessGraph {
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
func PlannedAccess(live *state.Account, plan *Plan) *AccessGraph {
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
func AccessGraphs(live *state.Account, plan *Plan) (before, after *AccessGraph) {
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

// holding is a role held in a scope, on a content instance or not.
type holding struct {
	Role   string
	Scope  string
	Folder string
	Coll   string
}

// holdings maps each user and API key to its holdings and, for each, the
// groups it comes through ("" for a direct assignment), sorted. It is
// computed once, so the graph must not change after the first call.
func (g *AccessGraph) holdings() map[spec.Principal]map[holding][]string {
	g.heldOnce.Do(func() { g.held = g.computeHoldings() })
	return g.held
}

func (g *AccessGraph) computeHoldings() map[spec.Principal]map[holding][]string {
	out := map[spec.Principal]map[holding][]string{}
	put := func(p spec.Principal, h holding, via string) {
		if out[p] == nil {
			out[p] = map[holding][]string{}
		}
		if !slices.Contains(out[p][h], via) {
			out[p][h] = append(out[p][h], via)
		}
	}
	for a := range g.assigns {
		h := holding{a.Role, a.Scope, a.Folder, a.Coll}
		switch a.Principal.Kind {
		case spec.PrincipalUser:
			if g.users[a.Principal.Name] {
				put(a.Principal, h, "")
			}
		case spec.PrincipalAPIKey:
			put(a.Principal, h, "")
		case spec.PrincipalGroup:
			for m := range g.groups[a.Principal.Name] {
				if g.users[m] {
					put(spec.Principal{Kind: spec.PrincipalUser, Name: m}, h, a.Principal.Name)
				}
			}
		}
	}
	for _, hs := range out {
		for _, vias := range hs {
			slices.Sort(vias) // "" (direct) first
		}
	}
	return out
}

// roleName is a custom role's name, a system role's, or the id.
func (g *AccessGraph) roleName(id string) string {
	if r, ok := g.roles[id]; ok && r.Name != "" {
		return r.Name
	}
	if r, ok := g.cat.Roles[id]; ok && r.Name != "" {
		return r.Name
	}
	return id
}

// rolePolicies is a role's system policies; ok is false for a role neither
// custom nor in the catalog.
func (g *AccessGraph) rolePolicies(id string) ([]string, bool) {
	if r, ok := g.roles[id]; ok {
		return r.Policies, true
	}
	if r, ok := g.cat.Roles[id]; ok {
		return r.Policies, true
	}
	return nil, false
}

func (g *AccessGraph) policyName(id string) string {
	if p, ok := g.cat.Policies[id]; ok && p.Name != "" {
		return p.Name
	}
	return id
}

func instance(h holding) string {
	switch {
	case h.Folder != "":
		return "Folder " + h.Folder
	case h.Coll != "":
		return "Collection " + h.Coll
	}
	return ""
}

func viaGroup(group string) string {
	if group == "" {
		return ""
	}
	return "group " + group
}

func diffHoldings(before, after *AccessGraph) []AccessChange {
	var out []AccessChange
	hb, ha := before.holdings(), after.holdings()
	emit := func(from, to map[spec.Principal]map[holding][]string, g *AccessGraph, verb AccessVerb) {
		for p, hs := range to {
			for h, vias := range hs {
				if _, had := from[p][h]; had {
					continue
				}
				out = append(out, AccessChange{
					Principal: p, Verb: verb, What: g.roleName(h.Role), Resource: instance(h),
					Scope: h.Scope, Via: viaGroup(vias[0]), Role: h.Role,
				})
			}
		}
	}
	emit(hb, ha, after, Gains)
	emit(ha, hb, before, Loses)
	return out
}

// diffRoleContents gives and takes the system policies a custom role
// gains or loses to whoever holds it both before and after.
func diffRoleContents(before, after *AccessGraph) []AccessChange {
	var out []AccessChange
	hb, ha := before.holdings(), after.holdings()
	for p, hs := range ha {
		for h, vias := range hs {
			if _, had := hb[p][h]; !had {
				continue
			}
			was, _ := before.rolePolicies(h.Role)
			now, _ := after.rolePolicies(h.Role)
			via := "role " + after.roleName(h.Role)
			if vias[0] != "" {
				via += ", group " + vias[0]
			}
			for _, sp := range now {
				if !slices.Contains(was, sp) {
					out = append(out, AccessChange{Principal: p, Verb: Gains, What: after.policyName(sp), Resource: instance(h), Scope: h.Scope, Via: via, Role: h.Role})
				}
			}
			for _, sp := range was {
				if !slices.Contains(now, sp) {
					out = append(out, AccessChange{Principal: p, Verb: Loses, What: before.policyName(sp), Resource: instance(h), Scope: h.Scope, Via: via, Role: h.Role})
				}
			}
		}
	}
	return out
}

// ---- custom policy rules ----

// rule is one Cedar policy of a custom policy, as it reaches a principal.
type rule struct {
	Scope     string
	Canonical string // cedar-go's formatting of this one policy
	What      string
	Resource  string
	Condition string
	Via       string
}

// ruleKey identifies a rule for comparison: the same rule in the same
// scope, whichever custom policy holds it.
func (r rule) key() string { return r.Scope + "\x00" + r.Canonical }

// rules maps each principal (users, API keys and pseudo-principals) to
// the rules of enabled custom policies that reach it, by key; of several
// custom policies holding the same rule, the first by name says how.
func (g *AccessGraph) rules() map[spec.Principal]map[string]rule {
	out := map[spec.Principal]map[string]rule{}
	put := func(p spec.Principal, r rule) {
		if out[p] == nil {
			out[p] = map[string]rule{}
		}
		if prev, ok := out[p][r.key()]; !ok || r.Via < prev.Via {
			out[p][r.key()] = r
		}
	}
	for _, id := range slices.Sorted(maps.Keys(g.policies)) {
		pol := g.policies[id]
		if !pol.Enabled {
			continue
		}
		list, err := cedar.NewPolicyListFromBytes("", []byte(pol.Statement))
		if err != nil {
			continue // the planner reports statements that do not parse
		}
		for _, cp := range list {
			a := (*xast.Policy)(cp.AST())
			r := rule{Scope: pol.Scope, Canonical: string(cp.MarshalCedar()), Via: "policy " + pol.Name}
			r.What, r.Resource, r.Condition = describeRule(a)
			for _, t := range g.ruleTargets(a.Principal) {
				rt := r
				if t.group != "" {
					rt.Via += ", group " + t.group
				}
				put(t.p, rt)
			}
		}
	}
	return out
}

type ruleTarget struct {
	p     spec.Principal
	group string
}

// ruleTargets resolves a principal clause to the principals it reaches.
func (g *AccessGraph) ruleTargets(n xast.IsPrincipalScopeNode) []ruleTarget {
	everyone := func(name string) []ruleTarget { return []ruleTarget{{p: spec.Principal{Name: name}}} }
	switch n := n.(type) {
	case xast.ScopeTypeAll:
		return everyone(Everyone)
	case xast.ScopeTypeEq:
		return g.entityTargets(n.Entity)
	case xast.ScopeTypeIn:
		return g.entityTargets(n.Entity)
	case xast.ScopeTypeIs:
		switch shortType(n.Type) {
		case "User":
			return everyone(EveryUser)
		case "APIKey":
			return everyone(EveryAPIKey)
		case "Group":
			return everyone(EveryGroupMem)
		}
	case xast.ScopeTypeIsIn:
		return g.entityTargets(n.Entity)
	}
	return nil
}

// entityTargets resolves a principal entity written with a ${kind:name}
// reference. An API key the live account did not name (its environment's
// keys were not read) is shown by its key value; other raw ids reach no
// one we can name.
func (g *AccessGraph) entityTargets(e types.EntityUID) []ruleTarget {
	refs := spec.CedarRefs(string(e.ID))
	if len(refs) != 1 || refs[0].Start != 0 || refs[0].End != len(e.ID) {
		if shortType(e.Type) == "APIKey" && len(refs) == 0 && e.ID != "" {
			return []ruleTarget{{p: spec.Principal{Kind: spec.PrincipalAPIKey, Name: string(e.ID)}}}
		}
		return nil
	}
	r := refs[0]
	switch {
	case shortType(e.Type) == "User" && r.Kind == spec.RefUser:
		return []ruleTarget{{p: spec.Principal{Kind: spec.PrincipalUser, Name: r.Name}}}
	case shortType(e.Type) == "APIKey" && r.Kind == spec.RefAPIKey:
		return []ruleTarget{{p: spec.Principal{Kind: spec.PrincipalAPIKey, Name: r.Name}}}
	case shortType(e.Type) == "Group" && r.Kind == spec.RefGroup:
		var out []ruleTarget
		for _, m := range slices.Sorted(maps.Keys(g.groups[r.Name])) {
			if g.users[m] {
				out = append(out, ruleTarget{p: spec.Principal{Kind: spec.PrincipalUser, Name: m}, group: r.Name})
			}
		}
		return out
	}
	return nil
}

// shortType is an entity type without its namespace: "Folder".
func shortType(t types.EntityType) string {
	s := string(t)
	if i := strings.LastIndex(s, "::"); i >= 0 {
		return s[i+2:]
	}
	return s
}

// entityName is "Folder f8a5c2e1", with ${kind:name} shown as the name;
// actions are their id alone.
func entityName(e types.EntityUID) string {
	id := string(e.ID)
	for _, r := range spec.CedarRefs(id) {
		id = strings.Replace(id, r.String(), r.Name, 1)
	}
	if shortType(e.Type) == "Action" {
		return id
	}
	return shortType(e.Type) + " " + id
}

// describeRule words a Cedar policy's action and resource clauses and
// what qualifies it.
func describeRule(a *xast.Policy) (what, resource, condition string) {
	switch n := a.Action.(type) {
	case xast.ScopeTypeAll:
		what = "any action"
	case xast.ScopeTypeEq:
		what = entityName(n.Entity)
	case xast.ScopeTypeIn:
		what = "actions in " + entityName(n.Entity)
	case xast.ScopeTypeInSet:
		names := make([]string, len(n.Entities))
		for i, e := range n.Entities {
			names[i] = entityName(e)
		}
		what = strings.Join(names, ", ")
	}
	switch n := a.Resource.(type) {
	case xast.ScopeTypeAll:
		resource = "any resource"
	case xast.ScopeTypeEq:
		resource = entityName(n.Entity)
	case xast.ScopeTypeIn:
		resource = "anything in " + entityName(n.Entity)
	case xast.ScopeTypeIs:
		resource = shortType(n.Type)
	case xast.ScopeTypeIsIn:
		resource = shortType(n.Type) + " in " + entityName(n.Entity)
	}
	var conds []string
	if a.Effect == xast.EffectForbid {
		what = "forbid " + what
		conds = append(conds, "forbid")
	}
	for _, c := range a.Conditions {
		word := "unless"
		if c.Condition == xast.ConditionWhen {
			word = "when"
		}
		if !slices.Contains(conds, word) {
			conds = append(conds, word)
		}
	}
	return what, resource, strings.Join(conds, ", ")
}

func diffRules(before, after *AccessGraph) []AccessChange {
	var out []AccessChange
	rb, ra := before.rules(), after.rules()
	emit := func(from, to map[spec.Principal]map[string]rule, verb AccessVerb) {
		for p, rs := range to {
			for k, r := range rs {
				if _, had := from[p][k]; had {
					continue
				}
				out = append(out, AccessChange{
					Principal: p, Verb: verb, What: r.What, Resource: r.Resource, Scope: r.Scope, Via: r.Via,
					Conditional: r.Condition != "", Condition: r.Condition,
				})
			}
		}
	}
	emit(rb, ra, Gains)
	emit(ra, rb, Loses)
	return out
}

// ---- queries for apply's verification ----

// inScope reports whether something held in scope `held` applies when
// asking about scope `asked`: the same scope, or `all` for an environment
// (getEffectivePolicies answers so).
func inScope(held, asked string) bool {
	return held == asked || (held == spec.ScopeAll && asked != spec.ScopeAccount)
}

// RolesIn returns the ids of the roles p holds in scope, directly or
// through its groups (for an environment, with those held on every
// environment), sorted and without duplicates.
func (g *AccessGraph) RolesIn(p spec.Principal, scope string) []string {
	var out []string
	for h := range g.holdings()[p] {
		if inScope(h.Scope, scope) {
			out = append(out, h.Role)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PoliciesNaming returns the enabled custom policies of scope (for an
// environment, with those of every environment) with a Cedar policy whose
// principal clause names p or a group of p, sorted by scope and name.
func (g *AccessGraph) PoliciesNaming(p spec.Principal, scope string) []AccessPolicy {
	var out []AccessPolicy
	for _, id := range slices.Sorted(maps.Keys(g.policies)) {
		pol := g.policies[id]
		if !pol.Enabled || !inScope(pol.Scope, scope) {
			continue
		}
		list, err := cedar.NewPolicyListFromBytes("", []byte(pol.Statement))
		if err != nil {
			continue
		}
	policies:
		for _, cp := range list {
			for _, t := range g.ruleTargets((*xast.Policy)(cp.AST()).Principal) {
				if t.p == p {
					out = append(out, pol)
					break policies
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b AccessPolicy) int {
		return cmp.Or(strings.Compare(a.Scope, b.Scope), strings.Compare(a.Name, b.Name))
	})
	return out
}
