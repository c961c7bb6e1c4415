package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cldsync/cldsync/internal/bench"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/cldsync/cldsync/pkg/state
cpu: AMD EPYC
BenchmarkReadRequests-2   	       1	1661953060 ns/op	       813.0 min-requests	       387.0 perm-min	         0 perm-requests	       813.0 prov-min	       813.0 prov-requests	       813.0 requests	         1.000 x-min
--- BENCH: BenchmarkReadRequests-2
    bench_test.go:57: requests by operation: map[getProductEnvironments:1]
BenchmarkReadWallTime-2   	       1	7294150186 ns/op	        52.00 chain	      4065 ideal-ms	       813.0 min-requests	      7294 ms	    269433 naive-ms	      5304 naive-requests	     27126 naive-small-ms	       534.0 naive-small-requests	        36.94 x-faster-than-naive	         1.794 x-ideal	      6500 prov-ms	      4065 prov-ideal-ms	        52.00 prov-chain
PASS
BenchmarkApplyRateLimited-2   	       1	54491990778 ns/op	        18.35 creates/s	      1000 estimate-requests	        50.00 estimate-s	        91.76 pct-of-limit	         0 pct-rate-limited	         0 rate-limited	      1000 requests	        54.49 s	       490.3 throttled-s
BenchmarkPlanLarge/users=1000 	     100	   1000000 ns/op	  500000 B/op	    5000 allocs/op
BenchmarkPlanLarge/users=100000 	       2	 600000000 ns/op	400000000 B/op	  500000 allocs/op
BenchmarkPlanPermissions/assignments=5000 	      40	  30000000 ns/op	 15000000 B/op	  100000 allocs/op
BenchmarkPlanPermissions/assignments=50000 	       3	 390000000 ns/op	160000000 B/op	 1000000 allocs/op
ok  	github.com/cldsync/cldsync/pkg/planner	10.1s
`

func TestRender(t *testing.T) {
	rs, err := bench.ParseResults(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Results) != 7 || rs.Env["cpu"] != "AMD EPYC" {
		t.Fatalf("ParseResults = %+v", rs)
	}
	if r, _ := rs.Get("BenchmarkPlanLarge/users=1000"); r.Procs != 1 || r.N != 100 || r.Metrics["B/op"] != 500000 {
		t.Errorf("PlanLarge/users=1000 parsed as %+v", r)
	}
	var md bytes.Buffer
	if err := render(&md, rs, time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| provisioning requests | 813 | 813 | 1.00× | ≤ 1.1× the minimum | meets |",
		"| permissions requests | not read yet | 387 |",
		"| cldsync ÷ ideal | 1.79× | ≤ 1.5× | **misses** |",
		"| naive ÷ cldsync | 36.9× | ≥ 10× | meets |",
		"| throughput | 18.4 creates/s (92% of the limit) | ≥ 90% of the limit | meets |",
		"| answered 429/420 | 0 of 1000 requests (0.00%) | < 1% | meets |",
		"| users=100000 | 600ms | 400.0 MB | 500000 | 600.0× (10× is linear) |",
		"| assignments=50000 | 390ms | 160.0 MB | 1000000 | 13.0× (10× is linear) |",
		"go test -run '^$' -bench ApplyRateLimited -benchtime 1x ./pkg/apply/",
		"2026-01-02 03:04 UTC",
		"| wall time of a full plan at 50 ms | 7.29s | ≤ 1.5× the ideal (4.07s) | 4m29.43s (extrapolated) | 1.79× the ideal | **misses** |",
		"| apply of 1,000 creates at 20/s: throughput | 18.4 creates/s | ≥ 90% of the limit | n/a¹ | 92% of the limit | meets |",
		"| planning memory, same | 400 MB | < 500 MB | n/a² | 0.80× the budget | meets |",
		"takes 6.5s against an ideal of 4.07s (813 requests × 50 ms ÷ 10), 1.60×.",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, md.String())
		}
	}
	if err := render(&bytes.Buffer{}, bench.Results{}, time.Now()); err == nil {
		t.Error("render of no results returned no error")
	}
}
