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
