package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// outline is a plan as "action ref [after deps]" lines, then one
// "refused ref: message" line per error, for guard tests.
func outline(p *Plan) []string {
	var out []string
	for _, c := range p.Changes {
		line := c.Action.String() + " " + c.Ref.String()
		if len(c.DependsOn) > 0 {
			var deps []string
			for _, d := range c.DependsOn {
				deps = append(deps, d.String())
			}
			line += " after " + strings.Join(deps, ", ")
		}
		out = append(out, line)
	}
	for _, e := range p.Errors {
		out = append(out, "refused "+e.Error())
	}
	return out
}

func liveUsers(prefix string, n int) []model.User {
	var out []model.User
	for i := range n {
		out = append(out, model.User{ID: fmt.Sprintf("%s%d", prefix, i), Email: fmt.Sprintf("%s%02d@acme.test", prefix, i), Name: "x", Role: "admin", Enabled: true, AllEnvironments: true})
	}
	return out
}

func liveGroups(n int) []model.Group {
	var out []model.Group
	for i := range n {
		out = append(out, model.Group{ID: fmt.Sprintf("g%d", i), Name: fmt.Sprintf("g%02d", i)})
	}
	return out
}

func desiredGroups(names ...string) []spec.Group {
	var out []spec.Group
	for _, n := range names {
		out = append(out, spec.Group{Name: n})
	}
	return out
}

func groupNames(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("g%02d", i))
	}
	return out
}

func intp(n int) *int { return &n }

func groupDeletes(from, to int) []string {
	var out []string
	for _, n := range groupNames(from, to) {
		out = append(out, "delete groups/"+n)
	}
	return out
}

var root = model.User{ID: "root", Email: "root@acme.test", Name: "Root", Role: "master_admin", Enabled: true, Root: true, AllEnvironments: true}

