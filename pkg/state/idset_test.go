package state

import (
	"fmt"
	"testing"
)

// TestIDSet: has is membership, for ids held and not, whether their bits
// are set by another id or not, in sets of every size up to the first
// bitset growths.
func TestIDSet(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 3, 4, 5, 100, 1000} {
		var ids []string
		for i := range n {
			ids = append(ids, fmt.Sprintf("%030x", i*7))
		}
		s := newIDSet(ids)
		held := map[string]bool{}
		for _, id := range ids {
			held[id] = true
		}
		for i := range 10 * (n + 10) {
			id := fmt.Sprintf("%030x", i)
			if got := s.has([]byte(id)); got != held[id] {
				t.Fatalf("set of %d: has(%s) = %t, want %t", n, id, got, held[id])
			}
		}
		for _, id := range []string{"", "\x00", "é"} {
			if s.has([]byte(id)) {
				t.Errorf("set of %d has %q", n, id)
			}
		}
	}
}

// BenchmarkIDSet: 37,000 restricted users' ids asked about 100,000 times
// by a listing of mostly other users (the 50k account's proportions).
func BenchmarkIDSet(b *testing.B) {
	var ids []string
	for i := range 37_000 {
		ids = append(ids, fmt.Sprintf("%030x", i))
	}
	var listed [][]byte
	for i := range 100_000 {
		listed = append(listed, fmt.Appendf(nil, "%030x", 36_000+i))
	}
	b.Run("idSet", func(b *testing.B) {
		s := newIDSet(ids)
		for b.Loop() {
			for _, id := range listed {
				s.has(id)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		m := make(map[string]bool, len(ids))
		for _, id := range ids {
			m[id] = true
		}
		for b.Loop() {
			for _, id := range listed {
				_ = m[string(id)]
			}
		}
	})
}
