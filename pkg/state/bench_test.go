package state_test

// Benchmarks of reading a large account (issue 9). `make bench` runs them
// and writes BENCHMARKS.md from their metrics (internal/bench/cmd/benchreport):
//
//	go test -run '^$' -bench 'Read' -benchtime 1x ./pkg/state/
//
// Request counts are deterministic; times are not, so they are measured
// here and never asserted in tests.

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/state"
)

// benchParallelism is the CLI's default --parallelism.
const benchParallelism = 10

// readOptions read everything: the plan of an account whose configuration
// manages every kind.
var readOptions = state.Options{Parallelism: benchParallelism, Permissions: true}

// benchLatency is the round trip the wall-time benchmarks give every
// request: a remote service.
const benchLatency = 50 * time.Millisecond

func isProvisioning(op string) bool { return !bench.IsPermissionsHalf(op) }

// BenchmarkReadRequests counts the requests of a full read of the large
// account against the fewest the API allows.
func BenchmarkReadRequests(b *testing.B) {
	f := bench.Serve(b, bench.Large, emulator.Options{})
	least := bench.MinimumRead(f.Seed, true)
	var counts bench.Counts
	for b.Loop() {
		f.Emu.ResetStats()
		if _, err := state.Read(b.Context(), state.FromClient(f.Client), readOptions); err != nil {
			b.Fatal(err)
		}
		counts = bench.CountsOf(f.Emu)
	}
	prov, perm := counts.Total(isProvisioning), counts.Total(bench.IsPermissionsHalf)
	minProv, minPerm := least.Total(bench.Provisioning), least.Total(bench.Permissions)
	b.ReportMetric(float64(prov+perm), "requests")
	b.ReportMetric(float64(prov), "prov-requests")
	b.ReportMetric(float64(minProv), "prov-min")
	b.ReportMetric(float64(perm), "perm-requests")
	b.ReportMetric(float64(minPerm), "perm-min")
	minRead := minProv
	if perm > 0 {
		minRead += minPerm
	}
	b.ReportMetric(float64(minRead), "min-requests")
	b.ReportMetric(float64(prov+perm)/float64(minRead), "x-min")
	b.Logf("requests by operation: %v", counts)
	for _, p := range least.Parts {
		b.Logf("minimum %-20s %5d requests, chain %3d: %s", p.Name, p.Requests, p.Chain, p.How)
	}
}

// naiveOnce measures the naive sequential reader once per process: it
// takes about half a minute.
var naiveOnce = sync.OnceValues(func() (naiveResult, error) {
	return measureNaive()
})

type naiveResult struct {
	requests int
	elapsed  time.Duration
}

// BenchmarkReadWallTime reads the large account at 50 ms a request with
// the CLI's parallelism, and compares with the ideal and with the naive
// sequential reader measured on a ten times smaller account and
// extrapolated.
func BenchmarkReadWallTime(b *testing.B) {
	f := bench.Serve(b, bench.Large, emulator.Options{Latency: benchLatency})
	least := bench.MinimumRead(f.Seed, true)
	var counts bench.Counts
	var elapsed time.Duration
	for b.Loop() {
		f.Emu.ResetStats()
		start := time.Now()
		if _, err := state.Read(b.Context(), state.FromClient(f.Client), readOptions); err != nil {
			b.Fatal(err)
		}
		elapsed = time.Since(start)
		counts = bench.CountsOf(f.Emu)
	}
	// The ideal covers the parts the read reads: provisioning, and the
	// permissions once Read reads them.
	withPerms := counts.Total(bench.IsPermissionsOp) > 0
	keep := bench.Provisioning
	if withPerms {
		keep = nil
	}
	minReq, chain := least.Total(keep), least.Chain(keep)
	ideal := max(time.Duration(minReq)*benchLatency/benchParallelism, time.Duration(chain)*benchLatency)
	b.ReportMetric(float64(elapsed.Milliseconds()), "ms")
	b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
	b.ReportMetric(elapsed.Seconds()/ideal.Seconds(), "x-ideal")
	b.ReportMetric(float64(minReq), "min-requests")
	b.ReportMetric(float64(chain), "chain")

	// The same read without the permissions half (a configuration with
	// permissions: false): its own ideal, for the report.
	start := time.Now()
	if _, err := state.Read(b.Context(), state.FromClient(f.Client), state.Options{Parallelism: benchParallelism}); err != nil {
		b.Fatal(err)
	}
	provElapsed := time.Since(start)
	provIdeal := max(time.Duration(least.Total(bench.Provisioning))*benchLatency/benchParallelism, time.Duration(least.Chain(bench.Provisioning))*benchLatency)
	b.ReportMetric(float64(provElapsed.Milliseconds()), "prov-ms")
	b.ReportMetric(float64(provIdeal.Milliseconds()), "prov-ideal-ms")
	b.ReportMetric(float64(least.Chain(bench.Provisioning)), "prov-chain")

	naive, err := naiveOnce()
	if err != nil {
		b.Fatal(err)
	}
	small, err := emulator.Generate(bench.Small)
	if err != nil {
		b.Fatal(err)
	}
	if want := bench.NaiveRequests(small, true, withPerms); naive.requests != want {
		b.Fatalf("naive reader sent %d requests, NaiveRequests predicts %d", naive.requests, want)
	}
	perRequest := naive.elapsed / time.Duration(naive.requests)
	large := bench.NaiveRequests(f.Seed, true, withPerms)
	extrapolated := perRequest * time.Duration(large)
	b.ReportMetric(float64(naive.elapsed.Milliseconds()), "naive-small-ms")
	b.ReportMetric(float64(naive.requests), "naive-small-requests")
	b.ReportMetric(float64(large), "naive-requests")
	b.ReportMetric(float64(extrapolated.Milliseconds()), "naive-ms")
	b.ReportMetric(extrapolated.Seconds()/elapsed.Seconds(), "x-faster-than-naive")
}

// measureNaive runs the naive reader on the small account at 50 ms a
// request. It reads the permissions too only if Read does.
func measureNaive() (naiveResult, error) {
	var r naiveResult
	f, err := bench.Start(bench.Small, emulator.Options{Latency: benchLatency})
	if err != nil {
		return r, err
	}
	defer f.Close()
	if _, err := state.Read(context.Background(), state.FromClient(f.Client), readOptions); err != nil {
		return r, err
	}
	withPerms := bench.CountsOf(f.Emu).Total(bench.IsPermissionsOp) > 0
	f.Emu.ResetStats()
	start := time.Now()
	n, err := bench.Naive(context.Background(), f.Client, withPerms)
	r.elapsed, r.requests = time.Since(start), n
	return r, err
}
