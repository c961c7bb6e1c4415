package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
)

func TestLocateErrors(t *testing.T) {
	t.Parallel()
	at := func(line, col int) spec.Pos { return spec.Pos{File: "c.yaml", Line: line, Col: col} }
	cfg := &spec.Config{
		Environments: []spec.Environment{{CloudName: "acme-prod", Pos: at(3, 5)}},
		Users:        []spec.User{{Email: "Ana@Acme.test", Pos: at(5, 5)}},
		Groups:       []spec.Group{{Name: "designers", Pos: at(7, 5)}},
		Roles:        []spec.Role{{ID: "reviewer", Pos: at(9, 5)}},
		Policies: []spec.Policy{{Name: "ci", Scope: "acme-prod", Pos: at(11, 5),
			Statement:    "permit(\n  principal == Cloudinary::APIKey::\"${api_key:acme-prod/ci}\",\n  action, resource);\n",
			StatementPos: at(14, 7), StatementBlock: true}},
		Assignments: []spec.Assignment{{Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "ana@acme.test"},
			Role: "reviewer", Scope: "acme-prod", Pos: at(20, 5), PrincipalPos: at(20, 16), RolePos: at(21, 11)}},
	}
	asg := AssignmentName("user", "ana@acme.test", "reviewer", "acme-prod", "", "")
	p := &Plan{Errors: []PlanError{
		{Ref: Ref{spec.KindEnvironment, "acme-prod"}, Message: "x"},
		{Ref: Ref{spec.KindUser, "ana@acme.test"}, Message: "x"},
		{Ref: Ref{spec.KindMembership, MembershipName("designers", "bo@acme.test")}, Message: "x"},
		{Ref: Ref{spec.KindRole, "reviewer"}, Message: "x"},
		{Ref: Ref{spec.KindPolicy, "acme-prod/ci"}, Message: "statement: ${api_key:acme-prod/ci}: no key"},
		{Ref: Ref{spec.KindPolicy, "acme-prod/ci"}, Message: "c.yaml:15:9: the API rejects the statement: bad"},
		{Ref: Ref{spec.KindPolicy, "acme-prod/ci"}, Message: "scope: x"},
		{Ref: Ref{spec.KindAssignment, asg}, Message: "principal: x"},
		{Ref: Ref{spec.KindAssignment, asg}, Message: `role "reviewer" is neither in the configuration nor in the catalog`},
		{Ref: Ref{spec.KindAssignment, asg}, Message: "scope: x"},
		{Ref: Ref{spec.KindUser, "live-only@acme.test"}, Message: "x"},
		{Ref: Ref{"permissions", "sections"}, Message: "x"},
		{Ref: Ref{spec.KindUser, "ana@acme.test"}, Message: "x", Pos: at(99, 1)},
	}}
	p.LocateErrors(cfg)
	want := []spec.Pos{at(3, 5), at(5, 5), at(7, 5), at(9, 5),
		at(15, 43), // the reference: line 2 of the block, its column 37, from column 7
		at(15, 9), at(11, 5),
		at(20, 16), at(21, 11), at(20, 5),
		{}, {}, at(99, 1)}
	got := make([]spec.Pos, len(p.Errors))
	for i, e := range p.Errors {
		got[i] = e.Pos
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
}
