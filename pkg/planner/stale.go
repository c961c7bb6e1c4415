package planner

// Stale invitations: users invited longer ago than
// safety.stale_invitation_after (default 30d) who never accepted (live
// pending and created_at). They hold access they have never used, often
// for addresses that no longer exist; plan and drift list them, and drift
// can fail on them (--fail-on-stale-invitations or
// safety.fail_on_stale_invitations).

import (
	"fmt"
	"slices"
	"time"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// StaleInvitation is a user invited long ago who never accepted.
type StaleInvitation struct {
	Email   string
	Invited time.Time
}

// staleInvitations lists the live users whose invitations went stale,
// ignored users left out, as warnings and in Plan.StaleInvitations.
func (d *differ) staleInvitations(desired *spec.Config, live *model.Account, opts Options) {
	now, after := opts.now(), desired.Safety.StaleInvitationAfterOrDefault()
	for _, u := range live.Users {
		if !u.Pending || u.CreatedAt.IsZero() || now.Sub(u.CreatedAt) <= after || d.isIgnored(spec.KindUser, u.Email) {
			continue
		}
		d.plan.StaleInvitations = append(d.plan.StaleInvitations, StaleInvitation{Email: u.Email, Invited: u.CreatedAt})
	}
	slices.SortFunc(d.plan.StaleInvitations, func(a, b StaleInvitation) int { return a.Invited.Compare(b.Invited) })
	for _, s := range d.plan.StaleInvitations {
		d.warnf("stale invitation: %s was invited %s (%s ago) and never accepted (safety.stale_invitation_after: %s)",
			s.Email, s.Invited.UTC().Format(time.DateOnly), untilWords(now.Sub(s.Invited)), spec.FormatAge(after))
	}
}

// StaleInvitationsLine is drift's summary of them, "" when none:
// "2 stale invitations (see the warnings)".
func (p *Plan) StaleInvitationsLine() string {
	n := len(p.StaleInvitations)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d stale %s (see the warnings)", n, Plural(n, "invitation", "invitations"))
}
