package state_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/state"
)

// pageWatch records which pages of the account's users listing are asked
// and how many are in flight at once; each takes a little while.
type pageWatch struct {
	state.API
	mu             sync.Mutex
	pages          []int
	inFlight, peak int
}

func (w *pageWatch) ListUsersPage(ctx context.Context, opts *client.UserListOptions) ([]client.UserSummary, error) {
	w.mu.Lock()
	w.pages = append(w.pages, opts.Page)
	w.inFlight++
	w.peak = max(w.peak, w.inFlight)
	w.mu.Unlock()
	defer func() { w.mu.Lock(); w.inFlight--; w.mu.Unlock() }()
	time.Sleep(2 * time.Millisecond)
	return w.API.ListUsersPage(ctx, opts)
}

// TestUsersPagesInParallel: the numbered pages of the users listing are
// asked several at a time, the pages asked depend only on the answers
// (1,234 users: 12 full pages, the last of which asks up to page 12 + 6,
// a short one, the empty one that proves the end), and the users are
// those of a page-by-page walk.
func TestUsersPagesInParallel(t *testing.T) {
	t.Parallel()
	f := bench.Serve(t, emulator.GenerateOptions{Users: 1233, Seed: 2}, emulator.Options{})
	want, l, err := f.Client.Users.ListAll(t.Context(), &client.UserListOptions{PageSize: 100})
	if err != nil || !l.Complete {
		t.Fatalf("sequential walk: %v %+v", err, l)
	}
	for range 3 {
		w := &pageWatch{API: state.FromClient(f.Client)}
		acc, err := state.Read(t.Context(), w, state.Options{Parallelism: 6})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(w.pages)
		if diff := cmp.Diff([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}, w.pages); diff != "" {
			t.Errorf("pages asked (-want +got):\n%s", diff)
		}
		if w.peak < 3 {
			t.Errorf("at most %d pages in flight at once, want several", w.peak)
		}
		if len(acc.Users) != len(want) {
			t.Errorf("read %d users, the walk %d", len(acc.Users), len(want))
		}
		if _, ok := acc.Incomplete["users"]; ok {
			t.Errorf("listing incomplete: %v", acc.Incomplete)
		}
	}
}

// TestUsersPagesFullLastPage: when the last page is full, the empty page
// after it ends the listing, and at most Parallelism - 1 pages beyond it
// were asked.
func TestUsersPagesFullLastPage(t *testing.T) {
	t.Parallel()
	f := bench.Serve(t, emulator.GenerateOptions{Users: 1199, Seed: 2}, emulator.Options{}) // 1,200 with the root user
	w := &pageWatch{API: state.FromClient(f.Client)}
	acc, err := state.Read(t.Context(), w, state.Options{Parallelism: 4})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(w.pages)
	// 12 full pages: page 12 asks up to 12 + 4.
	if diff := cmp.Diff([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, w.pages); diff != "" {
		t.Errorf("pages asked (-want +got):\n%s", diff)
	}
	if len(acc.Users) != 1200 {
		t.Errorf("read %d users, want 1200", len(acc.Users))
	}
}
