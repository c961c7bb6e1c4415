package spec_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/render"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// TestTenantsConverge applies the tenants example (one template, three
// instantiations, permissions included) to a new account and plans again:
// no changes.
func TestTenantsConverge(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := spec.Load("../../examples/tenants")
	if err != nil {
		t.Fatal(err)
	}
	plan := func(cfg *spec.Config) (*planner.Plan, *state.Account) {
		t.Helper()
		live, err := state.Read(t.Context(), state.FromClient(c), state.Options{Permissions: true, APIKeyEnvironments: cfg.APIKeyEnvironments()})
		if err != nil {
			t.Fatal(err)
		}
		p, err := planner.Diff(cfg, live, planner.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) > 0 {
			t.Fatalf("plan refused: %v", p.Errors)
		}
		return p, live
	}
	p, live := plan(cfg)
	// 6 environments, 4 users, 4 groups, 4 memberships, 3 roles, 3 policies, 3 assignments.
	if got := p.Summary().Add; got != 27 {
		var b strings.Builder
		render.RenderText(&b, p, render.TextOptions{})
		t.Errorf("first plan adds %d objects, want 27:\n%s", got, b.String())
	}
	rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{})
	if rep.Failed() {
		var b strings.Builder
		render.RenderReport(&b, rep)
		t.Fatalf("apply failed:\n%s", b.String())
	}
	if again, _ := plan(cfg); again.HasChanges() {
		var b strings.Builder
		render.RenderText(&b, again, render.TextOptions{})
		t.Fatalf("plan after apply is not empty:\n%s", b.String())
	}
	for _, v := range emu.Violations() {
		t.Errorf("emulator: %s", v)
	}
}
