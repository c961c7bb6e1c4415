package apply

// After apply, the service confirms the effective-access diff: for every
// user and API key whose access the plan changes (planner.Access), and for
// every scope in which it changes, getEffectivePolicies is asked what the
// principal holds there, and its answer is compared with the account as
// the plan leaves it (planner.PlannedAccess):
//
//   - roles: the ids of the roles the principal holds in the scope,
//     directly or through its groups (for an environment, with those held
//     on every environment), must be exactly the answer's;
//   - custom policies: each enabled policy of the scope whose principal
//     clause names the principal or one of its groups must be in the
//     answer, and each the plan takes away (deleted, disabled or no longer
//     naming it) must not be. Policies that reach everyone are not
//     checked: the service may or may not list them.
//
// Statements are compared as spec.CanonicalCedar of the ids-resolved text.
// A mismatch, or a request that fails, is a warning of the report: the
// changes were made, and the warning says the service disagrees with what
// the plan said. Users the plan deletes are not asked about. Nothing is
// checked when a change failed or was skipped: the plan's picture of the
// end state is then wrong by construction.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sourcegraph/conc/pool"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// accessWarningPrefix starts every warning of the access check.
const accessWarningPrefix = "access check: getEffectivePolicies for "

// accessCheck is one principal in one scope to ask about.
type accessCheck struct {
	p     spec.Principal
	scope string
}

func (c accessCheck) String() string {
	who := c.p.Name
	if c.p.Kind == spec.PrincipalAPIKey {
		who = "key " + c.p.Name
	}
	where := c.scope
	switch c.scope {
	case spec.ScopeAccount:
		where = "the account"
	case spec.ScopeAll:
		where = "every environment"
	}
	return who + " on " + where
}

