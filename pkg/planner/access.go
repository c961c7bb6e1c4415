package planner

// The effective-access diff: besides the objects a plan changes, what
// changes for people and keys. It is computed offline, from the live
// account and the live account as the plan leaves it (the plan's changes
// applied to a model of the live graph), never by asking the service:
//
//	users → groups → role assignments → roles → system policies
//	users, groups, API keys ← principal clauses of custom policies
//
// Three kinds of line come out of it:
//
//   - holding a role: "raj@acme.test gains Asset reviewer on acme-staging
//     (via group designers)". A principal holds a role in a scope (and, for
//     content roles, on a folder or collection) directly or through the
//     groups it is a member of; only a holding it did not have by any path
//     is gained, and one it no longer has by any path is lost.
//   - a role's content: a custom role whose system policies change gives
//     or takes those policies from everyone who holds it before and after,
//     "… gains Moderate assets on acme-staging (via role Asset reviewer,
//     group designers)".
//   - a custom policy's rule: each Cedar policy of an enabled custom policy
//     whose principal clause names a user, a group (its members) or an API
//     key — or names none, or tests only the principal's type: everyone,
//     every user, every API key — "key acme-prod/ci loses create on Folder
//     f8a5c2e1 in acme-prod (via policy ci-writes)". `when`/`unless`
//     conditions and `forbid` are not evaluated: the line is marked
//     conditional and says why.
//
// Holdings are compared per role, not per system policy: two roles that
// grant the same policy are two holdings. That is the granularity
// getEffectivePolicies answers in, which apply's verification relies on
// (pkg/apply/verify.go).
//
// Groups are not principals of the output: what a group gains, its
// members gain (via the group). The legacy user role and environment
// access (`role:`, `environments:`) are object fields of the user change
// and are not repeated here.

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// AccessVerb says whether a principal gains or loses something. The zero
// value is invalid.
type AccessVerb int

const (
	// Gains is access the principal does not have now and has after.
	Gains AccessVerb = iota + 1
	// Loses is access the principal has now and not after.
	Loses
)

// String returns "gains" or "loses".
func (v AccessVerb) String() string {
	switch v {
	case Gains:
		return "gains"
	case Loses:
		return "loses"
	}
	return fmt.Sprintf("AccessVerb(%d)", int(v))
}

// Pseudo-principals of custom policies whose principal clause names no one.
const (
	Everyone      = "everyone"
	EveryUser     = "every user"
	EveryAPIKey   = "every API key"
	EveryGroupMem = "every group member"
)

// AccessChange is one line of the effective-access diff.
type AccessChange struct {
	// Principal is a user (lower-cased email) or an API key
	// ("cloud_name/name", or the key value when its environment's keys were
	// not read). For a custom policy whose principal clause names
	// no one, Kind is empty and Name is Everyone, EveryUser, EveryAPIKey or
	// EveryGroupMem.
	Principal spec.Principal
	Verb      AccessVerb
	// What is a role's name, a system policy's name, or a Cedar rule's
	// actions ("create", "any action", "forbid delete").
	What string
	// Resource is what a content role's holding or a Cedar rule applies to:
	// "Folder f8a5c2e1", "Asset", "any resource"; empty for the whole scope.
	Resource string
	// Scope is spec.ScopeAccount, spec.ScopeAll or a cloud_name.
	Scope string
	// Via says how the principal gets it: "" (directly), "group designers",
	// "role Asset reviewer, group designers", "policy ci-reads".
	Via string
	// Conditional marks a rule that a `forbid` or a `when`/`unless` clause
	// qualifies; Condition says which ("forbid", "when", "forbid, unless").
	// Conditions are shown, not evaluated.
	Conditional bool
	Condition   string
	// Role is the role's id for holdings and role contents; empty for rules.
	Role string
}

// PrincipalName names the principal in a sentence: the email, "key
// cloud_name/name", or the pseudo-principal.
func (a AccessChange) PrincipalName() string {
	switch a.Principal.Kind {
	case spec.PrincipalAPIKey:
		return "key " + a.Principal.Name
	case spec.PrincipalGroup:
		return "group " + a.Principal.Name
	}
	return a.Principal.Name
}

// String is the sentence: "raj@acme.test gains Asset reviewer on
// acme-staging (via group designers)".
func (a AccessChange) String() string {
	var b strings.Builder
	b.WriteString(a.PrincipalName() + " " + a.Verb.String() + " " + a.What)
	if a.Resource != "" {
		b.WriteString(" on " + a.Resource + " in " + scopePhrase(a.Scope))
	} else {
		b.WriteString(" on " + scopePhrase(a.Scope))
	}
	if a.Via != "" {
		b.WriteString(" (via " + a.Via + ")")
	}
	if a.Conditional {
		b.WriteString(" [conditional: " + a.Condition + "; not evaluated]")
	}
	return b.String()
}

// scopePhrase is "acme-staging", "the account" or "every environment".
func scopePhrase(scope string) string {
	switch scope {
	case spec.ScopeAccount:
		return "the account"
	case spec.ScopeAll:
		return "every environment"
	}
	return scope
}

// Access computes the effective-access diff of a plan: what changes for
// people and keys once plan is applied to live. desired may be nil; a
// configuration with `permissions: false`, and a live account whose
// permissions were not read or are unavailable, give none. The result is
// sorted by principal, then verb (gains first), scope, what and resource.
func Access(desired *spec.Config, live *model.Account, plan *Plan) []AccessChange {
	if !wantAccess(desired, live, plan) {
		return nil
	}
	return CompareAccess(AccessGraphs(live, plan))
}

// wantAccess reports whether plan can change anyone's access: see Access.
func wantAccess(desired *spec.Config, live *model.Account, plan *Plan) bool {
	if live == nil || plan == nil || (desired != nil && desired.PermissionsOff()) {
		return false
	}
	if lp := live.Permissions; lp == nil || lp.Unavailable != "" {
		return false
	}
	// Nothing changes, so no one's access does: skip building both sides'
	// graphs (seconds for a large account).
	return plan.HasChanges()
}

// CompareAccess is what changes from one access graph to another: roles
// held (directly or through groups), role contents and custom policies
// naming a principal, sorted. It is how Plan.Access compares the two sides
// of a plan, and how a rehearsal compares the access the plan projected
// with the access the copy ends up with.
func CompareAccess(before, after *AccessGraph) []AccessChange {
	var out []AccessChange
	out = append(out, compareHoldings(before, after)...)
	out = append(out, diffRules(before, after)...)
	slices.SortFunc(out, compareAccess)
	return slices.CompactFunc(out, func(a, b AccessChange) bool { return a == b })
}

func compareAccess(a, b AccessChange) int {
	return cmp.Or(
		cmp.Compare(principalRank(a.Principal.Kind), principalRank(b.Principal.Kind)),
		strings.Compare(a.Principal.Name, b.Principal.Name),
		cmp.Compare(a.Verb, b.Verb),
		strings.Compare(a.Scope, b.Scope),
		strings.Compare(a.What, b.What),
		strings.Compare(a.Resource, b.Resource),
		strings.Compare(a.Via, b.Via),
		strings.Compare(a.Condition, b.Condition),
	)
}

func principalRank(k spec.PrincipalKind) int {
	switch k {
	case spec.PrincipalUser:
		return 0
	case spec.PrincipalAPIKey:
		return 1
	case spec.PrincipalGroup:
		return 2
	}
	return 3
}

// ---- the graph ----
