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

// permAccount is an existing account with an API key to name.
const permAccount = `
environments:
  - {cloud_name: acme-prod, name: Acme Production, access_keys: [{name: ci, api_key: "123456789012345"}]}
`

const permConfig = `version: 1
environments:
  - {cloud_name: acme-prod, name: Acme Production}
  - {cloud_name: acme-staging, name: Acme Staging}
users:
  - {email: ana@acme.test, name: Ana, role: master_admin}
  - {email: raj@acme.test, name: Raj, role: media_library_user}
groups:
  - {name: designers, members: [raj@acme.test]}
roles:
  - id: acme-asset-reviewer
    name: Asset reviewer
    description: Reviews and moderates assets
    permission_type: global
    scope_type: prodenv
    system_policies: [cld::policy::global::assets::moderate, cld::policy::global::folder_and_asset_management::view]
  - id: acme-folder-editor
    name: Folder editor
    permission_type: content
    scope_type: prodenv
    system_policies: [cld::policy::content::folder::add_assets]
policies:
  - name: designers-upload-staging
    scope: acme-staging
    description: Designers may upload to staging
    statement: |
      permit(
        principal == Cloudinary::Group::"${group:designers}",
        action == Cloudinary::Action::"create",
        resource is Cloudinary::Asset
      );
  - name: ci-reads
    scope: all
    statement: permit(principal == Cloudinary::APIKey::"${api_key:acme-prod/ci}", action == Cloudinary::Action::"read", resource);
  - name: raj-reads-staging
    scope: account
    enabled: false
    statement: permit(principal == Cloudinary::User::"${user:raj@acme.test}", action == Cloudinary::Action::"read", resource in Cloudinary::ProductEnvironment::"${environment:acme-staging}");
assignments:
  - {principal: {group: designers}, role: acme-asset-reviewer, scope: acme-staging}
  - {principal: {user: raj@acme.test}, role: acme-asset-reviewer, scope: acme-staging}
  - {principal: {user: raj@acme.test}, role: acme-folder-editor, scope: acme-staging, folder_id: f8a5c2e1}
  - {principal: {user: ana@acme.test}, role: cld::role::folder::viewer, scope: acme-prod, folder_id: f8a5c2e1}
  - {principal: {user: ana@acme.test}, role: cld::role::account::master_admin, scope: account}
  - {principal: {api_key: {environment: acme-prod, name: ci}}, role: cld::role::prodenv::ml_user, scope: all}
prune: [roles, policies, assignments]
`

func permSetup(t *testing.T) (*emulator.Emulator, *client.Client) {
	t.Helper()
	emu := emulator.New(emulator.Options{})
	if err := emu.LoadSeed(strings.NewReader(permAccount)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 3}))
	if err != nil {
		t.Fatal(err)
	}
	return emu, c
}

