package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

func TestPlanErrors(t *testing.T) {
	t.Parallel()
	at := spec.Pos{File: "cfg.yaml", Line: 12, Col: 7}
	p := &planner.Plan{Errors: []planner.PlanError{
		{Ref: planner.Ref{Kind: spec.KindPolicy, Name: "acme-prod/ci"}, Message: "statement: ${api_key:acme-prod/ci}: no such key", Pos: at},
		{Ref: planner.Ref{Kind: spec.KindPolicy, Name: "acme-prod/ci"}, Message: "cfg.yaml:12:7: the API rejects the statement: bad", Pos: at},
		{Ref: planner.Ref{Kind: spec.KindUser, Name: "old@acme.test"}, Message: "refusing to delete it: protected"},
		{Ref: planner.Ref{Kind: spec.KindUser, Name: "new@acme.test"}, Message: "refusing to delete it: protected"},
	}}
	err := planErrors(p)
	want := `the plan refuses 3 objects (4 errors):
  cfg.yaml:12:7: policy acme-prod/ci: statement: ${api_key:acme-prod/ci}: no such key
  cfg.yaml:12:7: policy acme-prod/ci: the API rejects the statement: bad
  refusing to delete 2 users: protected
    - user old@acme.test
    - user new@acme.test`
	if err == nil {
		t.Fatal("planErrors returned nil")
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("planErrors (-want +got):\n%s", diff)
	}
	if planErrors(&planner.Plan{}) != nil {
		t.Error("planErrors of a plan without errors is not nil")
	}
}

func TestCheckKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		got  spec.Kind
		want string // "" for accepted
	}{
		{"users", ""},
		{"user", `--prune: unknown kind "user" (did you mean "users"?); want one of environments, users, groups, memberships, access_keys, roles, policies, assignments`},
		{"policys", `(did you mean "policies"?)`},
		{"env", `(did you mean "environments"?)`},
		{"Groups", `(did you mean "groups"?)`},
		{"widgets", `--prune: unknown kind "widgets"; want one of`},
	} {
		err := checkKinds("--prune", []spec.Kind{"groups", tc.got}, pruneKinds)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.got, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want %q", tc.got, err, tc.want)
		}
	}
}
