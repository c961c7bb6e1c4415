package access

import (
	"fmt"
	"slices"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"

	"github.com/cldsync/cldsync/pkg/spec"
)

// Holding is a role a principal holds: the assignment, and the group it
// comes through ("" when assigned directly).
type Holding struct {
	Assignment
	Group string
}

// Holdings returns the roles p holds in scope (for an environment, also
// those held on every environment), directly or through its groups, in
// the account's order. An absent or disabled user holds nothing.
func (a *Account) Holdings(p spec.Principal, scope string) []Holding {
	if !a.active(p) {
		return nil
	}
	groups := a.groupsOf(p)
	var out []Holding
	for _, as := range a.Assignments {
		if !inScope(as.Scope, scope) {
			continue
		}
		switch {
		case as.Principal == p:
			out = append(out, Holding{Assignment: as})
		case as.Principal.Kind == spec.PrincipalGroup:
			for _, g := range groups {
				if g == as.Principal.Name {
					out = append(out, Holding{Assignment: as, Group: g})
				}
			}
		}
	}
	return out
}

// HoldsRole returns how p holds role in scope; none when it does not.
func (a *Account) HoldsRole(p spec.Principal, role, scope string) []Holding {
	var out []Holding
	for _, h := range a.Holdings(p, scope) {
		if h.Role == role {
			out = append(out, h)
		}
	}
	return out
}

// Path says how a principal is granted (or denied) something: through a
// group or not, a role's system policy, or a custom policy.
type Path struct {
	Group  string // "" directly
	Role   string // role id; "" for a custom policy
	Folder string
	Coll   string
	// Policy is a system policy's id, or a custom policy's name when
	// Custom is set.
	Policy string
	Custom bool
	Scope  string
	Forbid bool
}

// Describe words a path: "via group designers → role Asset reviewer →
// policy View all folders and assets".
func (a *Account) Describe(p Path) string {
	var parts []string
	if p.Group != "" {
		parts = append(parts, "group "+p.Group)
	}
	if p.Role != "" {
		r := "role " + a.RoleName(p.Role)
		switch {
		case p.Folder != "":
			r += " on Folder " + p.Folder
		case p.Coll != "":
			r += " on Collection " + p.Coll
		}
		parts = append(parts, r)
	}
	if p.Policy != "" {
		word := "policy "
		if p.Forbid {
			word = "forbid by policy "
		}
		if p.Custom {
			parts = append(parts, word+p.Policy+" ("+scopeWord(p.Scope)+")")
		} else {
			parts = append(parts, word+a.policyName(p.Policy))
		}
	}
	return "via " + strings.Join(parts, " → ")
}

func scopeWord(scope string) string {
	if scope == spec.ScopeAll {
		return "every environment"
	}
	return scope
}

func (a *Account) policyName(id string) string {
	if p, ok := a.Catalog.Policies[id]; ok && p.Name != "" {
		return p.Name
	}
	return id
}

// Entity is the Cedar entity of a principal.
func Entity(p spec.Principal) types.EntityUID {
	t := map[spec.PrincipalKind]types.EntityType{
		spec.PrincipalUser: "Cloudinary::User", spec.PrincipalGroup: "Cloudinary::Group", spec.PrincipalAPIKey: "Cloudinary::APIKey",
	}[p.Kind]
	return types.NewEntityUID(t, types.String(p.Name))
}

// evaluator is the policy set of one principal in one scope.
type evaluator struct {
	acc       *Account
	principal types.EntityUID
	ps        *cedar.PolicySet
	paths     map[cedar.PolicyID]Path
	entities  types.EntityMap
	named     []types.EntityUID // resources the policies name
	// Problems are statements that do not parse; their policies are left
	// out.
	problems []string
}

func (a *Account) evaluator(p spec.Principal, scope string) *evaluator {
	ev := &evaluator{acc: a, principal: Entity(p), ps: cedar.NewPolicySet(), paths: map[cedar.PolicyID]Path{}, entities: types.EntityMap{}}
	var parents []types.EntityUID
	if a.active(p) {
		for _, g := range a.groupsOf(p) {
			gu := Entity(spec.Principal{Kind: spec.PrincipalGroup, Name: g})
			parents = append(parents, gu)
			ev.entities[gu] = types.Entity{UID: gu}
		}
		for _, h := range a.Holdings(p, scope) {
			for _, id := range a.rolePolicies(h.Role) {
				stmt := a.Catalog.Policies[id].Statement
				stmt = strings.ReplaceAll(stmt, "<folder_id>", h.FolderID)
				stmt = strings.ReplaceAll(stmt, "<collection_id>", h.CollectionID)
				ev.add(stmt, Path{Group: h.Group, Role: h.Role, Folder: h.FolderID, Coll: h.CollectionID, Policy: id, Scope: h.Scope})
				if h.FolderID != "" {
					ev.named = append(ev.named, types.NewEntityUID("Cloudinary::Folder", types.String(h.FolderID)))
				}
				if h.CollectionID != "" {
					ev.named = append(ev.named, types.NewEntityUID("Cloudinary::Collection", types.String(h.CollectionID)))
				}
			}
		}
	}
	attrs := types.RecordMap{}
	if p.Kind == spec.PrincipalUser {
		attrs["root"] = types.False
	}
	ev.entities[ev.principal] = types.Entity{UID: ev.principal, Parents: types.NewEntityUIDSet(parents...), Attributes: types.NewRecord(attrs)}
	for _, pol := range a.Policies {
		if !pol.Enabled || !inScope(pol.Scope, scope) {
			continue
		}
		stmt, _ := spec.ResolveCedar(pol.Statement, func(r spec.CedarRef) (string, error) { return r.Name, nil })
		ev.add(stmt, Path{Policy: pol.Name, Custom: true, Scope: pol.Scope})
	}
	return ev
}

