package planner

// Expiry: what the configuration says ends at a time (spec/expiry.go) is
// planned away once the planner's clock passes it, with the reason
// "expired DATE": a membership is deleted, an assignment deleted (whether
// or not assignments are pruned), a user disabled — or deleted, when
// users are pruned. What expires within safety.expiry_notice is listed
// as a warning, so that reviewers see it coming.

import (
	"fmt"
	"strings"
	"time"

	"github.com/cldsync/cldsync/pkg/spec"
)

// expire returns the configuration as it stands at the planner's clock,
// noting what expired (to word and force its removal) and warning of what
// expires soon.
func (d *differ) expire(desired *spec.Config, opts Options) *spec.Config {
	if !hasExpiries(desired) {
		// Nothing expires, now or soon: the configuration as it is, not
		// a copy of every user, group and assignment.
		d.expired = map[Ref]spec.Expiry{}
		return desired
	}
	now := opts.now()
	cfg, gone := desired.Expire(now, d.prune[spec.KindUser])
	d.expired = map[Ref]spec.Expiry{}
	for _, e := range gone {
		d.expired[expiredRef(e)] = e.Expiry
	}
	for _, e := range desired.Expiring(now, desired.Safety.ExpiryNoticeOrDefault()) {
		d.warnf("expires %s (in %s): %s", e.Expiry.Text, untilWords(e.Expiry.At.Sub(now)), expiredWhat(e))
	}
	return cfg
}

// hasExpiries reports whether anything in the configuration has an
// expiry: a user, a group member or an assignment.
func hasExpiries(c *spec.Config) bool {
	for i := range c.Users {
		if c.Users[i].Expires != nil {
			return true
		}
	}
	for i := range c.Groups {
		if len(c.Groups[i].MemberExpires) > 0 {
			return true
		}
	}
	for i := range c.Assignments {
		if c.Assignments[i].Expires != nil {
			return true
		}
	}
	return false
}

// expiredRef is the ref of the change that removes what expired.
func expiredRef(e spec.Expired) Ref {
	switch e.Kind {
	case spec.KindMembership:
		return Ref{spec.KindMembership, MembershipName(e.Group, e.Name)}
	case spec.KindAssignment:
		a := e.Assignment
		return Ref{spec.KindAssignment, AssignmentName(apiPrincipalType(a.Principal.Kind), a.Principal.Name, a.Role, a.Scope, a.FolderID, a.CollectionID)}
	}
	return Ref{spec.KindUser, normEmail(e.Name)}
}

// expiredWhat names what expires: "membership designers / lee@acme.test".
func expiredWhat(e spec.Expired) string {
	r := expiredRef(e)
	return Noun(r.Kind) + " " + r.Name
}

// untilWords is a duration in days, or hours under a day.
func untilWords(d time.Duration) string {
	if d < 24*time.Hour {
		return Plural(int(d.Hours()), "1 hour", fmt.Sprintf("%d hours", int(d.Hours())))
	}
	days := int(d / (24 * time.Hour))
	return Plural(days, "1 day", fmt.Sprintf("%d days", days))
}

// isExpired reports whether the change removing r removes what expired.
func (d *differ) isExpired(r Ref) bool {
	_, ok := d.expired[r]
	return ok
}

// markExpired words the reason of each change that removes or disables
// what expired.
func (d *differ) markExpired() {
	for i := range d.plan.Changes {
		c := &d.plan.Changes[i]
		if e, ok := d.expired[c.Ref]; ok && (c.Action == Delete || c.Action == Update) {
			c.Reason = expiredPrefix + e.Text
		}
	}
}

// expiredPrefix starts the reason of a change that removes what expired.
const expiredPrefix = "expired "

// RemovesExpired reports whether the change removes (or, for a user,
// disables) what expired: renderers show its reason whatever its action,
// and drift --remove-expired applies these changes alone.
func (c *Change) RemovesExpired() bool { return strings.HasPrefix(c.Reason, expiredPrefix) }