func permPlan(t *testing.T, c *client.Client, cfg *spec.Config) (*planner.Plan, *state.Account) {
	t.Helper()
	live, err := state.Read(t.Context(), state.FromClient(c), state.Options{Permissions: true, APIKeyEnvironments: []string{"acme-prod"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.Diff(cfg, live, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) > 0 {
		t.Fatalf("plan errors: %v", p.Errors)
	}
	return p, live
}

func applyOK(t *testing.T, c *client.Client, p *planner.Plan, live *state.Account) {
	t.Helper()
	rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{})
	if rep.Failed() {
		var b strings.Builder
		_ = render.RenderReport(&b, rep)
		t.Fatalf("apply failed:\n%s", b.String())
	}
}

// replan asserts that planning again finds nothing to do.
func replan(t *testing.T, c *client.Client, cfg *spec.Config) {
	t.Helper()
	if p, _ := permPlan(t, c, cfg); p.HasChanges() {
		var b strings.Builder
		_ = render.RenderText(&b, p, render.TextOptions{})
		t.Fatalf("plan after apply has changes:\n%s", b.String())
	}
}

func TestApplyPermissionsConverges(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte(permConfig))
	if err != nil {
		t.Fatal(err)
	}
	emu, c := permSetup(t)
	p, live := permPlan(t, c, cfg)
	emu.ResetStats()
	applyOK(t, c, p, live)
	// Assignments go in one request per role and set of creates they wait
	// for: the reviewer role's two assignments wait for different
	// principals (the designers group, raj), so they are two requests; the
	// four other roles have one assignment each.
	stats := emu.Stats()
	if n := stats["updateRolePrincipals"].Requests; n != 6 {
		t.Errorf("updateRolePrincipals requests = %d, want 6 (one per role and dependency set)", n)
	}
	if n := stats["updatePrincipalRoles"].Requests; n != 0 {
		t.Errorf("updatePrincipalRoles requests = %d, want 0", n)
	}
	replan(t, c, cfg)
	if v := emu.Violations(); len(v) > 0 {
		t.Errorf("emulator violations: %v", v)
	}
}

// TestApplyPermissionsRepairsDrift changes assignments and policies behind
// cldsync's back, and checks the next plan finds and repairs them.
func TestApplyPermissionsRepairsDrift(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte(permConfig))
	if err != nil {
		t.Fatal(err)
	}
	_, c := permSetup(t)
	p, live := permPlan(t, c, cfg)
	applyOK(t, c, p, live)

	ctx := t.Context()
	_, live = permPlan(t, c, cfg)
	ids := map[string]string{}
	for _, u := range live.Users {
		ids[u.Email] = u.ID
	}
	for _, e := range live.Environments {
		ids[e.CloudName] = e.ID
	}
	// An extra assignment, a removed one, a changed and an extra policy.
	if err := c.Roles.UpdatePrincipals(ctx, "cld::role::prodenv::ml_user", client.UpdateRolePrincipalsRequest{
		Operation:  client.OperationAdd,
		Principals: []client.RolePrincipalChange{{PrincipalType: client.PrincipalUser, PrincipalID: ids["raj@acme.test"], ScopeID: "all"}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.Roles.UpdatePrincipals(ctx, "acme-asset-reviewer", client.UpdateRolePrincipalsRequest{
		Operation:  client.OperationRemove,
		Principals: []client.RolePrincipalChange{{PrincipalType: client.PrincipalUser, PrincipalID: ids["raj@acme.test"], ScopeID: ids["acme-staging"]}},
	}); err != nil {
		t.Fatal(err)
	}
	var changed, disabled string
	for _, pol := range live.Permissions.Policies {
		switch pol.Name {
		case "designers-upload-staging":
			changed = pol.ID
		case "ci-reads":
			disabled = pol.ID
		}
	}
	if _, err := c.CustomPolicies.Update(ctx, changed, client.UpdateCustomPolicyRequest{
		Name: "designers-upload-staging", PolicyStatement: "permit(principal, action, resource);",
		ScopeType: client.ScopeProdEnv, ScopeID: client.Ptr(ids["acme-staging"]), Enabled: true,
		Description: client.Ptr("Designers may upload to staging"),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CustomPolicies.Update(ctx, disabled, client.UpdateCustomPolicyRequest{
		Name: "ci-reads", PolicyStatement: `permit(principal == Cloudinary::APIKey::"123456789012345", action, resource);`,
		ScopeType: client.ScopeProdEnv, ScopeID: client.Ptr("all"), Enabled: false,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CustomPolicies.Create(ctx, client.CreateCustomPolicyRequest{
		Name: "sneaky", PolicyStatement: "forbid(principal, action, resource);", ScopeType: client.ScopeAccount,
	}); err != nil {
		t.Fatal(err)
	}

	p, live = permPlan(t, c, cfg)
	var b strings.Builder
	if err := render.RenderText(&b, p, render.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"+ create assignment user:raj@acme.test / acme-asset-reviewer / acme-staging\n",
		"- delete assignment user:raj@acme.test / cld::role::prodenv::ml_user / all\n",
		"~ update policy acme-staging/designers-upload-staging\n",
		"~ update policy all/ci-reads\n",
		"- delete policy account/sneaky\n",
		"Plan: 1 to add, 2 to change, 2 to destroy.",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, b.String())
		}
	}
	applyOK(t, c, p, live)
	replan(t, c, cfg)
}

// TestApplyPolicyUpdateRetried: the first attempt of a policy update lands
// but its answer is lost; the retry meets the identical statement (409),
// which counts as done.
func TestApplyPolicyUpdateRetried(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte(permConfig))
	if err != nil {
		t.Fatal(err)
	}
	emu, c := permSetup(t)
	p, live := permPlan(t, c, cfg)
	applyOK(t, c, p, live)

	cfg.Policies[0].Statement = strings.Replace(cfg.Policies[0].Statement, `"create"`, `"update"`, 1)
	p, live = permPlan(t, c, cfg)
	if s := p.Summary(); s.Change != 1 || s.Add+s.Destroy != 0 {
		t.Fatalf("plan = %s, want one update", p.SummaryLine())
	}
	emu.InjectFault(emulator.Fault{Op: "updateCustomPolicy", Status: 503, AfterHandling: true})
	applyOK(t, c, p, live)
	if got := emu.Stats()["updateCustomPolicy"].ByStatus[409]; got != 1 {
		t.Errorf("updateCustomPolicy answered 409 %d times, want 1 (the retry)", got)
	}
	replan(t, c, cfg)
}

// TestApplyPermissionsReplaces covers the replaces: a role whose scope
// type changes (its assignments are dropped with force and added again)
// and a policy whose description alone changes.
func TestApplyPermissionsReplaces(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte(permConfig))
	if err != nil {
		t.Fatal(err)
	}
	_, c := permSetup(t)
	p, live := permPlan(t, c, cfg)
	applyOK(t, c, p, live)

	next := strings.NewReplacer(
		"description: Designers may upload to staging", "description: Designers upload to staging",
		"    scope_type: prodenv\n    system_policies: [cld::policy::global::assets::moderate, cld::policy::global::folder_and_asset_management::view]",
		"    scope_type: account\n    system_policies: [cld::policy::global::users_and_groups::manage]",
		"{principal: {group: designers}, role: acme-asset-reviewer, scope: acme-staging}", "{principal: {group: designers}, role: acme-asset-reviewer, scope: account}",
		"{principal: {user: raj@acme.test}, role: acme-asset-reviewer, scope: acme-staging}", "{principal: {user: raj@acme.test}, role: acme-asset-reviewer, scope: account}",
	).Replace(permConfig)
	cfg, err = spec.Parse("cldsync.yaml", []byte(next))
	if err != nil {
		t.Fatal(err)
	}
	p, live = permPlan(t, c, cfg)
	var replaces int
	for _, ch := range p.Changes {
		if ch.Action == planner.Replace {
			replaces++
		}
	}
	if replaces != 2 {
		t.Fatalf("plan has %d replaces, want 2:\n%v", replaces, p.Changes)
	}
	applyOK(t, c, p, live)
	replan(t, c, cfg)
}

// TestApplyAssignmentsBatched: assignments of one role to principals that
// exist go in one request.
func TestApplyAssignmentsBatched(t *testing.T) {
	emu, c := permSetup(t)
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
	p, live := permPlan(t, c, cfg)
	emu.ResetStats()
	applyOK(t, c, p, live)
	if n := emu.Stats()["updateRolePrincipals"].Requests; n != 2 {
		t.Errorf("updateRolePrincipals requests = %d, want 2 (one per role)", n)
	}
	replan(t, c, cfg)
}
