// Command benchreport turns the output of cldsync's benchmarks (`go test
// -bench`, see the Makefile's bench target) into BENCHMARKS.md: each
// figure next to its target, the naive baseline and the ratio.
//
//	go run ./internal/bench/cmd/benchreport -o BENCHMARKS.md bench.txt...
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/cldsync/cldsync/internal/bench"
)

func main() {
	out := flag.String("o", "BENCHMARKS.md", "file to write")
	flag.Parse()
	if err := run(*out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(out string, inputs []string) error {
	if len(inputs) == 0 {
		return errors.New("no benchmark output given")
	}
	var all bytes.Buffer
	for _, in := range inputs {
		b, err := os.ReadFile(in)
		if err != nil {
			return err
		}
		all.Write(b)
		all.WriteByte('\n')
	}
	rs, err := bench.ParseResults(&all)
	if err != nil {
		return err
	}
	var md bytes.Buffer
	if err := render(&md, rs, time.Now().UTC()); err != nil {
		return err
	}
	return os.WriteFile(out, md.Bytes(), 0o644)
}

// verdict says whether a figure meets its target.
func verdict(ok bool) string {
	if ok {
		return "meets"
	}
	return "**misses**"
}

func render(w io.Writer, rs bench.Results, now time.Time) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("# Benchmarks\n\n")
	p("Written by `make bench` on %s, on one machine in one run: %s, %s/%s, %s.\n",
		now.Format("2006-01-02 15:04 MST"), orUnknown(rs.Env["cpu"]), orUnknown(rs.Env["goos"]), orUnknown(rs.Env["goarch"]), runtime.Version())
	p("Every figure runs against the in-process emulator (`pkg/emulator`). Request counts are\n")
	p("deterministic; times vary from run to run. Reproduce everything with `make bench`, or one\n")
	p("section with the command under it.\n\n")
	p("The large account is `cldsync emulator --generate %s` (plus the root user).\n\n", strings.TrimSuffix(bench.Large.String(), ",seed=1"))

	summary(w, rs)

	missing := 0
	if r, ok := rs.Get("BenchmarkReadRequests"); ok {
		m := r.Metrics
		p("## Requests of a full read (`plan`)\n\n")
		p("A full read of the large account (`state.Read`, every kind it reads) against the fewest\n")
		p("requests the API allows, computed from the emulator's page sizes (`bench.MinimumRead`:\n")
		p("users end only on an empty page; cursor lists at 20 a page).\n\n")
		p("| figure | cldsync | minimum | ratio | target | |\n|---|---:|---:|---:|---|---|\n")
		p("| provisioning requests | %.0f | %.0f | %.2f× | ≤ 1.1× the minimum | %s |\n", m["prov-requests"], m["prov-min"], ratio(m["prov-requests"], m["prov-min"]), verdict(m["prov-requests"] <= 1.1*m["prov-min"]))
		if m["perm-requests"] > 0 {
			p("| permissions requests | %.0f | %.0f | %.2f× | ≤ 1.1× the minimum | %s |\n", m["perm-requests"], m["perm-min"], ratio(m["perm-requests"], m["perm-min"]), verdict(m["perm-requests"] <= 1.1*m["perm-min"]))
		} else {
			p("| permissions requests | not read yet | %.0f | | ≤ 1.1× the minimum | pending (roles, policies, assignments) |\n", m["perm-min"])
		}
		p("| **total** | %.0f | %.0f | %.2f× | ≤ 1.1× | %s |\n\n", m["requests"], m["min-requests"], m["x-min"], verdict(m["x-min"] <= 1.1))
		if wt, ok := rs.Get("BenchmarkReadWallTime"); ok {
			p("The naive reader (one request per object, sequential) sends %.0f requests for the same\n", wt.Metrics["naive-requests"])
			p("account: %.1f× more.\n\n", ratio(wt.Metrics["naive-requests"], m["requests"]))
		}
		p("```sh\ngo test -run '^$' -bench ReadRequests -benchtime 1x -v ./pkg/state/   # -v logs the minimum part by part\n```\n\n")
	} else {
		missing++
	}

	if r, ok := rs.Get("BenchmarkReadWallTime"); ok {
		m := r.Metrics
		p("## Wall time of a full read at 50 ms a request\n\n")
		p("Parallelism 10 (the CLI default). The ideal is the larger of minimum requests × latency ÷\n")
		p("parallelism (%.0f × 50 ms ÷ 10) and the longest chain of requests that must follow one\n", m["min-requests"])
		p("another (%.0f pages × 50 ms). The naive baseline is measured in the same run on a 500-user\n", m["chain"])
		p("account (`%s`: %.0f requests in %s) and extrapolated per request to the large account's %.0f requests.\n\n",
			bench.Small.String(), m["naive-small-requests"], ms(m["naive-small-ms"]), m["naive-requests"])
		p("| figure | value | target | |\n|---|---:|---|---|\n")
		p("| cldsync | %s | | |\n", ms(m["ms"]))
		p("| ideal | %s | | |\n", ms(m["ideal-ms"]))
		p("| cldsync ÷ ideal | %.2f× | ≤ 1.5× | %s |\n", m["x-ideal"], verdict(m["x-ideal"] <= 1.5))
		p("| naive sequential (extrapolated) | %s | | |\n", ms(m["naive-ms"]))
		p("| naive ÷ cldsync | %.1f× | ≥ 10× | %s |\n\n", m["x-faster-than-naive"], verdict(m["x-faster-than-naive"] >= 10))
		p("Every request of the read shares one limiter of 10 slots; the permissions half starts as soon as\n")
		p("the environments are listed, alongside the users listing, and waiting requests are served\n")
		p("long chains first, then per-environment listings, then single requests, so the slots stay busy.\n")
		if rr, ok := rs.Get("BenchmarkReadRequests"); ok {
			p("What is left above the ideal is the emulator and the client, not waiting: at zero latency the\n")
			p("same read takes %s here (the emulator answers one request at a time, under one lock, and\n", (time.Duration(rr.Metrics["ns/op"])).Round(10*time.Millisecond))
			p("both ends encode and decode JSON on this machine's cores), plus the tail of the last requests.\n")
		}
		p("\n")
		if m["prov-ms"] > 0 {
			p("Not a target, for the record: the same read without the permissions half (`permissions: false`)\n")
			p("takes %s against an ideal of %s (%.0f requests × 50 ms ÷ 10), %.2f×. The users listing\n", ms(m["prov-ms"]), ms(m["prov-ideal-ms"]), m["prov-ideal-ms"]*10/50, ratio(m["prov-ms"], m["prov-ideal-ms"]))
			p("(%.0f numbered pages, read up to 10 at a time once the first is in) must end before the read\n", m["prov-chain"])
			p("knows whether per-environment listings or per-user reads need fewer requests, and there is\n")
			p("nothing else to read meanwhile; starting the per-environment listings speculatively would\n")
			p("save that time at the cost of requests, and request counts that depend on timing.\n\n")
		}
		p("```sh\ngo test -run '^$' -bench ReadWallTime -benchtime 1x ./pkg/state/\n```\n\n")
	} else {
		missing++
	}

	if r, ok := rs.Get("BenchmarkApplyRateLimited"); ok {
		m := r.Metrics
		p("## Apply of 1,000 creates against a rate limit of 20/s\n\n")
		p("`cldsync emulator --rate-limit 20/s --latency 50ms`; apply with parallelism 10 and the\n")
		p("client's shared, adaptive limiter (paces by `X-FeatureRateLimit-*`, pauses every worker on\n")
		p("`Retry-After`). A naive client with 10 workers and no limiter sends as fast as answers come\n")
		p("back (up to 200/s here) and lives on 429s.\n\n")
		p("| figure | value | target | |\n|---|---:|---|---|\n")
		p("| time | %.1f s | | |\n", m["s"])
		p("| throughput | %.1f creates/s (%.0f%% of the limit) | ≥ 90%% of the limit | %s |\n", m["creates/s"], m["pct-of-limit"], verdict(m["pct-of-limit"] >= 90))
		p("| answered 429/420 | %.0f of %.0f requests (%.2f%%) | < 1%% | %s |\n", m["rate-limited"], m["requests"], m["pct-rate-limited"], verdict(m["pct-rate-limited"] < 1))
		p("| time held by the client-side limiter | %.1f s (summed over workers) | | |\n", m["throttled-s"])
		p("| `apply.EstimatePlan` for this plan, told the 20/s limit | %.0f requests, %.1f s | | |\n\n", m["estimate-requests"], m["estimate-s"])
		p("```sh\ngo test -run '^$' -bench ApplyRateLimited -benchtime 1x ./pkg/apply/\n```\n\n")
	} else {
		missing++
	}

	plans := withPrefix(rs, "BenchmarkPlanLarge/")
	if len(plans) > 0 {
		p("## Planning CPU and memory\n\n")
		p("`planner.Diff` on one core (`-cpu 1`), with drift of every sort (see `pkg/planner/bench_test.go`).\n")
		p("Target for 100,000 users / 10,000 groups / 100,000 memberships: under 1 s and 500 MB, linear growth.\n\n")
		planTable(w, plans, "BenchmarkPlanLarge/")
		last := plans[len(plans)-1].Metrics
		p("\nLargest size: %s against 1 s (%s), %.0f MB allocated against 500 MB (%s).\n\n",
			time.Duration(last["ns/op"]).Round(time.Millisecond), verdict(last["ns/op"] < 1e9), last["B/op"]/1e6, verdict(last["B/op"] < 500e6))
		if perms := withPrefix(rs, "BenchmarkPlanPermissions/"); len(perms) > 0 {
			p("The same for a plan of the permissions-heavy shape of the 50k account (users, groups,\n")
			p("environments, roles, policies and assignments at a hundredth, a tenth and the whole of\n")
			p("50k/1000/200/400/1000/50k), with changes and access changes: not a target, for the record.\n\n")
			planTable(w, perms, "BenchmarkPlanPermissions/")
			p("\n")
		}
		p("```sh\ngo test -run '^$' -bench 'Plan(Large|Permissions)' -benchmem -cpu 1 ./pkg/planner/\n```\n\n")
	} else {
		missing++
	}
	scaleSection(w, rs) // scale.go: rows a run could not measure are said so
	if missing > 0 {
		return fmt.Errorf("%d benchmark sections missing from the input", missing)
	}
	return nil
}

// withPrefix is the results whose names start with prefix, in run order.
func withPrefix(rs bench.Results, prefix string) []bench.Result {
	var out []bench.Result
	for _, r := range rs.Results {
		if strings.HasPrefix(r.Name, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// planTable is the rows of one planning benchmark, sizes growing tenfold.
func planTable(w io.Writer, plans []bench.Result, prefix string) {
	fmt.Fprintf(w, "| size | time | allocated | allocations | time ÷ previous size |\n|---|---:|---:|---:|---:|\n")
	var prev float64
	for _, r := range plans {
		grow := ""
		if prev > 0 {
			grow = fmt.Sprintf("%.1f× (10× is linear)", r.Metrics["ns/op"]/prev)
		}
		prev = r.Metrics["ns/op"]
		fmt.Fprintf(w, "| %s | %s | %.1f MB | %.0f | %s |\n", strings.TrimPrefix(r.Name, prefix),
			(time.Duration(r.Metrics["ns/op"])).Round(time.Millisecond), r.Metrics["B/op"]/1e6, r.Metrics["allocs/op"], grow)
	}
}

// summary is the table of every target: the figure, the target, the naive
// baseline where the issue defines one, the ratio and the verdict.
func summary(w io.Writer, rs bench.Results) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("## Summary\n\n")
	p("| target | cldsync | target | naive baseline | ratio | |\n|---|---:|---|---:|---|---|\n")
	rr, okR := rs.Get("BenchmarkReadRequests")
	wt, okW := rs.Get("BenchmarkReadWallTime")
	if okR {
		m := rr.Metrics
		naive, vsNaive := "", ""
		if okW {
			naive = fmt.Sprintf("%.0f requests", wt.Metrics["naive-requests"])
			vsNaive = fmt.Sprintf("; naive sends %.1f× more", ratio(wt.Metrics["naive-requests"], m["requests"]))
		}
		p("| requests of a full plan | %.0f | ≤ 1.1× the minimum (%.0f) | %s | %.2f× the minimum%s | %s |\n",
			m["requests"], m["min-requests"], naive, m["x-min"], vsNaive, verdict(m["x-min"] <= 1.1))
	}
	if okW {
		m := wt.Metrics
		p("| wall time of a full plan at 50 ms | %s | ≤ 1.5× the ideal (%s) | %s (extrapolated) | %.2f× the ideal | %s |\n",
			ms(m["ms"]), ms(m["ideal-ms"]), ms(m["naive-ms"]), m["x-ideal"], verdict(m["x-ideal"] <= 1.5))
		p("| … against the naive sequential read | %s | ≥ 10× faster than naive | %s (extrapolated) | %.1f× faster | %s |\n",
			ms(m["ms"]), ms(m["naive-ms"]), m["x-faster-than-naive"], verdict(m["x-faster-than-naive"] >= 10))
	}
	if r, ok := rs.Get("BenchmarkApplyRateLimited"); ok {
		m := r.Metrics
		p("| apply of 1,000 creates at 20/s: throughput | %.1f creates/s | ≥ 90%% of the limit | n/a¹ | %.0f%% of the limit | %s |\n",
			m["creates/s"], m["pct-of-limit"], verdict(m["pct-of-limit"] >= 90))
		p("| … answered 429/420 | %.0f of %.0f | < 1%% of requests | n/a¹ | %.2f%% | %s |\n",
			m["rate-limited"], m["requests"], m["pct-rate-limited"], verdict(m["pct-rate-limited"] < 1))
	}
	var last *bench.Result
	for _, r := range rs.Results {
		if strings.HasPrefix(r.Name, "BenchmarkPlanLarge/") {
			last = &r
		}
	}
	if last != nil {
		m := last.Metrics
		p("| planning CPU, %s | %s | < 1 s on one core | n/a² | %.2f× the budget | %s |\n", strings.TrimPrefix(last.Name, "BenchmarkPlanLarge/"),
			time.Duration(m["ns/op"]).Round(time.Millisecond), m["ns/op"]/1e9, verdict(m["ns/op"] < 1e9))
		p("| planning memory, same | %.0f MB | < 500 MB | n/a² | %.2f× the budget | %s |\n", m["B/op"]/1e6, m["B/op"]/500e6, verdict(m["B/op"] < 500e6))
	}
	scaleSummary(w, rs) // scale.go
	p("\n¹ The naive client of the issue is sequential: at 50 ms a request it sends 20 a second, the\n")
	p("limit itself, so it is no baseline for pacing; the section below says what a parallel client\n")
	p("without the shared limiter does. ² The naive baseline is about requests; planning sends none.\n")
	p("³ Not a target, for the record: the same binary's plan of the same account served without\n")
	p("latency, in the same run. It does the same work; the difference is what sleeping and waking\n")
	p("for ~30,000 answers spread over minutes costs on this machine (system time and context switches).\n")
	httpFloor(w, rs) // scale.go
	p("`plan --verbose` prints the requests and the wait on rate limits, and `apply` prints its estimate\n")
	p("before asking for confirmation; both are pinned by testscripts (`testdata/script/verbose_plan.txtar`,\n")
	p("`testdata/script/estimate_apply.txtar`), and `pkg/state`'s `TestReadRequestCount` pins the\n")
	p("request count of a read of a fixed account.\n\n")
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ms(v float64) string {
	return (time.Duration(v) * time.Millisecond).Round(10 * time.Millisecond).String()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
