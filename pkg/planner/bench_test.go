package planner

import (
	"fmt"
	"testing"
	"time"

	"github.com/cldsync/cldsync/internal/plantest"
)

var largeInputs = plantest.LargeInputs

// reportCPU reports the process's CPU time per op since start, which
// depends less than ns/op on what else the machine runs: other processes
// take turns on the cores, not CPU time from this one.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((processCPU()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkPlanLarge diffs 100,000 users, 10,000 groups and 100,000
// memberships. Compare with the smaller sizes to check that the planner
// stays linear: ns/op should grow about 10x per 10x of input.
func BenchmarkPlanLarge(b *testing.B) {
	for _, size := range []struct{ users, groups, members int }{
		{1_000, 100, 10},
		{10_000, 1_000, 10},
		{100_000, 10_000, 10},
	} {
		desired, live := largeInputs(size.users, size.groups, size.members)
		b.Run(fmt.Sprintf("users=%d", size.users), func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b, processCPU())
			for b.Loop() {
				p, err := Diff(desired, live, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Changes) == 0 {
					b.Fatal("Diff planned no changes, want some")
				}
			}
		})
	}
}

// BenchmarkPlanPermissions diffs accounts of the shape of issue 18's 50k
// account (users, groups, environments, roles, policies, assignments:
// 50k, 1000, 200, 400, 1000, 50k) and of a tenth and a hundredth of it,
// heavy in the permissions half, with the access diff: ns/op should grow
// about 10x per 10x of input. Deletes are allowed, so that the guards
// refuse nothing.
func BenchmarkPlanPermissions(b *testing.B) {
	for _, div := range []int{100, 10, 1} {
		size := plantest.PermissionsSize{Users: 50_000 / div, Groups: 1000 / div, Environments: 200 / div,
			Roles: 400 / div, Policies: 1000 / div, Assignments: 50_000 / div}
		desired, live := plantest.LargePermissions(size)
		b.Run(fmt.Sprintf("assignments=%d", size.Assignments), func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b, processCPU())
			for b.Loop() {
				p, err := Diff(desired, live, Options{AllowDeletes: true})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Changes) == 0 || len(p.Access) == 0 || len(p.Errors) != 0 {
					b.Fatalf("Diff planned %d changes, %d access changes, %d errors; want changes, access changes and no errors",
						len(p.Changes), len(p.Access), len(p.Errors))
				}
			}
		})
	}
}
