package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func ptr[T any](v T) *T { return &v }

// dump renders a plan as a compact, readable text for table tests: one line
// per change with its dependencies, then its fields, notes and (for
// deletes) reason; then unmanaged counts, warnings and errors.
func dump(p *Plan) string {
	var b strings.Builder
	for _, c := range p.Changes {
		fmt.Fprintf(&b, "%s %s", c.Action, c.Ref)
		if len(c.DependsOn) > 0 {
			var deps []string
			for _, d := range c.DependsOn {
				deps = append(deps, d.String())
			}
			fmt.Fprintf(&b, " after %s", strings.Join(deps, ", "))
		}
		b.WriteString("\n")
		for _, f := range c.Fields {
			if c.Action == Create {
				b.WriteString("  " + f.Name + ": " + f.New + "\n")
			} else {
				b.WriteString("  " + f.Name + ": " + f.Old + " → " + f.New + "\n")
			}
		}
		if c.Action == Delete {
			b.WriteString("  reason: " + c.Reason + "\n")
		}
		for _, n := range c.Notes {
			b.WriteString("  note: " + n + "\n")
		}
	}
	for _, k := range Kinds(p.Unmanaged) {
		fmt.Fprintf(&b, "unmanaged %s: %d\n", k, p.Unmanaged[k])
	}
	for _, w := range p.Warnings {
		b.WriteString("warning: " + w + "\n")
	}
	for _, e := range p.Errors {
		b.WriteString("error: " + e.Error() + "\n")
	}
	return b.String()
}

func TestDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		desired spec.Config
		live    model.Account
		opts    Options
		want    string
	}{
		{
			name: "empty account gets creates in dependency order",
			desired: spec.Config{
				Environments: []spec.Environment{
					{CloudName: "acme-staging", Name: "Acme Staging", BaseEnvironment: "acme-prod", Enabled: ptr(false)},
					{CloudName: "acme-prod", Name: "Acme Prod", CustomAttributes: map[string]any{"team": "web"}},
				},
				Users: []spec.User{
					{Email: "Ana@Acme.test", Name: ptr("Ana"), Role: ptr("admin"), Environments: &spec.EnvironmentAccess{CloudNames: []string{"acme-staging", "acme-prod"}}},
					{Email: "bo@acme.test", Role: ptr("master_admin")},
					{Email: "cy@acme.test", Name: ptr("Cy")},
				},
				Groups: []spec.Group{
					{Name: "ops", Members: []string{"bo@acme.test", "ANA@acme.test"}, MembersManaged: true},
					{Name: "loose", Members: []string{"cy@acme.test"}},
				},
			},
			want: `create environments/acme-prod
  name: "Acme Prod"
  enabled: true
  custom_attributes: {"team":"web"}
create environments/acme-staging after environments/acme-prod
  name: "Acme Staging"
  enabled: false
  base_environment: "acme-prod"
  note: created, then disabled: the create request has no enabled field
create users/ana@acme.test after environments/acme-prod, environments/acme-staging
  name: "Ana"
  role: "admin"
  enabled: true
  environments: ["acme-prod", "acme-staging"]
  note: sends an invitation email to Ana@Acme.test
create users/bo@acme.test
  name: "bo@acme.test"
  role: "master_admin"
  enabled: true
  environments: all
  note: name is not set: the email is used as the name, which the API requires
  note: sends an invitation email to bo@acme.test
create users/cy@acme.test
  name: "Cy"
  enabled: true
  environments: all
  note: environments is not set: the API gives the user access to all product environments
  note: sends an invitation email to cy@acme.test
create groups/loose
  name: "loose"
create groups/ops
  name: "ops"
create memberships/ops / ana@acme.test after groups/ops, users/ana@acme.test
create memberships/ops / bo@acme.test after groups/ops, users/bo@acme.test
`,
		},
		{
			name: "partly matching account creates only what is missing",
			desired: spec.Config{
				Environments: []spec.Environment{{CloudName: "prod", Name: "Prod"}, {CloudName: "dev", Name: "Dev"}},
				Users: []spec.User{
					{Email: "ana@acme.test", Name: ptr("Ana"), Environments: &spec.EnvironmentAccess{CloudNames: []string{"prod", "dev"}}},
				},
				Groups: []spec.Group{{Name: "ops", Members: []string{"ana@acme.test"}, MembersManaged: true}},
			},
			live: model.Account{
				Environments: []model.Environment{{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: true}},
				Users:        []model.User{{ID: "u1", Email: "ana@acme.test", Name: "Ana", Role: "admin", Enabled: true, Environments: []string{"prod"}}},
				Groups:       []model.Group{{ID: "g1", Name: "ops"}},
			},
			want: `create environments/dev
  name: "Dev"
  enabled: true
update users/ana@acme.test after environments/dev
  environments: ["prod"] → ["dev", "prod"]
create memberships/ops / ana@acme.test
`,
		},
		{
			name: "drifted fields are updated, in a fixed field order",
			desired: spec.Config{
				Environments: []spec.Environment{{CloudName: "prod", Name: "Production", Enabled: ptr(true)}},
				Users: []spec.User{
					{Email: "raj@acme.test", Name: ptr("Raj K"), Role: ptr("media_library_user"), Enabled: ptr(false), Environments: &spec.EnvironmentAccess{All: true}},
					{Email: "sam@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{}}},
				},
			},
			live: model.Account{
				Environments: []model.Environment{{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: false}},
				Users: []model.User{
					{ID: "u1", Email: "raj@acme.test", Name: "Raj", Role: "admin", Enabled: true, Environments: []string{"prod"}},
					{ID: "u2", Email: "sam@acme.test", Name: "Sam", Role: "admin", AllEnvironments: true},
				},
			},
			want: `update environments/prod
  name: "Prod" → "Production"
  enabled: false → true
  note: the API never returns custom_attributes, and this PUT resets them unless the configuration sets them
update users/raj@acme.test
  name: "Raj" → "Raj K"
  role: "admin" → "media_library_user"
  enabled: true → false
  environments: ["prod"] → all
update users/sam@acme.test
  environments: all → []
warning: environment prod: updating it resets custom_attributes, which the configuration does not set: the API never returns them, so cldsync cannot send them back; set custom_attributes to keep them
`,
		},
		{
			name: "nil fields are not managed and not diffed",
			desired: spec.Config{
				Environments: []spec.Environment{{CloudName: "prod"}},
				Users:        []spec.User{{Email: "raj@acme.test"}},
				Groups:       []spec.Group{{Name: "ops"}},
			},
			live: model.Account{
				Environments: []model.Environment{{ID: "e1", CloudName: "prod", Name: "Whatever", Enabled: false}},
				Users:        []model.User{{ID: "u1", Email: "raj@acme.test", Name: "Raj", Role: "billing", Enabled: false, Environments: []string{"x"}}},
				Groups:       []model.Group{{ID: "g1", Name: "ops", Members: []string{"raj@acme.test", "zed@acme.test"}}},
			},
			want: `unmanaged memberships: 2
`,
		},
		{
			name: "custom_attributes alone never causes an update",
			desired: spec.Config{
				Environments: []spec.Environment{{CloudName: "prod", Name: "Prod", CustomAttributes: map[string]any{"a": 1}}},
			},
			live: model.Account{Environments: []model.Environment{{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: true}}},
			want: ``,
		},
		{
			name: "custom_attributes rides along with another update",
			desired: spec.Config{
				Environments: []spec.Environment{{CloudName: "prod", Name: "Prod", Enabled: ptr(false), CustomAttributes: map[string]any{"a": 1}}},
			},
			live: model.Account{Environments: []model.Environment{{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: true}}},
			want: `update environments/prod
  enabled: true → false
  note: custom_attributes is sent again: the API never returns it, so it is not compared
`,
		},
		{
			name: "unmanaged objects are counted and left alone",
			desired: spec.Config{
				Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"ana@acme.test"}}},
			},
			live: model.Account{
				Environments: []model.Environment{{ID: "e1", CloudName: "a"}, {ID: "e2", CloudName: "b"}},
				Users:        []model.User{{ID: "u1", Email: "ana@acme.test"}, {ID: "u2", Email: "bo@acme.test"}},
				Groups: []model.Group{
					{ID: "g1", Name: "ops", Members: []string{"ana@acme.test"}},
					{ID: "g2", Name: "other", Members: []string{"ana@acme.test", "bo@acme.test"}},
				},
			},
			want: `unmanaged environments: 2
unmanaged users: 2
unmanaged groups: 1
unmanaged memberships: 2
`,
		},
		{
			name: "pruned kinds are deleted in reverse dependency order",
			desired: spec.Config{
				Users: []spec.User{{Email: "ana@acme.test"}},
				Groups: []spec.Group{
					{Name: "ops", MembersManaged: true, Members: []string{"ana@acme.test"}},
				},
				Prune: []spec.Kind{spec.KindEnvironment, spec.KindUser, spec.KindGroup},
			},
			live: model.Account{
				Environments: []model.Environment{{ID: "e1", CloudName: "old-env", Name: "Old"}},
				Users: []model.User{
					{ID: "u1", Email: "ana@acme.test"},
					{ID: "u2", Email: "bo@acme.test"},
					{ID: "u3", Email: "cy@acme.test"},
				},
				Groups: []model.Group{
					{ID: "g1", Name: "ops", Members: []string{"ana@acme.test", "bo@acme.test", "cy@acme.test"}},
					{ID: "g2", Name: "old", Members: []string{"bo@acme.test"}},
				},
			},
			opts: Options{Prune: nil, AllowEnvironmentDeletes: true}, // guards_test.go covers the refusal
			want: `delete groups/old
  reason: not in the configuration, and groups are pruned
  note: also drops its 1 membership
delete users/bo@acme.test
  reason: not in the configuration, and users are pruned
  note: also removes the user from groups ["old", "ops"]
delete users/cy@acme.test
  reason: not in the configuration, and users are pruned
  note: also removes the user from groups ["ops"]
delete environments/old-env
  reason: not in the configuration, and environments are pruned
  note: deletes the product environment and everything in it; the API refuses it for environments with 1000 or more images
`,
		},
		{
			name: "extra members of a managed group are removed without pruning",
			desired: spec.Config{
				Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{}}},
			},
			live: model.Account{
				Users:  []model.User{{ID: "u1", Email: "ana@acme.test"}},
				Groups: []model.Group{{ID: "g1", Name: "ops", Members: []string{"ana@acme.test", "ghost@acme.test"}}},
			},
			want: `delete memberships/ops / ana@acme.test
  reason: not in the members of group "ops"
delete memberships/ops / ghost@acme.test
  reason: not in the members of group "ops"
unmanaged users: 1
`,
		},
		{
			name: "an empty Options.Prune overrides the configuration's prune",
			desired: spec.Config{
				Prune: []spec.Kind{spec.KindGroup},
			},
			live: model.Account{Groups: []model.Group{{ID: "g1", Name: "old"}}},
			opts: Options{Prune: []spec.Kind{}},
			want: `unmanaged groups: 1
`,
		},
		{
			name:    "Options.Prune adds kinds to prune",
			desired: spec.Config{},
			live:    model.Account{Groups: []model.Group{{ID: "g1", Name: "old"}}},
			opts:    Options{Prune: []spec.Kind{spec.KindGroup}},
			want: `delete groups/old
  reason: not in the configuration, and groups are pruned
`,
		},
		{
			name: "incomplete kinds get no deletes and a warning",
			opts: Options{AllowEnvironmentDeletes: true}, // guards_test.go covers the refusal
			desired: spec.Config{
				Groups: []spec.Group{{Name: "ops", MembersManaged: true}},
				Prune:  []spec.Kind{spec.KindUser, spec.KindGroup, spec.KindEnvironment},
			},
			live: model.Account{
				Environments: []model.Environment{{ID: "e1", CloudName: "old-env"}},
				Users:        []model.User{{ID: "u1", Email: "bo@acme.test"}},
				Groups: []model.Group{
					{ID: "g1", Name: "ops", Members: []string{"bo@acme.test"}},
					{ID: "g2", Name: "old"},
				},
				Incomplete: map[spec.Kind]string{spec.KindUser: "page 3 failed: 503", spec.KindGroup: "timeout"},
			},
			want: `delete environments/old-env
  reason: not in the configuration, and environments are pruned
  note: deletes the product environment and everything in it; the API refuses it for environments with 1000 or more images
unmanaged users: 1
unmanaged groups: 1
warning: users: the live listing is incomplete (page 3 failed: 503): no users are deleted, and objects missing from the listing may be planned as creates
warning: groups: the live listing is incomplete (timeout): no groups are deleted and no members are removed, and objects missing from the listing may be planned as creates
`,
		},
		{
			name: "the root user is never deleted",
			desired: spec.Config{
				Prune: []spec.Kind{spec.KindUser},
			},
			live: model.Account{
				Users: []model.User{{ID: "u0", Email: "owner@acme.test", Root: true}, {ID: "u1", Email: "bo@acme.test"}},
			},
			want: `delete users/bo@acme.test
  reason: not in the configuration, and users are pruned
unmanaged users: 1
warning: user owner@acme.test: the account's root user is never deleted, though users are pruned
`,
		},
		{
			name: "ambiguous live keys are refused with their memberships",
			desired: spec.Config{
				Users:  []spec.User{{Email: "ana@acme.test", Name: ptr("Ana")}},
				Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"ana@acme.test"}}, {Name: "web", MembersManaged: true, Members: []string{"ana@acme.test"}}},
			},
			live: model.Account{
				Users: []model.User{{ID: "u1", Email: "ana@acme.test", Name: "A"}, {ID: "u2", Email: "ANA@acme.test", Name: "B"}},
				Groups: []model.Group{
					{ID: "g2", Name: "ops"}, {ID: "g1", Name: "ops"},
					{ID: "g3", Name: "same"}, {ID: "g4", Name: "same"},
				},
			},
			want: `create groups/web
  name: "web"
unmanaged groups: 2
error: users/ana@acme.test: 2 live users have this email (ids u1, u2); refusing to plan it until all but one are renamed or deleted
error: groups/ops: 2 live groups have this name (ids g1, g2); refusing to plan it until all but one are renamed or deleted
error: memberships/web / ana@acme.test: user ana@acme.test matches 2 live users (ids u1, u2)
`,
		},
		{
			name: "members that are ambiguous live users are refused",
			desired: spec.Config{
				Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"ana@acme.test"}}},
			},
			live: model.Account{
				Users:  []model.User{{ID: "u1", Email: "ana@acme.test"}, {ID: "u2", Email: "ana@acme.test"}, {ID: "u3", Email: "bo@acme.test"}, {ID: "u4", Email: "bo@acme.test"}},
				Groups: []model.Group{{ID: "g1", Name: "ops", Members: []string{"bo@acme.test"}}},
			},
			want: `unmanaged users: 4
error: memberships/ops / ana@acme.test: user ana@acme.test matches 2 live users (ids u1, u2)
error: memberships/ops / bo@acme.test: user bo@acme.test matches 2 live users (ids u3, u4); refusing to remove it from the group
`,
		},
		{
			name: "a duplicate desired user is refused in memberships too",
			desired: spec.Config{
				Users:  []spec.User{{Email: "ana@acme.test"}, {Email: "ANA@acme.test"}},
				Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"ana@acme.test"}}},
			},
			live: model.Account{Groups: []model.Group{{ID: "g1", Name: "ops"}}},
			want: `error: users/ana@acme.test: defined 2 times in the configuration (:0:0, :0:0); refusing to plan it
error: memberships/ops / ana@acme.test: user ana@acme.test is refused by this plan (see its error)
`,
		},
		{
			name:    "ambiguous keys of a pruned kind are refused, not deleted",
			desired: spec.Config{Prune: []spec.Kind{spec.KindGroup}},
			live:    model.Account{Groups: []model.Group{{ID: "g1", Name: "x"}, {ID: "g2", Name: "x"}, {ID: "g3", Name: "x"}}},
			want: `unmanaged groups: 3
error: groups/x: 3 live groups have this name (ids g1, g2, g3); refusing to plan it until all but one are renamed or deleted
`,
		},
		{
			name: "duplicate desired keys are refused",
			desired: spec.Config{
				Groups: []spec.Group{
					{Name: "ops", Pos: spec.Pos{File: "a.yaml", Line: 3, Col: 5}},
					{Name: "ops", Pos: spec.Pos{File: "b.yaml", Line: 7, Col: 5}},
				},
			},
			want: `error: groups/ops: defined 2 times in the configuration (a.yaml:3:5, b.yaml:7:5); refusing to plan it
`,
		},
		{
			name: "master_admin access is not compared",
			desired: spec.Config{
				Users: []spec.User{
					{Email: "boss@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{"prod"}}},
					{Email: "new@acme.test", Role: ptr("master_admin"), Environments: &spec.EnvironmentAccess{CloudNames: []string{"prod"}}},
				},
			},
			live: model.Account{
				Environments: []model.Environment{{ID: "e1", CloudName: "prod"}},
				Users: []model.User{
					{ID: "u1", Email: "boss@acme.test", Role: "master_admin", AllEnvironments: true},
					{ID: "u2", Email: "new@acme.test", Role: "admin", Environments: []string{"prod", "dev"}},
				},
			},
			want: `update users/new@acme.test
  role: "admin" → "master_admin"
unmanaged environments: 1
warning: user boss@acme.test: environments is ignored: a master_admin may access every product environment
warning: user new@acme.test: environments is ignored: a master_admin may access every product environment
`,
		},
		{
			name: "emails are compared case-insensitively",
			desired: spec.Config{
				Users:  []spec.User{{Email: "Raj@ACME.test", Name: ptr("Raj")}},
				Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"RAJ@acme.TEST"}}},
			},
			live: model.Account{
				Users:  []model.User{{ID: "u1", Email: "raj@acme.test", Name: "Raj"}},
				Groups: []model.Group{{ID: "g1", Name: "ops", Members: []string{"raj@acme.test"}}},
			},
			want: ``,
		},
		{
			name: "memberships depend only on the creates of their group and user",
			desired: spec.Config{
				Users: []spec.User{{Email: "new@acme.test", Name: ptr("New")}, {Email: "old@acme.test"}},
				Groups: []spec.Group{
					{Name: "a-new", MembersManaged: true, Members: []string{"old@acme.test", "new@acme.test", "unmanaged@acme.test"}},
					{Name: "b-live", MembersManaged: true, Members: []string{"new@acme.test", "old@acme.test"}},
				},
			},
			live: model.Account{
				Users:  []model.User{{ID: "u1", Email: "old@acme.test"}, {ID: "u2", Email: "unmanaged@acme.test"}},
				Groups: []model.Group{{ID: "g1", Name: "b-live"}},
			},
			want: `create users/new@acme.test
  name: "New"
  enabled: true
  environments: all
  note: environments is not set: the API gives the user access to all product environments
  note: sends an invitation email to new@acme.test
create groups/a-new
  name: "a-new"
create memberships/a-new / new@acme.test after groups/a-new, users/new@acme.test
create memberships/a-new / old@acme.test after groups/a-new
create memberships/a-new / unmanaged@acme.test after groups/a-new
create memberships/b-live / new@acme.test after users/new@acme.test
create memberships/b-live / old@acme.test
unmanaged users: 1
`,
		},
		{
			name: "membership errors: unknown user, user deleted by the plan",
			desired: spec.Config{
				Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"ghost@acme.test", "gone@acme.test"}}},
				Prune:  []spec.Kind{spec.KindUser},
			},
			live: model.Account{
				Users:  []model.User{{ID: "u1", Email: "gone@acme.test"}},
				Groups: []model.Group{{ID: "g1", Name: "ops"}},
			},
			want: `delete users/gone@acme.test
  reason: not in the configuration, and users are pruned
error: memberships/ops / ghost@acme.test: user ghost@acme.test is neither in the configuration nor in the account
error: memberships/ops / gone@acme.test: user gone@acme.test is deleted by this plan (not in the configuration, and users are pruned)
`,
		},
		{
			name: "a member missing from an incomplete user listing is refused with the reason",
			desired: spec.Config{
				Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"ana@acme.test"}}},
			},
			live: model.Account{
				Groups:     []model.Group{{ID: "g1", Name: "ops"}},
				Incomplete: map[spec.Kind]string{spec.KindUser: "page 2: 500"},
			},
			want: `warning: users: the live listing is incomplete (page 2: 500): no users are deleted, and objects missing from the listing may be planned as creates
error: memberships/ops / ana@acme.test: user ana@acme.test is not in the configuration, and not in the live user listing, which is incomplete (page 2: 500)
`,
		},
		{
			name: "unresolvable environment references are refused",
			desired: spec.Config{
				Environments: []spec.Environment{
					{CloudName: "new", Name: "New", BaseEnvironment: "nope"},
					{CloudName: "newer", Name: "Newer", BaseEnvironment: "new"},
				},
				Users: []spec.User{
					{Email: "ana@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{"missing"}}},
					{Email: "cy@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{"newer"}}},
					{Email: "bo@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{"missing"}}},
				},
			},
			live: model.Account{Users: []model.User{{ID: "u2", Email: "bo@acme.test"}}},
			want: `error: environments/new: base_environment: environment "nope" is neither in the configuration nor in the account
error: environments/newer: depends on environments/new, which this plan refuses
error: users/ana@acme.test: environments: environment "missing" is neither in the configuration nor in the account
error: users/bo@acme.test: environments: environment "missing" is neither in the configuration nor in the account
error: users/cy@acme.test: depends on environments/newer, which this plan refuses
`,
		},
		{
			name: "pruning memberships is a documented no-op",
			desired: spec.Config{
				Groups: []spec.Group{{Name: "ops"}},
				Prune:  []spec.Kind{spec.KindMembership},
			},
			live: model.Account{
				Groups: []model.Group{{ID: "g1", Name: "ops", Members: []string{"a@x.test"}}, {ID: "g2", Name: "other", Members: []string{"b@x.test"}}},
			},
			want: `unmanaged groups: 1
unmanaged memberships: 2
warning: memberships: pruning memberships has no effect: list a group's members to manage them completely; members of groups not in the configuration are left alone
`,
		},
		{
			name: "no changes",
			desired: spec.Config{
				Environments: []spec.Environment{{CloudName: "prod", Name: "Prod", Enabled: ptr(true)}},
				Users:        []spec.User{{Email: "ana@acme.test", Name: ptr("Ana"), Role: ptr("admin"), Enabled: ptr(true), Environments: &spec.EnvironmentAccess{CloudNames: []string{"prod"}}}},
				Groups:       []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"ana@acme.test"}}},
				Prune:        []spec.Kind{spec.KindEnvironment, spec.KindUser, spec.KindGroup},
			},
			live: model.Account{
				Environments: []model.Environment{{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: true}},
				Users:        []model.User{{ID: "u1", Email: "ana@acme.test", Name: "Ana", Role: "admin", Enabled: true, Environments: []string{"prod"}}},
				Groups:       []model.Group{{ID: "g1", Name: "ops", Members: []string{"ana@acme.test"}}},
			},
			want: ``,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Diff(&tt.desired, &tt.live, tt.opts)
			if err != nil {
				t.Fatalf("Diff returned error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, dump(p)); diff != "" {
				t.Errorf("Diff plan mismatch (-want +got):\n%s", diff)
			}
			if p.FormatVersion != FormatVersion {
				t.Errorf("FormatVersion = %q, want %q", p.FormatVersion, FormatVersion)
			}
		})
	}
}

