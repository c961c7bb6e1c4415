package planner

import (
	"fmt"
	"testing"

	"github.com/cldsync/cldsync/internal/plantest"
)

var largeInputs = plantest.LargeInputs

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
