package rehearse

import (
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// TestUnexpectedAccess: the copy's access after the plan is compared with
// the access the plan projected, the way the plan's own access diff
// compares before and after. An assignment the plan makes that the copy
// does not have is named; the same access on both sides is not.
func TestUnexpectedAccess(t *testing.T) {
	t.Parallel()
	live := func() *state.Account {
		return &state.Account{
			Users: []state.User{{ID: "u1", Email: "raj@acme.test", Enabled: true}},
			Permissions: &state.Permissions{
				Catalog: spec.BuiltinCatalog(),
				Roles:   []state.Role{{ID: "reviewer", Name: "Reviewer", PermissionType: "global", ScopeType: "prodenv"}},
			},
		}
	}
	assign := planner.AssignmentValue{PrincipalType: "user", Principal: "raj@acme.test", PrincipalID: "u1", Role: "reviewer", Scope: "all", ScopeID: "all"}
	plan := &planner.Plan{Changes: []planner.Change{{Action: planner.Create, Ref: assign.Ref(), After: assign}}}

	got := live()
	if reason := unexpectedAccess(live(), plan, got); !strings.Contains(reason, "raj@acme.test loses Reviewer on every environment") {
		t.Errorf("reason = %q, want the missing assignment named", reason)
	}
	got.Permissions.Assignments = []state.Assignment{{PrincipalType: "user", PrincipalID: "u1",
		Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "raj@acme.test"}, Role: "reviewer", Scope: "all", ScopeID: "all"}}
	if reason := unexpectedAccess(live(), plan, got); reason != "" {
		t.Errorf("reason = %q, want none: the copy has what the plan projected", reason)
	}
}
