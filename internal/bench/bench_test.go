package bench_test

import (
	"slices"
	"testing"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/google/go-cmp/cmp"
)

func TestPermissionsOps(t *testing.T) {
	t.Parallel()
	if n := len(bench.PermissionsOps); n != 21 {
		t.Errorf("%d permissions operations, want 21", n)
	}
	all := emulator.Operations()
	for _, op := range bench.PermissionsOps {
		if !slices.Contains(all, op) {
			t.Errorf("%s is not an operation of the emulator", op)
		}
	}
}

// TestNaiveRequests: the predicted count of the naive reader is what it
// sends, with and without permissions.
func TestNaiveRequests(t *testing.T) {
	t.Parallel()
	for _, o := range []emulator.GenerateOptions{
		{Users: 120, Groups: 6, Environments: 3, Roles: 5, Policies: 30, Assignments: 60, Seed: 2},
		{Users: 20, Groups: 2, Environments: 1, Roles: 1, Policies: 1, Assignments: 5, Seed: 2},
		{Users: 149, Groups: 0, Environments: 0},
	} {
		for _, perms := range []bool{false, true} {
			f := bench.Serve(t, o, emulator.Options{})
			got, err := bench.Naive(t.Context(), f.Client, perms)
			if err != nil {
				t.Fatal(err)
			}
			if sent := bench.CountsOf(f.Emu).Total(nil); sent != got {
				t.Errorf("%v: Naive counted %d requests, the emulator saw %d", o, got, sent)
			}
			if want := bench.NaiveRequests(f.Seed, true, perms); got != want {
				t.Errorf("%v permissions=%v: Naive sent %d requests, NaiveRequests predicts %d", o, perms, got, want)
			}
		}
	}
}

// TestMinimumRead checks the page arithmetic on a hand-counted account.
func TestMinimumRead(t *testing.T) {
	t.Parallel()
	var s emulator.Seed
	s.Environments = []emulator.SeedEnvironment{
		{CloudName: "a", AccessKeys: []emulator.SeedAccessKey{{APIKey: "111"}}},
		{CloudName: "b", AccessKeys: []emulator.SeedAccessKey{{APIKey: "222"}}},
	}
	for i := range 250 {
		u := emulator.SeedUser{Email: "u" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@x.com"}
		switch {
		case i < 150: // restricted to a
			u.Environments = []string{"a"}
		case i < 160: // no access
			u.Environments = []string{}
		}
		s.Users = append(s.Users, u)
	}
	s.Groups = []emulator.SeedGroup{{Name: "g"}}
	s.Roles = []emulator.SeedRole{{ID: "r1"}, {ID: "r2"}}
	for i := range 45 {
		p := emulator.SeedPolicy{ScopeType: "prodenv", Scope: "a"}
		switch {
		case i == 0: // "all" naming b's key: not a reason to read b's keys
			p.Scope, p.PolicyStatement = "all", `permit(principal == Cloudinary::APIKey::"222", action, resource);`
		case i < 5:
			p.Scope = "all"
		case i == 5: // names a's key: a's keys are read
			p.PolicyStatement = `permit(principal == Cloudinary::APIKey::"111", action, resource);`
		}
		s.Policies = append(s.Policies, p)
	}
	for i := range 25 {
		s.Assignments = append(s.Assignments, emulator.SeedAssignment{PrincipalType: "user", Principal: s.Users[i].Email, Scope: "b"})
	}
	// b's key holds a role in b: b's keys are read.
	s.Assignments = append(s.Assignments, emulator.SeedAssignment{PrincipalType: "apiKey", Principal: "222", Scope: "b"})
	m := bench.MinimumRead(s, true)
	got := map[string][2]int{}
	for _, p := range m.Parts {
		got[p.Name] = [2]int{p.Requests, p.Chain}
	}
	want := map[string][2]int{
		"environments": {1, 1},
		// 251 users with the root user: 3 pages and an empty one.
		"users": {4, 4},
		// 160 restricted users; per environment: a lists the 91 all-access
		// users (root too) and 150 = 241 (3+1 pages), b 91 (1+1): 6.
		"environment access": {6, 5},
		"groups and members": {1, 1},
		"custom roles":       {4, 2},
		"system catalog":     {1, 1},
		// account: 0 policies (1 page); a: 45 (3 pages); b: the 5 "all" (1).
		"custom policies": {5, 4},
		// account: none (1 page); a: none (1); b: 26 principals (2).
		"role assignments": {4, 3},
		// a (a policy scoped to it names its key) and b (its key holds a
		// role there), after a's 3 pages of policies: 1+3+1.
		"API keys": {2, 5},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MinimumRead parts (-want +got):\n%s", diff)
	}
	if n := m.Total(bench.Provisioning); n != 12 {
		t.Errorf("provisioning total %d, want 12", n)
	}
	if n := m.Chain(nil); n != 5 {
		t.Errorf("longest chain %d, want 5", n)
	}
}
