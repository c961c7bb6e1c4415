package state_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/state"
)

// requestsAccount is a fixed generated account: request counts on it are
// deterministic (times are not, and are measured by the benchmarks).
var requestsAccount = emulator.GenerateOptions{Users: 250, Groups: 10, Environments: 5, Roles: 4, Policies: 30, Assignments: 40, Seed: 3}

// TestReadRequestCount pins the exact requests of a full read of a fixed
// account, by operation, and checks them against the fewest the API
// allows (bench.MinimumRead). When Read changes how it reads, update the
// tables; the minimum check keeps them honest.
func TestReadRequestCount(t *testing.T) {
	t.Parallel()
	provisioning := bench.Counts{
		"getProductEnvironments": 1,
		// 251 users: 3 pages and the empty one; then the users of each of
		// the 5 environments (100 to 199 each, all-access users included:
		// 2 pages and the empty one), cheaper than reading the restricted
		// users one by one.
		"getUsers":      4 + 5*3,
		"getUserGroups": 1,
	}
	withPermissions := bench.Counts{
		"getRoles":                         2, // global and content custom roles
		"getRole":                          4, // each custom role, for its policies
		"getSystemRolesAndPoliciesCatalog": 1,
		"getCustomPolicies":                1 + 5, // account and each environment: one page each
		// 4 custom and 7 system roles are more than the 1 + 5 scopes
		// inspect needs at least, and the 261 principals could fill 14
		// pages a scope: the bound cannot prove inspect cheaper, so
		// assignments are read per role (strategy_test.go pins both).
		"getRolePrincipals": 4 + 7,
		// Custom policies scoped to each of the 5 environments name its
		// API keys: each environment's keys, once, to name them.
		"getAccessKeys": 5,
	}
	for k, v := range provisioning {
		withPermissions[k] = v
	}
	tests := []struct {
		name  string
		opts  state.Options
		want  bench.Counts
		perms bool
	}{
		{name: "provisioning", opts: state.Options{Parallelism: 4}, want: provisioning},
		{name: "everything", opts: state.Options{Parallelism: 4, Permissions: true}, want: withPermissions, perms: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := bench.Serve(t, requestsAccount, emulator.Options{})
			if _, err := state.Read(t.Context(), state.FromClient(f.Client), tc.opts); err != nil {
				t.Fatal(err)
			}
			got := bench.CountsOf(f.Emu)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("requests of state.Read by operationId (-want +got):\n%s", diff)
			}
			least := bench.MinimumRead(f.Seed, true)
			prov, perm := got.Total(func(op string) bool { return !bench.IsPermissionsHalf(op) }), got.Total(bench.IsPermissionsHalf)
			t.Logf("provisioning: %d requests, minimum %d; permissions: %d requests, minimum %d",
				prov, least.Total(bench.Provisioning), perm, least.Total(bench.Permissions))
			if m := least.Total(bench.Provisioning); prov != m {
				t.Errorf("provisioning reads: %d requests, the minimum is %d", prov, m)
			}
			// Per role costs 5 more than inspect here, which only the
			// assignments themselves could have told.
			if m := least.Total(bench.Permissions); tc.perms && perm > m+5 {
				t.Errorf("permissions reads: %d requests, more than the minimum %d + 5", perm, m)
			}
		})
	}
}
