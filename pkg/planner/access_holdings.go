package planner

// Who holds which role where, through which group, before and after.

import (
	"slices"

	"github.com/cldsync/cldsync/pkg/spec"
)

// holding is a role held in a scope, on a content instance or not.
type holding struct {
	Role   string
	Scope  string
	Folder string
	Coll   string
}

// held is one principal's holding.
type held struct {
	P spec.Principal
	H holding
}

// holdings maps each holding of each user and API key to the first group
// it comes through by name ("" for a direct assignment, which comes
// first): one flat map, not a map per principal, so that a graph of
// 50,000 assignments is one allocation, not 50,000. It is computed once,
// so the graph must not change after the first call.
func (g *AccessGraph) holdings() map[held]string {
	g.heldOnce.Do(func() { g.held = g.computeHoldings() })
	return g.held
}

func (g *AccessGraph) computeHoldings() map[held]string {
	out := make(map[held]string, len(g.assigns))
	g.eachHolding(func(p spec.Principal, h holding, via string) {
		k := held{p, h}
		if first, ok := out[k]; !ok || via < first {
			out[k] = via
		}
	})
	return out
}

// eachHolding calls f with each holding of each user and API key and a
// group it comes through ("" for a direct assignment), once per path.
func (g *AccessGraph) eachHolding(f func(p spec.Principal, h holding, via string)) {
	for _, a := range g.assigns {
		h := holding{a.Role, a.Scope, a.Folder, a.Coll}
		switch a.Principal.Kind {
		case spec.PrincipalUser:
			if g.users[a.Principal.Name] {
				f(a.Principal, h, "")
			}
		case spec.PrincipalAPIKey:
			f(a.Principal, h, "")
		case spec.PrincipalGroup:
			for m := range g.groups[a.Principal.Name] {
				if g.users[m] {
					f(spec.Principal{Kind: spec.PrincipalUser, Name: m}, h, a.Principal.Name)
				}
			}
		}
	}
}

// holdingsOf lists each principal's holdings, for queries about one
// principal (RolesIn); built on the first query.
func (g *AccessGraph) holdingsOf() map[spec.Principal][]holding {
	g.byPrincipalOnce.Do(func() {
		g.byPrincipal = map[spec.Principal][]holding{}
		for k := range g.holdings() {
			g.byPrincipal[k.P] = append(g.byPrincipal[k.P], k.H)
		}
	})
	return g.byPrincipal
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

// bothSides is a holding as the two sides of a comparison hold it: on
// which (onBefore, onAfter), and through which first group on each.
type bothSides struct {
	onBefore, onAfter bool
	viaBefore         string
	viaAfter          string
}

// compareHoldings is what changes in the roles held (gained, lost) and,
// for the roles held on both sides, in their contents. Both sides'
// holdings go into one map, so that each is looked up once, not built
// twice and looked up from each side.
func compareHoldings(before, after *AccessGraph) []AccessChange {
	// Only the holdings that can differ, or whose role's contents do
	// (access_dirty.go).
	changed := changedRoles(before, after)
	dirty := dirtyPrincipals(before, after)
	both := map[held]bothSides{}
	before.eachHoldingOf(dirty, changed, func(p spec.Principal, h holding, via string) {
		k := held{p, h}
		s, ok := both[k]
		if !ok || via < s.viaBefore {
			s.onBefore, s.viaBefore = true, via
			both[k] = s
		}
	})
	after.eachHoldingOf(dirty, changed, func(p spec.Principal, h holding, via string) {
		k := held{p, h}
		s := both[k]
		if !s.onAfter || via < s.viaAfter {
			s.onAfter, s.viaAfter = true, via
			both[k] = s
		}
	})
	var out []AccessChange
	for k, s := range both {
		switch {
		case s.onAfter && !s.onBefore:
			out = append(out, AccessChange{
				Principal: k.P, Verb: Gains, What: after.roleName(k.H.Role), Resource: instance(k.H),
				Scope: k.H.Scope, Via: viaGroup(s.viaAfter), Role: k.H.Role,
			})
		case s.onBefore && !s.onAfter:
			out = append(out, AccessChange{
				Principal: k.P, Verb: Loses, What: before.roleName(k.H.Role), Resource: instance(k.H),
				Scope: k.H.Scope, Via: viaGroup(s.viaBefore), Role: k.H.Role,
			})
		case changed[k.H.Role]:
			out = roleContents(out, before, after, k, s.viaAfter)
		}
	}
	return out
}

// changedRoles are the roles whose system policies differ between the
// sides: custom roles, and system roles when the two graphs have two
// catalogs, as a rehearsal's do. Only their holders gain or lose
// policies by a role's contents.
func changedRoles(before, after *AccessGraph) map[string]bool {
	changed := map[string]bool{}
	check := func(id string) {
		was, _ := before.rolePolicies(id)
		now, _ := after.rolePolicies(id)
		if !slices.Equal(was, now) {
			changed[id] = true
		}
	}
	for _, g := range []*AccessGraph{before, after} {
		for id := range g.roles {
			check(id)
		}
		if before.cat != after.cat {
			for id := range g.cat.Roles {
				check(id)
			}
		}
	}
	return changed
}

// roleContents gives and takes the system policies that the role of a
// holding held on both sides gains or loses; first is the first group
// it comes through after the plan.
func roleContents(out []AccessChange, before, after *AccessGraph, k held, first string) []AccessChange {
	p, h := k.P, k.H
	was, _ := before.rolePolicies(h.Role)
	now, _ := after.rolePolicies(h.Role)
	via := "role " + after.roleName(h.Role)
	if first != "" {
		via += ", group " + first
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
	return out
}

// ---- custom policy rules ----
