package apply_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/render"
)

// The permissions half of the fault matrix: an account whose custom roles,
// custom policies and role assignments the configuration changes in every
// way, so that faults hit role and policy creates (whose lost answers must
// be found before a retry), updates, deletes, a replace, and assignment
// batches.

// permFaultSeed has a role to delete (still assigned: force), one to
// update, one to replace (global to content), a policy to update, one to
// delete, and an assignment to remove.
const permFaultSeed = `environments:
  - {cloud_name: acme-prod, name: Acme Prod, id: env-prod}
users:
  - {email: ana@acme.test, name: Ana, role: admin}
groups:
  - {name: designers, members: [ana@acme.test]}
roles:
  - {id: old-role, name: Old, permission_type: global, scope_type: prodenv, system_policy_ids: [cld::policy::global::assets::moderate]}
  - {id: editor, name: Editor, permission_type: global, scope_type: prodenv, system_policy_ids: [cld::policy::global::folder_and_asset_management::view]}
  - {id: swap, name: Swap, permission_type: global, scope_type: prodenv, system_policy_ids: [cld::policy::global::ml::access]}
policies:
  - {name: reads, scope_type: prodenv, scope: acme-prod, policy_statement: 'permit(principal, action == Cloudinary::Action::"read", resource);'}
  - {name: stale, scope_type: account, policy_statement: 'forbid(principal, action == Cloudinary::Action::"delete", resource);'}
assignments:
  - {principal_type: group, principal: designers, role_id: old-role, scope: acme-prod}
  - {principal_type: user, principal: ana@acme.test, role_id: cld::role::prodenv::ml_user, scope: acme-prod}
  - {principal_type: group, principal: designers, role_id: swap, scope: acme-prod}
`

const permFaultConfig = `version: 1
prune: [roles, policies, assignments]
environments:
  - {cloud_name: acme-prod, name: Acme Prod}
  - {cloud_name: acme-staging, name: Acme Staging}
users:
  - {email: ana@acme.test, name: Ana, role: admin}
  - {email: mei@acme.test, name: Mei Chen, role: reports}
groups:
  - {name: designers, members: [ana@acme.test]}
  - {name: reviewers, members: [mei@acme.test]}
roles:
  - id: reviewer
    name: Reviewer
    description: Reviews and moderates assets
    permission_type: global
    scope_type: prodenv
    system_policies: [cld::policy::global::assets::moderate, cld::policy::global::folder_and_asset_management::view]
  - id: editor
    name: Asset editor
    permission_type: global
    scope_type: prodenv
    system_policies: [cld::policy::global::folder_and_asset_management::view, cld::policy::global::folder_and_asset_management::create_asset]
  - id: viewer
    name: Folder viewer
    permission_type: content
    scope_type: prodenv
    system_policies: [cld::policy::content::folder::view_download]
  - id: swap
    name: Swap
    permission_type: content
    scope_type: prodenv
    system_policies: [cld::policy::content::folder::add_assets]
policies:
  - name: reads
    scope: acme-prod
    statement: permit(principal, action == Cloudinary::Action::"read", resource is Cloudinary::Asset);
  - name: reviewers-upload-staging
    scope: acme-staging
    description: Reviewers may upload to staging
    statement: |
      permit(
        principal == Cloudinary::Group::"${group:reviewers}",
        action == Cloudinary::Action::"create",
        resource is Cloudinary::Asset
      );
  - name: mei-everywhere
    scope: all
    statement: permit(principal == Cloudinary::User::"${user:mei@acme.test}", action == Cloudinary::Action::"read", resource);
  - name: no-deletes
    scope: account
    enabled: false
    statement: forbid(principal, action == Cloudinary::Action::"delete", resource) when { principal == Cloudinary::User::"${user:mei@acme.test}" };
assignments:
  - {principal: {group: reviewers}, role: reviewer, scope: acme-staging}
  - {principal: {user: mei@acme.test}, role: reviewer, scope: all}
  - {principal: {group: designers}, role: editor, scope: acme-prod}
  - {principal: {user: ana@acme.test}, role: viewer, scope: acme-prod, folder_id: f1}
  - {principal: {group: designers}, role: swap, scope: acme-prod, folder_id: f2}
  - {principal: {user: mei@acme.test}, role: cld::role::account::reports, scope: account}
`

// permissions is the permissions scenario of the fault matrix.
var permissions = &scenario{
	seed: permFaultSeed, config: permFaultConfig, permissions: true,
	writeOps: []string{
		"createRole", "updateRole", "deleteRole",
		"createCustomPolicy", "updateCustomPolicy", "deleteCustomPolicy",
		"updateRolePrincipals",
		"createProductEnvironment", "createUserGroup",
	},
}

// TestLostPermissionCreatesFound: every role and policy create of the
// permissions scenario loses its answer after the server acted (each
// scope of policy: account, an environment, all). Each is found by its
// natural key rather than sent again: nothing fails, nothing is created
// twice, and the account ends as after a clean run.
func TestLostPermissionCreatesFound(t *testing.T) {
	want, _ := permissions.clean(t)
	for _, op := range []string{"createRole", "createCustomPolicy"} {
		for how, lost := range map[string]emulator.Fault{
			"500 after handling":     {Status: 500, AfterHandling: true},
			"dropped after handling": {Drop: true, AfterHandling: true},
		} {
			t.Run(op+"/"+how, func(t *testing.T) {
				t.Parallel()
				n := permissions.ops[op]
				if n < 3 {
					t.Fatalf("a clean apply sends %d %s, want several", n, op)
				}
				a := newScenarioAccount(t, permissions, 0)
				p, live := a.plan(t)
				for range n {
					f := lost
					f.Op = op
					a.emu.InjectFault(f)
				}
				rep := apply.Apply(t.Context(), apply.FromClient(a.c), p, live, apply.Options{Parallelism: 1})
				if rep.Failed() {
					var b strings.Builder
					render.RenderReport(&b, rep)
					t.Errorf("lost answers were not recovered:\n%s", b.String())
				}
				if got := a.emu.Stats()[op].Requests; got != n {
					t.Errorf("%s sent %d times, want %d: a create was sent again", op, got, n)
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
}
