package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestParseGenerateOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    emulator.GenerateOptions
		wantErr string
	}{
		{in: "users=5000,groups=200,environments=50,roles=100,policies=200,assignments=5000",
			want: emulator.GenerateOptions{Users: 5000, Groups: 200, Environments: 50, Roles: 100, Policies: 200, Assignments: 5000}},
		{in: " users = 3 , seed=42,", want: emulator.GenerateOptions{Users: 3, Seed: 42}},
		{in: "", want: emulator.GenerateOptions{}},
		{in: "people=3", wantErr: `unknown key "people"`},
		{in: "users", wantErr: "want key=count"},
		{in: "users=-1", wantErr: "not a non-negative integer"},
		{in: "users=1,users=2", wantErr: "users given twice"},
		{in: "users=2000000", wantErr: "want 0 to 1000000"},
		{in: "assignments=3", wantErr: "assignments need users or groups"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := emulator.ParseGenerateOptions(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseGenerateOptions(%q) returned error %v, want one containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseGenerateOptions(%q) returned error %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseGenerateOptions(%q) (-want +got):\n%s", tc.in, diff)
			}
			back, err := emulator.ParseGenerateOptions(got.String())
			if err != nil || back != got {
				t.Errorf("ParseGenerateOptions(%q.String()) = %+v, %v; want a round trip", tc.in, back, err)
			}
		})
	}
}

var mediumOptions = emulator.GenerateOptions{Users: 400, Groups: 20, Environments: 8, Roles: 12, Policies: 30, Assignments: 300, Seed: 7}

// TestGenerateIsDeterministicAndLoads: the same options give the same seed,
// the seed passes every check of the seed path, and the account has the
// requested number of each kind with the promised mix.
func TestGenerateIsDeterministicAndLoads(t *testing.T) {
	t.Parallel()
	a, err := emulator.Generate(mediumOptions)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := emulator.Generate(mediumOptions)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("Generate is not deterministic (-first +second):\n%s", diff)
	}
	other := mediumOptions
	other.Seed++
	if c, _ := emulator.Generate(other); cmp.Equal(a, c) {
		t.Error("Generate with another Seed gave the same account")
	}

	got := map[string]int{
		"environments": len(a.Environments), "users": len(a.Users), "groups": len(a.Groups),
		"roles": len(a.Roles), "policies": len(a.Policies), "assignments": len(a.Assignments),
	}
	want := map[string]int{"environments": 8, "users": 400, "groups": 20, "roles": 12, "policies": 30, "assignments": 300}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	var restricted, all, none, pending int
	roles := map[string]int{}
	for _, u := range a.Users {
		roles[u.Role]++
		switch {
		case u.Environments == nil:
			all++
		case len(u.Environments) == 0:
			none++
		default:
			restricted++
		}
		if u.Pending {
			pending++
		}
	}
	if restricted < 200 || all < 50 || none == 0 || pending == 0 || len(roles) < 5 {
		t.Errorf("user mix: %d restricted, %d all-access, %d none, %d pending, roles %v; want a realistic mix", restricted, all, none, pending, roles)
	}
	kinds := map[string]int{}
	for _, as := range a.Assignments {
		kinds[as.PrincipalType]++
		if as.PolicyParameters != nil {
			kinds["content"]++
		}
	}
	if kinds["user"] == 0 || kinds["group"] == 0 || kinds["content"] == 0 {
		t.Errorf("assignment mix %v: want users, groups and content roles", kinds)
	}

	emu := emulator.New(emulator.Options{})
	if err := emu.Seed(a); err != nil {
		t.Fatalf("Seed(Generate(...)) returned %v", err)
	}
	// The seed round-trips through YAML, so `emulator --seed` takes it too.
	raw, err := yaml.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := emulator.New(emulator.Options{}).LoadSeed(strings.NewReader(string(raw))); err != nil {
		t.Errorf("LoadSeed(yaml of Generate(...)) returned %v", err)
	}

	// Spot-check through the API: the groups listing has every group.
	srv := httptest.NewServer(emu)
	defer srv.Close()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/v1_1/provisioning/accounts/acc/user_groups", nil)
	req.SetBasicAuth("key", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("getUserGroups answered %d", resp.StatusCode)
	}
}

func TestGenerateSmallAccounts(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		opts    emulator.GenerateOptions
		wantErr string
	}{
		"nothing":                  {},
		"users only":               {opts: emulator.GenerateOptions{Users: 10}},
		"policies without envs":    {opts: emulator.GenerateOptions{Policies: 5}},
		"assignments without envs": {opts: emulator.GenerateOptions{Users: 5, Roles: 4, Assignments: 10}},
		"groups only principals":   {opts: emulator.GenerateOptions{Groups: 3, Environments: 1, Assignments: 10}},
		"too few tuples":           {opts: emulator.GenerateOptions{Users: 1, Assignments: 10}, wantErr: "only 3 distinct assignments"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := emulator.New(emulator.Options{}).Generate(tc.opts)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Generate(%v) returned %v", tc.opts, err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Generate(%v) returned %v, want an error containing %q", tc.opts, err, tc.wantErr)
			}
		})
	}
}
