package rehearse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// Account is a copy of a live account's shape in an in-process emulator,
// with a client pointed at it.
type Account struct {
	Emulator *emulator.Emulator
	Client   *client.Client
	// ids maps live ids to the copy's where the seed cannot keep them:
	// the root user's and custom policies'.
	ids map[string]string
}

// The copy's credentials. They reach no network: the client's transport
// calls the emulator directly.
const (
	copyAccount = "rehearsal"
	copyKey     = "rehearsal"
	copySecret  = "rehearsal"
	copyURL     = "http://rehearsal.invalid"
)

// handlerTransport serves requests with an http.Handler in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	// A server request always has a body.
	sr := r.Clone(r.Context())
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	defer sr.Body.Close()
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, sr)
	res := rec.Result()
	res.Request = r
	return res, nil
}

// New copies the shape of live into a new in-process emulator (see Seed).
// The copy's request log starts empty.
func New(ctx context.Context, live *state.Account) (*Account, error) {
	var root *state.User
	for i := range live.Users {
		if live.Users[i].Root {
			root = &live.Users[i]
		}
	}
	emu := emulator.New(emulator.Options{AccountID: copyAccount, APIKey: copyKey, APISecret: copySecret, Bare: root == nil,
		Profile: emulator.ProfileLive}) // answer as the real service will
	c, err := client.New(
		client.WithCredentials(copyAccount, copyKey, copySecret),
		client.WithBaseURL(copyURL),
		client.WithHTTPClient(&http.Client{Transport: handlerTransport{emu}}),
	)
	if err != nil {
		return nil, fmt.Errorf("copy the account: %w", err)
	}
	a := &Account{Emulator: emu, Client: c, ids: map[string]string{}}
	rootID := ""
	if root != nil {
		if rootID, err = a.adoptRoot(ctx, root); err != nil {
			return nil, fmt.Errorf("copy the account: root user: %w", err)
		}
	}
	seed, err := Seed(live, rootID)
	if err != nil {
		return nil, fmt.Errorf("copy the account: %w", err)
	}
	if err := emu.Seed(seed); err != nil {
		return nil, fmt.Errorf("copy the account: %w", err)
	}
	if err := a.mapPolicies(ctx, live); err != nil {
		return nil, fmt.Errorf("copy the account: %w", err)
	}
	emu.ResetStats()
	return a, nil
}

// adoptRoot gives the emulator's root user the live root's email and
// name, and returns its id.
func (a *Account) adoptRoot(ctx context.Context, root *state.User) (string, error) {
	users, _, err := a.Client.Users.ListAll(ctx, nil)
	if err != nil {
		return "", err
	}
	for _, u := range users {
		if !u.Root {
			continue
		}
		a.ids[root.ID] = u.ID
		if strings.EqualFold(u.Email, root.Email) && u.Name == root.Name {
			return u.ID, nil
		}
		role := client.RoleMasterAdmin
		enabled := true
		_, err := a.Client.Users.Update(ctx, u.ID, client.UpdateUserRequest{Name: &root.Name, Email: &root.Email, Role: &role, Enabled: &enabled})
		return u.ID, err
	}
	return "", errors.New("the emulator has no root user")
}

// mapPolicies maps the live custom policies' ids to the copy's, by scope
// and name.
func (a *Account) mapPolicies(ctx context.Context, live *state.Account) error {
	if live.Permissions == nil || live.Permissions.Unavailable != "" || len(live.Permissions.Policies) == 0 {
		return nil
	}
	cp, err := state.Read(ctx, state.FromClient(a.Client), state.Options{Permissions: true})
	if err != nil {
		return fmt.Errorf("read the copy: %w", err)
	}
	byKey := map[string][]string{}
	for _, p := range cp.Permissions.Policies {
		k := spec.PolicyKey(p.Scope, p.Name)
		byKey[k] = append(byKey[k], p.ID)
	}
	for _, p := range live.Permissions.Policies {
		k := spec.PolicyKey(p.Scope, p.Name)
		if ids := byKey[k]; len(ids) == 1 {
			a.ids[p.ID] = ids[0]
		} else {
			return fmt.Errorf("custom policy %s: %d policies of this scope and name in the copy, want 1", k, len(ids))
		}
	}
	return nil
}

// id returns the copy's id for a live id.
func (a *Account) id(live string) string {
	if id, ok := a.ids[live]; ok {
		return id
	}
	return live
}

