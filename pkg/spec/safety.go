package spec

// The safety settings and ignore rules are the configuration's side of the
// planner's guards (pkg/planner/guards.go, ignore.go):
//
//	safety:
//	  max_deletes: 10         # more deletes than this need --allow-deletes
//	  max_delete_percent: 25  # so does deleting more than 25% of a kind with 20+ live objects
//	  min_master_admins: 1    # no plan takes the enabled master_admins below this
//	ignore:
//	  users: ["svc-*@acme.test"]
//	  environments: [other-team-*]
//
// safety may be written in one file only; ignore lists of several files are
// merged. An object the configuration lists must not match an ignore rule
// (it would be both managed and ignored), and neither may a group member.

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults of the safety settings, used when the configuration leaves one
// out.
const (
	DefaultMaxDeletes       = 10
	DefaultMaxDeletePercent = 25.0
	DefaultMinMasterAdmins  = 1
)

// Safety is the top-level safety: block. Nil fields take the defaults; see
// Limits.
type Safety struct {
	// MaxDeletes is how many deletes a plan may hold without
	// --allow-deletes.
	MaxDeletes *int
	// MaxDeletePercent is the share (0 to 100) of one kind's live objects a
	// plan may delete without --allow-deletes, for kinds with at least
	// MinObjectsForPercent live objects.
	MaxDeletePercent *float64
	// MinMasterAdmins is the fewest enabled users with the legacy
	// master_admin role a plan may leave (0 turns the guard off).
	MinMasterAdmins *int
	// ExpiryNotice, StaleInvitationAfter and FailOnStaleInvitations are
	// the expiry settings (expiry.go); nil takes the defaults.
	ExpiryNotice           *time.Duration
	StaleInvitationAfter   *time.Duration
	FailOnStaleInvitations *bool
	Pos                    Pos
}

// MinObjectsForPercent is the live count below which max_delete_percent
// does not apply: deleting 3 of 5 objects is not a mass delete.
const MinObjectsForPercent = 20

// Limits are the safety settings with the defaults filled in.
type Limits struct {
	MaxDeletes       int
	MaxDeletePercent float64
	MinMasterAdmins  int
}

// Limits returns the settings with defaults for the ones not set.
func (s Safety) Limits() Limits {
	return Limits{
		MaxDeletes:       orDefault(s.MaxDeletes, DefaultMaxDeletes),
		MaxDeletePercent: orDefault(s.MaxDeletePercent, DefaultMaxDeletePercent),
		MinMasterAdmins:  orDefault(s.MinMasterAdmins, DefaultMinMasterAdmins),
	}
}

func orDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// IgnoreRule is one pattern of an ignore: list: an exact natural key
// (cloud_name, email, group name) or a glob where * matches any run of
// characters and ? any one character. User patterns are compared
// case-insensitively, as emails are.
type IgnoreRule struct {
	Pattern string
	Pos     Pos
}

// Ignore holds the ignore rules per kind. Live objects matching a rule are
// kept out of the plan entirely: never created, changed, deleted or counted.
type Ignore map[Kind][]IgnoreRule

// IgnoreKinds are the kinds an ignore: block may name.
var IgnoreKinds = []Kind{KindEnvironment, KindUser, KindGroup, KindAccessKey}

// Match returns the first rule of kind k matching key, if any.
func (ig Ignore) Match(k Kind, key string) (IgnoreRule, bool) {
	for _, r := range ig[k] {
		if MatchGlob(r.Pattern, key, k == KindUser) {
			return r, true
		}
	}
	return IgnoreRule{}, false
}

// MatchGlob reports whether s matches pattern, where * matches any run of
// characters (including none) and ? exactly one; every other character
// matches itself. fold compares case-insensitively.
func MatchGlob(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, t := []rune(pattern), []rune(s)
	// Iterative matching with one backtrack point: linear for the patterns
	// people write, and never exponential.
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]) && p[pi] != '*':
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// decodeSafety reads the safety: block. Values of the wrong type were
// reported by the schema and are skipped.
func (l *loader) decodeSafety(f *file, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	pos := f.pos(n)
	if l.safetyPos != nil {
		l.errorf(pos, "safety", "safety is already set at %s; set it in one file", *l.safetyPos)
		return
	}
	l.safetyPos = &pos
	s := Safety{Pos: pos}
	for _, kv := range fields(n) {
		val := kv[1]
		switch kv[0].Value {
		case "max_deletes":
			s.MaxDeletes = integer(val)
		case "max_delete_percent":
			var v float64
			if t := val.ShortTag(); (t == "!!int" || t == "!!float") && val.Decode(&v) == nil {
				s.MaxDeletePercent = &v
			}
		case "min_master_admins":
			s.MinMasterAdmins = integer(val)
		default:
			l.decodeSafetyExpiry(f, &s, kv[0].Value, val) // expiry.go
		}
	}
	l.cfg.Safety = s
}

func integer(n *yaml.Node) *int {
	var v int
	if n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		return nil
	}
	return &v
}

// decodeIgnore reads one file's ignore: block, adding to the rules of
// other files.
func (l *loader) decodeIgnore(f *file, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, kv := range fields(n) {
		kind := Kind(kv[0].Value)
		if !isIgnoreKind(kind) {
			continue // the schema reported it
		}
		for i, item := range items(kv[1]) {
			p, ok := str(item)
			if !ok || p == "" {
				continue
			}
			if l.cfg.Ignore == nil {
				l.cfg.Ignore = Ignore{}
			}
			for _, prev := range l.cfg.Ignore[kind] {
				if prev.Pattern == p {
					l.errorf(f.pos(item), fmt.Sprintf("ignore.%s[%d]", kind, i), "duplicate pattern %q (first at %s)", p, prev.Pos)
				}
			}
			l.cfg.Ignore[kind] = append(l.cfg.Ignore[kind], IgnoreRule{Pattern: p, Pos: f.pos(item)})
		}
	}
}

func isIgnoreKind(k Kind) bool {
	for _, x := range IgnoreKinds {
		if x == k {
			return true
		}
	}
	return false
}

// checkIgnore reports configured objects and group members that match an
// ignore rule: an object cannot be both managed and ignored.
func (l *loader) checkIgnore() {
	if len(l.cfg.Ignore) == 0 {
		return
	}
	conflict := func(pos Pos, what string, k Kind, key string) {
		if r, ok := l.cfg.Ignore.Match(k, key); ok {
			l.errorf(pos, "", "%s matches ignore rule %q (%s); an object cannot be both managed and ignored", what, r.Pattern, r.Pos)
		}
	}
	for _, e := range l.cfg.Environments {
		conflict(e.Pos, fmt.Sprintf("environment %q", e.CloudName), KindEnvironment, e.CloudName)
	}
	for _, u := range l.cfg.Users {
		conflict(u.Pos, fmt.Sprintf("user %q", u.Email), KindUser, u.Email)
	}
	for _, g := range l.cfg.Groups {
		conflict(g.Pos, fmt.Sprintf("group %q", g.Name), KindGroup, g.Name)
		for _, m := range g.Members {
			conflict(g.Pos, fmt.Sprintf("group %q: member %q", g.Name, m), KindUser, m)
		}
	}
}
