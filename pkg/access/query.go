package access

import (
	"maps"
	"slices"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"

	"github.com/cldsync/cldsync/pkg/spec"
)

// Principals returns every principal of the account: enabled users,
// groups and API keys, in that order, each sorted.
func (a *Account) Principals() []spec.Principal {
	var out []spec.Principal
	for _, e := range slices.Sorted(maps.Keys(a.Users)) {
		if a.Users[e].Enabled {
			out = append(out, spec.Principal{Kind: spec.PrincipalUser, Name: e})
		}
	}
	for _, g := range slices.Sorted(maps.Keys(a.Groups)) {
		out = append(out, spec.Principal{Kind: spec.PrincipalGroup, Name: g})
	}
	for _, k := range a.APIKeys {
		out = append(out, spec.Principal{Kind: spec.PrincipalAPIKey, Name: k})
	}
	return out
}

// Grant is one principal allowed a request, and how.
type Grant struct {
	Principal spec.Principal
	Resource  types.EntityUID
	Via       []string
}

// WhoCan returns the principals allowed req in scope, in Principals'
// order.
func (a *Account) WhoCan(req Request, scope string) []Grant {
	var out []Grant
	for _, p := range a.Principals() {
		d := a.Authorize(p, scope, req)
		if !d.Allowed {
			continue
		}
		g := Grant{Principal: p, Resource: d.Resource}
		for _, path := range d.Paths {
			g.Via = append(g.Via, a.Describe(path))
		}
		out = append(out, g)
	}
	return out
}

// ScopeAccess is what a principal has in one scope.
type ScopeAccess struct {
	Scope string
	Roles []RoleAccess
	// Policies are the custom policies whose principal clause reaches the
	// principal, one line of Cedar each.
	Policies []CustomAccess
}

// RoleAccess is a role held and the system policies it brings.
type RoleAccess struct {
	Holding
	Name     string
	Policies []string // system policy names
	Via      string   // "directly" or "via group designers"
}

// CustomAccess is a custom policy that reaches a principal.
type CustomAccess struct {
	Name  string
	Cedar string
}

// Of returns what p has in each scope where it has something: the
// account, every environment ("all"), then each environment. Roles held
// on every environment are listed under "all" only.
func (a *Account) Of(p spec.Principal) []ScopeAccess {
	var out []ScopeAccess
	groups := a.groupsOf(p)
	for _, scope := range slices.Concat([]string{spec.ScopeAccount, spec.ScopeAll}, a.Environments) {
		sa := ScopeAccess{Scope: scope}
		for _, h := range a.holdingsExactly(p, scope) {
			ra := RoleAccess{Holding: h, Name: a.RoleName(h.Role), Via: "directly"}
			if h.Group != "" {
				ra.Via = "via group " + h.Group
			}
			for _, id := range a.rolePolicies(h.Role) {
				ra.Policies = append(ra.Policies, a.policyName(id))
			}
			sa.Roles = append(sa.Roles, ra)
		}
		if a.active(p) {
			for _, pol := range a.Policies {
				if pol.Enabled && pol.Scope == scope {
					sa.Policies = append(sa.Policies, reaching(pol, p, groups)...)
				}
			}
		}
		if len(sa.Roles)+len(sa.Policies) > 0 {
			out = append(out, sa)
		}
	}
	return out
}

// holdingsExactly are the holdings assigned in scope itself.
func (a *Account) holdingsExactly(p spec.Principal, scope string) []Holding {
	var out []Holding
	for _, h := range a.Holdings(p, scope) {
		if h.Scope == scope {
			out = append(out, h)
		}
	}
	return out
}

// reaching returns the Cedar policies of pol whose principal clause
// reaches p (or one of its groups).
func reaching(pol Policy, p spec.Principal, groups []string) []CustomAccess {
	stmt, _ := spec.ResolveCedar(pol.Statement, func(r spec.CedarRef) (string, error) { return r.Name, nil })
	list, err := cedar.NewPolicyListFromBytes("", []byte(stmt))
	if err != nil {
		return nil
	}
	me := Entity(p)
	ents := []types.EntityUID{me}
	for _, g := range groups {
		ents = append(ents, Entity(spec.Principal{Kind: spec.PrincipalGroup, Name: g}))
	}
	var out []CustomAccess
	for _, cp := range list {
		if principalReaches((*xast.Policy)(cp.AST()).Principal, me, ents) {
			out = append(out, CustomAccess{Name: pol.Name, Cedar: oneLine(string(cp.MarshalCedar()))})
		}
	}
	return out
}

// principalReaches reports whether a principal clause can apply to me,
// a member of the groups in ents (me first). Conditions are left to the
// authorizer.
func principalReaches(n xast.IsPrincipalScopeNode, me types.EntityUID, ents []types.EntityUID) bool {
	switch n := n.(type) {
	case xast.ScopeTypeAll:
		return true
	case xast.ScopeTypeEq:
		return n.Entity == me
	case xast.ScopeTypeIn:
		return slices.Contains(ents, n.Entity)
	case xast.ScopeTypeIs:
		return n.Type == me.Type
	case xast.ScopeTypeIsIn:
		return n.Type == me.Type && slices.Contains(ents, n.Entity)
	}
	return false
}

// ParsePrincipal reads a principal as the command line writes it:
// "raj@acme.test" or "user:raj@acme.test", "group:designers",
// "api_key:acme-prod/ci".
func ParsePrincipal(s string) (spec.Principal, bool) {
	kind, name, ok := strings.Cut(s, ":")
	if !ok {
		if strings.Contains(s, "@") {
			return spec.Principal{Kind: spec.PrincipalUser, Name: strings.ToLower(s)}, true
		}
		return spec.Principal{}, false
	}
	switch k := spec.PrincipalKind(kind); k {
	case spec.PrincipalUser:
		return spec.Principal{Kind: k, Name: strings.ToLower(name)}, name != ""
	case spec.PrincipalGroup:
		return spec.Principal{Kind: k, Name: name}, name != ""
	case spec.PrincipalAPIKey, "key":
		return spec.Principal{Kind: spec.PrincipalAPIKey, Name: name}, strings.Contains(name, "/")
	}
	return spec.Principal{}, false
}

// Exists reports whether the account has p.
func (a *Account) Exists(p spec.Principal) bool {
	switch p.Kind {
	case spec.PrincipalUser:
		_, ok := a.Users[p.Name]
		return ok
	case spec.PrincipalGroup:
		_, ok := a.Groups[p.Name]
		return ok
	case spec.PrincipalAPIKey:
		return slices.Contains(a.APIKeys, p.Name)
	}
	return false
}

// oneLine is cedar-go's formatting of a policy on one line.
func oneLine(cedarText string) string {
	s := strings.Join(strings.Fields(cedarText), " ")
	return strings.NewReplacer("( ", "(", " )", ")").Replace(s)
}
