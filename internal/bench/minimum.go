// Package bench holds what cldsync's benchmarks share: the scale fixtures,
// the fewest requests the API allows for reading an account (Minimum), the
// naive sequential reader the benchmarks compare against (Naive), and the
// parsing and rendering of benchmark results into BENCHMARKS.md
// (cmd/benchreport).
package bench

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/emulator"
)

// Large is the account of issue 9: the size of a platform team's account.
var Large = emulator.GenerateOptions{Users: 5000, Groups: 200, Environments: 50, Roles: 100, Policies: 200, Assignments: 5000, Seed: 1}

// Small is Large scaled down ten times, for the naive baseline, which is
// measured on it and extrapolated.
var Small = emulator.GenerateOptions{Users: 500, Groups: 20, Environments: 5, Roles: 10, Policies: 20, Assignments: 500, Seed: 1}

// Part is one listing of a full read: how many requests it needs at the
// least, and the longest run of them that must go one after another.
type Part struct {
	Name string
	// Permissions marks the parts of the permissions half of a read: the
	// Permissions API (/v2), and the access keys (/v1_1) read only to name
	// its API-key principals (IsPermissionsHalf); the rest are
	// provisioning.
	Permissions bool
	Requests    int
	// Chain is the longest sequence of these requests where each needs
	// the previous one's answer (page after page), counting the
	// environments listing before a per-environment listing, and the users
	// listing before per-user requests.
	Chain int
	// How says how the minimum is reached, for the report.
	How string
}

// Minimum is the fewest requests a full read of an account needs (every
// kind managed), part by part. NOTES.md section 9 is the starting point;
// pages are counted with the emulator's page sizes:
//
//   - getUsers has no total and an undocumented cap, so a listing ends only
//     on an empty page: n users take ⌈n/UsersMaxPageSize⌉+1 requests.
//   - Cursor listings (custom policies, inspect) end when next_cursor is
//     absent: n items take max(1, ⌈n/PermissionsPageSize⌉).
//   - The access of users who may not access every environment comes per
//     user (one request each) or per environment (a users listing filtered
//     by sub_account_id, which also lists the all-access users), whichever
//     is fewer; nothing in between works, since a per-environment reading
//     is only complete when every environment is listed.
//   - Role assignments come per role (getRolePrincipals?verbose=true for
//     each system and custom role, not paged) or per scope (inspect for
//     the account and each environment, 20 principals a page), whichever
//     is fewer. getPrincipalRoles per principal (two requests each) is
//     never fewer. inspect without scope_id would be fewer still, but is
//     unverified against the live API (docs/live-api.md): reported in How,
//     not counted.
//   - Everything else has one way: environments, groups with members,
//     the two role listings, each custom role, the catalog, custom
//     policies per scope, and the access keys that name principals.
//
// state.Read reaches it within 1.1× (strategy.go chooses from counts the
// first listings give, before the answers that decide the minimum here),
// plus at most parallelism − 1 users pages read ahead (state/users.go).
type Minimum struct {
	Parts []Part
}

// Total sums the requests of the parts keep accepts (all when nil).
func (m Minimum) Total(keep func(Part) bool) int {
	n := 0
	for _, p := range m.Parts {
		if keep == nil || keep(p) {
			n += p.Requests
		}
	}
	return n
}

// Chain is the longest chain among the parts keep accepts.
func (m Minimum) Chain(keep func(Part) bool) int {
	n := 0
	for _, p := range m.Parts {
		if keep == nil || keep(p) {
			n = max(n, p.Chain)
		}
	}
	return n
}

// Provisioning and Permissions select parts for Total and Chain.
func Provisioning(p Part) bool { return !p.Permissions }

// Permissions selects the Permissions API's parts.
func Permissions(p Part) bool { return p.Permissions }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// userPages is the requests of a users listing of n users.
func userPages(n int) int { return ceilDiv(n, emulator.UsersMaxPageSize) + 1 }

