package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/emulator"
)

// scaleRow is one row of BenchmarkScale (internal/bench/scale_test.go) and
// what issue 18 measured for the same account before.
type scaleRow struct {
	name   string // sub-benchmark
	o      emulator.GenerateOptions
	before string // requests, wall, CLI CPU before issue 18
}

var scaleRows = []scaleRow{
	{"BenchmarkScale/users=5000", bench.Large, "2,073 requests, 15 s, 5 s CPU"},
	{"BenchmarkScale/users=20000", bench.Scale20k, "22,850 requests, 150–168 s, 30 s CPU"},
	{"BenchmarkScale/users=50000", bench.Scale50k, "72,458 requests, 696 s, 150 s CPU"},
	{"BenchmarkScale/plan-users=100000", bench.Scale100k, "~24 s CPU, 810 MB"},
}

// Issue 18's targets.
const (
	scale20kMaxRequests = 9000
	scale50kMaxRequests = 72458 / 2
	scale50kMaxXIdeal   = 1.3
	scale50kMaxCPUms    = 10000
	plan100kMaxMB       = 500
	plan100kMaxCPUms    = 8000
)

func accountName(o emulator.GenerateOptions) string {
	return fmt.Sprintf("%dk/%d/%d/%d/%d/%dk", o.Users/1000, o.Groups, o.Environments, o.Roles, o.Policies, o.Assignments/1000)
}

// scaleSummary adds the rows of issue 18's targets to the summary table.
func scaleSummary(w io.Writer, rs bench.Results) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	for _, row := range scaleRows[:3] {
		r, ok := rs.Get(row.name)
		if !ok {
			continue
		}
		m := r.Metrics
		p("| requests of a plan, %s | %.0f | ≤ 1.1× the minimum (%.0f) | %s | %.2f× the minimum | %s |\n",
			accountName(row.o), m["requests"], m["min-requests"], row.before, m["x-min"], verdict(m["x-min"] <= 1.1))
	}
	if r, ok := rs.Get(scaleRows[1].name); ok {
		m := r.Metrics
		p("| requests of a plan, %s | %.0f | < %d | 22,850 requests | %.2f× the target | %s |\n",
			accountName(scaleRows[1].o), m["requests"], scale20kMaxRequests, m["requests"]/scale20kMaxRequests, verdict(m["requests"] < scale20kMaxRequests))
	}
	if r, ok := rs.Get(scaleRows[2].name); ok {
		m := r.Metrics
		p("| requests of a plan, %s | %.0f | < half of 72,458 | 72,458 requests | %.2f× the target | %s |\n",
			accountName(scaleRows[2].o), m["requests"], m["requests"]/scale50kMaxRequests, verdict(m["requests"] < scale50kMaxRequests))
		p("| wall time of that plan at 50 ms | %s | ≤ 1.3× the ideal (%s) | 696 s | %.2f× the ideal | %s |\n",
			ms(m["wall-ms"]), ms(m["ideal-ms"]), m["x-ideal"], verdict(m["x-ideal"] <= scale50kMaxXIdeal))
		p("| CLI CPU of that plan | %s | < 10 s | 150 s | %.2f× the budget | %s |\n",
			cliCPU(m), m["cli-cpu-ms"]/scale50kMaxCPUms, verdict(m["cli-cpu-ms"] < scale50kMaxCPUms))
		if m["cli-cpu-nolatency-ms"] > 0 {
			p("| … the same plan without latency³ | %s | < 10 s | | %.2f× the budget | %s |\n",
				ms(m["cli-cpu-nolatency-ms"]), m["cli-cpu-nolatency-ms"]/scale50kMaxCPUms, verdict(m["cli-cpu-nolatency-ms"] < scale50kMaxCPUms))
		}
	}
	if r, ok := rs.Get(scaleRows[3].name); ok {
		m := r.Metrics
		p("| CLI CPU of a plan, %s | %s | < 8 s | ~24 s | %.2f× the budget | %s |\n",
			accountName(scaleRows[3].o), ms(m["cli-cpu-ms"]), m["cli-cpu-ms"]/plan100kMaxCPUms, verdict(m["cli-cpu-ms"] < plan100kMaxCPUms))
		p("| … its peak memory | %.0f MB | < 500 MB | 810 MB | %.2f× the budget | %s |\n",
			m["cli-maxrss-MB"], m["cli-maxrss-MB"]/plan100kMaxMB, verdict(m["cli-maxrss-MB"] < plan100kMaxMB))
	}
}

