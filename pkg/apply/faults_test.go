package apply_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/render"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// The fault matrix: for each kind of fault, injected at several positions
// of an apply, the apply loses nothing (no duplicate creates, every change
// reported), a bounded number of plan+apply rounds converges, and the
// account ends exactly as after a clean run.

// faultSeed is an account the configuration changes in every way: updates,
// creates with dependencies, deletes, membership changes.
const faultSeed = `environments:
  - {cloud_name: acme-prod, name: Acme Prod}
  - {cloud_name: legacy, name: Legacy}
users:
  - {email: raj@acme.test, name: Raj Patel, role: admin, environments: [acme-prod]}
  - {email: old@acme.test, name: Old Timer, role: reports}
  - {email: lee@acme.test, name: Lee Park, role: billing}
groups:
  - {name: designers, members: [old@acme.test, raj@acme.test, lee@acme.test]}
  - {name: stale}
`

const faultConfig = `version: 1
prune: [users, groups]
environments:
  - {cloud_name: acme-prod, name: Acme Production}
  - {cloud_name: acme-staging, name: Acme Staging, enabled: false, base_environment: acme-prod}
users:
  - {email: owner@example.com}
  - {email: ana@acme.test, name: Ana Lopez, role: master_admin}
  - {email: raj@acme.test, name: Raj Patel, role: media_library_user, environments: [acme-staging]}
  - {email: mei@acme.test, name: Mei Chen, role: reports, environments: []}
  - {email: lee@acme.test}
groups:
  - {name: designers, members: [raj@acme.test, mei@acme.test]}
  - {name: reviewers, members: [ana@acme.test]}
`

// instantClock makes the client's retry waits return at once.
type instantClock struct{}

func (instantClock) Now() time.Time { return time.Now() }
func (instantClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch
}

// scenario is an account and a configuration that changes it, with the
// write operations its apply sends, each a position for a fault, and the
// account after a clean run (computed once).
type scenario struct {
	seed, config string
	permissions  bool // read and compare the permissions half too
	writeOps     []string

	once  sync.Once
	state *state.Account
	count int            // requests a clean apply makes
	ops   map[string]int // how many requests of each operation it sends
}

// provisioning is the engine's scenario: environments, users, groups and
// memberships.
var provisioning = &scenario{seed: faultSeed, config: faultConfig, writeOps: writeOps}

type faultAccount struct {
	sc   *scenario
	emu  *emulator.Emulator
	c    *client.Client // what apply uses: maybe a short per-attempt timeout
	read *client.Client // what the test reads and verifies with
	cfg  *spec.Config
}

func newFaultAccount(t *testing.T, timeout time.Duration) *faultAccount {
	t.Helper()
	return newScenarioAccount(t, provisioning, timeout)
}

