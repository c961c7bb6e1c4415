package state_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// missingUser reads the users as a server whose listing loses one of them
// and cannot be proven complete (a page repeating the previous one).
type missingUser struct {
	state.API
	email string
}

func (a missingUser) ListUsersPage(ctx context.Context, opts *client.UserListOptions) ([]client.UserSummary, error) {
	first := *opts
	first.Page = 1 // every page answers the first: the server ignores page
	users, err := a.API.ListUsersPage(ctx, &first)
	return slices.DeleteFunc(users, func(u client.UserSummary) bool { return strings.EqualFold(u.Email, a.email) }), err
}

// repeated is why a users listing whose pages all answer alike is
// incomplete.
const repeated = "page 2 repeated page 1: the server may be ignoring page"

const principalsSeed = `
environments:
  - {cloud_name: acme-prod, name: Acme Production, id: env-prod}
users:
  - {email: ana@acme.test, name: Ana, role: admin, id: u-ana}
  - {email: raj@acme.test, name: Raj, role: admin, id: u7}
assignments:
  - {principal_type: user, principal: raj@acme.test, role_id: cld::role::account::admin}
  - {principal_type: user, principal: ana@acme.test, role_id: cld::role::account::admin}
`

// TestReadUsersIncompleteMarksAssignments: a user missing from a users
// listing that cannot be proven complete leaves its assignments unnamed,
// keyed by id, where they match nothing in the configuration; so the
// assignments are recorded incomplete too, naming the cause, and a plan
// that prunes assignments deletes none of them. Before, the plan created
// raj (409 at apply), created raj's assignment (skipped) and deleted
// user:u7's (applied): raj lost access.
func TestReadUsersIncompleteMarksAssignments(t *testing.T) {
	_, c := newAccount(t, principalsSeed)
	live, err := state.Read(t.Context(), missingUser{API: state.FromClient(c), email: "raj@acme.test"}, state.Options{Permissions: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[spec.Kind]string{
		spec.KindUser:       repeated,
		spec.KindAssignment: "principals missing from the incomplete users listing cannot be named: " + repeated,
	}
	if diff := cmp.Diff(want, live.Incomplete); diff != "" {
		t.Errorf("Incomplete (-want +got):\n%s", diff)
	}

	cfg, err := spec.Parse("cldsync.yaml", []byte(`version: 1
prune: [assignments]
users:
  - {email: ana@acme.test, name: Ana, role: admin}
  - {email: raj@acme.test, name: Raj, role: admin}
assignments:
  - {principal: {user: ana@acme.test}, role: cld::role::account::admin, scope: account}
  - {principal: {user: raj@acme.test}, role: cld::role::account::admin, scope: account}
`))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := planner.Diff(cfg, live, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range plan.Changes {
		if ch.Action == planner.Delete {
			t.Errorf("plan deletes %s, want no assignment deleted while users cannot be named", ch.Ref)
		}
	}
	if !slices.ContainsFunc(plan.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "assignments: the live listing is incomplete (principals missing from the incomplete users listing")
	}) {
		t.Errorf("warnings %q do not say why no assignment is deleted", plan.Warnings)
	}
}