// cursorPages is the requests of a cursor listing of n items.
func cursorPages(n int) int { return max(1, ceilDiv(n, emulator.PermissionsPageSize)) }

// account is what the counts need to know of a seeded account.
type account struct {
	users      []emulator.SeedUser
	envs       []string // cloud names
	groups     int
	roles      int
	policies   []emulator.SeedPolicy
	assigns    []emulator.SeedAssignment
	customRole map[string]emulator.SeedRole
}

// apiKeyEntity matches a Cedar APIKey entity, whose id is a key value.
var apiKeyEntity = regexp.MustCompile(`\bAPIKey\s*::\s*"`)

func newAccount(s emulator.Seed, root bool) account {
	a := account{users: slices.Clone(s.Users), groups: len(s.Groups), roles: len(s.Roles), policies: s.Policies, assigns: s.Assignments, customRole: map[string]emulator.SeedRole{}}
	if root {
		a.users = append(a.users, emulator.SeedUser{Email: emulator.RootUserEmail, Role: "master_admin"})
	}
	for _, e := range s.Environments {
		a.envs = append(a.envs, e.CloudName)
	}
	for _, r := range s.Roles {
		a.customRole[r.ID] = r
	}
	return a
}

func allAccess(u emulator.SeedUser) bool { return u.Environments == nil || u.Role == "master_admin" }

// usersOf counts the users a listing filtered by this environment returns.
func (a account) usersOf(env string) int {
	n := 0
	for _, u := range a.users {
		if allAccess(u) || slices.Contains(u.Environments, env) {
			n++
		}
	}
	return n
}

