package planner

// Queries on an access graph, for rehearsal and access tests.

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"

	"github.com/cldsync/cldsync/pkg/spec"
)

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
	for _, h := range g.holdingsOf()[p] {
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
