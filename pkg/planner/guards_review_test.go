package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestThresholdsCountWhatDisappears: max_deletes counts the objects that
// are gone after the plan. A user deleted and created again is in the
// account after it (protect calls that a replace): it does not count, and
// its delete is not refused; the two users that do go are.
func TestThresholdsCountWhatDisappears(t *testing.T) {
	t.Parallel()
	user := func(email string) Ref { return Ref{spec.KindUser, email} }
	live := &model.Account{Users: liveUsers("u", 3)}
	one := 1
	desired := &spec.Config{Safety: spec.Safety{MaxDeletes: &one}}
	d := &differ{plan: &Plan{Changes: []Change{
		{Action: Delete, Ref: user("u00@acme.test"), Before: UserValue{ID: "u0", Email: "u00@acme.test"}},
		{Action: Create, Ref: user("u00@acme.test"), After: UserValue{Email: "u00@acme.test", Role: "admin", Enabled: true}},
		{Action: Delete, Ref: user("u01@acme.test"), Before: UserValue{ID: "u1", Email: "u01@acme.test"}},
		{Action: Delete, Ref: user("u02@acme.test"), Before: UserValue{ID: "u2", Email: "u02@acme.test"}},
	}}}
	d.guard(desired, live, Options{})
	refusal := "refusing to delete it: this plan deletes 2 objects, more than safety.max_deletes (1); check what would go and re-run with --allow-deletes"
	want := []string{
		"delete users/u00@acme.test",
		"create users/u00@acme.test",
		"refused users/u01@acme.test: " + refusal,
		"refused users/u02@acme.test: " + refusal,
	}
	if diff := cmp.Diff(want, outline(d.plan)); diff != "" {
		t.Errorf("guarded plan mismatch (-want +got):\n%s", diff)
	}
}

// TestThresholdsPercentOfManaged: max_delete_percent is a share of the
// live objects the plan could delete, not of those ignore rules keep out.
// 6 of 20 managed users is 30%, refused, although it is 15% of the 40 live.
func TestThresholdsPercentOfManaged(t *testing.T) {
	t.Parallel()
	live := &model.Account{Users: append(liveUsers("u", 20), liveUsers("svc", 20)...)}
	desired := &spec.Config{Prune: []spec.Kind{spec.KindUser}, Ignore: spec.Ignore{spec.KindUser: {{Pattern: "svc*"}}}}
	for i := range 14 {
		desired.Users = append(desired.Users, spec.User{Email: live.Users[i].Email})
	}
	p, err := Diff(desired, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 0 || len(p.Errors) != 6 || !strings.Contains(p.Errors[0].Message, "deletes 6 of 20 live users (30%)") {
		t.Errorf("plan = %q, want the 6 deletes refused as 30%% of the 20 managed users", outline(p))
	}
}

// TestCheckIncompleteListing: a plan made when the live listing was
// complete is judged on the listing apply reads now: no delete of a kind
// whose listing is incomplete is kept, whatever the plan says.
func TestCheckIncompleteListing(t *testing.T) {
	t.Parallel()
	cfg, live := permConfig(), permLive()
	cfg.Prune = []spec.Kind{spec.KindAssignment}
	cfg.Assignments = nil
	p, err := Diff(cfg, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Action != Delete {
		t.Fatalf("plan = %q, want the delete of the assignment", outline(p))
	}
	live.Incomplete = map[spec.Kind]string{spec.KindAssignment: "cursor c2 returned twice"}
	if kept, _ := Check(cfg, live, p, Options{}); len(kept) != 0 {
		t.Errorf("Check kept %v, want no delete of incomplete assignments", kept)
	}
}

// TestCheckLastKey: the last-key guard runs on the changes apply will run
// too. A plan made with AllowKeyRemoval deletes the only enabled key;
// checked without it, the delete is refused.
func TestCheckLastKey(t *testing.T) {
	t.Parallel()
	desired := &spec.Config{Prune: []spec.Kind{spec.KindAccessKey}, Environments: []spec.Environment{keyEnv()}}
	live := keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true})
	opts := Options{Now: keyNow, NoAccessDiff: true, AllowKeyRemoval: true}
	p, err := Diff(desired, &live, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 {
		t.Fatalf("plan = %q, want the delete of the only key", outline(p))
	}
	if kept, errs := Check(desired, &live, p, opts); len(kept) != 1 || len(errs) != 0 {
		t.Errorf("Check with AllowKeyRemoval = %v, %v; want the delete kept", kept, errs)
	}
	opts.AllowKeyRemoval = false
	kept, errs := Check(desired, &live, p, opts)
	if len(kept) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Message, "last enabled access key of environment acme-prod") {
		t.Errorf("Check without AllowKeyRemoval = %v, %v; want the delete refused as the last key", kept, errs)
	}
}

