package apply_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/render"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

const renameSeed = `
environments:
  - {cloud_name: acme-prod, name: Acme Production, id: env0000000000000000000000000prod, access_keys: [{name: ci, api_key: "123456789012345"}]}
  - {cloud_name: acme-staging, name: Acme Staging, id: env000000000000000000000000stage}
users:
  - {email: raj@acme.test, name: Raj Patel, role: admin, id: usr00000000000000000000000raj, environments: [acme-staging]}
  - {email: mei@acme.test, name: Mei Chen, role: admin, id: usr00000000000000000000000mei, environments: [acme-prod]}
groups:
  - {name: designers, id: grp000000000000000000000designers, members: [raj@acme.test, mei@acme.test]}
roles:
  - {id: reviewer, name: Reviewer, permission_type: global, scope_type: prodenv, system_policy_ids: ["cld::policy::global::assets::moderate"]}
policies:
  - name: upload
    scope_type: prodenv
    scope: acme-staging
    policy_statement: 'permit(principal == Cloudinary::Group::"grp000000000000000000000designers", action == Cloudinary::Action::"create", resource is Cloudinary::Asset);'
assignments:
  - {principal_type: group, principal: designers, role_id: reviewer, scope: acme-staging}
  - {principal_type: user, principal: raj@acme.test, role_id: reviewer, scope: acme-prod}
  - {principal_type: apiKey, principal: "123456789012345", role_id: reviewer, scope: acme-prod}
`

const renameBefore = `version: 1
environments:
  - {cloud_name: acme-prod, name: Acme Production}
  - {cloud_name: acme-staging, name: Acme Staging}
users:
  - {email: raj@acme.test, name: Raj Patel, role: admin, environments: [acme-staging]}
  - {email: mei@acme.test, name: Mei Chen, role: admin, environments: [acme-prod]}
groups:
  - {name: designers, members: [raj@acme.test, mei@acme.test]}
roles:
  - {id: reviewer, name: Reviewer, permission_type: global, scope_type: prodenv, system_policies: ["cld::policy::global::assets::moderate"]}
policies:
  - name: upload
    scope: acme-staging
    statement: 'permit(principal == Cloudinary::Group::"${group:designers}", action == Cloudinary::Action::"create", resource is Cloudinary::Asset);'
assignments:
  - {principal: {group: designers}, role: reviewer, scope: acme-staging}
  - {principal: {user: raj@acme.test}, role: reviewer, scope: acme-prod}
  - {principal: {api_key: {environment: acme-prod, name: ci}}, role: reviewer, scope: acme-prod}
`

// renameAfter renames every kind that can be, and changes more of the
// renamed objects at the same time.
const renameAfter = `version: 1
prune: [environments, users, groups, assignments, policies]
environments:
  - {cloud_name: acme-production, previously: [acme-prod], name: Acme Prod}
  - {cloud_name: acme-stage, previously: [acme-staging], name: Acme Staging}
users:
  - {email: raj.patel@acme.test, previously: [raj@acme.test], name: Raj Patel, role: admin, environments: [acme-stage, acme-production]}
  - {email: mei@acme.test, name: Mei Chen, role: admin, environments: [acme-production]}
groups:
  - {name: brand-designers, previously: [designers], members: [raj.patel@acme.test, mei@acme.test]}
roles:
  - {id: reviewer, name: Reviewer, permission_type: global, scope_type: prodenv, system_policies: ["cld::policy::global::assets::moderate"]}
policies:
  - name: upload
    scope: acme-stage
    statement: 'permit(principal == Cloudinary::Group::"${group:brand-designers}", action == Cloudinary::Action::"create", resource is Cloudinary::Asset);'
assignments:
  - {principal: {group: brand-designers}, role: reviewer, scope: acme-stage}
  - {principal: {user: raj.patel@acme.test}, role: reviewer, scope: acme-production}
  - {principal: {api_key: {environment: acme-production, name: ci}}, role: reviewer, scope: acme-production}
`