// TestDiffValues pins Before and After: ids from live in Before, and for
// updates an After that is the complete object, with live values for the
// fields the configuration does not manage.
func TestDiffValues(t *testing.T) {
	t.Parallel()
	desired := spec.Config{
		Environments: []spec.Environment{
			{CloudName: "prod", Name: "Production", CustomAttributes: map[string]any{"k": "v"}},
			{CloudName: "new", Name: "New", BaseEnvironment: "prod"},
		},
		Users: []spec.User{
			{Email: "raj@acme.test", Role: ptr("media_library_user")},
			{Email: "Ana@Acme.test", Name: ptr("Ana"), Environments: &spec.EnvironmentAccess{CloudNames: []string{"prod", "new", "prod"}}},
		},
		Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"raj@acme.test"}}},
		Prune:  []spec.Kind{spec.KindGroup},
	}
	live := model.Account{
		Environments: []model.Environment{{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: false}},
		Users: []model.User{{
			ID: "u1", Email: "raj@acme.test", Name: "Raj", Role: "admin", Enabled: true, Pending: true,
			Environments: []string{"prod"},
		}},
		Groups: []model.Group{
			{ID: "g1", Name: "ops", Members: []string{"zed@acme.test"}},
			{ID: "g9", Name: "old", Members: []string{"raj@acme.test"}},
		},
	}
	p, err := Diff(&desired, &live, Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	type ba struct {
		Ref           Ref
		Before, After Value
	}
	var got []ba
	for _, c := range p.Changes {
		got = append(got, ba{c.Ref, c.Before, c.After})
	}
	want := []ba{
		{
			Ref:   Ref{spec.KindEnvironment, "new"},
			After: EnvironmentValue{CloudName: "new", Name: "New", Enabled: true, BaseEnvironment: "prod"},
		},
		{
			Ref:    Ref{spec.KindEnvironment, "prod"},
			Before: EnvironmentValue{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: false},
			After:  EnvironmentValue{ID: "e1", CloudName: "prod", Name: "Production", Enabled: false, CustomAttributes: map[string]any{"k": "v"}},
		},
		{
			Ref:   Ref{spec.KindUser, "ana@acme.test"},
			After: UserValue{Email: "Ana@Acme.test", Name: "Ana", Enabled: true, Environments: []string{"new", "prod"}},
		},
		{
			Ref:    Ref{spec.KindUser, "raj@acme.test"},
			Before: UserValue{ID: "u1", Email: "raj@acme.test", Name: "Raj", Role: "admin", Enabled: true, Pending: true, Environments: []string{"prod"}},
			After:  UserValue{ID: "u1", Email: "raj@acme.test", Name: "Raj", Role: "media_library_user", Enabled: true, Pending: true, Environments: []string{"prod"}},
		},
		{
			Ref:   Ref{spec.KindMembership, "ops / raj@acme.test"},
			After: MembershipValue{Group: "ops", GroupID: "g1", User: "raj@acme.test", UserID: "u1"},
		},
		{
			Ref:    Ref{spec.KindMembership, "ops / zed@acme.test"},
			Before: MembershipValue{Group: "ops", GroupID: "g1", User: "zed@acme.test"},
		},
		{
			Ref:    Ref{spec.KindGroup, "old"},
			Before: GroupValue{ID: "g9", Name: "old", Members: []string{"raj@acme.test"}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff values mismatch (-want +got):\n%s", diff)
	}
	for _, c := range p.Changes {
		if c.Before != nil && c.Before.Ref() != c.Ref || c.After != nil && c.After.Ref() != c.Ref {
			t.Errorf("change %s: values name %v / %v, want the change's ref", c.Ref, c.Before, c.After)
		}
	}
}

func TestDiffDoesNotModifyInputs(t *testing.T) {
	t.Parallel()
	members := []string{"B@x.test", "a@x.test"}
	cloudNames := []string{"z", "a"}
	desired := spec.Config{
		Environments: []spec.Environment{{CloudName: "a"}, {CloudName: "z"}},
		Users:        []spec.User{{Email: "B@x.test", Environments: &spec.EnvironmentAccess{CloudNames: cloudNames}}, {Email: "a@x.test"}},
		Groups:       []spec.Group{{Name: "g", Members: members, MembersManaged: true}},
	}
	live := model.Account{Groups: []model.Group{{ID: "g1", Name: "g", Members: []string{"c@x.test"}}}}
	if _, err := Diff(&desired, &live, Options{}); err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	if diff := cmp.Diff([]string{"B@x.test", "a@x.test"}, members); diff != "" {
		t.Errorf("Diff changed the desired members (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"z", "a"}, cloudNames); diff != "" {
		t.Errorf("Diff changed the desired cloud names (-want +got):\n%s", diff)
	}
}

func TestDiffErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		desired *spec.Config
		live    *model.Account
		opts    Options
		want    string
	}{
		{"nil config", nil, &model.Account{}, Options{}, "plan: nil configuration"},
		{"nil account", &spec.Config{}, nil, Options{}, "plan: nil live account"},
		{"unknown prune kind", &spec.Config{Prune: []spec.Kind{"widgets"}}, &model.Account{}, Options{}, `plan: prune: unknown kind "widgets"`},
		{"unknown prune override", &spec.Config{}, &model.Account{}, Options{Prune: []spec.Kind{"nope"}}, `plan: prune: unknown kind "nope"`},
		{
			"base environment cycle",
			&spec.Config{Environments: []spec.Environment{
				{CloudName: "a", BaseEnvironment: "b"},
				{CloudName: "b", BaseEnvironment: "a"},
			}},
			&model.Account{}, Options{},
			"plan: dependency cycle through environments/a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Diff(tt.desired, tt.live, tt.opts)
			if err == nil {
				t.Fatalf("Diff returned plan %v, want error %q", p, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Diff returned error %q, want %q", err, tt.want)
			}
		})
	}
}

func TestOrderPutsDependenciesFirst(t *testing.T) {
	t.Parallel()
	// "a" is created from "m", which is created from "z": name order would
	// put "a" first, dependency order must not.
	desired := spec.Config{Environments: []spec.Environment{
		{CloudName: "a", BaseEnvironment: "m"},
		{CloudName: "m", BaseEnvironment: "z"},
		{CloudName: "z"},
		{CloudName: "b"},
	}}
	p, err := Diff(&desired, &model.Account{}, Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.Ref.Name)
	}
	if diff := cmp.Diff([]string{"z", "m", "a", "b"}, got); diff != "" {
		t.Errorf("change order mismatch (-want +got):\n%s", diff)
	}
}

