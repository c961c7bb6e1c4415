package planner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

const expiryConfig = `version: 1
environments: [{cloud_name: acme-prod, name: P}]
users:
  - {email: ana@acme.test, name: Ana, role: master_admin}
  - {email: lee@acme.test, name: Lee, expires: 2027-01-31}
groups:
  - name: designers
    members: [ana@acme.test, {user: raj@acme.test, expires: 2027-01-20}]
assignments:
  - {principal: {user: ana@acme.test}, role: cld::role::prodenv::ml_user, scope: acme-prod, expires: 2027-01-25}
`

func expiryLive() *model.Account {
	return &model.Account{
		Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod", Name: "P", Enabled: true}},
		Users: []model.User{
			{ID: "u1", Email: "ana@acme.test", Name: "Ana", Role: "master_admin", Enabled: true},
			{ID: "u2", Email: "lee@acme.test", Name: "Lee", Enabled: true},
			{ID: "u3", Email: "raj@acme.test", Name: "Raj", Enabled: true},
		},
		Groups: []model.Group{{ID: "g1", Name: "designers", Members: []string{"ana@acme.test", "raj@acme.test"}}},
		Permissions: &model.Permissions{
			Catalog: spec.BuiltinCatalog(),
			Assignments: []model.Assignment{{PrincipalType: "user", PrincipalID: "u1", Principal: spec.Principal{Kind: spec.PrincipalUser, Name: "ana@acme.test"},
				Role: "cld::role::prodenv::ml_user", Scope: "acme-prod", ScopeID: "e1"}},
		},
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		tm, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		name, now, prune, safety string
		want, notWant            []string
	}{
		{name: "long before: nothing", now: "2026-06-01",
			notWant: []string{"expire", "delete", "update"}},
		{name: "within the notice: listed, not removed", now: "2027-01-10",
			want: []string{
				"warning: expires 2027-01-20 (in 10 days): membership designers / raj@acme.test",
			},
			notWant: []string{"delete", "update", "2027-01-25"}},
		{name: "a longer notice lists more", now: "2027-01-10", safety: "{expiry_notice: 30d}",
			want: []string{
				"warning: expires 2027-01-20 (in 10 days): membership designers / raj@acme.test",
				"warning: expires 2027-01-31 (in 21 days): user lee@acme.test",
			},
			notWant: []string{"delete", "update"}},
		{name: "membership and assignment expired", now: "2027-01-26",
			want: []string{
				"delete memberships/designers / raj@acme.test\n  reason: expired 2027-01-20",
				"delete assignments/user:ana@acme.test / cld::role::prodenv::ml_user / acme-prod\n  reason: expired 2027-01-25",
				"warning: expires 2027-01-31 (in 5 days): user lee@acme.test",
			}},
		{name: "user expired: disabled", now: "2027-02-01",
			want: []string{"update users/lee@acme.test\n  enabled: true → false"}},
		{name: "user expired, users pruned: deleted", now: "2027-02-01", prune: "users",
			want: []string{"delete users/lee@acme.test\n  reason: expired 2027-01-31"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := expiryConfig
			if tc.prune != "" {
				src += "prune: [" + tc.prune + "]\n"
			}
			if tc.safety != "" {
				src += "safety: " + tc.safety + "\n"
			}
			cfg, err := spec.Parse("c.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Diff(cfg, expiryLive(), Options{Now: at(tc.now), AllowDeletes: true})
			if err != nil {
				t.Fatal(err)
			}
			got := dump(p)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("plan lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("plan has %q:\n%s", w, got)
				}
			}
			if u := p.Changes; len(u) > 0 && tc.prune == "" {
				for _, c := range u {
					if c.Ref.Kind == spec.KindUser && c.Action == Update && c.Reason != "expired 2027-01-31" {
						t.Errorf("user update reason = %q, want expired 2027-01-31", c.Reason)
					}
				}
			}
		})
	}
}

// TestExpiryOfOneKind: a configuration whose only expiry is a user's, a
// member's or an assignment's still has it applied.
func TestExpiryOfOneKind(t *testing.T) {
	t.Parallel()
	base := `version: 1
environments: [{cloud_name: acme-prod, name: P}]
users:
  - {email: ana@acme.test, name: Ana, role: master_admin}
  - {email: lee@acme.test, name: Lee%s}
groups:
  - name: designers
    members: [ana@acme.test, %s]
assignments:
  - {principal: {user: ana@acme.test}, role: cld::role::prodenv::ml_user, scope: acme-prod%s}
`
	for _, tc := range []struct {
		name, user, member, assignment, want string
	}{
		{"user", ", expires: 2027-01-20", "raj@acme.test", "", "update users/lee@acme.test\n  enabled: true → false"},
		{"member", "", "{user: raj@acme.test, expires: 2027-01-20}", "", "delete memberships/designers / raj@acme.test\n  reason: expired 2027-01-20"},
		{"assignment", "", "raj@acme.test", ", expires: 2027-01-20", "delete assignments/user:ana@acme.test / cld::role::prodenv::ml_user / acme-prod\n  reason: expired 2027-01-20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := spec.Parse("c.yaml", fmt.Appendf(nil, base, tc.user, tc.member, tc.assignment))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Diff(cfg, expiryLive(), Options{Now: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(p); !strings.Contains(got, tc.want) {
				t.Errorf("plan lacks %q:\n%s", tc.want, got)
			}
		})
	}
}