// TestDeleteThresholds: more than max_deletes, or more than
// max_delete_percent of a kind with 20+ live objects, is refused without
// AllowDeletes, and every delete concerned is named.
func TestDeleteThresholds(t *testing.T) {
	t.Parallel()
	maxDeletes := "refusing to delete it: this plan deletes 11 objects, more than safety.max_deletes (10); check what would go and re-run with --allow-deletes"
	tests := []struct {
		name    string
		desired spec.Config
		live    model.Account
		opts    Options
		want    []string
	}{
		{
			name:    "10 deletes pass the default limit",
			desired: spec.Config{Groups: desiredGroups(groupNames(10, 15)...), Prune: []spec.Kind{spec.KindGroup}},
			live:    model.Account{Groups: liveGroups(15)},
			want:    groupDeletes(0, 10),
		},
		{
			name:    "11 deletes are refused, each named",
			desired: spec.Config{Users: []spec.User{{Email: "root@acme.test"}}, Prune: []spec.Kind{spec.KindUser}},
			live:    model.Account{Users: append(liveUsers("u", 11), root)},
			want: func() []string {
				var out []string
				for i := range 11 {
					out = append(out, fmt.Sprintf("refused users/u%02d@acme.test: %s", i, maxDeletes))
				}
				return out
			}(),
		},
		{
			name:    "11 deletes are planned with AllowDeletes",
			desired: spec.Config{Users: []spec.User{{Email: "root@acme.test"}}, Prune: []spec.Kind{spec.KindUser}},
			live:    model.Account{Users: append(liveUsers("u", 11), root)},
			opts:    Options{AllowDeletes: true},
			want: []string{
				"delete users/u00@acme.test", "delete users/u01@acme.test", "delete users/u02@acme.test", "delete users/u03@acme.test",
				"delete users/u04@acme.test", "delete users/u05@acme.test", "delete users/u06@acme.test", "delete users/u07@acme.test",
				"delete users/u08@acme.test", "delete users/u09@acme.test", "delete users/u10@acme.test",
			},
		},
		{
			name: "max_deletes from the configuration",
			desired: spec.Config{
				Groups: desiredGroups("g00"), Prune: []spec.Kind{spec.KindGroup},
				Safety: spec.Safety{MaxDeletes: intp(1)},
			},
			live: model.Account{Groups: liveGroups(3)},
			want: []string{
				"refused groups/g01: refusing to delete it: this plan deletes 2 objects, more than safety.max_deletes (1); check what would go and re-run with --allow-deletes",
				"refused groups/g02: refusing to delete it: this plan deletes 2 objects, more than safety.max_deletes (1); check what would go and re-run with --allow-deletes",
			},
		},
		{
			name: "max_deletes 0 refuses every delete",
			desired: spec.Config{
				Groups: desiredGroups("g00"), Prune: []spec.Kind{spec.KindGroup},
				Safety: spec.Safety{MaxDeletes: intp(0)},
			},
			live: model.Account{Groups: liveGroups(2)},
			want: []string{"refused groups/g01: refusing to delete it: this plan deletes 1 objects, more than safety.max_deletes (0); check what would go and re-run with --allow-deletes"},
		},
		{
			name: "more than 25% of 20 live groups is refused",
			desired: spec.Config{
				Groups: desiredGroups(groupNames(6, 20)...), Prune: []spec.Kind{spec.KindGroup},
				Safety: spec.Safety{MaxDeletes: intp(100)},
			},
			live: model.Account{Groups: liveGroups(20)},
			want: func() []string {
				var out []string
				for i := range 6 {
					out = append(out, fmt.Sprintf("refused groups/g%02d: refusing to delete it: this plan deletes 6 of 20 live groups (30%%), more than safety.max_delete_percent (25%%); check what would go and re-run with --allow-deletes", i))
				}
				return out
			}(),
		},
		{
			name: "exactly 25% passes",
			desired: spec.Config{
				Groups: desiredGroups(groupNames(5, 20)...), Prune: []spec.Kind{spec.KindGroup},
				Safety: spec.Safety{MaxDeletes: intp(100)},
			},
			live: model.Account{Groups: liveGroups(20)},
			want: groupDeletes(0, 5),
		},
		{
			name: "the percentage ignores kinds with fewer than 20 live objects",
			desired: spec.Config{
				Groups: desiredGroups(groupNames(9, 19)...), Prune: []spec.Kind{spec.KindGroup},
			},
			live: model.Account{Groups: liveGroups(19)},
			want: groupDeletes(0, 9),
		},
		{
			name: "percentage with AllowDeletes",
			desired: spec.Config{
				Groups: desiredGroups(groupNames(16, 20)...), Prune: []spec.Kind{spec.KindGroup},
				Safety: spec.Safety{MaxDeletes: intp(100), MaxDeletePercent: ptr(50.0)},
			},
			live: model.Account{Groups: liveGroups(20)},
			opts: Options{AllowDeletes: true},
			want: groupDeletes(0, 16),
		},
		{
			name: "other changes stay planned beside refused deletes",
			desired: spec.Config{
				Groups: desiredGroups("new", "g00"), Prune: []spec.Kind{spec.KindGroup},
				Safety: spec.Safety{MaxDeletes: intp(0)},
			},
			live: model.Account{Groups: liveGroups(2)},
			want: []string{
				"create groups/new",
				"refused groups/g01: refusing to delete it: this plan deletes 1 objects, more than safety.max_deletes (0); check what would go and re-run with --allow-deletes",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Diff(&tt.desired, &tt.live, tt.opts)
			if err != nil {
				t.Fatalf("Diff returned error %v", err)
			}
			if diff := cmp.Diff(tt.want, outline(p)); diff != "" {
				t.Errorf("plan mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEnvironmentDeletes: deleting a product environment always needs
// AllowEnvironmentDeletes, AllowDeletes or not.
func TestEnvironmentDeletes(t *testing.T) {
	t.Parallel()
	desired := spec.Config{Environments: []spec.Environment{{CloudName: "prod", Name: "Prod"}}, Prune: []spec.Kind{spec.KindEnvironment}}
	live := model.Account{Environments: []model.Environment{
		{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: true},
		{ID: "e2", CloudName: "old", Name: "Old", Enabled: true},
	}}
	refused := "refused environments/old: refusing to delete a product environment, which destroys every asset in it, without --allow-environment-deletes"
	for _, tt := range []struct {
		opts Options
		want []string
	}{
		{Options{}, []string{refused}},
		{Options{AllowDeletes: true}, []string{refused}},
		{Options{AllowEnvironmentDeletes: true}, []string{"delete environments/old"}},
		{Options{AllowDeletes: true, AllowEnvironmentDeletes: true}, []string{"delete environments/old"}},
	} {
		p, err := Diff(&desired, &live, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, outline(p)); diff != "" {
			t.Errorf("Diff with %+v mismatch (-want +got):\n%s", tt.opts, diff)
		}
	}
}

// TestEnvironmentDeletesCountTowardsLimits: with the environment flag
// alone, deletes beyond the limits are still refused.
func TestEnvironmentDeletesCountTowardsLimits(t *testing.T) {
	t.Parallel()
	desired := spec.Config{Prune: []spec.Kind{spec.KindEnvironment}, Safety: spec.Safety{MaxDeletes: intp(1)}}
	live := model.Account{Environments: []model.Environment{{ID: "e1", CloudName: "a", Name: "A"}, {ID: "e2", CloudName: "b", Name: "B"}}}
	p, err := Diff(&desired, &live, Options{AllowEnvironmentDeletes: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 0 || len(p.Errors) != 2 || !strings.Contains(p.Errors[0].Message, "safety.max_deletes (1)") {
		t.Errorf("plan = %q, want both deletes refused by max_deletes", outline(p))
	}
	p, err = Diff(&desired, &live, Options{AllowEnvironmentDeletes: true, AllowDeletes: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"delete environments/a", "delete environments/b"}, outline(p)); diff != "" {
		t.Errorf("plan mismatch (-want +got):\n%s", diff)
	}
}

// TestProtect: a change that deletes or replaces a protected object is
// refused whatever the flags. The differ never deletes an object the
// configuration lists, so the guard is exercised on planned changes
// directly, as a replacing kind would produce them.
func TestProtect(t *testing.T) {
	t.Parallel()
	pos := spec.Pos{File: "cfg.yaml", Line: 3, Col: 5}
	desired := &spec.Config{
		Environments: []spec.Environment{{CloudName: "prod", Name: "Prod", Protect: true, Pos: pos}},
		Users:        []spec.User{{Email: "Ana@acme.test", Protect: true, Pos: pos}},
		Groups:       []spec.Group{{Name: "ops", Protect: true, Pos: pos}, {Name: "tmp"}},
	}
	d := &differ{plan: &Plan{Changes: []Change{
		{Action: Delete, Ref: Ref{spec.KindEnvironment, "prod"}, Before: EnvironmentValue{ID: "e1", CloudName: "prod"}},
		{Action: Delete, Ref: Ref{spec.KindUser, "ana@acme.test"}, Before: UserValue{ID: "u1", Email: "ana@acme.test"}},
		{Action: Create, Ref: Ref{spec.KindUser, "ana@acme.test"}, After: UserValue{Email: "ana@acme.test"}},
		{Action: Delete, Ref: Ref{spec.KindGroup, "ops"}, Before: GroupValue{ID: "g1", Name: "ops"}},
		{Action: Delete, Ref: Ref{spec.KindGroup, "tmp"}, Before: GroupValue{ID: "g2", Name: "tmp"}},
		{Action: Update, Ref: Ref{spec.KindGroup, "ops"}, Before: GroupValue{ID: "g1", Name: "ops"}, After: GroupValue{ID: "g1", Name: "ops"}},
	}}}
	d.guard(desired, &model.Account{}, Options{AllowDeletes: true, AllowEnvironmentDeletes: true})
	want := []string{
		"create users/ana@acme.test",
		"delete groups/tmp",
		"update groups/ops",
		"refused environments/prod: refusing to delete it: it is protected (protect: true at cfg.yaml:3:5); remove protect first to allow it",
		"refused users/ana@acme.test: refusing to replace it: it is protected (protect: true at cfg.yaml:3:5); remove protect first to allow it",
		"refused groups/ops: refusing to delete it: it is protected (protect: true at cfg.yaml:3:5); remove protect first to allow it",
	}
	if diff := cmp.Diff(want, outline(d.plan)); diff != "" {
		t.Errorf("guarded plan mismatch (-want +got):\n%s", diff)
	}
}

// TestProtectEndToEnd: protect on a listed object changes nothing about an
// ordinary plan (it is never deleted), and the plan stays applicable.
func TestProtectEndToEnd(t *testing.T) {
	t.Parallel()
	desired := spec.Config{
		Users:  []spec.User{{Email: "root@acme.test", Protect: true}, {Email: "ana@acme.test", Name: ptr("Ana B"), Protect: true}},
		Groups: []spec.Group{{Name: "ops", Protect: true}},
		Prune:  []spec.Kind{spec.KindUser, spec.KindGroup},
	}
	live := model.Account{
		Users:  []model.User{root, {ID: "u1", Email: "ana@acme.test", Name: "Ana", Role: "admin", Enabled: true, AllEnvironments: true}, {ID: "u2", Email: "old@acme.test", Name: "Old", Role: "admin", Enabled: true}},
		Groups: []model.Group{{ID: "g1", Name: "ops"}},
	}
	p, err := Diff(&desired, &live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"update users/ana@acme.test", "delete users/old@acme.test"}, outline(p)); diff != "" {
		t.Errorf("plan mismatch (-want +got):\n%s", diff)
	}
}

func masterAdmin(id, email string) model.User {
	return model.User{ID: id, Email: email, Name: email, Role: "master_admin", Enabled: true, AllEnvironments: true}
}

// TestLockout: no plan takes the enabled master_admins below
// min_master_admins, by delete, disable or downgrade, with or without
// AllowDeletes; an account already below the minimum can be planned.
func TestLockout(t *testing.T) {
	t.Parallel()
	ana := masterAdmin("u1", "ana@acme.test")
	bo := masterAdmin("u2", "bo@acme.test")
	cy := masterAdmin("u3", "cy@acme.test")
	raj := model.User{ID: "u4", Email: "raj@acme.test", Name: "Raj", Role: "admin", Enabled: true, AllEnvironments: true}
	lockout := func(verb, email string, had, left, min int) string {
		users := "users"
		if had == 1 {
			users = "user"
		}
		return fmt.Sprintf("refused users/%s: refusing to %s it: the account has %d enabled master_admin %s and this plan would leave %d, below safety.min_master_admins (%d); --allow-deletes does not override this",
			email, verb, had, users, left, min)
	}
	all := Options{AllowDeletes: true, AllowEnvironmentDeletes: true}
	tests := []struct {
		name    string
		desired spec.Config
		live    []model.User
		opts    Options
		want    []string
	}{
		{
			name:    "disabling the last master_admin",
			desired: spec.Config{Users: []spec.User{{Email: "ana@acme.test", Enabled: ptr(false)}}},
			live:    []model.User{ana, raj},
			opts:    all,
			want:    []string{lockout("disable", "ana@acme.test", 1, 0, 1)},
		},
		{
			name:    "downgrading the last master_admin",
			desired: spec.Config{Users: []spec.User{{Email: "ana@acme.test", Role: ptr("admin")}}},
			live:    []model.User{ana, raj},
			opts:    all,
			want:    []string{lockout("downgrade", "ana@acme.test", 1, 0, 1)},
		},
		{
			name:    "deleting the last master_admin",
			desired: spec.Config{Users: []spec.User{{Email: "raj@acme.test"}}, Prune: []spec.Kind{spec.KindUser}},
			live:    []model.User{ana, raj},
			opts:    all,
			want:    []string{lockout("delete", "ana@acme.test", 1, 0, 1)},
		},
		{
			name:    "deleting one of two passes",
			desired: spec.Config{Users: []spec.User{{Email: "bo@acme.test"}}, Prune: []spec.Kind{spec.KindUser}},
			live:    []model.User{ana, bo},
			want:    []string{"delete users/ana@acme.test"},
		},
		{
			name:    "deleting both of two: both refused",
			desired: spec.Config{Users: []spec.User{{Email: "raj@acme.test"}}, Prune: []spec.Kind{spec.KindUser}},
			live:    []model.User{ana, bo, raj},
			opts:    all,
			want:    []string{lockout("delete", "ana@acme.test", 2, 0, 1), lockout("delete", "bo@acme.test", 2, 0, 1)},
		},
		{
			name: "min_master_admins 2",
			desired: spec.Config{
				Users:  []spec.User{{Email: "ana@acme.test", Enabled: ptr(false)}, {Email: "bo@acme.test"}, {Email: "cy@acme.test"}},
				Safety: spec.Safety{MinMasterAdmins: intp(2)},
			},
			live: []model.User{ana, bo, cy},
			want: []string{"update users/ana@acme.test"},
		},
		{
			name: "min_master_admins 2, two removed",
			desired: spec.Config{
				Users:  []spec.User{{Email: "ana@acme.test", Enabled: ptr(false)}, {Email: "bo@acme.test", Role: ptr("billing")}, {Email: "cy@acme.test"}},
				Safety: spec.Safety{MinMasterAdmins: intp(2)},
			},
			live: []model.User{ana, bo, cy},
			want: []string{lockout("disable", "ana@acme.test", 3, 1, 2), lockout("downgrade", "bo@acme.test", 3, 1, 2)},
		},
		{
			name: "min_master_admins 0 turns the guard off",
			desired: spec.Config{
				Users:  []spec.User{{Email: "ana@acme.test", Enabled: ptr(false)}},
				Safety: spec.Safety{MinMasterAdmins: intp(0)},
			},
			live: []model.User{ana},
			want: []string{"update users/ana@acme.test"},
		},
		{
			name:    "an account below the minimum can still be planned",
			desired: spec.Config{Users: []spec.User{{Email: "raj@acme.test", Name: ptr("Raj P")}, {Email: "new@acme.test"}}, Prune: []spec.Kind{spec.KindUser}},
			live:    []model.User{{ID: "u1", Email: "ana@acme.test", Name: "Ana", Role: "master_admin", Enabled: false, AllEnvironments: true}, raj},
			want:    []string{"create users/new@acme.test", "update users/raj@acme.test", "delete users/ana@acme.test"},
		},
		{
			name:    "a pending master_admin does not count",
			desired: spec.Config{Users: []spec.User{{Email: "pat@acme.test"}}, Prune: []spec.Kind{spec.KindUser}},
			live:    []model.User{ana, {ID: "u5", Email: "pat@acme.test", Name: "Pat", Role: "master_admin", Enabled: true, Pending: true, AllEnvironments: true}},
			want:    []string{lockout("delete", "ana@acme.test", 1, 0, 1)},
		},
		{
			name: "a new master_admin does not count: invited, not accepted",
			desired: spec.Config{
				Users: []spec.User{{Email: "ana@acme.test", Role: ptr("admin")}, {Email: "new@acme.test", Role: ptr("master_admin")}},
			},
			live: []model.User{ana},
			want: []string{"create users/new@acme.test", lockout("downgrade", "ana@acme.test", 1, 0, 1)},
		},
		{
			name: "a promotion makes room, and the downgrade waits for it",
			desired: spec.Config{
				Users: []spec.User{{Email: "ana@acme.test", Role: ptr("admin")}, {Email: "raj@acme.test", Role: ptr("master_admin")}},
			},
			live: []model.User{ana, raj},
			want: []string{"update users/raj@acme.test", "update users/ana@acme.test after users/raj@acme.test"},
		},
		{
			// The plan keeps the count (1 → 1): it lowers nothing further.
			name: "below the minimum, a hand-over is not a loss: the downgrade waits",
			desired: spec.Config{
				Users:  []spec.User{{Email: "ana@acme.test", Role: ptr("admin")}, {Email: "raj@acme.test", Role: ptr("master_admin")}},
				Safety: spec.Safety{MinMasterAdmins: intp(2)},
			},
			live: []model.User{ana, raj},
			want: []string{"update users/raj@acme.test", "update users/ana@acme.test after users/raj@acme.test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Diff(&tt.desired, &model.Account{Users: tt.live}, tt.opts)
			if err != nil {
				t.Fatalf("Diff returned error %v", err)
			}
			if diff := cmp.Diff(tt.want, outline(p)); diff != "" {
				t.Errorf("plan mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLockoutPermissions: where the Permissions API is on, no plan leaves
// fewer principals holding cld::role::account::master_admin at account
// scope than min_master_admins, whatever the flags.
func TestLockoutPermissions(t *testing.T) {
	t.Parallel()
	holder := func(id string, p spec.Principal) model.Assignment {
		return model.Assignment{PrincipalType: "user", PrincipalID: id, Principal: p, Role: accountAdminRole, Scope: spec.ScopeAccount}
	}
	ana := spec.Principal{Kind: spec.PrincipalUser, Name: "ana@acme.test"}
	raj := spec.Principal{Kind: spec.PrincipalUser, Name: "raj@acme.test"}
	anaAdmin := "assignments/" + AssignmentName("user", "ana@acme.test", accountAdminRole, spec.ScopeAccount, "", "")
	rajAdmin := "assignments/" + AssignmentName("user", "raj@acme.test", accountAdminRole, spec.ScopeAccount, "", "")
	refusal := func(verb, ref string, had, left int) string {
		holds := "principals hold"
		if had == 1 {
			holds = "principal holds"
		}
		return fmt.Sprintf("refused %s: refusing to %s it: %d %s %s at account scope, and this plan would leave %d, below safety.min_master_admins (1); --allow-deletes does not override this",
			ref, verb, had, holds, accountAdminRole, left)
	}
	all := Options{AllowDeletes: true, AllowEnvironmentDeletes: true}
	// designersHold makes group designers, with these members, the holder.
	designersHold := func(members ...string) func(a *model.Account) {
		return func(a *model.Account) {
			a.Groups[0].Members = members
			a.Permissions.Assignments = append(a.Permissions.Assignments, model.Assignment{
				PrincipalType: "group", PrincipalID: "g1", Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "designers"},
				Role: accountAdminRole, Scope: spec.ScopeAccount,
			})
		}
	}
	// viaDesigners adds to a refusal why the group no longer counts.
	viaDesigners := func(refusal string) string {
		return strings.Replace(refusal, "; --allow-deletes", ": it leaves group designers, which holds it, with no member who can act; --allow-deletes", 1)
	}
	anaInDesigners := Ref{spec.KindMembership, MembershipName("designers", "ana@acme.test")}.String()
	rajInDesigners := Ref{spec.KindMembership, MembershipName("designers", "raj@acme.test")}.String()
	tests := []struct {
		name   string
		config func(c *spec.Config)
		live   func(a *model.Account)
		opts   Options
		want   []string
	}{
		{
			name:   "pruning the only holder's assignment",
			config: func(c *spec.Config) { c.Prune = []spec.Kind{spec.KindAssignment} },
			live: func(a *model.Account) {
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u1", ana))
			},
			opts: all,
			want: []string{refusal("delete", anaAdmin, 1, 0)},
		},
		{
			name:   "deleting the only holder",
			config: func(c *spec.Config) { c.Users = nil; c.Prune = []spec.Kind{spec.KindUser} },
			live: func(a *model.Account) {
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u1", ana))
			},
			opts: all,
			want: []string{refusal("delete", "users/ana@acme.test", 1, 0)},
		},
		{
			name:   "disabling the only holder",
			config: func(c *spec.Config) { c.Users[0].Enabled = ptr(false) },
			live: func(a *model.Account) {
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u1", ana))
			},
			want: []string{refusal("disable", "users/ana@acme.test", 1, 0)},
		},
		{
			name: "a second holder makes room",
			config: func(c *spec.Config) {
				c.Users = append(c.Users, spec.User{Email: "raj@acme.test"})
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: raj, Role: accountAdminRole, Scope: spec.ScopeAccount})
				c.Prune = []spec.Kind{spec.KindAssignment}
			},
			live: func(a *model.Account) {
				a.Users = append(a.Users, model.User{ID: "u2", Email: "raj@acme.test", Enabled: true, AllEnvironments: true})
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u1", ana), holder("u2", raj))
			},
			want: []string{"delete " + anaAdmin},
		},
		{
			name: "a key holding it makes room",
			config: func(c *spec.Config) {
				key := spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: key, Role: accountAdminRole, Scope: spec.ScopeAccount})
				c.Prune = []spec.Kind{spec.KindAssignment}
			},
			live: func(a *model.Account) {
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u1", ana), model.Assignment{
					PrincipalType: "apiKey", PrincipalID: "123456789012345", Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"},
					Role: accountAdminRole, Scope: spec.ScopeAccount,
				})
			},
			want: []string{"delete " + anaAdmin},
		},
		{
			name: "handing over: the delete waits for the new assignment",
			config: func(c *spec.Config) {
				c.Users = append(c.Users, spec.User{Email: "raj@acme.test"})
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: raj, Role: accountAdminRole, Scope: spec.ScopeAccount})
				c.Prune = []spec.Kind{spec.KindAssignment}
			},
			live: func(a *model.Account) {
				a.Users = append(a.Users, model.User{ID: "u2", Email: "raj@acme.test", Enabled: true, AllEnvironments: true})
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u1", ana))
			},
			want: []string{"create " + rajAdmin, "delete " + anaAdmin + " after " + rajAdmin},
		},
		{
			name: "a holder who cannot act does not count",
			config: func(c *spec.Config) {
				c.Users = append(c.Users, spec.User{Email: "raj@acme.test"})
				c.Prune = []spec.Kind{spec.KindAssignment}
				c.Assignments = append(c.Assignments, spec.Assignment{Principal: raj, Role: accountAdminRole, Scope: spec.ScopeAccount})
			},
			live: func(a *model.Account) {
				a.Users = append(a.Users, model.User{ID: "u2", Email: "raj@acme.test", Enabled: false, AllEnvironments: true})
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u1", ana), holder("u2", raj))
			},
			want: []string{refusal("delete", anaAdmin, 1, 0)},
		},
		{
			// The review's case: users pruned, the plan deleted ana and
			// the guard said nothing.
			name:   "deleting the last member of the only holder group",
			config: func(c *spec.Config) { c.Users = nil; c.Prune = []spec.Kind{spec.KindUser} },
			live:   designersHold("ana@acme.test"),
			opts:   all,
			want:   []string{viaDesigners(refusal("delete", "users/ana@acme.test", 1, 0))},
		},
		{
			name:   "disabling the last member of the only holder group",
			config: func(c *spec.Config) { c.Users[0].Enabled = ptr(false) },
			live:   designersHold("ana@acme.test"),
			want:   []string{viaDesigners(refusal("disable", "users/ana@acme.test", 1, 0))},
		},
		{
			name:   "removing the last member from the only holder group",
			config: func(c *spec.Config) { c.Groups[0].MembersManaged = true },
			live:   designersHold("ana@acme.test"),
			want:   []string{viaDesigners(refusal("delete", anaInDesigners, 1, 0))},
		},
		{
			name: "disabling and removing the last member: both refused",
			config: func(c *spec.Config) {
				c.Users[0].Enabled = ptr(false)
				c.Groups[0].MembersManaged = true
			},
			live: designersHold("ana@acme.test"),
			want: []string{
				viaDesigners(refusal("disable", "users/ana@acme.test", 1, 0)),
				viaDesigners(refusal("delete", anaInDesigners, 1, 0)),
			},
		},
		{
			name: "a member who can act is left: the group still holds",
			config: func(c *spec.Config) {
				c.Users = []spec.User{{Email: "raj@acme.test"}}
				c.Prune = []spec.Kind{spec.KindUser}
			},
			live: func(a *model.Account) {
				designersHold("ana@acme.test", "raj@acme.test")(a)
				a.Users = append(a.Users, model.User{ID: "u2", Email: "raj@acme.test", Enabled: true, AllEnvironments: true})
			},
			opts: all,
			want: []string{"delete users/ana@acme.test"},
		},
		{
			name: "a member who cannot act does not keep the group",
			config: func(c *spec.Config) {
				c.Users = []spec.User{{Email: "raj@acme.test", Enabled: ptr(false)}}
				c.Prune = []spec.Kind{spec.KindUser}
			},
			live: func(a *model.Account) {
				designersHold("ana@acme.test", "raj@acme.test")(a)
				a.Users = append(a.Users, model.User{ID: "u2", Email: "raj@acme.test", Enabled: false, AllEnvironments: true})
			},
			opts: all,
			want: []string{viaDesigners(refusal("delete", "users/ana@acme.test", 1, 0))},
		},
		{
			name: "swapping members: the removal waits for the new member",
			config: func(c *spec.Config) {
				c.Users = append(c.Users, spec.User{Email: "raj@acme.test"})
				c.Groups[0].MembersManaged = true
				c.Groups[0].Members = []string{"raj@acme.test"}
			},
			live: func(a *model.Account) {
				designersHold("ana@acme.test")(a)
				a.Users = append(a.Users, model.User{ID: "u2", Email: "raj@acme.test", Enabled: true, AllEnvironments: true})
			},
			want: []string{
				"create " + rajInDesigners,
				"delete " + anaInDesigners + " after " + rajInDesigners,
			},
		},
		{
			name: "deleting the last member while adding another: the delete waits",
			config: func(c *spec.Config) {
				c.Users = []spec.User{{Email: "raj@acme.test"}}
				c.Prune = []spec.Kind{spec.KindUser}
				c.Groups[0].MembersManaged = true
				c.Groups[0].Members = []string{"raj@acme.test"}
			},
			live: func(a *model.Account) {
				designersHold("ana@acme.test")(a)
				a.Users = append(a.Users, model.User{ID: "u2", Email: "raj@acme.test", Enabled: true, AllEnvironments: true})
			},
			opts: all,
			want: []string{
				"create " + rajInDesigners,
				"delete users/ana@acme.test after " + rajInDesigners,
			},
		},
		{
			name: "a new member invited by the plan cannot act: refused",
			config: func(c *spec.Config) {
				c.Users = append(c.Users, spec.User{Email: "raj@acme.test"})
				c.Groups[0].MembersManaged = true
				c.Groups[0].Members = []string{"raj@acme.test"}
			},
			live: designersHold("ana@acme.test"),
			want: []string{
				"create users/raj@acme.test",
				"create " + rajInDesigners + " after users/raj@acme.test",
				viaDesigners(refusal("delete", anaInDesigners, 1, 0)),
			},
		},
		{
			name: "a direct holder remains: the group may stop acting",
			config: func(c *spec.Config) {
				c.Users = append(c.Users, spec.User{Email: "raj@acme.test"})
				c.Groups[0].MembersManaged = true
			},
			live: func(a *model.Account) {
				designersHold("ana@acme.test")(a)
				a.Users = append(a.Users, model.User{ID: "u2", Email: "raj@acme.test", Enabled: true, AllEnvironments: true})
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u2", raj))
			},
			want: []string{"delete " + anaInDesigners},
		},
		{
			name:   "an account without a holder can still be planned",
			config: func(c *spec.Config) { c.Users[0].Enabled = ptr(false); c.Prune = []spec.Kind{spec.KindAssignment} },
			want:   []string{"update users/ana@acme.test"},
		},
		{
			name: "min_master_admins 0 turns the guard off",
			config: func(c *spec.Config) {
				c.Prune = []spec.Kind{spec.KindAssignment}
				c.Safety.MinMasterAdmins = intp(0)
			},
			live: func(a *model.Account) {
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u1", ana))
			},
			want: []string{"delete " + anaAdmin},
		},
		{
			name:   "no Permissions API: no guard",
			config: func(c *spec.Config) { c.Users[0].Enabled = ptr(false) },
			live: func(a *model.Account) {
				a.Permissions.Assignments = append(a.Permissions.Assignments, holder("u1", ana))
				a.Permissions.Unavailable = "GET roles answered 403 forbidden"
			},
			want: []string{"update users/ana@acme.test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, live := permConfig(), permLive()
			if tt.config != nil {
				tt.config(cfg)
			}
			if tt.live != nil {
				tt.live(live)
			}
			p, err := Diff(cfg, live, tt.opts)
			if err != nil {
				t.Fatalf("Diff returned error %v", err)
			}
			var got []string
			for _, l := range outline(p) {
				if !strings.HasPrefix(l, "refused permissions/") { // the Unavailable case's own error
					got = append(got, l)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("plan mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompletenessEveryKind: no delete of a kind whose listing is
// incomplete survives, whichever part of the differ planned it, and the
// plan says why.
func TestCompletenessEveryKind(t *testing.T) {
	t.Parallel()
	cfg, live := permConfig(), permLive()
	cfg.Prune = []spec.Kind{spec.KindAssignment}
	cfg.Assignments = nil
	live.Incomplete = map[spec.Kind]string{spec.KindAssignment: "cursor c2 returned twice"}
	p, err := Diff(cfg, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := outline(p); len(got) != 0 {
		t.Errorf("plan = %q, want no deletes of incomplete assignments", got)
	}
	want := "assignments: the live listing is incomplete (cursor c2 returned twice): no assignments are deleted"
	if len(p.Warnings) == 0 || !strings.HasPrefix(p.Warnings[0], want) {
		t.Errorf("warnings = %q, want one starting %q", p.Warnings, want)
	}
	live.Incomplete = nil
	if p, _ = Diff(cfg, live, Options{}); len(p.Changes) != 1 {
		t.Errorf("with a complete listing the plan = %q, want the delete", outline(p))
	}
}