// Live returns live with the copy's ids, for apply.
func (a *Account) Live(live *state.Account) *state.Account {
	out := *live
	out.Users = slices.Clone(live.Users)
	for i := range out.Users {
		out.Users[i].ID = a.id(out.Users[i].ID)
	}
	if live.Permissions != nil {
		p := *live.Permissions
		p.Policies = slices.Clone(p.Policies)
		for i := range p.Policies {
			p.Policies[i].ID = a.id(p.Policies[i].ID)
		}
		p.Assignments = slices.Clone(p.Assignments)
		for i := range p.Assignments {
			p.Assignments[i].PrincipalID = a.id(p.Assignments[i].PrincipalID)
		}
		out.Permissions = &p
	}
	return &out
}

// Plan returns p with the copy's ids.
func (a *Account) Plan(p *planner.Plan) *planner.Plan {
	out := *p
	out.Changes = slices.Clone(p.Changes)
	for i := range out.Changes {
		c := &out.Changes[i]
		c.Before, c.After = a.value(c.Before), a.value(c.After)
	}
	return &out
}

func (a *Account) value(v planner.Value) planner.Value {
	switch v := v.(type) {
	case planner.UserValue:
		v.ID = a.id(v.ID)
		return v
	case planner.MembershipValue:
		v.UserID = a.id(v.UserID)
		return v
	case planner.PolicyValue:
		v.ID = a.id(v.ID)
		return v
	case planner.AssignmentValue:
		v.PrincipalID = a.id(v.PrincipalID)
		return v
	}
	return v // environments, groups and roles keep their ids
}

// Options tune Run.
type Options struct {
	// Read is how the live account was read; the copy is read the same way.
	Read state.Options
	// Plan is how the plan was made; the copy is planned the same way.
	Plan planner.Options
	// Parallelism bounds concurrent changes, as for apply.
	Parallelism int
}

// Result is what a rehearsal did.
type Result struct {
	// Report is the outcome of applying the plan to the copy.
	Report *apply.Report
	// Replan is the plan against the copy after that; empty when the
	// rehearsal passed.
	Replan *planner.Plan
	// Requests and Writes count what the copy received while the plan was
	// applied.
	Requests int
	Writes   int
}

// Error is a rehearsal that failed: the real apply must not run.
type Error struct {
	// Stage is "copy", "apply", "re-plan" or "expect" (the copy's access
	// after the plan is not the access the plan projected).
	Stage  string
	Reason string
	// Result is what the rehearsal got to; nil when the copy failed.
	Result *Result
}

func (e *Error) Error() string { return e.Reason }

// Run rehearses plan, made from cfg and live: it copies live (New),
// checks that the copy plans the same changes, applies the plan to the
// copy, and plans the copy again. A copy that cannot be made or plans
// differently, a change that fails, or a non-empty plan afterwards is an
// *Error saying why.
func Run(ctx context.Context, cfg *spec.Config, live *state.Account, plan *planner.Plan, opts Options) (*Result, error) {
	acc, err := New(ctx, live)
	if err != nil {
		return nil, &Error{Stage: "copy", Reason: err.Error()}
	}
	if !opts.Plan.Now.IsZero() {
		// Keys created in the copy get the planner's time, as real ones do.
		acc.Emulator.SetClock(opts.Plan.Now)
	}
	if err := acc.samePlan(ctx, cfg, plan, opts); err != nil {
		return nil, &Error{Stage: "copy", Reason: err.Error()}
	}
	acc.Emulator.ResetStats()
	res := &Result{}
	res.Report = apply.Apply(ctx, apply.FromClient(acc.Client), acc.Plan(plan), acc.Live(live), apply.Options{Parallelism: opts.Parallelism,
		NoSecretDelivery: true}) // the copy's secrets are not real: deliver none
	res.Requests, res.Writes = len(acc.Emulator.Log()), len(acc.Emulator.Writes())
	if res.Report.Failed() {
		return res, &Error{Stage: "apply", Result: res, Reason: failures(res.Report)}
	}
	// --rotate asks for one rotation, which the copy has just had.
	replan := opts
	replan.Plan.Rotate = nil
	again, after, err := acc.planLive(ctx, cfg, replan)
	if err != nil {
		return res, &Error{Stage: "re-plan", Result: res, Reason: err.Error()}
	}
	res.Replan = again
	if again.HasChanges() || len(again.Errors) > 0 {
		return res, &Error{Stage: "re-plan", Result: res, Reason: leftOver(again)}
	}
	if reason := unexpectedAccess(acc.Live(live), acc.Plan(plan), after); reason != "" {
		return res, &Error{Stage: "expect", Result: res, Reason: reason}
	}
	return res, nil
}

// plan reads the copy and plans cfg against it.
func (a *Account) plan(ctx context.Context, cfg *spec.Config, opts Options) (*planner.Plan, error) {
	p, _, err := a.planLive(ctx, cfg, opts)
	return p, err
}

