package planner

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// refHoldings is holdings as it was computed before the flat map: every
// group a holding comes through, sorted.
func refHoldings(g *AccessGraph) map[spec.Principal]map[holding][]string {
	out := map[spec.Principal]map[holding][]string{}
	put := func(p spec.Principal, h holding, via string) {
		if out[p] == nil {
			out[p] = map[holding][]string{}
		}
		if !slices.Contains(out[p][h], via) {
			out[p][h] = append(out[p][h], via)
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
	for _, hs := range out {
		for _, vias := range hs {
			slices.Sort(vias)
		}
	}
	return out
}

// refCompareHoldings is compareHoldings as it was: diffHoldings and
// diffRoleContents over per-principal maps.
func refCompareHoldings(before, after *AccessGraph) []AccessChange {
	var out []AccessChange
	hb, ha := refHoldings(before), refHoldings(after)
	emit := func(from, to map[spec.Principal]map[holding][]string, g *AccessGraph, verb AccessVerb) {
		for p, hs := range to {
			for h, vias := range hs {
				if _, had := from[p][h]; had {
					continue
				}
				out = append(out, AccessChange{Principal: p, Verb: verb, What: g.roleName(h.Role), Resource: instance(h),
					Scope: h.Scope, Via: viaGroup(vias[0]), Role: h.Role})
			}
		}
	}
	emit(hb, ha, after, Gains)
	emit(ha, hb, before, Loses)
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
	return sortedAccess(out)
}

func sortedAccess(out []AccessChange) []AccessChange {
	slices.SortFunc(out, func(a, b AccessChange) int {
		if c := compareAccess(a, b); c != 0 {
			return c
		}
		return strings.Compare(a.Role, b.Role)
	})
	return out
}

// randomAccount is a small account with every path to a role: direct
// assignments of users and keys, groups (also of unknown or removed
// users), custom roles and system roles, duplicate assignments, content
// holdings.
func randomAccount(rng *rand.Rand, cat *spec.Catalog) *model.Account {
	acc := &model.Account{Permissions: &model.Permissions{Catalog: cat}}
	users := []string{"ana@x", "bob@x", "raj@x", "mei@x", "zoe@x"}
	for _, u := range users {
		if rng.IntN(5) > 0 {
			acc.Users = append(acc.Users, model.User{ID: "id-" + u, Email: u})
		}
	}
	for _, g := range []string{"alpha", "beta", "gamma"} {
		gr := model.Group{ID: "id-" + g, Name: g}
		for _, u := range users {
			if rng.IntN(2) == 0 {
				gr.Members = append(gr.Members, u)
			}
		}
		acc.Groups = append(acc.Groups, gr)
	}
	sysRoles := slices.Sorted(maps.Keys(cat.Roles))
	sysPolicies := slices.Sorted(maps.Keys(cat.Policies))
	for _, r := range []string{"r1", "r2", "r3"} {
		if rng.IntN(4) > 0 {
			acc.Permissions.Roles = append(acc.Permissions.Roles, model.Role{ID: r, Name: "Role " + r,
				SystemPolicies: []string{sysPolicies[rng.IntN(4)], sysPolicies[4+rng.IntN(2)]}})
		}
	}
	roles := []string{"r1", "r2", "r3", sysRoles[0], sysRoles[1], "unknown"}
	principals := []spec.Principal{{Kind: spec.PrincipalGroup, Name: "alpha"}, {Kind: spec.PrincipalGroup, Name: "beta"},
		{Kind: spec.PrincipalGroup, Name: "gamma"}, {Kind: spec.PrincipalAPIKey, Name: "prod/ci"}, {}}
	for _, u := range users {
		principals = append(principals, spec.Principal{Kind: spec.PrincipalUser, Name: u})
	}
	for range rng.IntN(25) {
		a := model.Assignment{Principal: principals[rng.IntN(len(principals))], Role: roles[rng.IntN(len(roles))],
			Scope: []string{"prod", "staging", spec.ScopeAccount}[rng.IntN(3)]}
		if rng.IntN(4) == 0 {
			a.FolderID = fmt.Sprint("f", rng.IntN(2))
		}
		acc.Permissions.Assignments = append(acc.Permissions.Assignments, a)
	}
	return acc
}

// The flat holdings and the role-contents shortcut give what the
// per-principal maps gave, on random pairs of accounts, with one catalog
// or two that disagree on a system role.
func TestCompareHoldingsMatchesReference(t *testing.T) {
	t.Parallel()
	cat := spec.BuiltinCatalog()
	other := &spec.Catalog{Policies: cat.Policies, Roles: maps.Clone(cat.Roles)}
	sys := slices.Sorted(maps.Keys(cat.Roles))[0]
	changed := other.Roles[sys]
	changed.Policies = append(slices.Clone(changed.Policies), slices.Sorted(maps.Keys(cat.Policies))[0])
	other.Roles[sys] = changed
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		afterCat := cat
		if i%3 == 0 {
			afterCat = other
		}
		before, after := LiveAccess(randomAccount(rng, cat)), LiveAccess(randomAccount(rng, afterCat))
		want := refCompareHoldings(before, after)
		got := sortedAccess(compareHoldings(before, after))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("case %d: holdings diff differs from the reference (-want +got):\n%s", i, diff)
		}
	}
}