// MinimumRead computes Minimum for a seeded account; root says whether the
// account also has the root user a new account starts with.
func MinimumRead(s emulator.Seed, root bool) Minimum {
	a := newAccount(s, root)
	var m Minimum
	add := func(p Part) { m.Parts = append(m.Parts, p) }

	add(Part{Name: "environments", Requests: 1, Chain: 1, How: "getProductEnvironments: one answer, no paging"})
	up := userPages(len(a.users))
	add(Part{Name: "users", Requests: up, Chain: up, How: "getUsers, 100 a page, until an empty page"})
	restricted := 0
	for _, u := range a.users {
		if !allAccess(u) {
			restricted++
		}
	}
	perEnv, longest := 0, 0
	for _, e := range a.envs {
		p := userPages(a.usersOf(e))
		perEnv += p
		longest = max(longest, p)
	}
	switch {
	case restricted == 0:
		add(Part{Name: "environment access", How: "no restricted users"})
	case restricted <= perEnv:
		add(Part{Name: "environment access", Requests: restricted, Chain: up + 1, How: "getSubAccountsForUser per restricted user (after the users listing)"})
	default:
		add(Part{Name: "environment access", Requests: perEnv, Chain: 1 + longest, How: "getUsers?sub_account_id= per environment, paged"})
	}
	add(Part{Name: "groups and members", Requests: 1, Chain: 1, How: "getUserGroups?extended_details=true: every group with its members"})

	add(Part{Name: "custom roles", Permissions: true, Requests: 2 + a.roles, Chain: 2,
		How: "getRoles for global and content, then getRole per custom role for its policies"})
	add(Part{Name: "system catalog", Permissions: true, Requests: 1, Chain: 1, How: "public catalog: system roles and policies"})
	scopes := append([]string{""}, a.envs...) // "" is the account scope
	pol, polChain := 0, 0
	for _, sc := range scopes {
		n := 0
		for _, p := range a.policies {
			if (sc == "" && p.ScopeType == "account") || (sc != "" && p.ScopeType == "prodenv" && (p.Scope == sc || p.Scope == "all")) {
				n++
			}
		}
		pol += cursorPages(n)
		polChain = max(polChain, cursorPages(n))
	}
	add(Part{Name: "custom policies", Permissions: true, Requests: pol, Chain: 1 + polChain, How: "getCustomPolicies for the account and per environment, 20 a page"})
	// Role assignments come per role (getRolePrincipals?verbose=true, one
	// request for each system and custom role, every assignment once) or
	// per scope (inspect for the account and per environment, paged over
	// principals, NOTES.md section 9), whichever is fewer. The spec makes
	// inspect's scope_id optional, and the emulator answers a prodenv
	// inspect without one with every environment's assignments; that
	// shortcut is unverified against the live API (docs/live-api.md), so it
	// is reported, not counted.
	principalsIn := func(keep func(emulator.SeedAssignment) bool) int {
		set := map[string]bool{}
		for _, as := range a.assigns {
			if keep(as) {
				set[as.PrincipalType+"\x00"+strings.ToLower(as.Principal)] = true
			}
		}
		return len(set)
	}
	acc := cursorPages(principalsIn(func(as emulator.SeedAssignment) bool { return a.inScope(as, "") }))
	perEnvIns, perEnvChain := 0, 0
	for _, sc := range a.envs {
		n := cursorPages(principalsIn(func(as emulator.SeedAssignment) bool { return a.inScope(as, sc) }))
		perEnvIns += n
		perEnvChain = max(perEnvChain, n)
	}
	anyEnv := cursorPages(principalsIn(func(as emulator.SeedAssignment) bool { return !a.inScope(as, "") }))
	perRole := a.roles + emulator.SystemRoleCount()
	if perScope := acc + perEnvIns; perScope < perRole {
		add(Part{Name: "role assignments", Permissions: true, Requests: perScope, Chain: max(acc, 1+perEnvChain),
			How: fmt.Sprintf("inspect for the account and per environment, 20 principals a page (per role: %d; without scope_id, unverified live: %d)", perRole, acc+anyEnv)})
	} else {
		add(Part{Name: "role assignments", Permissions: true, Requests: perRole, Chain: 3,
			How: fmt.Sprintf("getRolePrincipals?verbose=true per system and custom role, after the two getRoles listings (per scope: %d)", perScope)})
	}
	// An apiKey principal's id is the key value (NOTES.md P12): to name
	// it, its environment's access keys are listed, once the listings show
	// the environment (a role assignment of an apiKey in it, or a custom
	// policy scoped to it naming an APIKey entity). Keys named only in the
	// account or "all" scope are left unnamed, as Read leaves them.
	keyEnvs := map[string]bool{}
	for _, as := range a.assigns {
		if as.PrincipalType == "apiKey" && as.Scope != "" && as.Scope != "account" && as.Scope != "all" {
			keyEnvs[as.Scope] = true
		}
	}
	for _, p := range a.policies {
		if p.ScopeType == "prodenv" && p.Scope != "" && p.Scope != "all" && apiKeyEntity.MatchString(p.PolicyStatement) {
			keyEnvs[p.Scope] = true
		}
	}
	keys := Part{Name: "API keys", Permissions: true, Requests: len(keyEnvs),
		How: "getAccessKeys per environment where an API key holds a role or a custom policy names one"}
	if len(keyEnvs) > 0 {
		// After the environment's own listings (the account's tell none).
		keys.Chain = max(1+polChain, 1+perEnvChain, 3) + 1
	}
	add(keys)
	return m
}

// inScope reports whether an assignment shows in the inspect of scope sc
// ("" for the account).
func (a account) inScope(as emulator.SeedAssignment, sc string) bool {
	if sc == "" {
		return as.Scope == "" || as.Scope == "account"
	}
	return as.Scope == sc || as.Scope == "all"
}

// WithManagedKeys is m for a configuration that manages the access keys of
// every environment, as an export's does: the API keys part is then one
// getAccessKeys per environment, after the environments listing.
func (m Minimum) WithManagedKeys(envs int) Minimum {
	out := Minimum{Parts: slices.Clone(m.Parts)}
	for i, p := range out.Parts {
		if p.Name == "API keys" {
			out.Parts[i] = Part{Name: p.Name, Permissions: true, Requests: envs, Chain: 2,
				How: "getAccessKeys per environment: the configuration manages every environment's keys"}
		}
	}
	return out
}
