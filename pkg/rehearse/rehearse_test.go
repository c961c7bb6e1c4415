package rehearse_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/rehearse"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// liveSeed is the "real" account: every kind of object, a restricted
// user, a pending one, a disabled environment, an access key naming an
// apiKey principal, and a policy naming the root user by id.
const liveSeed = `
environments:
  - {cloud_name: acme-prod, name: Acme Production, access_keys: [{name: ci, api_key: "123456789012345"}]}
  - {cloud_name: acme-old, name: Old, enabled: false}
users:
  - {email: raj@acme.test, name: Raj Patel, role: admin, environments: [acme-prod]}
  - {email: mei@acme.test, name: Mei Chen, role: master_admin, pending: true}
  - {email: bo@acme.test, name: Bo, role: master_admin}
groups:
  - {name: designers, members: [raj@acme.test, owner@example.com]}
roles:
  - {id: reviewer, name: Reviewer, permission_type: global, scope_type: prodenv, system_policy_ids: ["cld::policy::global::assets::moderate"]}
assignments:
  - {principal_type: group, principal: designers, role_id: reviewer, scope: acme-prod}
  - {principal_type: apiKey, principal: "123456789012345", role_id: reviewer, scope: all}
  - {principal_type: user, principal: owner@example.com, role_id: reviewer, scope: acme-prod}
`

type real struct {
	emu  *emulator.Emulator
	c    *client.Client
	read state.Options
}