// scaleSection is the section of BenchmarkScale's rows.
func scaleSection(w io.Writer, rs bench.Results) bool {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	found := false
	for _, row := range scaleRows {
		if _, ok := rs.Get(row.name); ok {
			found = true
		}
	}
	if !found {
		return false
	}
	p("## Large accounts: the CLI against an emulator process\n\n")
	p("`cldsync plan -v` of each account's own export (`cldsync export --out`, split into files under\n")
	p("2 MiB), run as its own process against `cldsync emulator --generate … --latency 50ms` in another,\n")
	p("parallelism 10 (the default). CPU is each process's user + system time; the emulator's covers the\n")
	p("plan only. The minimum is `bench.MinimumRead` with every environment's access keys read (an\n")
	p("export manages them): for each part the cheaper of the strategies the API allows (environment\n")
	p("access per user or per environment; role assignments per role or per scope), pages counted with the\n")
	p("emulator's page sizes. The ideal is max(minimum × 50 ms ÷ 10, longest chain × 50 ms). The last\n")
	p("row runs without latency: it measures the CLI's CPU and memory only. CPU per 1k objects divides\n")
	p("the CLI's CPU by the account's objects (users, groups, environments, roles, policies and\n")
	p("assignments, in thousands): a cost linear in the account keeps it flat from row to row. Per\n")
	p("request, it divides the CLI's CPU by the requests the read sent: the per-environment user listings\n")
	p("grow with users × environments, faster than the objects, and are the fewest requests the API allows\n")
	p("(the minimum column). CLI CPU\n")
	p("without latency is the same plan, same binary, against the same account served without latency,\n")
	p("in the same run. The rows with latency plan %d times each, against the same emulator process:\n", scaleRunsShown)
	p("their CPU, wall time and emulator CPU are each the median of the runs (the CLI's CPU varies by\n")
	p("up to a quarter from run to run on this shared machine), with the lowest and highest CPU beside\n")
	p("it; peak memory is the highest.\n\n")
	p("| account (users/groups/envs/roles/policies/assignments) | requests | minimum | ÷ min | wall | ideal | ÷ ideal | CLI CPU | CPU per 1k objects | CPU per request | CLI CPU without latency | emulator CPU | CLI peak memory | before issue 18 |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, row := range scaleRows {
		r, ok := rs.Get(row.name)
		if !ok {
			p("| %s | not measured in this run ||||||||||||\n", accountName(row.o))
			continue
		}
		m := r.Metrics
		ideal, xIdeal, quick := "", "", ""
		if m["ideal-ms"] > 0 {
			ideal, xIdeal = ms(m["ideal-ms"]), fmt.Sprintf("%.2f×", m["x-ideal"])
		}
		if m["cli-cpu-nolatency-ms"] > 0 {
			quick = ms(m["cli-cpu-nolatency-ms"])
		}
		p("| %s | %.0f | %.0f | %.2f× | %s | %s | %s | %s | %s | %.2f ms | %s | %s | %.0f MB | %s |\n", accountName(row.o),
			m["requests"], m["min-requests"], m["x-min"], ms(m["wall-ms"]), ideal, xIdeal,
			cliCPU(m), ms(m["cli-cpu-ms"]/objectsK(row.o)), m["cli-cpu-ms"]/m["requests"], quick, ms(m["emu-cpu-ms"]), m["cli-maxrss-MB"], row.before)
	}
	p("\nThe accounts: %s.\n\n", strings.Join(generateArgs(), "; "))
	p("```sh\nmake build && CLDSYNC_BIN=$PWD/bin/cldsync go test -run '^$' -bench 'Scale/users=20000$' -benchtime 1x -v ./internal/bench/\n```\n\n")
	return true
}

// scaleRunsShown is how many plans a latency row runs (scaleRuns in
// internal/bench/scale_test.go).
const scaleRunsShown = 3

// cliCPU is a row's CLI CPU: the median, and the range when the row ran
// more than once.
func cliCPU(m map[string]float64) string {
	if m["runs"] > 1 {
		return fmt.Sprintf("%s (median of %.0f: %s–%s)", ms(m["cli-cpu-ms"]), m["runs"], ms(m["cli-cpu-min-ms"]), ms(m["cli-cpu-max-ms"]))
	}
	return ms(m["cli-cpu-ms"])
}

// objectsK is how many thousand objects o generates.
func objectsK(o emulator.GenerateOptions) float64 {
	return float64(o.Users+o.Groups+o.Environments+o.Roles+o.Policies+o.Assignments) / 1000
}

func generateArgs() []string {
	var out []string
	for _, row := range scaleRows {
		out = append(out, "`--generate "+bench.GenerateArg(row.o)+"`")
	}
	return out
}

// httpFloor says what a bare net/http client spends per request on the
// same pages (BenchmarkHTTPFloor), on the process's Ps and on one, as the
// CLI reads, and what the 50k plan's requests cost at the one-P rate
// before any work.
func httpFloor(w io.Writer, rs bench.Results) {
	quick, ok0 := rs.Get("BenchmarkHTTPFloor/latency=0")
	slow, ok50 := rs.Get("BenchmarkHTTPFloor/latency=50ms")
	if !ok0 || !ok50 {
		return
	}
	q, s := quick.Metrics["cpu-us/request"], slow.Metrics["cpu-us/request"]
	fmt.Fprintf(w, "A bare net/http client, its transport set up as cldsync's, reading the 50k account's users pages\n(%.0f kB), ten at a time, spends ", slow.Metrics["kB/request"])
	fmt.Fprintf(w, "%.0f µs of CPU a request without latency and %.0f µs at 50 ms (`BenchmarkHTTPFloor`)", q, s)
	quick1, ok01 := rs.Get("BenchmarkHTTPFloor/latency=0,procs=1")
	slow1, ok501 := rs.Get("BenchmarkHTTPFloor/latency=50ms,procs=1")
	if ok01 && ok501 {
		s = slow1.Metrics["cpu-us/request"]
		fmt.Fprintf(w, "; on one P, as the\nCLI reads, %.0f µs and %.0f µs", quick1.Metrics["cpu-us/request"], s)
	}
	if r, ok := rs.Get(scaleRows[2].name); ok {
		fmt.Fprintf(w, ": at 50 ms the 50k\nplan's %.0f requests cost about %s of CPU before the CLI does anything with the answers", r.Metrics["requests"], ms(r.Metrics["requests"]*s/1000))
	}
	fmt.Fprintf(w, ".\n")
}