func newScenarioAccount(t *testing.T, sc *scenario, timeout time.Duration) *faultAccount {
	t.Helper()
	emu := emulator.New(emulator.Options{RandSeed: 7})
	if err := emu.LoadSeed(strings.NewReader(sc.seed)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	opts := []client.Option{
		client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"), client.WithClock(instantClock{}),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}),
	}
	read, err := client.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	c := read
	if timeout > 0 {
		if c, err = client.New(append(opts, client.WithTimeout(timeout))...); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := spec.Parse("faults.yaml", []byte(sc.config))
	if err != nil {
		t.Fatal(err)
	}
	return &faultAccount{sc: sc, emu: emu, c: c, read: read, cfg: cfg}
}

func (a *faultAccount) plan(t *testing.T) (*planner.Plan, *state.Account) {
	t.Helper()
	live, err := state.Read(t.Context(), state.FromClient(a.read), state.Options{Permissions: a.sc.permissions})
	if err != nil {
		t.Fatalf("read the account: %v", err)
	}
	p, err := planner.Diff(a.cfg, live, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) > 0 {
		t.Fatalf("plan refused: %v", p.Errors)
	}
	return p, live
}

// snapshot is the account as state.Read sees it, without ids, which differ
// between runs: the ids statements name are written back as names.
func (a *faultAccount) snapshot(t *testing.T) *state.Account {
	t.Helper()
	acc, err := state.Read(t.Context(), state.FromClient(a.read), state.Options{Permissions: a.sc.permissions})
	if err != nil {
		t.Fatal(err)
	}
	if p := acc.Permissions; p != nil {
		p.Catalog = nil
		for i := range p.Policies {
			pol := &p.Policies[i]
			pol.Statement = p.Unresolve(acc, pol.Statement)
			pol.ID = ""
			if pol.ScopeID != spec.ScopeAll {
				pol.ScopeID = ""
			}
		}
		for i := range p.Assignments {
			as := &p.Assignments[i]
			if as.Principal.Kind != "" {
				as.PrincipalID = ""
			}
			if as.ScopeID != spec.ScopeAll {
				as.ScopeID = ""
			}
		}
	}
	for i := range acc.Environments {
		acc.Environments[i].ID = ""
	}
	for i := range acc.Users {
		acc.Users[i].ID = ""
		acc.Users[i].CreatedAt = time.Time{} // when each run created it
	}
	for i := range acc.Groups {
		acc.Groups[i].ID = ""
	}
	return acc
}

// converge runs plan+apply until the plan is empty, at most rounds times.
func (a *faultAccount) converge(t *testing.T, rounds int) {
	t.Helper()
	for range rounds {
		p, live := a.plan(t)
		if !p.HasChanges() {
			return
		}
		apply.Apply(t.Context(), apply.FromClient(a.c), p, live, apply.Options{Parallelism: 4})
	}
	p, _ := a.plan(t)
	if p.HasChanges() {
		var b strings.Builder
		render.RenderText(&b, p, render.TextOptions{})
		t.Fatalf("no convergence after %d rounds:\n%s", rounds, b.String())
	}
}

// assertNoDuplicates checks that no natural key names two objects.
func assertNoDuplicates(t *testing.T, acc *state.Account) {
	t.Helper()
	seen := map[string]bool{}
	check := func(key string) {
		if seen[key] {
			t.Errorf("duplicate %s", key)
		}
		seen[key] = true
	}
	for _, e := range acc.Environments {
		check("environment " + e.CloudName)
	}
	for _, u := range acc.Users {
		check("user " + u.Email)
	}
	for _, g := range acc.Groups {
		check("group " + g.Name)
		for _, m := range g.Members {
			check("membership " + g.Name + " / " + m)
		}
	}
	if p := acc.Permissions; p != nil {
		for _, r := range p.Roles {
			check("role " + r.ID)
			check("role name " + r.Name)
		}
		for _, pol := range p.Policies {
			check("policy " + spec.PolicyKey(pol.Scope, pol.Name))
			check("policy statement " + pol.Scope + " " + spec.CanonicalCedar(pol.Statement))
		}
		for _, as := range p.Assignments {
			check("assignment " + strings.Join([]string{as.PrincipalName(), as.Role, as.Scope, as.FolderID, as.CollectionID}, " / "))
		}
	}
}

// clean is the account after a clean run of the provisioning scenario, and
// how many requests its apply made.
func clean(t *testing.T) (*state.Account, int) { return provisioning.clean(t) }

// clean is the account after a clean run, and how many requests its apply
// made.
func (sc *scenario) clean(t *testing.T) (*state.Account, int) {
	sc.once.Do(func() {
		a := newScenarioAccount(t, sc, 0)
		p, live := a.plan(t)
		before := a.emu.Requests()
		rep := apply.Apply(t.Context(), apply.FromClient(a.c), p, live, apply.Options{Parallelism: 1})
		if rep.Failed() {
			var b strings.Builder
			render.RenderReport(&b, rep)
			t.Fatalf("clean apply failed:\n%s", b.String())
		}
		sc.count = a.emu.Requests() - before
		sc.ops = map[string]int{}
		for _, r := range a.emu.Log()[before:] {
			sc.ops[r.Op]++
		}
		a.converge(t, 1)
		sc.state = a.snapshot(t)
	})
	if sc.state == nil {
		t.Fatal("the clean run failed")
	}
	return sc.state, sc.count
}

type faultKind struct {
	name    string
	faults  func(at emulator.Fault) []emulator.Fault
	timeout time.Duration // the apply client's per-attempt timeout
	// single is true for one fault at one request, which apply must absorb
	// in the same run: nothing fails.
	single bool
}

var faultKinds = []faultKind{
	{name: "500", single: true, faults: func(f emulator.Fault) []emulator.Fault { f.Status = 500; return []emulator.Fault{f} }},
	{name: "500 after handling", single: true, faults: func(f emulator.Fault) []emulator.Fault {
		f.Status, f.AfterHandling = 500, true
		return []emulator.Fault{f}
	}},
	{name: "503", single: true, faults: func(f emulator.Fault) []emulator.Fault { f.Status = 503; return []emulator.Fault{f} }},
	{name: "429 storm", faults: storm(429, 5)},
	{name: "420 storm", faults: storm(420, 5)},
	{name: "dropped before handling", single: true, faults: func(f emulator.Fault) []emulator.Fault { f.Drop = true; return []emulator.Fault{f} }},
	{name: "dropped after handling", single: true, faults: func(f emulator.Fault) []emulator.Fault {
		f.Drop, f.AfterHandling = true, true
		return []emulator.Fault{f}
	}},
	// The server finishes the request after the client gave up on it. The
	// delay never elapses: the client's timeout ends the request, and the
	// emulator then handles it.
	{name: "slow", single: true, timeout: 250 * time.Millisecond, faults: func(f emulator.Fault) []emulator.Fault {
		f.Delay = time.Hour
		return []emulator.Fault{f}
	}},
}

// storm is n faults of status on consecutive requests (or on the next n
// requests of one operation).
func storm(status, n int) func(emulator.Fault) []emulator.Fault {
	return func(f emulator.Fault) []emulator.Fault {
		var out []emulator.Fault
		for i := range n {
			g := f
			g.Status = status
			if g.Request > 0 {
				g.Request += i
			}
			out = append(out, g)
		}
		return out
	}
}

// writeOps are the operations the configuration's apply sends, each a
// position for a fault.
var writeOps = []string{
	"createProductEnvironment", "updateProductEnvironment",
	"createUser", "updateUser", "deleteUser",
	"createUserGroup", "deleteUserGroup",
	"addUserToUserGroup", "removeUserFromUserGroup",
}

func TestFaultMatrix(t *testing.T) {
	t.Run("provisioning", func(t *testing.T) { t.Parallel(); faultMatrix(t, provisioning) })
	t.Run("permissions", func(t *testing.T) { t.Parallel(); faultMatrix(t, permissions) })
}

func faultMatrix(t *testing.T, sc *scenario) {
	want, n := sc.clean(t)
	if n < 10 {
		t.Fatalf("a clean apply made %d requests; the configuration is too small to test positions", n)
	}
	for _, op := range sc.writeOps {
		if sc.ops[op] == 0 {
			t.Errorf("a clean apply sends no %s: a fault there tests nothing", op)
		}
	}
	type position struct {
		name  string
		fault func(base int) emulator.Fault
	}
	var positions []position
	for _, k := range []int{1, n / 3, 2 * n / 3, n} {
		positions = append(positions, position{fmt.Sprintf("request %d of %d", k, n), func(base int) emulator.Fault { return emulator.Fault{Request: base + k} }})
	}
	for _, op := range sc.writeOps {
		positions = append(positions, position{op, func(int) emulator.Fault { return emulator.Fault{Op: op} }})
	}
	for _, kind := range faultKinds {
		for _, pos := range positions {
			t.Run(kind.name+"/"+pos.name, func(t *testing.T) {
				t.Parallel()
				a := newScenarioAccount(t, sc, kind.timeout)
				p, live := a.plan(t)
				for _, f := range kind.faults(pos.fault(a.emu.Requests())) {
					a.emu.InjectFault(f)
				}
				// Parallelism 1 makes request positions reproducible.
				rep := apply.Apply(t.Context(), apply.FromClient(a.c), p, live, apply.Options{Parallelism: 1})
				if len(rep.Entries) != len(p.Changes) {
					t.Fatalf("report has %d entries for %d changes", len(rep.Entries), len(p.Changes))
				}
				if kind.single && rep.Failed() {
					var b strings.Builder
					render.RenderReport(&b, rep)
					t.Errorf("one %s fault was not absorbed:\n%s", kind.name, b.String())
				}
				a.converge(t, 4)
				got := a.snapshot(t)
				assertNoDuplicates(t, got)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("end state differs from a clean run's (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestFaultRate: random 503s and dropped answers at a high rate, with
// parallel changes, still converge to the clean state without duplicates.
func TestFaultRate(t *testing.T) {
	for name, sc := range map[string]*scenario{"provisioning": provisioning, "permissions": permissions} {
		t.Run(name, func(t *testing.T) { t.Parallel(); faultRate(t, sc) })
	}
}

func faultRate(t *testing.T, sc *scenario) {
	want, _ := sc.clean(t)
	for _, status := range []int{500, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			a := newScenarioAccount(t, sc, 0)
			// Faults hit the applies only, so that every round can plan.
			for range 10 {
				p, live := a.plan(t)
				if !p.HasChanges() {
					break
				}
				a.emu.SetFaultRate(0.3, status)
				apply.Apply(t.Context(), apply.FromClient(a.c), p, live, apply.Options{Parallelism: 8})
				a.emu.SetFaultRate(0, 0)
			}
			a.converge(t, 1)
			got := a.snapshot(t)
			assertNoDuplicates(t, got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("end state differs from a clean run's (-want +got):\n%s", diff)
			}
		})
	}
}

// interruptHooks cancels stop once after the first finished change, as the
// first Ctrl-C would.
type interruptHooks struct {
	once sync.Once
	stop context.CancelFunc
}

func (h *interruptHooks) Started(planner.Change) {}
func (h *interruptHooks) Finished(apply.Entry)   { h.once.Do(h.stop) }

// TestInterrupt: the first Ctrl-C stops new changes, lets the running ones
// finish, and reports every change; a re-run converges.
func TestInterrupt(t *testing.T) {
	want, _ := clean(t)
	a := newFaultAccount(t, 0)
	p, live := a.plan(t)
	stop, cancel := context.WithCancel(t.Context())
	defer cancel()
	rep := apply.Apply(stop, apply.FromClient(a.c), p, live, apply.Options{Parallelism: 1, Hooks: &interruptHooks{stop: cancel}})
	if got := rep.Count(apply.Applied); got != 1 {
		t.Errorf("applied %d changes before stopping, want 1 (the one in flight)", got)
	}
	if got := rep.Count(apply.Skipped); got != len(p.Changes)-1 {
		t.Errorf("skipped %d changes, want %d", got, len(p.Changes)-1)
	}
	for _, e := range rep.Entries {
		if e.Outcome == apply.Skipped && !strings.Contains(e.Reason, "interrupted") && !strings.Contains(e.Reason, "skipped") {
			t.Errorf("%s skipped for %q, want the interruption named", e.Change.Ref, e.Reason)
		}
	}
	a.converge(t, 2)
	if diff := cmp.Diff(want, a.snapshot(t)); diff != "" {
		t.Errorf("end state differs from a clean run's (-want +got):\n%s", diff)
	}
}

// abortHooks cancels work when a change starts, as a second Ctrl-C during
// a request would.
type abortHooks struct {
	ref   planner.Ref
	abort context.CancelFunc
}

func (h abortHooks) Started(c planner.Change) {
	if c.Ref == h.ref {
		h.abort()
	}
}
func (abortHooks) Finished(apply.Entry) {}

// TestAbort: cancelling the work context (the second Ctrl-C) fails the
// change in flight and nothing else runs; a re-run converges.
func TestAbort(t *testing.T) {
	want, _ := clean(t)
	a := newFaultAccount(t, 0)
	p, live := a.plan(t)
	stop, cancelStop := context.WithCancel(t.Context())
	defer cancelStop()
	work, abort := context.WithCancel(context.WithoutCancel(t.Context()))
	target := planner.Ref{Kind: spec.KindUser, Name: "ana@acme.test"}
	rep := apply.Apply(apply.WithWork(stop, work), apply.FromClient(a.c), p, live, apply.Options{Parallelism: 1, Hooks: abortHooks{ref: target, abort: func() {
		abort()
		cancelStop()
	}}})
	var failed []string
	for _, e := range rep.Entries {
		if e.Outcome == apply.Failed {
			failed = append(failed, e.Change.Ref.String())
		}
	}
	if diff := cmp.Diff([]string{"users/ana@acme.test"}, failed); diff != "" {
		t.Errorf("failed changes (-want +got):\n%s", diff)
	}
	if rep.Count(apply.Applied)+rep.Count(apply.Failed)+rep.Count(apply.Skipped) != len(p.Changes) {
		t.Errorf("report does not account for every change")
	}
	a.converge(t, 2)
	got := a.snapshot(t)
	assertNoDuplicates(t, got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("end state differs from a clean run's (-want +got):\n%s", diff)
	}
}
