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

func scaleRow(b *testing.B, bin string, o emulator.GenerateOptions, latency time.Duration) {
	ctx := context.Background()
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
	var quick bench.CLIRun
	if latency > 0 {
		quick, err = bench.RunCLI(ctx, bin, src.Env(), "plan", "-v", dir)
	}
	src.Stop()
	if err != nil {
		b.Fatal(err)
	}
	emu, err := bench.StartEmulator(ctx, bin, o, latency)
	if err != nil {
		b.Fatal(err)
	}
	defer emu.Stop()
	before, err := emu.CPU()
	if err != nil {
		b.Fatal(err)
	}
	run, err := bench.RunCLI(ctx, bin, emu.Env(), "plan", "-v", dir)
	if err != nil {
		b.Fatal(err)
	}
	after, err := emu.CPU()
	if err != nil {
		b.Fatal(err)
	}
	requests, ok := bench.ReadRequests(run.Stderr)
	if !ok {
		b.Fatalf("plan -v said nothing of its requests:\n%s", run.Stderr)
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
	b.ReportMetric(float64(run.CPU.Milliseconds()), "cli-cpu-ms")
	b.ReportMetric(float64((after - before).Milliseconds()), "emu-cpu-ms")
	b.ReportMetric(float64(run.MaxRSS)/(1<<20), "cli-maxrss-MB")
	b.ReportMetric(float64(run.Wall.Milliseconds()), "wall-ms")
	if latency > 0 {
		ideal := max(time.Duration(minReq)*latency/scaleParallelism, time.Duration(chain)*latency)
		b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
		b.ReportMetric(run.Wall.Seconds()/ideal.Seconds(), "x-ideal")
		b.ReportMetric(float64(quick.CPU.Milliseconds()), "cli-cpu-nolatency-ms")
	}
	for _, p := range least.Parts {
		b.Logf("minimum %-20s %6d requests, chain %4d: %s", p.Name, p.Requests, p.Chain, p.How)
	}
	b.Logf("plan -v:\n%s", lastLines(run.Stderr, 4))
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