// planLive is plan, with the copy as read.
func (a *Account) planLive(ctx context.Context, cfg *spec.Config, opts Options) (*planner.Plan, *state.Account, error) {
	live, err := state.Read(ctx, state.FromClient(a.Client), opts.Read)
	if err != nil {
		return nil, nil, fmt.Errorf("read the copy: %w", err)
	}
	p, err := planner.Diff(cfg, live, opts.Plan)
	if err != nil {
		return nil, nil, fmt.Errorf("plan the copy: %w", err)
	}
	return p, live, nil
}

// unexpectedAccess compares the access the plan projected for the copy
// (planner.Project: the same projection the guards and the plan's access
// diff use) with the access the copy has after the plan was applied, and
// says what differs; "" when nothing does. API keys of environments the
// read does not list keys for cannot be named after the plan, so they are
// not compared.
func unexpectedAccess(live *state.Account, plan *planner.Plan, got *state.Account) string {
	if live.Permissions == nil || live.Permissions.Unavailable != "" || got.Permissions == nil {
		return ""
	}
	_, want := planner.NewTransition(live, plan).Access()
	named := map[string]bool{} // the keys the copy's read can name
	for _, k := range got.Permissions.APIKeys {
		named[k.Environment+"/"+k.Name] = true
	}
	diffs := slices.DeleteFunc(planner.CompareAccess(want, planner.LiveAccess(got)), func(a planner.AccessChange) bool {
		return a.Principal.Kind == spec.PrincipalAPIKey && !named[a.Principal.Name]
	})
	if len(diffs) == 0 {
		return ""
	}
	lines := make([]string, len(diffs))
	for i, d := range diffs {
		lines[i] = d.String()
	}
	return fmt.Sprintf("the copy's access after the plan is not what the plan projected (%d %s, from the projection to the copy):\n  %s",
		len(diffs), map[bool]string{true: "difference", false: "differences"}[len(diffs) == 1], strings.Join(lines, "\n  "))
}

// samePlan checks that the copy plans the same changes as the account, so
// that rehearsing on it means something.
func (a *Account) samePlan(ctx context.Context, cfg *spec.Config, want *planner.Plan, opts Options) error {
	got, err := a.plan(ctx, cfg, opts)
	if err != nil {
		return err
	}
	w, g := outline(want), outline(got)
	if slices.Equal(w, g) {
		return nil
	}
	var diff []string
	for _, s := range w {
		if !slices.Contains(g, s) {
			diff = append(diff, "only against the account: "+s)
		}
	}
	for _, s := range g {
		if !slices.Contains(w, s) {
			diff = append(diff, "only against the copy: "+s)
		}
	}
	return fmt.Errorf("the copy of the account does not plan the same changes, so a rehearsal on it would prove nothing:\n  %s", strings.Join(diff, "\n  "))
}

// outline is a plan's changes as "update user raj@acme.test", sorted.
func outline(p *planner.Plan) []string {
	out := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		out[i] = c.Action.String() + " " + planner.Noun(c.Ref.Kind) + " " + c.Ref.Name
	}
	slices.Sort(out)
	return out
}

// failures says which changes failed or were skipped in the copy.
func failures(r *apply.Report) string {
	var lines []string
	for _, e := range r.Entries {
		name := e.Change.Action.String() + " " + planner.Noun(e.Change.Ref.Kind) + " " + e.Change.Ref.Name
		switch e.Outcome {
		case apply.Failed:
			lines = append(lines, name+": "+e.Err.Error())
		case apply.Skipped:
			lines = append(lines, name+": skipped, "+e.Reason)
		}
	}
	return fmt.Sprintf("%d of %d changes failed or were skipped in the copy:\n  %s", len(lines), len(r.Entries), strings.Join(lines, "\n  "))
}

// leftOver says what the copy still differs in after the plan was applied.
func leftOver(p *planner.Plan) string {
	var lines []string
	for _, c := range p.Changes {
		line := c.Action.String() + " " + planner.Noun(c.Ref.Kind) + " " + c.Ref.Name
		var fields []string
		for _, f := range c.Fields {
			fields = append(fields, f.Name)
		}
		if len(fields) > 0 {
			line += " (" + strings.Join(fields, ", ") + ")"
		}
		lines = append(lines, line)
	}
	for _, e := range p.Errors {
		lines = append(lines, "refused "+e.Error())
	}
	return fmt.Sprintf("after the plan was applied to the copy, planning again still finds %d %s, so the plan does not converge:\n  %s",
		len(lines), map[bool]string{true: "difference", false: "differences"}[len(lines) == 1], strings.Join(lines, "\n  "))
}
