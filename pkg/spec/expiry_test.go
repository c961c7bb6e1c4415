package spec

import (
	"testing"
	"time"
)

func TestExpiryDecode(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`version: 1
environments: [{cloud_name: acme-prod, name: P}]
safety: {expiry_notice: 7d, stale_invitation_after: 10d, fail_on_stale_invitations: true}
users:
  - {email: lee@acme.test, expires: 2027-01-31}
  - {email: raj@acme.test, expires: "2027-01-31T18:00:00+02:00"}
groups:
  - name: designers
    members: [raj@acme.test, {user: Lee@acme.test, expires: 2027-01-31}]
assignments:
  - {principal: {user: lee@acme.test}, role: cld::role::prodenv::ml_user, scope: acme-prod, expires: 2027-02-15}
`))
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	if e := cfg.Users[0].Expires; e == nil || !e.At.Equal(day) || e.Text != "2027-01-31" || e.Pos.Line != 5 {
		t.Errorf("users[0].expires = %+v, want midnight UTC of 2027-01-31 at line 5", e)
	}
	if e := cfg.Users[1].Expires; e == nil || !e.At.Equal(time.Date(2027, 1, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("users[1].expires = %+v, want 16:00 UTC", e)
	}
	g := cfg.Groups[0]
	if got := g.Members; len(got) != 2 || got[0] != "lee@acme.test" || got[1] != "raj@acme.test" {
		t.Errorf("members = %q, want both, lower-cased and sorted", got)
	}
	if e, ok := g.MemberExpires["lee@acme.test"]; !ok || !e.At.Equal(day) || len(g.MemberExpires) != 1 {
		t.Errorf("member expiries = %+v, want lee's only", g.MemberExpires)
	}
	if e := cfg.Assignments[0].Expires; e == nil || e.Text != "2027-02-15" {
		t.Errorf("assignment expires = %+v", e)
	}
	s := cfg.Safety
	if s.ExpiryNoticeOrDefault() != 7*24*time.Hour || s.StaleInvitationAfterOrDefault() != 10*24*time.Hour || s.FailOnStaleInvitations == nil || !*s.FailOnStaleInvitations {
		t.Errorf("safety = %+v", s)
	}
	if (Safety{}).ExpiryNoticeOrDefault() != 14*24*time.Hour || (Safety{}).StaleInvitationAfterOrDefault() != 30*24*time.Hour {
		t.Error("defaults are 14d and 30d")
	}
	if !cfg.Users[0].Expires.Passed(day) || cfg.Users[0].Expires.Passed(day.Add(-time.Second)) {
		t.Error("an expiry passes at its instant")
	}
}
