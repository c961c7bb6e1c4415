package apply_test

// BenchmarkApplyRateLimited applies 1,000 user creates against an emulator
// that accepts 20 requests a second (50 ms a request), with the CLI's
// parallelism and the client's adaptive limiter, as the CLI uses it. It takes about
// 50 s, so it runs only in `make bench`:
//
//	go test -run '^$' -bench ApplyRateLimited -benchtime 1x ./pkg/apply/

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

const (
	benchCreates   = 1000
	benchRateLimit = 20.0
)

func BenchmarkApplyRateLimited(b *testing.B) {
	var y strings.Builder
	y.WriteString("version: 1\nusers:\n")
	for i := range benchCreates {
		fmt.Fprintf(&y, "  - {email: new-%04d@scale.example.com, name: New %d, role: media_library_user}\n", i, i)
	}
	cfg, err := spec.Parse("bench.yaml", []byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		f := bench.Serve(b, emulator.GenerateOptions{}, emulator.Options{RateLimit: benchRateLimit, Latency: 50 * time.Millisecond},
			client.WithAdaptiveRateLimit())
		live, err := state.Read(b.Context(), state.FromClient(f.Client), state.Options{})
		if err != nil {
			b.Fatal(err)
		}
		p, err := planner.Diff(cfg, live, planner.Options{})
		if err != nil {
			b.Fatal(err)
		}
		est := apply.EstimatePlan(p, apply.EstimateOptions{Latency: 50 * time.Millisecond, Parallelism: 10, RatePerSecond: benchRateLimit})
		// Let the server's bucket refill after the read, as after a
		// human's confirmation, and count only the apply.
		time.Sleep(time.Second)
		f.Emu.ResetStats()
		before := f.Client.Stats()
		b.StartTimer()
		start := time.Now()
		rep := apply.Apply(b.Context(), apply.FromClient(f.Client), p, live, apply.Options{Parallelism: 10})
		elapsed := time.Since(start)
		b.StopTimer()
		if n := rep.Count(apply.Applied); n != benchCreates {
			b.Fatalf("applied %d changes, want %d", n, benchCreates)
		}
		var total, limited int
		for _, s := range f.Emu.Stats() {
			total += s.Requests
			limited += s.ByStatus[429] + s.ByStatus[420]
		}
		after := f.Client.Stats()
		rate := float64(benchCreates) / elapsed.Seconds()
		b.ReportMetric(elapsed.Seconds(), "s")
		b.ReportMetric(rate, "creates/s")
		b.ReportMetric(100*rate/benchRateLimit, "pct-of-limit")
		b.ReportMetric(float64(total), "requests")
		b.ReportMetric(float64(limited), "rate-limited")
		b.ReportMetric(100*float64(limited)/float64(total), "pct-rate-limited")
		b.ReportMetric((after.Throttled - before.Throttled).Seconds(), "throttled-s")
		b.ReportMetric(est.Duration.Seconds(), "estimate-s")
		b.ReportMetric(float64(est.Requests), "estimate-requests")
		b.StartTimer()
	}
}
