package apply

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

// TestStoredWarnings pins each known normalisation (no warning) and each
// kind of mismatch (a warning naming the field).
func TestStoredWarnings(t *testing.T) {
	user := planner.UserValue{Email: "Raj@Acme.test", Name: "Raj Patel", Role: "admin", Enabled: true, Environments: []string{"acme-prod"}}
	stmt := "permit(\n  principal == Cloudinary::User::\"u1\",\n  action,\n  resource\n);"
	pol := sentPolicy{v: planner.PolicyValue{Name: "p", Scope: "acme-prod", Description: "d", Enabled: true}, statement: stmt, scope: client.ScopeProdEnv, scopeID: "e1"}
	role := planner.RoleValue{ID: "r", Name: "R", PermissionType: "global", ScopeType: "prodenv", SystemPolicies: []string{"b", "a"}}
	tests := []struct {
		name   string
		ref    planner.Ref
		fields []stored
		want   []string
	}{
		{
			name:   "email case is the API's",
			ref:    user.Ref(),
			fields: checkUser(user, []string{"e1"}, &client.User{Email: "raj@acme.test", Name: "Raj Patel", Role: "admin", Enabled: true}),
		},
		{
			name: "a changed name and an environment list the API ignored",
			ref:  user.Ref(),
			fields: checkUser(user, []string{"e1"}, &client.User{Email: "raj@acme.test", Name: "Raj", Role: "admin", Enabled: true,
				AllSubAccounts: true}),
			want: []string{
				`user raj@acme.test: the API stored name "Raj", not "Raj Patel" as sent`,
				`user raj@acme.test: the API stored all_sub_accounts true, not false as sent`,
			},
		},
		{
			name:   "a live answer's environment list, in another order",
			ref:    user.Ref(),
			fields: checkUser(user, []string{"e2", "e1"}, &client.User{Email: "raj@acme.test", Name: "Raj Patel", Role: "admin", Enabled: true, SubAccountIDs: []string{"e1", "e2"}}),
		},
		{
			name:   "a live answer's environment list that differs",
			ref:    user.Ref(),
			fields: checkUser(user, []string{"e1"}, &client.User{Email: "raj@acme.test", Name: "Raj Patel", Role: "admin", Enabled: true, SubAccountIDs: []string{}}),
			want:   []string{`user raj@acme.test: the API dropped sub_account_ids (sent ["e1"], answered none)`},
		},
		{
			name:   "master_admin sees every environment whatever the list",
			ref:    user.Ref(),
			fields: checkUser(planner.UserValue{Email: "a@x.test", Role: "master_admin"}, nil, &client.User{Email: "a@x.test", Role: "master_admin", AllSubAccounts: true}),
		},
		{
			name: "Cedar is compared canonically",
			ref:  pol.v.Ref(),
			fields: checkPolicy(pol, &client.CustomPolicy{Name: "p", Description: "d", Enabled: true, ScopeType: client.ScopeProdEnv, ScopeID: "e1",
				PolicyStatement: "permit (principal == Cloudinary::User::\"u1\", action, resource);"}),
		},
		{
			name: "a changed statement and a dropped description",
			ref:  pol.v.Ref(),
			fields: checkPolicy(pol, &client.CustomPolicy{Name: "p", Enabled: true, ScopeType: client.ScopeProdEnv, ScopeID: "e1",
				PolicyStatement: "permit (principal, action, resource);"}),
			want: []string{
				`policy acme-prod/p: the API dropped description (sent "d", answered none)`,
				`policy acme-prod/p: the API stored policy_statement "permit (principal, action, resource);", not "permit(\n  principal == Cloudinary::User::\"u1\",\n  action,\n  resource\n);" as sent`,
			},
		},
		{
			name: "system policies are a set; a dropped one is named",
			ref:  role.Ref(),
			fields: checkRole(role, true, &client.Role{Name: "R", PermissionType: "global", ScopeType: "prodenv",
				Policies: []client.SystemPolicy{{ID: "a"}, {ID: "b"}}}),
		},
		{
			name:   "system policies dropped",
			ref:    role.Ref(),
			fields: checkRole(role, false, &client.Role{Name: "R"}),
			want:   []string{`role r: the API dropped system_policies (sent ["a", "b"], answered none)`},
		},
		{
			name: "custom_attributes are write-only: never compared",
			ref:  planner.Ref{Kind: spec.KindEnvironment, Name: "acme-prod"},
			fields: checkEnvironment(planner.EnvironmentValue{CloudName: "acme-prod", Name: "Acme", Enabled: true, CustomAttributes: map[string]any{"team": "web"}}, false,
				&client.ProductEnvironment{CloudName: "acme-prod", Name: "Acme", Enabled: true}),
		},
		{
			name:   "an environment left enabled",
			ref:    planner.Ref{Kind: spec.KindEnvironment, Name: "acme-prod"},
			fields: checkEnvironment(planner.EnvironmentValue{CloudName: "acme-prod", Name: "Acme"}, false, &client.ProductEnvironment{CloudName: "acme-prod", Name: "Acme", Enabled: true}),
			want:   []string{`environment acme-prod: the API stored enabled true, not false as sent`},
		},
		{
			name:   "no answer, nothing to compare",
			ref:    planner.Ref{Kind: spec.KindGroup, Name: "g"},
			fields: checkGroup(planner.GroupValue{Name: "g"}, nil),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, storedWarnings(tt.ref, tt.fields)); diff != "" {
				t.Errorf("storedWarnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWarningsSorted(t *testing.T) {
	var w warnings
	w.add("b", "a")
	w.add()
	w.add("a")
	if diff := cmp.Diff([]string{"a", "b"}, w.sorted()); diff != "" {
		t.Errorf("sorted (-want +got):\n%s", diff)
	}
}
