package state_test

import (
	"testing"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/state"
)

// BenchmarkFetchLarge reads the large account (bench.Large, 5k users)
// from the in-process emulator, for the CPU and allocations of the read
// itself: the emulator's share is in the figures too, but a change to
// the client or to state shows as the difference. (Not named Read: make
// bench runs those.)
//
//	go test -run '^$' -bench FetchLarge -benchmem ./pkg/state/
func BenchmarkFetchLarge(b *testing.B) {
	f := bench.Serve(b, bench.Large, emulator.Options{})
	for b.Loop() {
		if _, err := state.Read(b.Context(), state.FromClient(f.Client), readOptions); err != nil {
			b.Fatal(err)
		}
	}
}
