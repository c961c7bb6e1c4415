package state

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// queued waits until the limiter has n waiters.
func queued(l *limiter, n int) {
	for {
		l.mu.Lock()
		got := 0
		for _, w := range l.waiting {
			got += len(w)
		}
		l.mu.Unlock()
		if got == n {
			return
		}
		runtime.Gosched()
	}
}

// TestLimiterOrder: a freed slot goes to the most urgent class first, and
// within a class to the first waiter.
func TestLimiterOrder(t *testing.T) {
	l := newLimiter(1)
	if err := l.acquire(t.Context(), urgent); err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	waiters := []struct {
		name string
		c    class
	}{
		{"single 1", single}, {"per-environment 1", perEnvironment}, {"single 2", single},
		{"urgent", urgent}, {"per-environment 2", perEnvironment},
	}
	for i, w := range waiters {
		go func() {
			if err := l.acquire(context.Background(), w.c); err != nil {
				t.Error(err)
			}
			got <- w.name
		}()
		queued(l, i+1)
	}
	var order []string
	for range waiters {
		l.release()
		order = append(order, <-got)
	}
	want := []string{"urgent", "per-environment 1", "per-environment 2", "single 1", "single 2"}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("order of grants (-want +got):\n%s", diff)
	}
	l.release()
	if l.free != 1 {
		t.Errorf("%d free slots after every release, want 1", l.free)
	}
}

// TestLimiterCancel: a waiter whose context ends leaves the queue, and its
// turn is not lost.
func TestLimiterCancel(t *testing.T) {
	l := newLimiter(1)
	if err := l.acquire(t.Context(), urgent); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- l.acquire(ctx, urgent) }()
	queued(l, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("acquire after cancel = %v, want context.Canceled", err)
	}
	queued(l, 0)
	l.release()
	if err := l.acquire(t.Context(), single); err != nil || l.free != 0 {
		t.Errorf("acquire after the cancelled waiter left: %v, %d free", err, l.free)
	}
}

// TestGroupFirstError: the first error is returned, and it cancels the
// other steps' context.
func TestGroupFirstError(t *testing.T) {
	g := newGroup(t.Context())
	boom := errors.New("boom")
	failed := make(chan struct{})
	g.Go(func(ctx context.Context) error { defer close(failed); return boom })
	g.Go(func(ctx context.Context) error {
		<-failed
		<-ctx.Done()
		return ctx.Err()
	})
	if err := g.Wait(); !errors.Is(err, boom) {
		t.Errorf("Wait = %v, want boom", err)
	}
}