// ids returns the account's objects by id, with their keys, to compare
// before and after renames.
func accountIDs(t *testing.T, a *account) map[string]string {
	t.Helper()
	live, err := state.Read(t.Context(), state.FromClient(a.c), state.Options{Permissions: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range live.Environments {
		out[e.ID] = "environment"
	}
	for _, u := range live.Users {
		out[u.ID] = "user"
	}
	for _, g := range live.Groups {
		out[g.ID] = "group " + strings.Join(g.Members, ",")
	}
	for _, p := range live.Permissions.Policies {
		out[p.ID] = "policy"
	}
	for _, as := range live.Permissions.Assignments {
		out[string(as.PrincipalType)+":"+as.PrincipalID+"/"+as.Role+"/"+as.ScopeID] = "assignment"
	}
	return out
}

func planWithPermissions(t *testing.T, a *account, cfg *spec.Config) (*planner.Plan, *state.Account) {
	t.Helper()
	live, err := state.Read(t.Context(), state.FromClient(a.c), state.Options{Permissions: true, APIKeyEnvironments: cfg.APIKeyEnvironments()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.Diff(cfg, live, planner.Options{AllowEnvironmentDeletes: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) > 0 {
		t.Fatalf("plan refused: %v", p.Errors)
	}
	return p, live
}

// TestRenamesConverge renames an environment, a user and a group that
// memberships, access, a policy and role assignments refer to: the plan
// has only updates, apply converges, and every id (and so every
// membership, assignment and policy) is the one from before.
func TestRenamesConverge(t *testing.T) {
	t.Parallel()
	a := newValidatedAccount(t, renameSeed)
	before, err := spec.Parse("before.yaml", []byte(renameBefore))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := planWithPermissions(t, a, before); p.HasChanges() {
		var b strings.Builder
		render.RenderText(&b, p, render.TextOptions{})
		t.Fatalf("the seed does not match the configuration before the renames:\n%s", b.String())
	}
	idsBefore := accountIDs(t, a)

	after, err := spec.Parse("after.yaml", []byte(renameAfter))
	if err != nil {
		t.Fatal(err)
	}
	p, live := planWithPermissions(t, a, after)
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.Action.String()+" "+c.Ref.String())
	}
	want := []string{
		"update environments/acme-production",
		"update environments/acme-stage",
		"update users/raj.patel@acme.test",
		"update groups/brand-designers",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rename plan mismatch (-want +got):\n%s", diff)
	}
	a.emu.ResetStats()
	rep := apply.Apply(t.Context(), apply.FromClient(a.c), p, live, apply.Options{})
	if rep.Failed() {
		var b strings.Builder
		render.RenderReport(&b, rep)
		t.Fatalf("apply failed:\n%s", b.String())
	}
	var writes []string
	for _, w := range a.emu.Writes() {
		writes = append(writes, w.Op)
	}
	// One PUT per renamed object; nothing deleted or created.
	if diff := cmp.Diff([]string{"updateProductEnvironment", "updateProductEnvironment", "updateUser", "updateUserGroup"}, slices.Sorted(slices.Values(writes))); diff != "" {
		t.Errorf("writes mismatch (-want +got):\n%s", diff)
	}
	if again, _ := planWithPermissions(t, a, after); again.HasChanges() {
		var b strings.Builder
		render.RenderText(&b, again, render.TextOptions{})
		t.Fatalf("plan after the renames is not empty:\n%s", b.String())
	}
	idsAfter := accountIDs(t, a)
	// The group's members are listed by email: raj's changed.
	for id, what := range idsBefore {
		idsBefore[id] = strings.ReplaceAll(what, "raj@acme.test", "raj.patel@acme.test")
	}
	if diff := cmp.Diff(idsBefore, idsAfter); diff != "" {
		t.Errorf("ids changed by the renames (-before +after):\n%s", diff)
	}
}
