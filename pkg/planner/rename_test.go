package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func prev(names ...string) []spec.Previous {
	out := make([]spec.Previous, len(names))
	for i, n := range names {
		out[i] = spec.Previous{Name: n}
	}
	return out
}

// renameLive is permLive (permissions_test.go) with a member in the group
// and a user restricted to acme-staging.
func renameLiveAccount() *model.Account {
	a := permLive()
	a.Users = append(a.Users, model.User{ID: "u2", Email: "raj@acme.test", Name: "Raj", Role: "admin", Enabled: true, Environments: []string{"acme-staging"}})
	a.Groups[0].Members = []string{"ana@acme.test", "raj@acme.test"}
	a.Permissions.Assignments = append(a.Permissions.Assignments,
		model.Assignment{PrincipalType: "user", PrincipalID: "u2", Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "raj@acme.test"}, Role: "reviewer", Scope: "acme-staging", ScopeID: "e2"},
		model.Assignment{PrincipalType: "apiKey", PrincipalID: "123456789012345", Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}, Role: "reviewer", Scope: "acme-prod", ScopeID: "e1"})
	return a
}

// renameConfig is the configuration renameLiveAccount matches.
func renameConfig() *spec.Config {
	c := permConfig()
	c.Users = append(c.Users, spec.User{Email: "raj@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{"acme-staging"}}})
	c.Groups[0].Members, c.Groups[0].MembersManaged = []string{"ana@acme.test", "raj@acme.test"}, true
	c.Assignments = append(c.Assignments,
		spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "raj@acme.test"}, Role: "reviewer", Scope: "acme-staging"},
		spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}, Role: "reviewer", Scope: "acme-prod"})
	return c
}

// renameKey renames, in the configuration, every use of an object's key.
func renameKey(c *spec.Config, kind spec.Kind, from, to string) {
	sub := func(s string) string {
		if s == from {
			return to
		}
		return s
	}
	word := map[spec.Kind]string{spec.KindEnvironment: "environment", spec.KindUser: "user", spec.KindGroup: "group"}[kind]
	for i := range c.Environments {
		e := &c.Environments[i]
		if kind == spec.KindEnvironment && e.CloudName == from {
			e.CloudName, e.Previously = to, prev(from)
		}
	}
	for i := range c.Users {
		u := &c.Users[i]
		if kind == spec.KindUser && u.Email == from {
			u.Email, u.Previously = to, prev(from)
		}
		if kind == spec.KindEnvironment && u.Environments != nil {
			for j := range u.Environments.CloudNames {
				u.Environments.CloudNames[j] = sub(u.Environments.CloudNames[j])
			}
		}
	}
	for i := range c.Groups {
		g := &c.Groups[i]
		if kind == spec.KindGroup && g.Name == from {
			g.Name, g.Previously = to, prev(from)
		}
		if kind == spec.KindUser {
			for j := range g.Members {
				g.Members[j] = sub(g.Members[j])
			}
		}
	}
	for i := range c.Policies {
		p := &c.Policies[i]
		if kind == spec.KindEnvironment {
			p.Scope = sub(p.Scope)
		}
		p.Statement = strings.ReplaceAll(p.Statement, "${"+word+":"+from+"}", "${"+word+":"+to+"}")
	}
	for i := range c.Assignments {
		a := &c.Assignments[i]
		if kind == spec.KindEnvironment {
			a.Scope = sub(a.Scope)
			if env, key := spec.SplitAPIKey(a.Principal.Name); a.Principal.Kind == spec.PrincipalAPIKey && env == from {
				a.Principal.Name = to + "/" + key
			}
		}
		if string(a.Principal.Kind) == word {
			a.Principal.Name = sub(a.Principal.Name)
		}
	}
}

