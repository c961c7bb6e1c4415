package bench_test

// BenchmarkScale: the plan of a large account's own export, by the CLI in
// a process of its own, against `cldsync emulator` in another, at 50 ms a
// request (issue 18). `make bench` builds the binary and runs it:
//
//	CLDSYNC_BIN=$PWD/bin/cldsync go test -run '^$' -bench Scale -benchtime 1x -timeout 60m ./internal/bench/
//
// Without CLDSYNC_BIN it is skipped.

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/emulator"
)

const (
	scaleLatency     = 50 * time.Millisecond
	scaleParallelism = 10 // the CLI's default
)

func BenchmarkScale(b *testing.B) {
	bin := os.Getenv("CLDSYNC_BIN")
	if bin == "" {
		b.Skip("CLDSYNC_BIN is not set: build cldsync and point it there (make bench does)")
	}
	rows := []struct {
		name    string
		o       emulator.GenerateOptions
		latency time.Duration
	}{
		{"users=5000", bench.Large, scaleLatency},
		{"users=20000", bench.Scale20k, scaleLatency},
		{"users=50000", bench.Scale50k, scaleLatency},
		// CPU and memory only: no latency.
		{"plan-users=100000", bench.Scale100k, 0},
	}
	for _, row := range rows {
		b.Run(row.name, func(b *testing.B) {
			for b.Loop() {
				scaleRow(b, bin, row.o, row.latency)
			}
		})
	}
}

// scaleRuns is how many times a latency row plans: the CLI's CPU over a
// read of minutes varies by up to a quarter from run to run on a shared
// 2-vCPU machine (9.6 s to 12.8 s for the same binary and account), so a
// row reports the median of three, and the lowest and highest beside it.
const scaleRuns = 3

func scaleRow(b *testing.B, bin string, o emulator.GenerateOptions, latency time.Duration) {
	ctx := context.Background()
	runs := 1
	if latency > 0 {
		runs = scaleRuns
	}
	// Export from an emulator without latency: the export is not measured.
	dir := filepath.Join(b.TempDir(), "cfg")
	src, err := bench.StartEmulator(ctx, bin, o, 0)
	if err != nil {
		b.Fatal(err)
	}
	_, err = bench.RunCLI(ctx, bin, src.Env(), "export", "--out", dir)
	if err != nil {
		src.Stop()
		b.Fatal(err)
	}
	// The same plan without latency: the CLI's own work, apart from what
	// sleeping and waking for each answer costs over a long read.
	var quick []time.Duration
	for i := 0; latency > 0 && i < runs; i++ {
		r, err := bench.RunCLI(ctx, bin, src.Env(), "plan", "-v", dir)
		if err != nil {
			src.Stop()
			b.Fatal(err)
		}
		quick = append(quick, r.CPU)
	}
	src.Stop()
	emu, err := bench.StartEmulator(ctx, bin, o, latency)
	if err != nil {
		b.Fatal(err)
	}
	defer emu.Stop()
	var (
		cpu, wall, emuCPU []time.Duration
		maxRSS            int64
		requests          int
		run               bench.CLIRun
	)
	for i := range runs {
		before, err := emu.CPU()
		if err != nil {
			b.Fatal(err)
		}
		run, err = bench.RunCLI(ctx, bin, emu.Env(), "plan", "-v", dir)
		if err != nil {
			b.Fatal(err)
		}
		after, err := emu.CPU()
		if err != nil {
			b.Fatal(err)
		}
		n, ok := bench.ReadRequests(run.Stderr)
		if !ok {
			b.Fatalf("plan -v said nothing of its requests:\n%s", run.Stderr)
		}
		if i > 0 && n != requests {
			b.Fatalf("run %d sent %d requests, run 1 %d: the read is not deterministic", i+1, n, requests)
		}
		requests = n
		cpu, wall, emuCPU = append(cpu, run.CPU), append(wall, run.Wall), append(emuCPU, after-before)
		maxRSS = max(maxRSS, run.MaxRSS)
	}
	seed, err := emulator.Generate(o)
	if err != nil {
		b.Fatal(err)
	}
	least := bench.MinimumRead(seed, true).WithManagedKeys(o.Environments)
	minReq, chain := least.Total(nil), least.Chain(nil)
	b.ReportMetric(float64(requests), "requests")
	b.ReportMetric(float64(minReq), "min-requests")
	b.ReportMetric(float64(requests)/float64(minReq), "x-min")
	b.ReportMetric(float64(median(cpu).Milliseconds()), "cli-cpu-ms")
	if runs > 1 {
		b.ReportMetric(float64(runs), "runs")
		b.ReportMetric(float64(slices.Min(cpu).Milliseconds()), "cli-cpu-min-ms")
		b.ReportMetric(float64(slices.Max(cpu).Milliseconds()), "cli-cpu-max-ms")
	}
	b.ReportMetric(float64(median(emuCPU).Milliseconds()), "emu-cpu-ms")
	b.ReportMetric(float64(maxRSS)/(1<<20), "cli-maxrss-MB")
	w := median(wall)
	b.ReportMetric(float64(w.Milliseconds()), "wall-ms")
	if latency > 0 {
		ideal := max(time.Duration(minReq)*latency/scaleParallelism, time.Duration(chain)*latency)
		b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
		b.ReportMetric(w.Seconds()/ideal.Seconds(), "x-ideal")
		b.ReportMetric(float64(median(quick).Milliseconds()), "cli-cpu-nolatency-ms")
	}
	for _, p := range least.Parts {
		b.Logf("minimum %-20s %6d requests, chain %4d: %s", p.Name, p.Requests, p.Chain, p.How)
	}
	b.Logf("CLI CPU of each run: %v; without latency: %v", cpu, quick)
	b.Logf("plan -v:\n%s", lastLines(run.Stderr, 4))
}

// median is the middle of ds (the lower middle of an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// lastLines is the end of s: plan -v's summary and strategy lines.
func lastLines(s string, n int) string {
	lines := []string{}
	for _, l := range splitLines(s) {
		if len(l) > 0 && l[0] != 'W' { // not the Warning: lines
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