// add parses a statement into the set, each of its policies with path.
func (ev *evaluator) add(stmt string, path Path) {
	list, err := ev.acc.parse(stmt)
	if err != nil {
		ev.problems = append(ev.problems, fmt.Sprintf("%s: %v", ev.acc.Describe(path), err))
		return
	}
	for _, cp := range list {
		id := cedar.PolicyID(fmt.Sprintf("p%d", len(ev.paths)))
		pp := path
		pp.Forbid = cp.Effect() == cedar.Forbid
		ev.ps.Add(id, cp)
		ev.paths[id] = pp
		ev.named = append(ev.named, scopeEntities((*xast.Policy)(cp.AST()).Resource)...)
	}
}

func scopeEntities(n xast.IsResourceScopeNode) []types.EntityUID {
	switch n := n.(type) {
	case xast.ScopeTypeEq:
		return []types.EntityUID{n.Entity}
	case xast.ScopeTypeIn:
		return []types.EntityUID{n.Entity}
	case xast.ScopeTypeIsIn:
		return []types.EntityUID{n.Entity}
	}
	return nil
}

// Decision is the authorizer's answer to one request.
type Decision struct {
	Allowed bool
	// Resource is the resource decided: the one asked, or for "any" the
	// first allowed (or, when none is, the first forbidden).
	Resource types.EntityUID
	// Paths are the policies that decided it: the permits that allow it,
	// or the forbids that deny it; none when nothing permits it.
	Paths []Path
	// Maybe are the permits whose conditions could not be evaluated on a
	// denied request (they read resource or context attributes the request
	// does not give, as the stand-ins of "any" have none): they may allow
	// it for some resource. A cannot item fails on them; see Undecided.
	Maybe []Path
}

// Undecided reports whether a denied request might be allowed: no forbid
// denies it, and some permit could not be evaluated.
func (d Decision) Undecided() bool {
	if d.Allowed || len(d.Maybe) == 0 {
		return false
	}
	for _, p := range d.Paths {
		if p.Forbid {
			return false
		}
	}
	return true
}

// Authorize decides req for p in scope.
func (a *Account) Authorize(p spec.Principal, scope string, req Request) Decision {
	return a.evaluator(p, scope).decide(req)
}

func (ev *evaluator) decide(req Request) Decision {
	if req.Resource != nil {
		return ev.one(req, *req.Resource)
	}
	var denied, maybe *Decision
	for _, r := range candidates(ev.named) {
		d := ev.one(req, r)
		if d.Allowed {
			return d
		}
		if denied == nil && len(d.Paths) > 0 {
			denied = &d
		}
		if maybe == nil && d.Undecided() {
			maybe = &d
		}
	}
	switch {
	case maybe != nil:
		return *maybe
	case denied != nil:
		return *denied
	}
	return Decision{}
}

func (ev *evaluator) one(req Request, res types.EntityUID) Decision {
	ents := ev.entities
	if _, ok := ents[res]; !ok {
		ents = make(types.EntityMap, len(ev.entities)+1)
		for k, v := range ev.entities {
			ents[k] = v
		}
		ents[res] = resourceEntity(res)
	}
	ctx := req.Context
	dec, diag := cedar.Authorize(ev.ps, ents, cedar.Request{Principal: ev.principal, Action: req.Action, Resource: res, Context: ctx})
	d := Decision{Allowed: dec == cedar.Allow, Resource: res}
	reasons := make([]cedar.PolicyID, 0, len(diag.Reasons))
	for _, r := range diag.Reasons {
		reasons = append(reasons, r.PolicyID)
	}
	d.Paths = ev.pathsOf(reasons)
	if !d.Allowed {
		var errored []cedar.PolicyID
		for _, e := range diag.Errors {
			if !ev.paths[e.PolicyID].Forbid {
				errored = append(errored, e.PolicyID)
			}
		}
		d.Maybe = ev.pathsOf(errored)
	}
	return d
}

// pathsOf returns the paths of policies, in the order they were added, so
// that answers are stable.
func (ev *evaluator) pathsOf(ids []cedar.PolicyID) []Path {
	ns := make([]int, 0, len(ids))
	for _, id := range ids {
		var n int
		fmt.Sscanf(string(id), "p%d", &n)
		ns = append(ns, n)
	}
	slices.Sort(ns)
	var out []Path
	for _, n := range slices.Compact(ns) {
		out = append(out, ev.paths[cedar.PolicyID(fmt.Sprintf("p%d", n))])
	}
	return out
}

// parsed is a statement's policies, or why it does not parse.
type parsed struct {
	list cedar.PolicyList
	err  error
}

// parse parses a statement once per account: every principal's policy
// set shares the scope's custom policies and the catalog's statements, so
// asking about every principal (who-can) parses each statement once.
// cedar-go's policies are not changed by evaluation, so sets may share
// them.
func (a *Account) parse(stmt string) (cedar.PolicyList, error) {
	if p, ok := a.cache.Load(stmt); ok {
		return p.(parsed).list, p.(parsed).err
	}
	list, err := cedar.NewPolicyListFromBytes("", []byte(stmt))
	a.cache.Store(stmt, parsed{list, err})
	return list, err
}
