package spec

// Expiry: access that ends by itself. `expires:` on a user, on a group
// member ({user: EMAIL, expires: DATE}) and on an assignment says when;
// once the planner's clock passes it, plan removes what expired (the
// membership, the assignment; the user is disabled, or deleted when users
// are pruned) without anyone editing the configuration. Plans also list
// what expires within safety.expiry_notice, and the users invited longer
// than safety.stale_invitation_after ago who never accepted.

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults of the expiry settings.
const (
	DefaultExpiryNotice         = 14 * 24 * time.Hour
	DefaultStaleInvitationAfter = 30 * 24 * time.Hour
)

// Expiry is when something ends: At, and the text as written (a date or
// an RFC 3339 time), which plans show.
type Expiry struct {
	At   time.Time
	Text string
	Pos  Pos
}

// Passed reports whether the expiry is at or before now.
func (e *Expiry) Passed(now time.Time) bool { return e != nil && !now.Before(e.At) }

// ParseExpiry reads a date (2027-01-31, which ends at midnight UTC
// starting that day) or an RFC 3339 time.
func ParseExpiry(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid expiry %q: expected a date (2027-01-31) or an RFC 3339 time (2027-01-31T18:00:00Z)", s)
	}
	return t, nil
}

// expiryRE is the schema's expiry pattern.
var expiryRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$`)

// decodeExpiry reads an expires: value; an unquoted date is a YAML
// timestamp, which is read as its text.
func (l *loader) decodeExpiry(f *file, n *yaml.Node, path string) *Expiry {
	if n == nil || n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!str" && n.ShortTag() != "!!timestamp") {
		return nil // the schema said so
	}
	if !expiryRE.MatchString(n.Value) {
		return nil // the schema said so
	}
	t, err := ParseExpiry(n.Value)
	if err != nil {
		l.errorf(f.pos(n), path, "%v", err)
		return nil
	}
	return &Expiry{At: t, Text: n.Value, Pos: f.pos(n)}
}

// ExpiryNoticeOrDefault is safety.expiry_notice, or its default.
func (s Safety) ExpiryNoticeOrDefault() time.Duration {
	return orDefault(s.ExpiryNotice, DefaultExpiryNotice)
}

// StaleInvitationAfterOrDefault is safety.stale_invitation_after, or its
// default.
func (s Safety) StaleInvitationAfterOrDefault() time.Duration {
	return orDefault(s.StaleInvitationAfter, DefaultStaleInvitationAfter)
}

// decodeSafetyExpiry reads the expiry settings of the safety: block;
// ok is false for another key.
func (l *loader) decodeSafetyExpiry(f *file, s *Safety, key string, val *yaml.Node) bool {
	switch key {
	case "expiry_notice":
		if d := l.decodeAge(f, val, "safety.expiry_notice"); d > 0 {
			s.ExpiryNotice = &d
		}
	case "stale_invitation_after":
		if d := l.decodeAge(f, val, "safety.stale_invitation_after"); d > 0 {
			s.StaleInvitationAfter = &d
		}
	case "fail_on_stale_invitations":
		s.FailOnStaleInvitations = boolean(val)
	default:
		return false
	}
	return true
}

// Expired is one thing whose expiry has passed: a user (Name is the
// email), a membership (Group and Name) or an assignment.
type Expired struct {
	Kind       Kind
	Name       string
	Group      string
	Assignment *Assignment
	Expiry     Expiry
}

// Expire returns the configuration as it stands at now: expired group
// members and assignments removed, expired users disabled — or, when
// pruneUsers (users are pruned, by the configuration or for this run),
// removed with their memberships and assignments, so that the plan
// deletes them. c is not modified. The second result lists
// what expired, in the configuration's order.
func (c *Config) Expire(now time.Time, pruneUsers bool) (*Config, []Expired) {
	var gone []Expired
	out := *c
	deleted := map[string]bool{}
	out.Users = make([]User, 0, len(c.Users))
	for _, u := range c.Users {
		if u.Expires.Passed(now) {
			gone = append(gone, Expired{Kind: KindUser, Name: u.Email, Expiry: *u.Expires})
			if pruneUsers {
				deleted[u.Email] = true
				continue
			}
			off := false
			u.Enabled = &off
		}
		out.Users = append(out.Users, u)
	}
	out.Groups = make([]Group, 0, len(c.Groups))
	for _, g := range c.Groups {
		if len(g.MemberExpires) > 0 || len(deleted) > 0 {
			members := make([]string, 0, len(g.Members))
			for _, m := range g.Members {
				if e, ok := g.MemberExpires[m]; ok && e.Passed(now) {
					gone = append(gone, Expired{Kind: KindMembership, Group: g.Name, Name: m, Expiry: e})
					continue
				}
				if !deleted[m] {
					members = append(members, m)
				}
			}
			g.Members = members
		}
		out.Groups = append(out.Groups, g)
	}
	out.Assignments = make([]Assignment, 0, len(c.Assignments))
	for i, a := range c.Assignments {
		if a.Expires.Passed(now) {
			gone = append(gone, Expired{Kind: KindAssignment, Assignment: &c.Assignments[i], Expiry: *a.Expires})
			continue
		}
		if a.Principal.Kind == PrincipalUser && deleted[a.Principal.Name] {
			continue
		}
		out.Assignments = append(out.Assignments, a)
	}
	return &out, gone
}

// Expiring lists what expires after now and no later than now+within,
// soonest first.
func (c *Config) Expiring(now time.Time, within time.Duration) []Expired {
	var out []Expired
	soon := func(e *Expiry) bool { return e != nil && now.Before(e.At) && !e.At.After(now.Add(within)) }
	for _, u := range c.Users {
		if soon(u.Expires) {
			out = append(out, Expired{Kind: KindUser, Name: u.Email, Expiry: *u.Expires})
		}
	}
	for _, g := range c.Groups {
		for _, m := range g.Members {
			if e, ok := g.MemberExpires[m]; ok && soon(&e) {
				out = append(out, Expired{Kind: KindMembership, Group: g.Name, Name: m, Expiry: e})
			}
		}
	}
	for i, a := range c.Assignments {
		if soon(a.Expires) {
			out = append(out, Expired{Kind: KindAssignment, Assignment: &c.Assignments[i], Expiry: *a.Expires})
		}
	}
	slices.SortStableFunc(out, func(a, b Expired) int { return a.Expiry.At.Compare(b.Expiry.At) })
	return out
}
