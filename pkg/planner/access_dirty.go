package planner

// Which principals' holdings can differ between two access graphs: the
// holdings diff computes only theirs, and the holdings of roles whose
// contents change, rather than every holding of both sides (95,000 map
// entries at 50,000 assignments, most of them the same on both).

import "github.com/cldsync/cldsync/pkg/spec"

// dirtyPrincipals are the users and API keys whose holdings may differ
// between before and after: the principals of the assignments one side
// has and the other has not (for a group's, its members on either side),
// the users one side has and the other has not, and the members that
// join or leave a group. Anyone else holds the same on both sides: the
// same direct assignments, in the same groups holding the same ones.
// It may list more than that, never fewer.
func dirtyPrincipals(before, after *AccessGraph) map[spec.Principal]bool {
	dirty := map[spec.Principal]bool{}
	user := func(email string) { dirty[spec.Principal{Kind: spec.PrincipalUser, Name: email}] = true }
	for _, a := range symmetricDiff(before.assigns, after.assigns) {
		if a.Principal.Kind != spec.PrincipalGroup {
			dirty[a.Principal] = true
			continue
		}
		for m := range before.groups[a.Principal.Name] {
			user(m)
		}
		for m := range after.groups[a.Principal.Name] {
			user(m)
		}
	}
	for _, email := range symmetricDiff(before.userList, after.userList) {
		user(email)
	}
	for _, sides := range [][2]*AccessGraph{{before, after}, {after, before}} {
		for name, members := range sides[0].groups {
			other := sides[1].groups[name]
			for m := range members {
				if !other[m] {
					user(m)
				}
			}
		}
	}
	return dirty
}

// symmetricDiff lists what a has and b has not, and what b has and a has
// not, counting repeats. It walks both lists side by side, as two sides
// of a plan list their objects in the same order with a few added or
// removed: what matches in place costs a comparison, and only what does
// not goes through (small) maps of the unmatched.
func symmetricDiff[T comparable](a, b []T) []T {
	onlyA, onlyB := map[T]int{}, map[T]int{}
	take := func(x T, mine, theirs map[T]int) {
		if theirs[x] > 0 {
			if theirs[x]--; theirs[x] == 0 {
				delete(theirs, x)
			}
			return
		}
		mine[x]++
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
			continue
		case i < len(a) && j+1 < len(b) && a[i] == b[j+1]: // b[j] is one more
			take(b[j], onlyB, onlyA)
			j++
			continue
		case i+1 < len(a) && j < len(b) && a[i+1] == b[j]: // a[i] is one more
			take(a[i], onlyA, onlyB)
			i++
			continue
		}
		if i < len(a) {
			take(a[i], onlyA, onlyB)
			i++
		}
		if j < len(b) {
			take(b[j], onlyB, onlyA)
			j++
		}
	}
	var out []T
	for _, m := range []map[T]int{onlyA, onlyB} {
		for x, n := range m {
			for range n {
				out = append(out, x)
			}
		}
	}
	return out
}

// eachHoldingOf calls f as eachHolding does, for the holdings of the
// principals in dirty and the holdings of the roles in changed only.
func (g *AccessGraph) eachHoldingOf(dirty map[spec.Principal]bool, changed map[string]bool, f func(p spec.Principal, h holding, via string)) {
	// Only the groups with a dirty member are expanded, besides those
	// holding a changed role.
	withDirty := map[string]bool{}
	for name, members := range g.groups {
		for m := range members {
			if dirty[spec.Principal{Kind: spec.PrincipalUser, Name: m}] {
				withDirty[name] = true
				break
			}
		}
	}
	for _, a := range g.assigns {
		h := holding{a.Role, a.Scope, a.Folder, a.Coll}
		all := changed[a.Role]
		switch a.Principal.Kind {
		case spec.PrincipalUser:
			if (all || dirty[a.Principal]) && g.users[a.Principal.Name] {
				f(a.Principal, h, "")
			}
		case spec.PrincipalAPIKey:
			if all || dirty[a.Principal] {
				f(a.Principal, h, "")
			}
		case spec.PrincipalGroup:
			if !all && !withDirty[a.Principal.Name] {
				continue
			}
			for m := range g.groups[a.Principal.Name] {
				if p := (spec.Principal{Kind: spec.PrincipalUser, Name: m}); g.users[m] && (all || dirty[p]) {
					f(p, h, a.Principal.Name)
				}
			}
		}
	}
}
