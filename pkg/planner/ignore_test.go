package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestIgnore: live objects matching an ignore rule are kept out of the plan
// entirely, pruned kind or not, and only counted as ignored.
func TestIgnore(t *testing.T) {
	t.Parallel()
	rules := spec.Ignore{
		spec.KindUser:        {{Pattern: "svc-*@acme.test"}},
		spec.KindEnvironment: {{Pattern: "other-team-*"}},
		spec.KindGroup:       {{Pattern: "their-group"}},
	}
	live := model.Account{
		Environments: []model.Environment{
			{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: true},
			{ID: "e2", CloudName: "other-team-prod", Name: "Theirs", Enabled: true},
			{ID: "e3", CloudName: "other-team-dev", Name: "Theirs too", Enabled: true},
		},
		Users: []model.User{
			{ID: "u1", Email: "raj@acme.test", Name: "Raj", Role: "admin", Enabled: true, Environments: []string{"other-team-prod", "prod"}},
			{ID: "u2", Email: "SVC-CI@acme.test", Name: "CI", Role: "admin", Enabled: true, AllEnvironments: true},
			{ID: "u3", Email: "svc-deploy@acme.test", Name: "Deploy", Role: "master_admin", Enabled: true, AllEnvironments: true},
			{ID: "u4", Email: "old@acme.test", Name: "Old", Role: "admin", Enabled: true, AllEnvironments: true},
			{ID: "u5", Email: "all@acme.test", Name: "All", Role: "admin", Enabled: true, AllEnvironments: true},
			root,
		},
		Groups: []model.Group{
			{ID: "g1", Name: "ops", Members: []string{"old@acme.test", "raj@acme.test", "svc-ci@acme.test"}},
			{ID: "g2", Name: "their-group", Members: []string{"svc-ci@acme.test"}},
			{ID: "g3", Name: "stale"},
		},
	}
	desired := spec.Config{
		Environments: []spec.Environment{{CloudName: "prod", Name: "Prod"}},
		Users: []spec.User{
			{Email: "root@acme.test"},
			{Email: "raj@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{}}},
			{Email: "all@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{"prod"}}},
		},
		Groups: []spec.Group{{Name: "ops", MembersManaged: true, Members: []string{"raj@acme.test"}}},
		Prune:  []spec.Kind{spec.KindEnvironment, spec.KindUser, spec.KindGroup},
		Ignore: rules,
	}
	p, err := Diff(&desired, &live, Options{AllowEnvironmentDeletes: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `update users/all@acme.test
  environments: all → ["other-team-dev", "other-team-prod", "prod"]
update users/raj@acme.test
  environments: ["other-team-prod", "prod"] → ["other-team-prod"]
delete groups/stale
  reason: not in the configuration, and groups are pruned
delete users/old@acme.test
  reason: not in the configuration, and users are pruned
  note: also removes the user from groups ["ops"]
warning: ignore: 2 environments, 2 users, 1 group match ignore rules and are left out of this plan
`
	if diff := cmp.Diff(want, dump(p)); diff != "" {
		t.Errorf("plan mismatch (-want +got):\n%s", diff)
	}
	wantIgnored := map[spec.Kind]int{spec.KindEnvironment: 2, spec.KindUser: 2, spec.KindGroup: 1}
	if diff := cmp.Diff(wantIgnored, p.Ignored); diff != "" {
		t.Errorf("Ignored mismatch (-want +got):\n%s", diff)
	}
	if len(p.Unmanaged) != 0 {
		t.Errorf("Unmanaged = %v, want none: ignored objects are not counted", p.Unmanaged)
	}

	// Without the rules, the same configuration deletes them all.
	desired.Ignore = nil
	p, err = Diff(&desired, &live, Options{AllowEnvironmentDeletes: true, AllowDeletes: true})
	if err != nil {
		t.Fatal(err)
	}
	var deletes []string
	for _, c := range p.Changes {
		if c.Action == Delete {
			deletes = append(deletes, c.Ref.String())
		}
	}
	wantDeletes := []string{
		"groups/stale", "groups/their-group",
		"users/old@acme.test", "users/svc-ci@acme.test", "users/svc-deploy@acme.test",
		"environments/other-team-dev", "environments/other-team-prod",
	}
	if diff := cmp.Diff(wantDeletes, deletes); diff != "" {
		t.Errorf("deletes without ignore rules mismatch (-want +got):\n%s", diff)
	}
}

// TestIgnoreNotPruned: without prune, ignored objects are not counted as
// unmanaged either.
func TestIgnoreNotPruned(t *testing.T) {
	t.Parallel()
	desired := spec.Config{Ignore: spec.Ignore{spec.KindUser: {{Pattern: "svc-*"}}}}
	live := model.Account{Users: []model.User{
		{ID: "u1", Email: "svc-a@acme.test", Enabled: true},
		{ID: "u2", Email: "ana@acme.test", Enabled: true},
	}}
	p, err := Diff(&desired, &live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[spec.Kind]int{spec.KindUser: 1}, p.Unmanaged); diff != "" {
		t.Errorf("Unmanaged mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[spec.Kind]int{spec.KindUser: 1}, p.Ignored); diff != "" {
		t.Errorf("Ignored mismatch (-want +got):\n%s", diff)
	}
}

// TestIgnoredDoNotCount: ignored objects count neither towards the
// percentage limit's live total nor towards the master_admins.
func TestIgnoredDoNotCount(t *testing.T) {
	t.Parallel()
	live := model.Account{Users: append(liveUsers("svc", 30), liveUsers("u", 4)...)}
	live.Users = append(live.Users, masterAdmin("m1", "svc-admin@acme.test"), masterAdmin("m2", "boss@acme.test"))
	desired := spec.Config{
		Users:  []spec.User{{Email: "u00@acme.test"}, {Email: "u01@acme.test"}, {Email: "u02@acme.test"}, {Email: "boss@acme.test", Enabled: ptr(false)}},
		Prune:  []spec.Kind{spec.KindUser},
		Ignore: spec.Ignore{spec.KindUser: {{Pattern: "svc*"}}},
	}
	p, err := Diff(&desired, &live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 1 of 5 managed users deleted: under 20 live, so no percentage; the
	// ignored svc-admin master_admin does not keep boss's disable allowed.
	want := []string{
		"delete users/u03@acme.test",
		"refused users/boss@acme.test: refusing to disable it: the account has 1 enabled master_admin user and this plan would leave 0, below safety.min_master_admins (1); --allow-deletes does not override this",
	}
	if diff := cmp.Diff(want, outline(p)); diff != "" {
		t.Errorf("plan mismatch (-want +got):\n%s", diff)
	}
}
