package state

// Choosing how to read the parts of an account that the API lets us read
// two ways, from the counts the first listings return (issue 18). Each
// strategy reads the same account identically (strategy_test.go); only the
// number of requests differs.
//
// Environment access of the users who may not access every environment:
//
//	per user         getSubAccountsForUser per restricted user: exactly R requests
//	per environment  getUsers?sub_account_id= per environment, paged; each
//	                 environment lists its restricted users and every
//	                 all-access user, and ends on an empty page
//
// The users listing says, per user, all_sub_accounts and sub_account_count,
// so R, the all-access users A and the sum S of the restricted users'
// sub_account_count are known before choosing; with P environments of
// n_e = A + r_e users each (Σ r_e = S) and pages of size z, the
// per-environment listings need Σ (⌈n_e/z⌉ + 1) requests (the last page
// is empty), between P + max(P·⌈A/z⌉, ⌈(P·A + S)/z⌉) and
// P + ⌊(P·A + S + P·(z−1))/z⌋, and about P·(⌈(A + S/P)/z⌉ + 1) when the
// restricted users spread evenly.
//
// Role assignments:
//
//	per role   getRolePrincipals?verbose=true per role (system and custom,
//	           from the two getRoles listings): exactly one request a role,
//	           every assignment once
//	per scope  inspect for the account and per environment, 20 principals
//	           a page: at least 1 + P requests, and every assignment scoped
//	           "all" comes again in each environment's answer
//
// No listing counts assignments, so inspect's cost is known only within
// bounds: at least one page per scope, at most a page per 20 principals
// (users, groups and access keys) per scope. Per scope is chosen only when
// even its upper bound is below the per-role count; otherwise per role,
// whose count is exact and which never reads an assignment twice.

import (
	"fmt"
	"strings"
)

// Strategy names, as Options takes them and Choice reports them.
const (
	PerUser        = "per user"
	PerEnvironment = "per environment"
	PerRole        = "per role"
	PerScope       = "per scope"
)

// Estimate is what one strategy costs, in requests: exactly (Low == High)
// or within bounds, with Expected the figure compared.
type Estimate struct {
	Strategy            string
	Low, Expected, High int
}

func (e Estimate) String() string {
	if e.High < 0 {
		return fmt.Sprintf("%s: at least %s", e.Strategy, requests(e.Low))
	}
	if e.Low == e.High {
		return fmt.Sprintf("%s: %s", e.Strategy, requests(e.Expected))
	}
	return fmt.Sprintf("%s: about %d requests (%d to %d)", e.Strategy, e.Expected, e.Low, e.High)
}

// requests is "1 request" or "7 requests": -v prints an estimate of one
// request for a small account's scopes.
func requests(n int) string {
	if n == 1 {
		return "1 request"
	}
	return fmt.Sprintf("%d requests", n)
}

// Choice is one part's strategy and why: the estimates it was chosen from.
type Choice struct {
	Part      string // "environment access", "role assignments"
	Strategy  string
	Estimates []Estimate
	Why       string
}

// estimate is the chosen strategy's estimate.
func (c Choice) estimate() Estimate {
	for _, e := range c.Estimates {
		if e.Strategy == c.Strategy {
			return e
		}
	}
	return Estimate{}
}

func (c Choice) String() string {
	parts := make([]string, len(c.Estimates))
	for i, e := range c.Estimates {
		parts[i] = e.String()
	}
	return fmt.Sprintf("read %s %s (%s): %s", c.Part, c.Strategy, strings.Join(parts, "; "), c.Why)
}

// chooseAccess picks how to read the environment access of restricted
// users. counts describe the users listing; forced is Options'.
func chooseAccess(forced string, restricted, allAccess, countSum, envs, pageSize int) Choice {
	perUser := Estimate{Strategy: PerUser, Low: restricted, Expected: restricted, High: restricted}
	total := envs*allAccess + countSum
	perEnv := Estimate{Strategy: PerEnvironment,
		Low:  envs + max(envs*ceilDiv(allAccess, pageSize), ceilDiv(total, pageSize)),
		High: envs + (total+envs*(pageSize-1))/pageSize,
	}
	if envs > 0 {
		perEnv.Expected = envs * (ceilDiv(allAccess+countSum/envs, pageSize) + 1)
	}
	perEnv.Expected = min(max(perEnv.Expected, perEnv.Low), perEnv.High)
	c := Choice{Part: "environment access", Estimates: []Estimate{perUser, perEnv}}
	switch {
	case forced != "":
		c.Strategy, c.Why = forced, "as asked"
	case restricted <= perEnv.Low:
		c.Strategy, c.Why = PerUser, "fewer requests whatever the environments hold"
	case perEnv.High < restricted:
		c.Strategy, c.Why = PerEnvironment, "fewer requests whatever the environments hold"
	case perEnv.Expected < restricted:
		c.Strategy, c.Why = PerEnvironment, fmt.Sprintf("fewer requests if the %d restricted users' %d environment grants spread evenly", restricted, countSum)
	default:
		c.Strategy, c.Why = PerUser, "no more requests, and its count is exact"
	}
	return c
}

// chooseAssignments picks how to read role assignments. principals bounds
// the principals of a scope (users, groups and access keys), -1 when not
// yet known; forced is Options'.
func chooseAssignments(forced string, roles, envs, principals int) Choice {
	perRole := Estimate{Strategy: PerRole, Low: roles, Expected: roles, High: roles}
	scopes := 1 + envs
	perScope := Estimate{Strategy: PerScope, Low: scopes, Expected: scopes, High: -1}
	if principals >= 0 {
		perScope.High = scopes * max(1, ceilDiv(principals, inspectPageSize))
		perScope.Expected = perScope.High
	}
	c := Choice{Part: "role assignments", Estimates: []Estimate{perRole, perScope}}
	switch {
	case forced != "":
		c.Strategy, c.Why = forced, "as asked"
	case roles <= perScope.Low:
		c.Strategy, c.Why = PerRole, "fewer requests whatever the scopes hold, and every assignment read once"
	case perScope.High >= 0 && perScope.High < roles:
		c.Strategy, c.Why = PerScope, "fewer requests even if every principal holds a role in every scope"
	default:
		c.Strategy, c.Why = PerRole, "its count is exact, and it reads every assignment once where inspect reads those scoped \"all\" once per environment"
	}
	return c
}

// inspectPageSize is how many principals an inspect page holds (the
// emulator's, as no page size is documented): it only bounds an estimate.
const inspectPageSize = 20

func ceilDiv(a, b int) int {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}