func TestDiffRenames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config func(c *spec.Config)
		live   func(a *model.Account)
		opts   Options
		want   string
	}{
		{
			name:   "group rename keeps members, assignments and the policy naming it",
			config: func(c *spec.Config) { renameKey(c, spec.KindGroup, "designers", "brand-designers") },
			want: `update groups/brand-designers
  name: "designers" → "brand-designers"
unmanaged assignments: 1
`,
		},
		{
			name:   "user rename keeps memberships and assignments",
			config: func(c *spec.Config) { renameKey(c, spec.KindUser, "raj@acme.test", "raj.patel@acme.test") },
			want: `update users/raj.patel@acme.test
  email: "raj@acme.test" → "raj.patel@acme.test"
  note: the user signs in with the new email; id, groups and role assignments are kept
unmanaged assignments: 1
`,
		},
		{
			name:   "environment rename keeps access, policies, assignments and API keys",
			config: func(c *spec.Config) { renameKey(c, spec.KindEnvironment, "acme-staging", "acme-stage") },
			want: `update environments/acme-stage
  cloud_name: "acme-staging" → "acme-stage"
  note: the cloud_name is in every delivery URL of the environment's assets, which change with it; the API refuses it for environments with 1000 or more images
  note: the API never returns custom_attributes, and this PUT resets them unless the configuration sets them
unmanaged assignments: 1
warning: environment acme-stage: updating it resets custom_attributes, which the configuration does not set: the API never returns them, so cldsync cannot send them back; set custom_attributes to keep them
`,
		},
		{
			name: "rename with other changes is one update; changes naming the new key depend on it",
			config: func(c *spec.Config) {
				renameKey(c, spec.KindGroup, "designers", "brand")
				renameKey(c, spec.KindUser, "raj@acme.test", "raj.patel@acme.test")
				renameKey(c, spec.KindEnvironment, "acme-prod", "acme-production")
				c.Users[1].Name = ptr("Raj Patel")
				c.Users[1].Environments.CloudNames = []string{"acme-production", "acme-staging"}
				c.Users = append(c.Users, spec.User{Email: "mei@acme.test", Name: ptr("Mei")})
				c.Groups[0].Members = append(c.Groups[0].Members, "mei@acme.test")
				c.Assignments = append(c.Assignments,
					spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "brand"}, Role: "reviewer", Scope: "acme-production"})
				c.Policies = append(c.Policies, spec.Policy{Name: "raj", Scope: "acme-production",
					Statement: `permit(principal == Cloudinary::User::"${user:raj.patel@acme.test}", action, resource);`})
			},
			want: `update environments/acme-production
  cloud_name: "acme-prod" → "acme-production"
  note: the cloud_name is in every delivery URL of the environment's assets, which change with it; the API refuses it for environments with 1000 or more images
  note: the API never returns custom_attributes, and this PUT resets them unless the configuration sets them
create users/mei@acme.test
  name: "Mei"
  enabled: true
  environments: all
  note: environments is not set: the API gives the user access to all product environments
  note: sends an invitation email to mei@acme.test
update users/raj.patel@acme.test after environments/acme-production
  email: "raj@acme.test" → "raj.patel@acme.test"
  name: "Raj" → "Raj Patel"
  environments: ["acme-staging"] → ["acme-production", "acme-staging"]
  note: the user signs in with the new email; id, groups and role assignments are kept
update groups/brand
  name: "designers" → "brand"
create memberships/brand / mei@acme.test after users/mei@acme.test, groups/brand
create policies/acme-production/raj after environments/acme-production, users/raj.patel@acme.test
  enabled: true
  name: "raj"
  statement: "permit(principal == Cloudinary::User::\"${user:raj.patel@acme.test}\", action, resource);"
create assignments/group:brand / reviewer / acme-production after environments/acme-production, groups/brand
  principal: "group:brand"
  role: "reviewer"
  scope: "acme-production"
unmanaged assignments: 1
warning: environment acme-production: updating it resets custom_attributes, which the configuration does not set: the API never returns them, so cldsync cannot send them back; set custom_attributes to keep them
`,
		},
		{
			name: "the current key wins over a previous one",
			config: func(c *spec.Config) {
				c.Groups[0].Previously = prev("old-designers")
			},
			live: func(a *model.Account) {
				a.Groups = append(a.Groups, model.Group{ID: "g2", Name: "old-designers", Members: []string{"ana@acme.test"}})
			},
			want: `unmanaged groups: 1
unmanaged memberships: 1
unmanaged assignments: 1
warning: group designers: previously lists old-designers, but designers exists too: old-designers is not renamed, and is planned like any live group the configuration does not list
`,
		},
		{
			name: "the first previous key with a live object is taken",
			config: func(c *spec.Config) {
				renameKey(c, spec.KindGroup, "designers", "brand")
				c.Groups[0].Previously = prev("gone", "designers", "other")
			},
			live: func(a *model.Account) {
				a.Groups = append(a.Groups, model.Group{ID: "g3", Name: "other"})
			},
			want: `update groups/brand
  name: "designers" → "brand"
unmanaged groups: 1
unmanaged assignments: 1
`,
		},
		{
			name: "an ambiguous previous key is refused",
			config: func(c *spec.Config) {
				renameKey(c, spec.KindGroup, "designers", "brand")
			},
			live: func(a *model.Account) {
				a.Groups = append(a.Groups, model.Group{ID: "g0", Name: "designers"})
			},
			want: `unmanaged groups: 2
unmanaged memberships: 2
unmanaged assignments: 2
error: groups/brand: previously lists designers, which 2 live groups have (ids g0, g1); refusing to plan it until all but one are renamed or deleted
error: policies/acme-staging/upload: statement: ${group:brand}: group brand is refused by this plan (see its error)
error: assignments/group:brand / reviewer / acme-staging: principal: group brand is refused by this plan (see its error)
`,
		},
		{
			name: "without a live object under a previous key, the object is created",
			config: func(c *spec.Config) {
				c.Groups = append(c.Groups, spec.Group{Name: "reviewers", Previously: prev("old-reviewers")})
			},
			want: `create groups/reviewers
  name: "reviewers"
unmanaged assignments: 1
`,
		},
		{
			name: "an ignored previous key is not renamed",
			config: func(c *spec.Config) {
				c.Groups = append(c.Groups, spec.Group{Name: "reviewers", Previously: prev("theirs")})
				c.Ignore = spec.Ignore{spec.KindGroup: {{Pattern: "theirs"}}}
			},
			live: func(a *model.Account) {
				a.Groups = append(a.Groups, model.Group{ID: "g9", Name: "theirs"})
			},
			want: `create groups/reviewers
  name: "reviewers"
unmanaged assignments: 1
warning: group reviewers: previously lists theirs, which the ignore rules keep out of the plan: it is not renamed
warning: ignore: 1 group matches ignore rules and is left out of this plan
`,
		},
		{
			name: "a pruned kind does not delete the renamed object",
			config: func(c *spec.Config) {
				renameKey(c, spec.KindUser, "raj@acme.test", "raj.patel@acme.test")
				c.Prune = []spec.Kind{spec.KindUser, spec.KindGroup, spec.KindEnvironment}
			},
			opts: Options{AllowEnvironmentDeletes: true},
			want: `update users/raj.patel@acme.test
  email: "raj@acme.test" → "raj.patel@acme.test"
  note: the user signs in with the new email; id, groups and role assignments are kept
unmanaged assignments: 1
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, live := renameConfig(), renameLiveAccount()
			if tt.config != nil {
				tt.config(cfg)
			}
			if tt.live != nil {
				tt.live(live)
			}
			p, err := Diff(cfg, live, tt.opts)
			if err != nil {
				t.Fatalf("Diff returned %v", err)
			}
			if diff := cmp.Diff(tt.want, dump(p)); diff != "" {
				t.Errorf("plan mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenameValues(t *testing.T) {
	t.Parallel()
	cfg, live := renameConfig(), renameLiveAccount()
	renameKey(cfg, spec.KindGroup, "designers", "brand")
	renameKey(cfg, spec.KindEnvironment, "acme-prod", "acme-production")
	cfg.Environments[0].Name = "Acme Production"
	cfg.Environments[0].CustomAttributes = map[string]any{"team": "web"}
	before := renameLiveAccount()
	p, err := Diff(cfg, live, Options{})
	if err != nil {
		t.Fatalf("Diff returned %v", err)
	}
	if diff := cmp.Diff(before, live); diff != "" {
		t.Errorf("Diff modified live (-before +after):\n%s", diff)
	}
	byRef := map[Ref]Change{}
	for _, c := range p.Changes {
		byRef[c.Ref] = c
	}
	env := byRef[Ref{spec.KindEnvironment, "acme-production"}]
	wantEnv := Change{
		Action: Update, Ref: Ref{spec.KindEnvironment, "acme-production"},
		Before: EnvironmentValue{ID: "e1", CloudName: "acme-prod", Enabled: true},
		After:  EnvironmentValue{ID: "e1", CloudName: "acme-production", Name: "Acme Production", Enabled: true, CustomAttributes: map[string]any{"team": "web"}},
		Fields: []FieldDiff{{Name: "cloud_name", Old: `"acme-prod"`, New: `"acme-production"`}, {Name: "name", Old: `""`, New: `"Acme Production"`}},
		Reason: "renamed: acme-prod is listed under previously",
		Notes: []string{
			"custom_attributes is sent again: the API never returns it, so it is not compared",
			"the cloud_name is in every delivery URL of the environment's assets, which change with it; the API refuses it for environments with 1000 or more images",
		},
	}
	if diff := cmp.Diff(wantEnv, env); diff != "" {
		t.Errorf("environment rename mismatch (-want +got):\n%s", diff)
	}
	group := byRef[Ref{spec.KindGroup, "brand"}]
	wantGroup := Change{
		Action: Update, Ref: Ref{spec.KindGroup, "brand"},
		Before: GroupValue{ID: "g1", Name: "designers", Members: []string{"ana@acme.test", "raj@acme.test"}},
		After:  GroupValue{ID: "g1", Name: "brand"},
		Fields: []FieldDiff{{Name: "name", Old: `"designers"`, New: `"brand"`}},
		Reason: "renamed: designers is listed under previously",
	}
	if diff := cmp.Diff(wantGroup, group); diff != "" {
		t.Errorf("group rename mismatch (-want +got):\n%s", diff)
	}
	if from, ok := group.RenamedFrom(); !ok || from != "designers" {
		t.Errorf("RenamedFrom() = %q, %v, want designers, true", from, ok)
	}

}