func newReal(t *testing.T) *real {
	t.Helper()
	emu := emulator.New(emulator.Options{RandSeed: 7})
	if err := emu.LoadSeed(strings.NewReader(liveSeed)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	r := &real{emu: emu, c: c, read: state.Options{Permissions: true, APIKeyEnvironments: []string{"acme-prod"}}}
	// A policy naming the root user by id, as the service stores it.
	live := r.live(t)
	var rootID string
	for _, u := range live.Users {
		if u.Root {
			rootID = u.ID
		}
	}
	if _, err := c.CustomPolicies.Create(t.Context(), client.CreateCustomPolicyRequest{
		Name: "owner", ScopeType: client.ScopeAccount,
		PolicyStatement: `permit(principal == Cloudinary::User::"` + rootID + `", action, resource);`,
	}); err != nil {
		t.Fatal(err)
	}
	emu.ResetStats()
	return r
}

func (r *real) live(t *testing.T) *state.Account {
	t.Helper()
	live, err := state.Read(t.Context(), state.FromClient(r.c), r.read)
	if err != nil {
		t.Fatal(err)
	}
	return live
}

// TestCopyHasTheAccountsShape copies the account and reads the copy back:
// it is the same account, ids included, except the two kinds of ids a
// seed cannot choose (the root user's and policies'), which the copy maps.
func TestCopyHasTheAccountsShape(t *testing.T) {
	t.Parallel()
	r := newReal(t)
	// Invited long ago and never accepted: the copy keeps the user as
	// stale as it is live.
	if err := r.emu.LoadSeed(strings.NewReader("users:\n  - {email: old@acme.test, pending: true, created_at: 2025-01-02T03:04:05Z}\n")); err != nil {
		t.Fatal(err)
	}
	live := r.live(t)
	acc, err := rehearse.New(t.Context(), live)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(acc.Emulator.Log()); n != 0 {
		t.Errorf("the copy's log holds %d requests after New, want 0", n)
	}
	got, err := state.Read(t.Context(), state.FromClient(acc.Client), r.read)
	if err != nil {
		t.Fatal(err)
	}
	want := acc.Live(live)
	// The copy's statements name the copy's root id; unresolved, they read
	// the same.
	for i, p := range want.Permissions.Policies {
		want.Permissions.Policies[i].Statement = live.Permissions.Unresolve(live, p.Statement)
	}
	for i, p := range got.Permissions.Policies {
		got.Permissions.Policies[i].Statement = got.Permissions.Unresolve(got, p.Statement)
	}
	want.Permissions.Catalog, got.Permissions.Catalog = nil, nil
	// The root user is the copy's own, created with the copy; like its
	// id, its created_at is not the seed's to choose (and no plan reads
	// it: the root is never pending). Every other user's is copied.
	for i, u := range got.Users {
		if j := slices.IndexFunc(want.Users, func(w state.User) bool { return w.Root }); u.Root && j >= 0 {
			got.Users[i].CreatedAt = want.Users[j].CreatedAt
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("copy mismatch (-live +copy):\n%s", diff)
	}
	if len(r.emu.Writes()) != 0 {
		t.Errorf("copying wrote to the account: %v", r.emu.Writes())
	}
}

func planFor(t *testing.T, r *real, cfgText string) (*spec.Config, *state.Account, *planner.Plan) {
	t.Helper()
	cfg, err := spec.Parse("cldsync.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	live := r.live(t)
	p, err := planner.Diff(cfg, live, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) > 0 || !p.HasChanges() {
		t.Fatalf("plan: %d changes, errors %v", len(p.Changes), p.Errors)
	}
	return cfg, live, p
}

const goodConfig = `version: 1
environments:
  - {cloud_name: acme-production, previously: [acme-prod], name: Acme Production}
  - {cloud_name: acme-staging, name: Acme Staging, base_environment: acme-production}
users:
  - {email: raj@acme.test, name: Raj Patel, role: media_library_user, environments: [acme-production, acme-staging]}
  - {email: ana@acme.test, name: Ana Lopez, role: admin, environments: [acme-staging]}
  - {email: owner@example.com}
groups:
  - {name: brand-designers, previously: [designers], members: [raj@acme.test, ana@acme.test, owner@example.com]}
roles:
  - {id: reviewer, name: Reviewer, permission_type: global, scope_type: prodenv, system_policies: ["cld::policy::global::assets::moderate"]}
policies:
  - name: owner
    scope: account
    statement: 'permit(principal == Cloudinary::User::"${user:owner@example.com}", action, resource);'
    description: The owner
assignments:
  - {principal: {group: brand-designers}, role: reviewer, scope: acme-staging}
  - {principal: {user: ana@acme.test}, role: reviewer, scope: acme-production}
`

func TestRunPasses(t *testing.T) {
	t.Parallel()
	r := newReal(t)
	cfg, live, p := planFor(t, r, goodConfig)
	res, err := rehearse.Run(t.Context(), cfg, live, p, rehearse.Options{Read: r.read})
	if err != nil {
		t.Fatalf("Run returned %v", err)
	}
	if res.Report.Failed() || res.Replan.HasChanges() {
		t.Errorf("Run passed with a failed report or a non-empty re-plan")
	}
	if res.Writes == 0 || res.Requests < res.Writes {
		t.Errorf("Run: %d requests, %d writes; want some writes", res.Requests, res.Writes)
	}
	if w := r.emu.Writes(); len(w) != 0 {
		t.Errorf("the rehearsal wrote to the account: %v", w)
	}
}

func TestRunStops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		// planned, when set, is the configuration the plan is made from,
		// standing in for a plan that does not do what config says.
		planned   string
		stage     string
		reasonHas []string
	}{
		{
			// The service (and so the emulator) refuses to demote the
			// account's root user; the planner cannot know.
			name: "a change the service refuses",
			config: `version: 1
users:
  - {email: owner@example.com, role: admin}
  - {email: raj@acme.test, name: Raj Patel}
`,
			stage:     "apply",
			reasonHas: []string{"update user owner@example.com: ", "403", "root user"},
		},
		{
			name:      "a plan that does not converge",
			config:    "version: 1\nusers: [{email: raj@acme.test, role: billing}]\n",
			planned:   "version: 1\nusers: [{email: raj@acme.test, role: reports}]\n",
			stage:     "re-plan",
			reasonHas: []string{"planning again still finds 1 difference", "update user raj@acme.test (role)"},
		},
		{
			name:      "a plan of other changes than the configuration's",
			config:    "version: 1\nusers: [{email: raj@acme.test, role: billing}]\n",
			planned:   "version: 1\nusers: [{email: mei@acme.test, role: reports}]\n",
			stage:     "copy",
			reasonHas: []string{"does not plan the same changes", "only against the account: update user mei@acme.test", "only against the copy: update user raj@acme.test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newReal(t)
			cfg, live, p := planFor(t, r, tt.config)
			if tt.planned != "" {
				_, _, p = planFor(t, r, tt.planned)
			}
			_, err := rehearse.Run(context.Background(), cfg, live, p, rehearse.Options{Read: r.read})
			var re *rehearse.Error
			if !errors.As(err, &re) {
				t.Fatalf("Run returned %v, want a *rehearse.Error", err)
			}
			if re.Stage != tt.stage {
				t.Errorf("Stage = %q, want %q (reason: %s)", re.Stage, tt.stage, re.Reason)
			}
			for _, s := range tt.reasonHas {
				if !strings.Contains(re.Reason, s) {
					t.Errorf("reason lacks %q:\n%s", s, re.Reason)
				}
			}
			if w := r.emu.Writes(); len(w) != 0 {
				t.Errorf("the rehearsal wrote to the account: %v", w)
			}
		})
	}
}

// TestCopyAnswersLikeTheLiveService: a rehearsal is only worth its name if
// the copy answers as the real service will, not as the spec says: a
// membership add answers the group's members (docs/live-api.md).
func TestCopyAnswersLikeTheLiveService(t *testing.T) {
	t.Parallel()
	r := newReal(t)
	acc, err := rehearse.New(t.Context(), r.live(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	g, err := acc.Client.UserGroups.Create(ctx, client.UserGroupRequest{Name: "reviewers"})
	if err != nil {
		t.Fatal(err)
	}
	us, err := acc.Client.Users.ListByEmails(ctx, []string{"raj@acme.test"})
	if err != nil || len(us) != 1 {
		t.Fatalf("ListByEmails: %v %v", us, err)
	}
	answer, err := acc.Client.UserGroups.AddUser(ctx, g.ID, us[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if answer.Member != nil || answer.Members == nil || !answer.Shows(us[0].ID) {
		t.Errorf("the copy answered a membership add as %+v, not as the live service does", answer)
	}
}
