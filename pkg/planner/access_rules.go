package planner

// Cedar rules that name a principal, described and compared before and after.

import (
	"maps"
	"slices"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"

	"github.com/cldsync/cldsync/pkg/spec"
)

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
