package state

import "testing"

// TestChooseAccess: per user when it cannot cost more, per environment
// when it cannot, the even-spread estimate in between; a forced strategy
// wins.
func TestChooseAccess(t *testing.T) {
	tests := []struct {
		name                                    string
		forced                                  string
		restricted, allAccess, grants, envs, pz int
		want                                    string
	}{
		{"few restricted users", "", 10, 5000, 20, 50, 100, PerUser},
		// 20k account: 14k restricted, 5k all-access, 100 environments.
		{"many restricted users", "", 14000, 5200, 28000, 100, 100, PerEnvironment},
		// 100 environments: 200 to 300 listings; 250 restricted users.
		{"in between, even spread cheaper", "", 250, 50, 600, 100, 100, PerEnvironment},
		{"in between, per user no dearer", "", 200, 60, 600, 100, 100, PerUser},
		{"forced", PerUser, 14000, 5200, 28000, 100, 100, PerUser},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := chooseAccess(tc.forced, tc.restricted, tc.allAccess, tc.grants, tc.envs, tc.pz)
			if c.Strategy != tc.want {
				t.Errorf("chose %s, want %s: %s", c.Strategy, tc.want, c)
			}
			e := c.Estimates[1]
			if e.Low > e.Expected || e.Expected > e.High {
				t.Errorf("estimate %s: expected outside its bounds", e)
			}
		})
	}
}

// TestChooseAssignments: per scope only when its upper bound is below the
// per-role count.
func TestChooseAssignments(t *testing.T) {
	tests := []struct {
		name                    string
		roles, envs, principals int
		want                    string
	}{
		{"fewer roles than scopes", 30, 50, -1, PerRole},
		{"bound unknown", 300, 50, -1, PerRole},
		{"bound above the roles", 300, 50, 5000, PerRole},
		{"bound below the roles", 1000, 9, 200, PerScope},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if c := chooseAssignments("", tc.roles, tc.envs, tc.principals); c.Strategy != tc.want {
				t.Errorf("chose %s, want %s: %s", c.Strategy, tc.want, c)
			}
		})
	}
}

// TestEstimateString: an estimate reads as English for any count.
func TestEstimateString(t *testing.T) {
	tests := []struct {
		e    Estimate
		want string
	}{
		{Estimate{Strategy: PerScope, Low: 1, Expected: 1, High: 1}, PerScope + ": 1 request"},
		{Estimate{Strategy: PerRole, Low: 7, Expected: 7, High: 7}, PerRole + ": 7 requests"},
		{Estimate{Strategy: PerScope, Low: 1, Expected: 1, High: -1}, PerScope + ": at least 1 request"},
		{Estimate{Strategy: PerScope, Low: 6, Expected: 20, High: 84}, PerScope + ": about 20 requests (6 to 84)"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.e, got, tt.want)
		}
	}
}
