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
	put := func(p spec.Principal, h holding, via string) {
		k := held{p, h}
		if first, ok := out[k]; !ok || via < first {
			out[k] = via
		}
	}
	for _, a := range g.assigns {
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
	return out
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

func diffHoldings(before, after *AccessGraph) []AccessChange {
	var out []AccessChange
	hb, ha := before.holdings(), after.holdings()
	emit := func(from, to map[held]string, g *AccessGraph, verb AccessVerb) {
		for k, via := range to {
			if _, had := from[k]; had {
				continue
			}
			out = append(out, AccessChange{
				Principal: k.P, Verb: verb, What: g.roleName(k.H.Role), Resource: instance(k.H),
				Scope: k.H.Scope, Via: viaGroup(via), Role: k.H.Role,
			})
		}
	}
	emit(hb, ha, after, Gains)
	emit(ha, hb, before, Loses)
	return out
}

// diffRoleContents gives and takes the system policies a custom role
// gains or loses to whoever holds it both before and after.
func diffRoleContents(before, after *AccessGraph) []AccessChange {
	// Only the holders of a role whose contents change gain or lose
	// anything: find those roles first, and look at no other holding.
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
		if before.cat != after.cat { // two catalogs, as a rehearsal compares
			for id := range g.cat.Roles {
				check(id)
			}
		}
	}
	if len(changed) == 0 {
		return nil
	}
	var out []AccessChange
	hb, ha := before.holdings(), after.holdings()
	for k, first := range ha {
		if !changed[k.H.Role] {
			continue
		}
		if _, had := hb[k]; !had {
			continue
		}
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
	}
	return out
}

// ---- custom policy rules ----
