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

// The engine end to end against the emulator's live profile, which answers
// as Cloudinary's live service does where it differs from the spec
// (docs/live-api.md): every apply converges, the next plan is empty, and
// the report warns of nothing, since nothing untrue happened.

func liveSetup(t *testing.T, seed string) (*emulator.Emulator, *client.Client) {
	t.Helper()
	emu := emulator.New(emulator.Options{Profile: emulator.ProfileLive})
	if err := emu.LoadSeed(strings.NewReader(seed)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, v := range emu.Violations() {
			t.Errorf("emulator: %s", v)
		}
	})
	return emu, c
}

// liveConverge applies cfgText with post-apply verification on, and
// asserts no warning and an empty next plan.
func liveConverge(t *testing.T, c *client.Client, read state.Options, name, cfgText string) *apply.Report {
	t.Helper()
	cfg, err := spec.Parse(name+".yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	diff := func() (*planner.Plan, *state.Account) {
		live, err := state.Read(t.Context(), state.FromClient(c), read)
		if err != nil {
			t.Fatal(err)
		}
		p, err := planner.Diff(cfg, live, planner.Options{AllowEnvironmentDeletes: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) > 0 {
			t.Fatalf("%s: plan refused: %v", name, p.Errors)
		}
		return p, live
	}
	p, live := diff()
	rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{VerifyAccess: read.Permissions})
	if rep.Failed() || len(rep.Warnings) > 0 {
		var b strings.Builder
		_ = render.RenderReport(&b, rep)
		t.Fatalf("%s: apply failed or warned:\n%s", name, b.String())
	}
	if again, _ := diff(); again.HasChanges() {
		var b strings.Builder
		_ = render.RenderText(&b, again, render.TextOptions{})
		t.Fatalf("%s: plan after apply is not empty:\n%s", name, b.String())
	}
	return rep
}

func TestLiveProfileConvergence(t *testing.T) {
	for accName, seed := range accounts {
		t.Run(accName, func(t *testing.T) {
			t.Parallel()
			emu, c := liveSetup(t, seed)
			for _, v := range []string{"v1", "v2", "v3"} {
				liveConverge(t, c, state.Options{}, v, configs[v])
			}
			if emu.Stats()["addUserToUserGroup"].Requests == 0 {
				t.Error("no membership add: the live answer shape is not exercised")
			}
		})
	}
}

func TestLiveProfilePermissions(t *testing.T) {
	emu, c := liveSetup(t, permAccount)
	rep := liveConverge(t, c, state.Options{Permissions: true, APIKeyEnvironments: []string{"acme-prod"}}, "perm", permConfig)
	if rep.AccessChecks == 0 {
		t.Error("the access check asked about no one")
	}
	if emu.Stats()["addUserToUserGroup"].Requests == 0 {
		t.Error("no membership add: the live answer shape is not exercised")
	}
}

// TestLiveProfileLostAnswers: natural-key recovery works whatever shape
// the service answers in. The live service's membership add and group
// delete are made, then their answers are lost (the connection drops after
// the server acted); apply looks them up, counts them applied, warns of
// nothing, and the next plan is empty.
func TestLiveProfileLostAnswers(t *testing.T) {
	emu, c := liveSetup(t, `
users: [{email: raj@acme.test, name: Raj Patel, role: admin}]
groups: [{name: old-team}]
`)
	for _, op := range []string{"addUserToUserGroup", "deleteUserGroup"} {
		emu.InjectFault(emulator.Fault{Op: op, Drop: true, AfterHandling: true})
	}
	rep := liveConverge(t, c, state.Options{}, "lost", `version: 1
users: [{email: raj@acme.test, name: Raj Patel, role: admin}]
groups: [{name: designers, members: [raj@acme.test]}]
prune: [groups]
`)
	if rep.Count(apply.Applied) != len(rep.Entries) {
		t.Errorf("%d of %d changes applied", rep.Count(apply.Applied), len(rep.Entries))
	}
	stats := emu.Stats()
	if stats["addUserToUserGroup"].Requests != 1 || stats["deleteUserGroup"].Requests != 1 {
		t.Errorf("adds %d, deletes %d: want each sent once and recovered by looking up, not resent",
			stats["addUserToUserGroup"].Requests, stats["deleteUserGroup"].Requests)
	}
}
