package state_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/state"
)

// strategyAccount has restricted and all-access users, group principals,
// API keys holding roles, and assignments scoped to one environment and to
// "all": every way the strategies could disagree.
var strategyAccount = emulator.GenerateOptions{Users: 320, Groups: 12, Environments: 6, Roles: 8, Policies: 24, Assignments: 260, Seed: 5}

// TestStrategiesReadIdentically reads the same account with each access
// strategy and each assignment strategy: the accounts read are identical.
func TestStrategiesReadIdentically(t *testing.T) {
	t.Parallel()
	f := bench.Serve(t, strategyAccount, emulator.Options{})
	var want *state.Account
	for _, access := range []string{state.PerUser, state.PerEnvironment} {
		for _, assign := range []string{state.PerScope, state.PerRole} {
			got, err := state.Read(t.Context(), state.FromClient(f.Client), state.Options{
				Parallelism: 4, Permissions: true, AccessStrategy: access, AssignmentStrategy: assign,
			})
			if err != nil {
				t.Fatalf("%s, %s: %v", access, assign, err)
			}
			if len(got.Permissions.Assignments) < strategyAccount.Assignments {
				t.Fatalf("%s, %s: %d assignments read, the account has %d", access, assign, len(got.Permissions.Assignments), strategyAccount.Assignments)
			}
			if want == nil {
				want = got
				continue
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("access %s, assignments %s read another account than access per user, assignments per scope (-want +got):\n%s", access, assign, diff)
			}
		}
	}
}

// TestStrategyRequestCounts pins the requests of each strategy on the fixed
// account of TestReadRequestCount, and what the automatic choice says.
func TestStrategyRequestCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		access, assign string
		want           bench.Counts // only the operations the strategies change
	}{
		// 251 users of whom 182 may not access every environment.
		{access: state.PerUser, want: bench.Counts{"getUsers": 4, "getSubAccountsForUser": 182}},
		// 5 environments of 100 to 199 users, all-access users included.
		{access: state.PerEnvironment, want: bench.Counts{"getUsers": 4 + 5*3}},
		// One inspect page for the account and each environment.
		{assign: state.PerScope, want: bench.Counts{"inspect": 1 + 5, "getRolePrincipals": 0}},
		// One request per role: 4 custom, 7 system.
		{assign: state.PerRole, want: bench.Counts{"inspect": 0, "getRolePrincipals": 4 + 7}},
	}
	for _, tc := range tests {
		t.Run(tc.access+tc.assign, func(t *testing.T) {
			t.Parallel()
			f := bench.Serve(t, requestsAccount, emulator.Options{})
			_, err := state.Read(t.Context(), state.FromClient(f.Client), state.Options{
				Parallelism: 4, Permissions: tc.assign != "", AccessStrategy: tc.access, AssignmentStrategy: tc.assign,
			})
			if err != nil {
				t.Fatal(err)
			}
			got := bench.CountsOf(f.Emu)
			for op, n := range tc.want {
				if got[op] != n {
					t.Errorf("%s: %d requests, want %d", op, got[op], n)
				}
			}
		})
	}
}

// TestReadExplainsStrategies: Options.Explain hears each choice with both
// estimates, and the choice is the cheaper one on the fixed account.
func TestReadExplainsStrategies(t *testing.T) {
	t.Parallel()
	f := bench.Serve(t, requestsAccount, emulator.Options{})
	var choices []string
	_, err := state.Read(t.Context(), state.FromClient(f.Client), state.Options{
		Parallelism: 4, Permissions: true, Explain: func(c state.Choice) { choices = append(choices, c.String()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"read environment access per environment (per user: 182 requests; per environment: about 15 requests (12 to 16)): fewer requests whatever the environments hold",
		`read role assignments per role (per role: 11 requests; per scope: about 84 requests (6 to 84)): its count is exact, and it reads every assignment once where inspect reads those scoped "all" once per environment`,
	}
	slicesSort(choices)
	if diff := cmp.Diff(want, choices); diff != "" {
		t.Errorf("choices explained (-want +got):\n%s", diff)
	}
}

func slicesSort(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if strings.Compare(s[j], s[i]) < 0 {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

// TestReadProgress: Options.Progress hears the objects read so far grow to
// the account's, and the estimate of the whole read's requests end near
// what it sent.
func TestReadProgress(t *testing.T) {
	t.Parallel()
	f := bench.Serve(t, requestsAccount, emulator.Options{})
	var updates []state.Progress
	acc, err := state.Read(t.Context(), state.FromClient(f.Client), state.Options{
		Parallelism: 4, Permissions: true, Progress: func(p state.Progress) { updates = append(updates, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(updates) < 10 {
		t.Fatalf("%d progress updates, want one per part and page", len(updates))
	}
	for i := 1; i < len(updates); i++ {
		a, b := updates[i-1], updates[i]
		if b.Users < a.Users || b.Groups < a.Groups || b.Assignments < a.Assignments || b.Roles < a.Roles {
			t.Fatalf("progress went back: %+v then %+v", a, b)
		}
	}
	last := updates[len(updates)-1]
	if last.Users != len(acc.Users) || last.Groups != len(acc.Groups) || last.Environments != len(acc.Environments) ||
		last.Roles != len(acc.Permissions.Roles) || last.Assignments < len(acc.Permissions.Assignments) {
		t.Errorf("last progress %+v, the account read has %d users, %d groups, %d environments, %d roles, %d assignments",
			last, len(acc.Users), len(acc.Groups), len(acc.Environments), len(acc.Permissions.Roles), len(acc.Permissions.Assignments))
	}
	sent := bench.CountsOf(f.Emu).Total(nil)
	if last.Estimated < sent*8/10 || last.Estimated > sent*12/10 {
		t.Errorf("estimated %d requests at the end, the read sent %d", last.Estimated, sent)
	}
}
