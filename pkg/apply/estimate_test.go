package apply_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// estimatePlan: a disabled environment (2 requests), a user with access to
// it, a group and the user's membership (a chain of 2+1+1 requests), and
// 95 independent user updates: 100 requests, a chain of 4.
func estimatePlan() *planner.Plan {
	env := planner.Ref{Kind: spec.KindEnvironment, Name: "acme-off"}
	user := planner.Ref{Kind: spec.KindUser, Name: "raj@acme.test"}
	group := planner.Ref{Kind: spec.KindGroup, Name: "designers"}
	p := &planner.Plan{Changes: []planner.Change{
		{Action: planner.Create, Ref: env, After: planner.EnvironmentValue{CloudName: "acme-off", Enabled: false}},
		{Action: planner.Create, Ref: user, After: planner.UserValue{Email: "raj@acme.test", Environments: []string{"acme-off"}}, DependsOn: []planner.Ref{env}},
		{Action: planner.Create, Ref: group, After: planner.GroupValue{Name: "designers"}},
		{Action: planner.Create, Ref: planner.Ref{Kind: spec.KindMembership, Name: planner.MembershipName("designers", "raj@acme.test")},
			After: planner.MembershipValue{Group: "designers", User: "raj@acme.test"}, DependsOn: []planner.Ref{group, user}},
	}}
	for i := range 95 {
		email := string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@acme.test"
		p.Changes = append(p.Changes, planner.Change{Action: planner.Update, Ref: planner.Ref{Kind: spec.KindUser, Name: email},
			Before: planner.UserValue{Email: email}, After: planner.UserValue{Email: email, Name: "x"}})
	}
	return p
}

func TestEstimatePlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts apply.EstimateOptions
		want apply.Estimate
		str  string
	}{
		{name: "latency over the workers", opts: apply.EstimateOptions{Latency: 100 * time.Millisecond, Parallelism: 10},
			want: apply.Estimate{Requests: 100, Duration: time.Second, Bound: apply.BoundLatency},
			str:  "100 requests, about 1s (bound by latency)"},
		{name: "dependencies", opts: apply.EstimateOptions{Latency: 100 * time.Millisecond, Parallelism: 50},
			want: apply.Estimate{Requests: 100, Duration: 400 * time.Millisecond, Bound: apply.BoundDependencies},
			str:  "100 requests, about 400ms (bound by dependencies)"},
		{name: "rate limit", opts: apply.EstimateOptions{Latency: 50 * time.Millisecond, RatePerSecond: 20},
			want: apply.Estimate{Requests: 100, Duration: 5 * time.Second, Bound: apply.BoundRateLimit},
			str:  "100 requests, about 5s (bound by rate limit)"},
		{name: "what the quota has left goes at once, the rest at the rate", opts: apply.EstimateOptions{Latency: 50 * time.Millisecond, RatePerSecond: 20, Remaining: 60, ResetIn: time.Second},
			want: apply.Estimate{Requests: 100, Duration: 2 * time.Second, Bound: apply.BoundRateLimit},
			str:  "100 requests, about 2s (bound by rate limit)"},
		{name: "quota runs out before its reset", opts: apply.EstimateOptions{Latency: 50 * time.Millisecond, Remaining: 40, ResetIn: 30 * time.Minute},
			want: apply.Estimate{Requests: 100, Duration: 30 * time.Minute, Bound: apply.BoundQuota},
			str:  "100 requests, about 30m0s (bound by quota)"},
		{name: "quota enough", opts: apply.EstimateOptions{Latency: 50 * time.Millisecond, Remaining: 4000, ResetIn: 30 * time.Minute},
			want: apply.Estimate{Requests: 100, Duration: 500 * time.Millisecond, Bound: apply.BoundLatency}},
		{name: "no latency known", opts: apply.EstimateOptions{Remaining: -1},
			want: apply.Estimate{Requests: 100, Bound: apply.BoundLatency}, str: "100 requests"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := apply.EstimatePlan(estimatePlan(), tc.opts)
			if got != tc.want {
				t.Errorf("EstimatePlan = %+v, want %+v", got, tc.want)
			}
			if tc.str != "" && got.String() != tc.str {
				t.Errorf("String() = %q, want %q", got.String(), tc.str)
			}
		})
	}
	if s := apply.EstimatePlan(&planner.Plan{}, apply.EstimateOptions{}).String(); s != "no requests" {
		t.Errorf("empty plan: %q", s)
	}
}

// TestRequestsForMatchesApply: the per-change counts are what apply
// really sends, checked against the emulator on a plan with every kind of
// provisioning change.
func TestRequestsForMatchesApply(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte(config))
	if err != nil {
		t.Fatal(err)
	}
	emu, c := setup(t, "")
	p, live := plan(t, c, cfg)
	emu.ResetStats()
	rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{})
	if rep.Failed() {
		t.Fatalf("apply failed: %+v", rep.Entries)
	}
	want := apply.EstimatePlan(p, apply.EstimateOptions{}).Requests
	if got := len(emu.Log()); got != want {
		t.Errorf("apply sent %d requests, EstimatePlan counts %d", got, want)
	}
}

func TestEstimateOptionsFrom(t *testing.T) {
	f := bench.Serve(t, emulator.GenerateOptions{Users: 5}, emulator.Options{RateLimit: 1000})
	if o := apply.EstimateOptionsFrom(f.Client, 4, time.Now()); o.Latency != 0 || o.Remaining != -1 || o.Parallelism != 4 {
		t.Errorf("before any request: %+v, want no latency and an unknown quota", o)
	}
	if _, err := state.Read(t.Context(), state.FromClient(f.Client), state.Options{}); err != nil {
		t.Fatal(err)
	}
	o := apply.EstimateOptionsFrom(f.Client, 4, time.Now())
	if o.Latency <= 0 || o.Remaining < 0 || o.Remaining > 1000 {
		t.Errorf("after a read: %+v, want the mean latency and the quota left", o)
	}
}

// TestEstimateLearnsTheRate: after a read against a server limiting to
// 20 requests a second, the estimate paces a large plan at about that
// rate. (Issue 18: 2,204 requests at 20/s were estimated at 12 s and took
// 110 s.)
func TestEstimateLearnsTheRate(t *testing.T) {
	f := bench.Serve(t, emulator.GenerateOptions{Users: 450, Environments: 3, Seed: 1}, emulator.Options{RateLimit: 20})
	if _, err := state.Read(t.Context(), state.FromClient(f.Client), state.Options{Parallelism: 4}); err != nil {
		t.Fatal(err)
	}
	o := apply.EstimateOptionsFrom(f.Client, 10, time.Now())
	if o.RatePerSecond < 10 || o.RatePerSecond > 40 {
		t.Fatalf("learned rate %.1f/s, want about 20/s: %+v", o.RatePerSecond, o)
	}
	p := &planner.Plan{}
	for i := range 2204 {
		email := fmt.Sprintf("u%d@acme.test", i)
		p.Changes = append(p.Changes, planner.Change{Action: planner.Update, Ref: planner.Ref{Kind: spec.KindUser, Name: email},
			Before: planner.UserValue{Email: email}, After: planner.UserValue{Email: email, Name: "x"}})
	}
	e := apply.EstimatePlan(p, o)
	if e.Bound != apply.BoundRateLimit || e.Duration < 50*time.Second || e.Duration > 220*time.Second {
		t.Errorf("estimate %s, want about 110s bound by the rate limit", e)
	}
}
