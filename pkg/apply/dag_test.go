package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func summarize(rs []result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		s := r.id + " " + r.outcome.String()
		if r.err != nil {
			s += ": " + r.err.Error()
		}
		if r.reason != "" {
			s += ": " + r.reason
		}
		out[i] = s
	}
	return out
}

func TestRunDAG(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name  string
		tasks map[string][]string // id → deps
		order []string
		fail  map[string]bool
		want  []string
	}{
		{
			name:  "all succeed",
			tasks: map[string][]string{"env": nil, "user": {"env"}, "group": nil, "member": {"user", "group"}},
			order: []string{"env", "user", "group", "member"},
			want:  []string{"env applied", "user applied", "group applied", "member applied"},
		},
		{
			name:  "a failure skips only its dependents, transitively",
			tasks: map[string][]string{"env": nil, "user": {"env"}, "group": nil, "member": {"user", "group"}, "other": {"group"}},
			order: []string{"env", "user", "group", "member", "other"},
			fail:  map[string]bool{"env": true},
			want: []string{
				"env failed: boom",
				"user skipped: depends on env, which failed",
				"group applied",
				"member skipped: depends on user, which was skipped",
				"other applied",
			},
		},
		{
			name:  "independent failures are all reported",
			tasks: map[string][]string{"a": nil, "b": nil, "c": nil},
			order: []string{"a", "b", "c"},
			fail:  map[string]bool{"a": true, "c": true},
			want:  []string{"a failed: boom", "b applied", "c failed: boom"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var ran []string
			var tasks []task
			for _, id := range tt.order {
				tasks = append(tasks, task{id: id, deps: tt.tasks[id], run: func(context.Context) error {
					mu.Lock()
					ran = append(ran, id)
					mu.Unlock()
					if tt.fail[id] {
						return boom
					}
					return nil
				}})
			}
			got := summarize(runDAG(t.Context(), t.Context(), tasks, 3, nil, nil))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("runDAG (-want +got):\n%s", diff)
			}
			// Every task ran after its dependencies.
			for _, tk := range tasks {
				at := slices.Index(ran, tk.id)
				for _, d := range tk.deps {
					if at >= 0 && slices.Index(ran, d) > at {
						t.Errorf("%s ran before its dependency %s", tk.id, d)
					}
				}
			}
		})
	}
}

func TestRunDAGBoundsParallelism(t *testing.T) {
	var now, peak atomic.Int32
	release := make(chan struct{})
	var tasks []task
	for i := range 20 {
		tasks = append(tasks, task{id: fmt.Sprint(i), run: func(context.Context) error {
			n := now.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			<-release
			now.Add(-1)
			return nil
		}})
	}
	go func() {
		for range 20 {
			release <- struct{}{}
		}
	}()
	runDAG(t.Context(), t.Context(), tasks, 4, nil, nil)
	if p := peak.Load(); p > 4 {
		t.Errorf("peak concurrency %d, want at most 4", p)
	}
}

// TestRunDAGStop: once stop is cancelled nothing new starts, the running
// task finishes with an uncancelled context, and the rest is skipped.
func TestRunDAGStop(t *testing.T) {
	stop, cancel := context.WithCancel(t.Context())
	var workErr error
	tasks := []task{
		{id: "first", run: func(ctx context.Context) error { cancel(); workErr = ctx.Err(); return nil }},
		{id: "second", deps: []string{"first"}, run: func(context.Context) error { return nil }},
		{id: "third", deps: []string{"second"}, run: func(context.Context) error { return nil }},
	}
	got := summarize(runDAG(stop, context.WithoutCancel(stop), tasks, 1, nil, nil))
	want := []string{
		"first applied",
		"second skipped: not started: apply was interrupted",
		"third skipped: depends on second, which was skipped",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runDAG after stop (-want +got):\n%s", diff)
	}
	if workErr != nil {
		t.Errorf("the running task's context was cancelled: %v", workErr)
	}
}

// TestRunDAGPanic: a change that panics fails, its dependents are skipped,
// and the walk finishes instead of waiting forever.
func TestRunDAGPanic(t *testing.T) {
	tasks := []task{
		{id: "boom", run: func(context.Context) error { panic("nil map") }},
		{id: "after", deps: []string{"boom"}, run: func(context.Context) error { return nil }},
		{id: "other", run: func(context.Context) error { return nil }},
	}
	got := summarize(runDAG(t.Context(), t.Context(), tasks, 2, nil, nil))
	want := []string{
		"boom failed: internal error (panic): nil map",
		"after skipped: depends on boom, which failed",
		"other applied",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runDAG with a panic (-want +got):\n%s", diff)
	}
}
