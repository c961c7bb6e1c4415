package planner

import (
	"strings"
	"testing"
	"time"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestStaleInvitations: only users who never accepted (pending) and were
// invited longer than stale_invitation_after ago are listed, oldest
// first; accepted, recent, undated and ignored users are not.
func TestStaleInvitations(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)
	daysAgo := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	live := &model.Account{Users: []model.User{
		{ID: "u1", Email: "late@acme.test", Name: "Late", Enabled: true, Pending: true, CreatedAt: daysAgo(40)},
		{ID: "u2", Email: "accepted@acme.test", Name: "Accepted", Enabled: true, CreatedAt: daysAgo(400)},
		{ID: "u3", Email: "recent@acme.test", Name: "Recent", Enabled: true, Pending: true, CreatedAt: daysAgo(10)},
		{ID: "u4", Email: "undated@acme.test", Name: "Undated", Enabled: true, Pending: true},
		{ID: "u5", Email: "svc-bot@acme.test", Name: "Bot", Enabled: true, Pending: true, CreatedAt: daysAgo(90)},
		{ID: "u6", Email: "older@acme.test", Name: "Older", Enabled: true, Pending: true, CreatedAt: daysAgo(60)},
	}}
	for _, tc := range []struct {
		name, safety string
		want         []string
	}{
		{name: "default 30d", want: []string{"older@acme.test", "late@acme.test"}},
		{name: "longer threshold", safety: "safety: {stale_invitation_after: 50d}\n", want: []string{"older@acme.test"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := spec.Parse("c.yaml", []byte("version: 1\nignore: {users: [\"svc-*@acme.test\"]}\n"+tc.safety))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Diff(cfg, live, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range p.StaleInvitations {
				got = append(got, s.Email)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("stale invitations = %v, want %v (oldest first)", got, tc.want)
			}
			warnings := strings.Join(p.Warnings, "\n")
			if !strings.Contains(warnings, "stale invitation: older@acme.test was invited 2026-09-16 (60 days ago) and never accepted") {
				t.Errorf("warnings lack older@acme.test's line:\n%s", warnings)
			}
			if strings.Contains(warnings, "accepted@acme.test") || strings.Contains(warnings, "svc-bot") {
				t.Errorf("warnings name an accepted or ignored user:\n%s", warnings)
			}
		})
	}
}
