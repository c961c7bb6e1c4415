package apply_test

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

const config = `version: 1
environments:
  - cloud_name: acme-prod
    name: Acme Production
    custom_attributes: {team: web}
  - cloud_name: acme-staging
    name: Acme Staging
    enabled: false
    base_environment: acme-prod
users:
  - email: ana@acme.test
    name: Ana Lopez
    role: master_admin
  - email: raj@acme.test
    name: Raj Patel
    role: media_library_user
    environments: [acme-staging]
groups:
  - name: designers
    members: [raj@acme.test, ana@acme.test]
`

func setup(t *testing.T, seed string) (*emulator.Emulator, *client.Client) {
	t.Helper()
	emu := emulator.New(emulator.Options{})
	if seed != "" {
		if err := emu.LoadSeed(strings.NewReader(seed)); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	return emu, c
}

func plan(t *testing.T, c *client.Client, cfg *spec.Config) (*planner.Plan, *state.Account) {
	t.Helper()
	live, err := state.Read(t.Context(), state.FromClient(c), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Environment deletes are allowed: these tests are about applying; the
	// planner's guard tests cover the refusal.
	p, err := planner.Diff(cfg, live, planner.Options{AllowEnvironmentDeletes: true})
	if err != nil {
		t.Fatal(err)
	}
	return p, live
}

func TestApplyConverges(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte(config))
	if err != nil {
		t.Fatal(err)
	}
	emu, c := setup(t, "")
	p, live := plan(t, c, cfg)
	if !p.HasChanges() {
		t.Fatal("first plan has no changes")
	}
	rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{})
	for _, e := range rep.Entries {
		if e.Outcome != apply.Applied {
			t.Errorf("%s %s: %s %v %s", e.Change.Action, e.Change.Ref, e.Outcome, e.Err, e.Reason)
		}
	}
	p2, _ := plan(t, c, cfg)
	if p2.HasChanges() {
		var b strings.Builder
		render.RenderText(&b, p2, render.TextOptions{})
		t.Errorf("plan after apply is not empty:\n%s", b.String())
	}
	if got := emu.CustomAttributes("acme-prod"); got["team"] != "web" {
		t.Errorf("custom_attributes of acme-prod = %v, want team: web", got)
	}
	if v := emu.Violations(); len(v) != 0 {
		t.Errorf("emulator violations: %v", v)
	}
}

// TestApplyReportsFailures: a failing create skips only its dependents;
// the rest is applied, and a re-run converges.
func TestApplyReportsFailures(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte(config))
	if err != nil {
		t.Fatal(err)
	}
	emu, c := setup(t, "")
	emu.InjectFault(emulator.Fault{Op: "createUserGroup", Status: 403})
	p, live := plan(t, c, cfg)
	rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{})
	outcomes := map[string]string{}
	for _, e := range rep.Entries {
		outcomes[e.Change.Ref.String()] = e.Outcome.String()
	}
	if outcomes["groups/designers"] != "failed" {
		t.Errorf("group create: %s, want failed", outcomes["groups/designers"])
	}
	for ref, o := range outcomes {
		switch {
		case strings.HasPrefix(ref, "memberships/"):
			if o != "skipped" {
				t.Errorf("%s: %s, want skipped", ref, o)
			}
		case ref != "groups/designers" && o != "applied":
			t.Errorf("%s: %s, want applied", ref, o)
		}
	}
	for _, e := range rep.Entries {
		if e.Outcome == apply.Skipped && !strings.Contains(e.Reason, "create group designers, which failed") {
			t.Errorf("skip reason %q does not name the failed change", e.Reason)
		}
		if e.Outcome == apply.Failed && !strings.Contains(e.Err.Error(), "403") && !strings.Contains(strings.ToLower(e.Err.Error()), "forbidden") {
			t.Errorf("failure %v does not carry the API's answer", e.Err)
		}
	}
	if !rep.Failed() {
		t.Error("report does not say it failed")
	}
	p2, live2 := plan(t, c, cfg)
	if got := p2.Summary(); got.Add != 3 || got.Change != 0 || got.Destroy != 0 {
		t.Errorf("re-plan summary %+v, want the group and its 2 memberships", got)
	}
	rep2 := apply.Apply(t.Context(), apply.FromClient(c), p2, live2, apply.Options{})
	if rep2.Failed() {
		t.Errorf("re-run failed: %+v", rep2.Entries)
	}
	if p3, _ := plan(t, c, cfg); p3.HasChanges() {
		t.Error("plan after the re-run is not empty")
	}
}

// TestApplyKeepsEmailCase: updating a user's other fields does not send
// the email back lower-cased (the live state compares emails lower-case).
func TestApplyKeepsEmailCase(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte("version: 1\nusers:\n  - {email: ana@acme.test, name: Ana López, role: admin}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, c := setup(t, "users: [{email: Ana@Acme.test, name: Ana, role: admin}]\n")
	p, live := plan(t, c, cfg)
	if got := p.Summary(); got.Change != 1 || got.Add != 0 {
		t.Fatalf("plan %+v, want one update", got)
	}
	if rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{}); rep.Failed() {
		t.Fatalf("apply failed: %+v", rep.Entries)
	}
	users, err := c.Users.ListByEmails(t.Context(), []string{"ana@acme.test"})
	if err != nil || len(users) != 1 {
		t.Fatalf("list: %v %v", users, err)
	}
	if users[0].Email != "Ana@Acme.test" || users[0].Name != "Ana López" {
		t.Errorf("user after apply: email %q name %q, want the email as it was and the new name", users[0].Email, users[0].Name)
	}
	if p2, _ := plan(t, c, cfg); p2.HasChanges() {
		t.Error("plan after apply is not empty")
	}
}