func TestDiffIsDeterministic(t *testing.T) {
	t.Parallel()
	desired, live := largeInputs(200, 20, 5)
	first, err := Diff(desired, live, Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	want := dump(first)
	for range 5 {
		p, err := Diff(desired, live, Options{})
		if err != nil {
			t.Fatalf("Diff returned error %v, want nil", err)
		}
		if diff := cmp.Diff(want, dump(p)); diff != "" {
			t.Fatalf("Diff is not deterministic (-first +again):\n%s", diff)
		}
	}
}

func TestAction(t *testing.T) {
	t.Parallel()
	var zero Action
	if got := zero.String(); got != "Action(0)" {
		t.Errorf("Action(0).String() = %q, want %q", got, "Action(0)")
	}
	if _, err := jsonAction(zero); err == nil {
		t.Errorf("jsonAction(0) returned no error, want one")
	}
	want := map[Action]string{Create: "create", Update: "update", Delete: "delete", Replace: "replace"}
	for _, a := range Actions {
		if got := a.String(); got != want[a] {
			t.Errorf("%d.String() = %q, want %q", int(a), got, want[a])
		}
		got, err := jsonAction(a)
		if err != nil || got != want[a] {
			t.Errorf("jsonAction(%s) = %q, %v, want %q, nil", a, got, err, want[a])
		}
	}
	if len(Actions) != len(want) {
		t.Errorf("Actions has %d entries, want %d", len(Actions), len(want))
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	p := &Plan{Changes: []Change{{Action: Create}, {Action: Create}, {Action: Update}, {Action: Delete}}}
	if diff := cmp.Diff(Summary{Add: 2, Change: 1, Destroy: 1}, p.Summary()); diff != "" {
		t.Errorf("Summary mismatch (-want +got):\n%s", diff)
	}
	if got, want := p.SummaryLine(), "Plan: 2 to add, 1 to change, 1 to destroy."; got != want {
		t.Errorf("SummaryLine() = %q, want %q", got, want)
	}
	if got, want := (&Plan{}).SummaryLine(), "No changes. The account matches the configuration."; got != want {
		t.Errorf("SummaryLine() = %q, want %q", got, want)
	}
}