// perturbed is acc with a few assignments, members, users and role
// contents changed, keeping the order of the rest, as a plan's
// projection does.
func perturbed(rng *rand.Rand, acc *model.Account) *model.Account {
	out := *acc
	perms := *acc.Permissions
	out.Permissions = &perms
	out.Users = slices.Clone(acc.Users)
	if len(out.Users) > 0 && rng.IntN(3) == 0 {
		at := rng.IntN(len(out.Users))
		out.Users = slices.Delete(out.Users, at, at+1)
	}
	if rng.IntN(3) == 0 {
		out.Users = append(out.Users, model.User{ID: "new", Email: "new@x"})
	}
	out.Groups = nil
	for _, g := range acc.Groups {
		g.Members = slices.Clone(g.Members)
		if len(g.Members) > 0 && rng.IntN(3) == 0 {
			at := rng.IntN(len(g.Members))
			g.Members = slices.Delete(g.Members, at, at+1)
		}
		if rng.IntN(4) == 0 {
			g.Members = append(g.Members, []string{"ana@x", "new@x", "zoe@x"}[rng.IntN(3)])
		}
		out.Groups = append(out.Groups, g)
	}
	perms.Assignments = slices.Clone(acc.Permissions.Assignments)
	for range rng.IntN(3) {
		if n := len(perms.Assignments); n > 0 && rng.IntN(2) == 0 {
			from := rng.IntN(n)
			perms.Assignments = slices.Delete(perms.Assignments, from, from+1+rng.IntN(n-from))
		} else {
			a := model.Assignment{Principal: spec.Principal{Kind: spec.PrincipalUser, Name: []string{"ana@x", "new@x", "raj@x"}[rng.IntN(3)]},
				Role: []string{"r1", "r2"}[rng.IntN(2)], Scope: "prod"}
			if rng.IntN(3) == 0 {
				a.Principal = spec.Principal{Kind: spec.PrincipalGroup, Name: "beta"}
			}
			perms.Assignments = slices.Insert(perms.Assignments, rng.IntN(len(perms.Assignments)+1), a)
		}
	}
	perms.Roles = slices.Clone(acc.Permissions.Roles)
	if len(perms.Roles) > 0 && rng.IntN(3) == 0 {
		i := rng.IntN(len(perms.Roles))
		perms.Roles[i].SystemPolicies = append(slices.Clone(perms.Roles[i].SystemPolicies), "cld::policy::global::assets::moderate")
	}
	return &out
}

// On accounts and their perturbations, as a plan makes them, the
// holdings diff of the principals that can change gives what the
// previous implementation gave for every principal.
func TestCompareHoldingsOfPerturbations(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 10))
	cat := spec.BuiltinCatalog()
	for i := range 3000 {
		acc := randomAccount(rng, cat)
		next := perturbed(rng, acc)
		before, after := LiveAccess(acc), LiveAccess(next)
		if i%2 == 1 {
			before, after = after, before
		}
		want := refCompareHoldings(before, after)
		got := sortedAccess(compareHoldings(before, after))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("case %d: holdings diff differs from the reference (-want +got):\n%s", i, diff)
		}
	}
}

// symmetricDiff is the difference of two lists as multisets, whatever
// their order.
func TestSymmetricDiff(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	for i := range 3000 {
		var a []int
		for range rng.IntN(12) {
			a = append(a, rng.IntN(6))
		}
		b := slices.Clone(a)
		for range rng.IntN(4) {
			if len(b) > 0 && rng.IntN(2) == 0 {
				from := rng.IntN(len(b))
				b = slices.Delete(b, from, from+1+rng.IntN(len(b)-from))
			} else {
				b = slices.Insert(b, rng.IntN(len(b)+1), rng.IntN(8))
			}
		}
		if i%5 == 0 {
			rng.Shuffle(len(b), func(x, y int) { b[x], b[y] = b[y], b[x] })
		}
		count := map[int]int{}
		for _, x := range a {
			count[x]++
		}
		for _, x := range b {
			count[x]--
		}
		var want []int
		for x, n := range count {
			for range max(n, -n) {
				want = append(want, x)
			}
		}
		got := symmetricDiff(a, b)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("case %d: symmetricDiff(%v, %v) = %v, want %v", i, a, b, got, want)
		}
	}
}
