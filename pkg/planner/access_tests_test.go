package planner

import (
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

const guardConfig = `version: 1
environments: [{cloud_name: acme-prod, name: P}]
users:
  - {email: ana@acme.test, name: Ana, role: master_admin}
  - {email: contractor@partner.test, name: C}
groups:
  - {name: ops, members: [ana@acme.test, contractor@partner.test]}
access_tests:
  - name: contractors never administer production
    who: {user: contractor@partner.test}
    in: acme-prod
    cannot: [cld::role::prodenv::master_admin]
`

func guardLive(opsMembers ...string) *model.Account {
	return &model.Account{
		Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod", Name: "P", Enabled: true}},
		Users: []model.User{
			{ID: "u1", Email: "ana@acme.test", Name: "Ana", Role: "master_admin", Enabled: true},
			{ID: "u2", Email: "contractor@partner.test", Name: "C", Enabled: true},
		},
		Groups: []model.Group{{ID: "g1", Name: "ops", Members: opsMembers}},
		Permissions: &model.Permissions{Catalog: spec.BuiltinCatalog(), Assignments: []model.Assignment{{
			PrincipalType: "group", PrincipalID: "g1", Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "ops"},
			Role: "cld::role::prodenv::master_admin", Scope: "acme-prod", ScopeID: "e1"}}},
	}
}

func TestGuardAccessTests(t *testing.T) {
	t.Parallel()
	cfg, err := spec.Parse("c.yaml", []byte(guardConfig))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the plan breaks it: refused", func(t *testing.T) {
		p, err := Diff(cfg, guardLive("ana@acme.test"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) != 1 || p.Errors[0].Ref.Kind != accessTestKind || p.Errors[0].Pos.Line != 12 ||
			!strings.Contains(p.Errors[0].Message, "holds it via group ops → role Master Admin") {
			t.Fatalf("errors = %+v, want the test refusing the plan at c.yaml:12", p.Errors)
		}
		if p.FailingAccessTests != 0 {
			t.Errorf("the test holds live; FailingAccessTests = %d", p.FailingAccessTests)
		}
	})
	t.Run("already failing live: a warning, drift", func(t *testing.T) {
		p, err := Diff(cfg, guardLive("ana@acme.test", "contractor@partner.test"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) != 0 || p.FailingAccessTests != 1 || !strings.Contains(strings.Join(p.Warnings, "\n"), "in the live account, and the plan leaves it failing") {
			t.Fatalf("errors %+v, failing %d, warnings %q", p.Errors, p.FailingAccessTests, p.Warnings)
		}
	})
	t.Run("no permissions API: not evaluated, said so", func(t *testing.T) {
		live := guardLive("ana@acme.test")
		live.Permissions = &model.Permissions{Unavailable: "GET roles answered 403 forbidden"}
		p, err := Diff(cfg, live, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) != 0 || !strings.Contains(strings.Join(p.Warnings, "\n"), "1 access test not evaluated on the live or planned account: the account has no Permissions API") {
			t.Fatalf("errors %+v, warnings %q", p.Errors, p.Warnings)
		}
	})
}

// TestGuardAccessTestsPerCheck: a test already failing in the live account
// for one check still refuses a plan that breaks another of its checks:
// the plan is what breaks that one.
func TestGuardAccessTestsPerCheck(t *testing.T) {
	t.Parallel()
	cfg, err := spec.Parse("c.yaml", []byte(guardConfig+"    can: [cld::role::prodenv::ml_user]\n"))
	if err != nil {
		t.Fatal(err)
	}
	// The contractor holds no ml_user live or planned: the can fails on
	// both sides. Joining ops breaks the cannot.
	p, err := Diff(cfg, guardLive("ana@acme.test"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) != 1 || p.Errors[0].Pos.Line != 12 || !strings.Contains(p.Errors[0].Message, "refusing the plan: it breaks this access test") {
		t.Fatalf("errors = %+v, want the cannot at c.yaml:12 refusing the plan", p.Errors)
	}
	if p.FailingAccessTests != 1 || !strings.Contains(strings.Join(p.Warnings, "\n"), "can cld::role::prodenv::ml_user: does not hold it in the live account, and the plan leaves it failing") {
		t.Errorf("failing %d, warnings %q: want the can reported as failing live", p.FailingAccessTests, p.Warnings)
	}
}
