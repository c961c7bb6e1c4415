package planner

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// A holding that comes by several paths names the first group by name,
// or none when it is also assigned directly, whatever the order the
// graph visits its assignments in.
func TestHoldingViaFirstPath(t *testing.T) {
	t.Parallel()
	before := &model.Account{
		Users:       []model.User{{ID: "u1", Email: "ana@acme.test"}, {ID: "u2", Email: "raj@acme.test"}},
		Permissions: &model.Permissions{Catalog: spec.BuiltinCatalog()},
	}
	after := *before
	perms := *before.Permissions
	after.Permissions = &perms
	for _, g := range []string{"zeta", "eta", "delta", "alpha", "gamma", "beta", "theta", "epsilon"} {
		after.Groups = append(after.Groups, model.Group{ID: "g-" + g, Name: g, Members: []string{"ana@acme.test", "raj@acme.test"}})
		perms.Assignments = append(perms.Assignments, model.Assignment{PrincipalType: "group", PrincipalID: "g-" + g,
			Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: g}, Role: "reviewer", Scope: "acme-prod"})
	}
	perms.Assignments = append(perms.Assignments, model.Assignment{PrincipalType: "user", PrincipalID: "u2",
		Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "raj@acme.test"}, Role: "reviewer", Scope: "acme-prod"})
	for range 20 { // map order differs from run to run
		var got []string
		for _, c := range CompareAccess(LiveAccess(before), LiveAccess(&after)) {
			got = append(got, c.String())
		}
		want := []string{"ana@acme.test gains reviewer on acme-prod (via group alpha)", "raj@acme.test gains reviewer on acme-prod"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("access diff (-want +got):\n%s", diff)
		}
	}
	if got := LiveAccess(&after).RolesIn(spec.Principal{Kind: spec.PrincipalUser, Name: "ana@acme.test"}, "acme-prod"); !slices.Equal(got, []string{"reviewer"}) {
		t.Errorf("RolesIn = %q, want [reviewer]", got)
	}
}