// TestCheckRenamedAsPlanned: Check of a plan as Diff made it keeps every
// change, with its dependencies, and refuses none, also when the
// configuration renames objects: Check sees the live account under the
// new names, as Diff did.
func TestCheckRenamedAsPlanned(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind     spec.Kind
		from, to string
	}{
		{spec.KindEnvironment, "acme-prod", "acme-live"},
		{spec.KindUser, "ana@acme.test", "ana.g@acme.test"},
		{spec.KindGroup, "designers", "artists"},
	} {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			cfg := renameConfig()
			renameKey(cfg, tt.kind, tt.from, tt.to)
			live := renameLiveAccount()
			p, err := Diff(cfg, live, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Changes) == 0 || len(p.Errors) != 0 {
				t.Fatalf("plan = %q, want the rename and no refusal", outline(p))
			}
			kept, errs := Check(cfg, live, p, Options{})
			if diff := cmp.Diff(outline(p), outline(&Plan{Changes: kept, Errors: errs})); diff != "" {
				t.Errorf("Check of the plan as planned (-planned +checked):\n%s", diff)
			}
		})
	}
}

// TestThresholdsCountMembershipsThatDisappear: a membership deleted and
// created again stays, so it is not counted, also in a group whose name
// holds the separator of membership names.
func TestThresholdsCountMembershipsThatDisappear(t *testing.T) {
	t.Parallel()
	member := func(group, email string) (Ref, MembershipValue) {
		v := MembershipValue{Group: group, User: email}
		return v.Ref(), v
	}
	live := &model.Account{Groups: []model.Group{
		{ID: "g1", Name: "ops / team", Members: []string{"a@acme.test", "B@acme.test"}},
		{ID: "g2", Name: "ops", Members: []string{"c@acme.test"}},
	}}
	one := 1
	desired := &spec.Config{Safety: spec.Safety{MaxDeletes: &one}}
	ra, a := member("ops / team", "a@acme.test")
	rb, b := member("ops / team", "b@acme.test")
	rc, c := member("ops", "c@acme.test")
	d := &differ{plan: &Plan{Changes: []Change{
		{Action: Delete, Ref: ra, Before: a},
		{Action: Create, Ref: ra, After: a},
		{Action: Delete, Ref: rb, Before: b},
		{Action: Delete, Ref: rc, Before: c},
	}}}
	d.guard(desired, live, Options{})
	refusal := "refusing to delete it: this plan deletes 2 objects, more than safety.max_deletes (1); check what would go and re-run with --allow-deletes"
	want := []string{
		"delete memberships/ops / team / a@acme.test",
		"create memberships/ops / team / a@acme.test",
		"refused memberships/ops / team / b@acme.test: " + refusal,
		"refused memberships/ops / c@acme.test: " + refusal,
	}
	if diff := cmp.Diff(want, outline(d.plan)); diff != "" {
		t.Errorf("guarded plan mismatch (-want +got):\n%s", diff)
	}
}