// accessChecks lists the principals and scopes whose access the plan
// changes, sorted, leaving out pseudo-principals and deleted users.
func accessChecks(plan *planner.Plan, changes []planner.AccessChange) []accessCheck {
	deleted := map[string]bool{}
	for _, c := range plan.Changes {
		if c.Ref.Kind == spec.KindUser && c.Action == planner.Delete {
			deleted[c.Ref.Name] = true
		}
	}
	var out []accessCheck
	for _, a := range changes {
		switch a.Principal.Kind {
		case spec.PrincipalUser:
			if deleted[a.Principal.Name] {
				continue
			}
		case spec.PrincipalAPIKey:
			if !strings.Contains(a.Principal.Name, "/") {
				continue // a key value whose name was not read
			}
		default:
			continue
		}
		c := accessCheck{a.Principal, a.Scope}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b accessCheck) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// verifyAccess asks getEffectivePolicies about every principal whose
// access the plan changes, and returns how many principals and scopes it
// asked about and the mismatches as warnings.
func (x *executor) verifyAccess(ctx context.Context, plan *planner.Plan, live *state.Account, parallelism int) (int, []string) {
	checks := accessChecks(plan, planner.Access(nil, live, plan))
	if len(checks) == 0 {
		return 0, nil
	}
	before, after := planner.AccessGraphs(live, plan)
	results := make([][]string, len(checks))
	p := pool.New().WithMaxGoroutines(max(parallelism, 1))
	for i, c := range checks {
		p.Go(func() { results[i] = x.verifyOne(ctx, c, before, after) })
	}
	p.Wait()
	var out []string
	for _, r := range results {
		out = append(out, r...)
	}
	return len(checks), out
}

func (x *executor) verifyOne(ctx context.Context, c accessCheck, before, after *planner.AccessGraph) []string {
	prefix := accessWarningPrefix + c.String()
	opts, err := x.effectiveOptions(c)
	if err != nil {
		return []string{prefix + ": " + err.Error()}
	}
	got, err := x.c.EffectivePolicies.Get(ctx, opts)
	if err != nil {
		return []string{prefix + ": " + err.Error()}
	}
	var out []string
	// Roles.
	var gotRoles []string
	for _, pr := range got.Principals {
		for _, r := range pr.Roles {
			gotRoles = append(gotRoles, r.ID)
		}
	}
	slices.Sort(gotRoles)
	gotRoles = slices.Compact(gotRoles)
	want := after.RolesIn(c.p, c.scope)
	had := before.RolesIn(c.p, c.scope)
	for _, r := range want {
		if !slices.Contains(gotRoles, r) {
			out = append(out, fmt.Sprintf("%s: role %s is missing, though the plan gives it", prefix, r))
		}
	}
	for _, r := range gotRoles {
		switch {
		case slices.Contains(want, r):
		case slices.Contains(had, r):
			out = append(out, fmt.Sprintf("%s: role %s is still held, though the plan takes it away", prefix, r))
		default:
			out = append(out, fmt.Sprintf("%s: role %s is held, though the plan does not give it", prefix, r))
		}
	}
	// Custom policies naming the principal or its groups.
	gotStmts := map[string]bool{}
	for _, cp := range got.CustomPolicies {
		gotStmts[spec.CanonicalCedar(cp.PolicyStatement)] = true
	}
	wantStmts := map[string]bool{}
	for _, pol := range after.PoliciesNaming(c.p, c.scope) {
		stmt, err := spec.ResolveCedar(pol.Statement, x.refID)
		if err != nil {
			continue // names something without an id: not ours to judge
		}
		canon := spec.CanonicalCedar(stmt)
		wantStmts[canon] = true
		if !gotStmts[canon] {
			out = append(out, fmt.Sprintf("%s: custom policy %s is missing, though the plan gives it", prefix, spec.PolicyKey(pol.Scope, pol.Name)))
		}
	}
	for _, pol := range before.PoliciesNaming(c.p, c.scope) {
		stmt, err := spec.ResolveCedar(pol.Statement, x.refID)
		if err != nil {
			continue
		}
		if canon := spec.CanonicalCedar(stmt); gotStmts[canon] && !wantStmts[canon] {
			out = append(out, fmt.Sprintf("%s: custom policy %s still applies, though the plan takes it away", prefix, spec.PolicyKey(pol.Scope, pol.Name)))
		}
	}
	return out
}

// effectiveOptions is the getEffectivePolicies query for one check, with
// the ids apply knows (live, or learned from the creates it made).
func (x *executor) effectiveOptions(c accessCheck) (*client.EffectivePoliciesOptions, error) {
	opts := &client.EffectivePoliciesOptions{}
	switch c.p.Kind {
	case spec.PrincipalUser:
		id, err := x.ids.get(spec.KindUser, c.p.Name)
		if err != nil {
			return nil, err
		}
		opts.PrincipalType, opts.PrincipalID = client.PrincipalUser, id
	case spec.PrincipalAPIKey:
		k, ok := x.apiKey(c.p.Name)
		if !ok {
			return nil, fmt.Errorf("no API key %s", c.p.Name)
		}
		opts.PrincipalType, opts.PrincipalID = client.PrincipalAPIKey, k
	}
	switch c.scope {
	case spec.ScopeAccount:
		opts.ScopeType = client.ScopeAccount
	case spec.ScopeAll:
		opts.ScopeType, opts.ScopeID = client.ScopeProdEnv, spec.ScopeAll
	default:
		id, err := x.ids.get(spec.KindEnvironment, c.scope)
		if err != nil {
			return nil, err
		}
		opts.ScopeType, opts.ScopeID = client.ScopeProdEnv, id
	}
	return opts, nil
}

// AccessLine is the report's line about the access check: how many
// principals and scopes getEffectivePolicies confirmed, or that some did
// not match (the warnings say which); "" when nothing was asked.
func (r *Report) AccessLine() string {
	if r.AccessChecks == 0 {
		return ""
	}
	n := r.AccessChecks
	what := fmt.Sprintf("%d %s", n, map[bool]string{true: "principal and scope", false: "principals and scopes"}[n == 1])
	for _, w := range r.Warnings {
		if strings.HasPrefix(w, accessWarningPrefix) {
			return "Effective access: getEffectivePolicies was asked about " + what + " and does not confirm the plan everywhere (see the warnings)."
		}
	}
	return "Effective access: getEffectivePolicies confirms the plan for " + what + "."
}
