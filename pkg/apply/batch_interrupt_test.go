package apply_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

// recordingInterrupt cancels stop after the first change finishes, as a
// first Ctrl-C would, and records what the hooks were told.
type recordingInterrupt struct {
	once     sync.Once
	stop     context.CancelFunc
	finished map[string]string
}

func (h *recordingInterrupt) Started(planner.Change) {}
func (h *recordingInterrupt) Finished(e apply.Entry) {
	h.finished[apply.ChangeName(e.Change)] = e.Outcome.String()
	h.once.Do(h.stop)
}

// TestInterruptedBatchReported: the first change of an assignment batch
// sends the whole batch. When apply is interrupted right after it, the
// members not yet started were applied (or refused) by that request, and
// the report and the hooks say so; only changes of other batches are
// skipped as not started.
func TestInterruptedBatchReported(t *testing.T) {
	const (
		a = "create assignment user:a@acme.test / cld::role::prodenv::ml_user / acme-prod"
		b = "create assignment user:b@acme.test / cld::role::prodenv::ml_user / all"
		c = "create assignment user:c@acme.test / cld::role::prodenv::ml_user / acme-prod"
		r = "create assignment user:c@acme.test / cld::role::account::reports / account"
	)
	for name, tc := range map[string]struct {
		fault     *emulator.Fault
		batch     string // the outcome of every ml_user assignment
		wantAfter int    // ml_user assignments in the account afterwards
	}{
		"batch applied": {batch: "applied", wantAfter: 3},
		"batch refused": {fault: &emulator.Fault{Op: "updateRolePrincipals", Status: 403}, batch: "failed"},
	} {
		t.Run(name, func(t *testing.T) {
			emu, cl := permSetup(t)
			if err := emu.LoadSeed(strings.NewReader(`
users:
  - {email: a@acme.test, name: A}
  - {email: b@acme.test, name: B}
  - {email: c@acme.test, name: C}
`)); err != nil {
				t.Fatal(err)
			}
			cfg, err := spec.Parse("cldsync.yaml", []byte(`version: 1
environments: [{cloud_name: acme-prod, name: Acme Production}]
users: [{email: a@acme.test}, {email: b@acme.test}, {email: c@acme.test}]
assignments:
  - {principal: {user: a@acme.test}, role: cld::role::prodenv::ml_user, scope: acme-prod}
  - {principal: {user: b@acme.test}, role: cld::role::prodenv::ml_user, scope: all}
  - {principal: {user: c@acme.test}, role: cld::role::prodenv::ml_user, scope: acme-prod}
  - {principal: {user: c@acme.test}, role: cld::role::account::reports, scope: account}
`))
			if err != nil {
				t.Fatal(err)
			}
			p, live := permPlan(t, cl, cfg)
			var names []string
			for _, ch := range p.Changes {
				names = append(names, apply.ChangeName(ch))
			}
			if diff := cmp.Diff([]string{a, b, r, c}, names); diff != "" {
				t.Fatalf("plan (-want +got):\n%s", diff)
			}
			if tc.fault != nil {
				emu.InjectFault(*tc.fault)
			}
			emu.ResetStats()
			stop, cancel := context.WithCancel(t.Context())
			defer cancel()
			hooks := &recordingInterrupt{stop: cancel, finished: map[string]string{}}
			rep := apply.Apply(stop, apply.FromClient(cl), p, live, apply.Options{Parallelism: 1, Hooks: hooks, Work: t.Context()})

			got := map[string]string{}
			for _, e := range rep.Entries {
				got[apply.ChangeName(e.Change)] = e.Outcome.String()
				if e.Outcome == apply.Skipped && !strings.Contains(e.Reason, "interrupted") {
					t.Errorf("%s skipped for %q, want the interruption named", apply.ChangeName(e.Change), e.Reason)
				}
				if e.Outcome == apply.Failed && e.Err == nil {
					t.Errorf("%s failed without an error", apply.ChangeName(e.Change))
				}
			}
			want := map[string]string{a: tc.batch, b: tc.batch, c: tc.batch, r: "skipped"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("report outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, hooks.finished); diff != "" {
				t.Errorf("outcomes told to the hooks (-want +got):\n%s", diff)
			}
			if n := emu.Stats()["updateRolePrincipals"].Requests; n != 1 {
				t.Errorf("updateRolePrincipals requests = %d, want 1 (the batch, before the interrupt)", n)
			}
			// The report's "applied" is true: planning again leaves only
			// what was skipped (and, if the batch was refused, the batch).
			after, _ := permPlan(t, cl, cfg)
			left := 0
			for _, ch := range after.Changes {
				if v, ok := ch.After.(planner.AssignmentValue); ok && v.Role == "cld::role::prodenv::ml_user" {
					left++
				}
			}
			if wantLeft := 3 - tc.wantAfter; left != wantLeft {
				t.Errorf("ml_user assignments still planned after apply = %d, want %d", left, wantLeft)
			}
		})
	}
}
