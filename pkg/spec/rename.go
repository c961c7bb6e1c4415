package spec

// Renames: `previously: [old-key]` on an environment (cloud_names), a user
// (emails) or a group (names) tells the planner that a live object under
// one of those keys is this object renamed, so that it is updated in place
// (keeping its id, memberships, role assignments and the Cedar statements
// that name it) instead of deleted and created again.
//
// A previous key must be unambiguous: it may not be the key of another
// configured object of the kind (or its own key), nor be listed by two
// objects, nor twice by one. These checks need every file, so they run
// once all files are decoded (checkRenames).

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Previous is one key an object had before, where the configuration says
// so.
type Previous struct {
	Name string
	Pos  Pos
}

// decodePreviously reads a `previously:` list of kind k's keys. Values the
// schema rejects are skipped; emails are lower-cased like user keys.
func (l *loader) decodePreviously(f *file, n *yaml.Node, path string, k Kind) []Previous {
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	out := []Previous{}
	seen := map[string]Pos{}
	for i, item := range items(n) {
		s, ok := str(item)
		if !ok || s == "" {
			continue
		}
		ipath := itemPath(path, i)
		switch k {
		case KindEnvironment:
			if !isCloudName(s) {
				continue // the schema said so
			}
		case KindUser:
			if !validEmail(s) {
				l.errorf(f.pos(item), ipath, "%s", badEmail(s))
				continue
			}
			s = strings.ToLower(s)
		}
		if prev, dup := seen[s]; dup {
			l.errorf(f.pos(item), ipath, "%q is listed twice (first at %s)", s, prev)
			continue
		}
		seen[s] = f.pos(item)
		out = append(out, Previous{Name: s, Pos: f.pos(item)})
	}
	return out
}

// renamed is one object's previous keys, for checkRenames.
type renamed struct {
	kind       Kind
	key        string
	path       string // "environments[0]"
	pos        Pos
	previously []Previous
}

// checkRenames reports previous keys that would make a rename ambiguous.
func (l *loader) checkRenames() {
	var all []renamed
	type at struct {
		kind      Kind
		file, via string
	}
	index := map[at]int{} // per kind and file: objects seen so far
	next := func(k Kind, p Pos) int {
		i := index[at{k, p.File, p.Via}]
		index[at{k, p.File, p.Via}]++
		return i
	}
	for _, e := range l.cfg.Environments {
		i := next(KindEnvironment, e.Pos)
		if len(e.Previously) == 0 {
			continue
		}
		all = append(all, renamed{KindEnvironment, e.CloudName, itemPath("environments", i), e.Pos, e.Previously})
	}
	for _, u := range l.cfg.Users {
		i := next(KindUser, u.Pos)
		if len(u.Previously) == 0 {
			continue
		}
		all = append(all, renamed{KindUser, u.Email, itemPath("users", i), u.Pos, u.Previously})
	}
	for _, g := range l.cfg.Groups {
		i := next(KindGroup, g.Pos)
		if len(g.Previously) == 0 {
			continue
		}
		all = append(all, renamed{KindGroup, g.Name, itemPath("groups", i), g.Pos, g.Previously})
	}
	type claim struct {
		key string
		pos Pos
	}
	claimed := map[Kind]map[string]claim{}
	for _, r := range all {
		if len(r.previously) == 0 {
			continue
		}
		defined, keyWord := l.definedKeys(r.kind)
		if claimed[r.kind] == nil {
			claimed[r.kind] = map[string]claim{}
		}
		for j, p := range r.previously {
			path := fmt.Sprintf("%s.previously[%d]", r.path, j)
			noun := strings.TrimSuffix(string(r.kind), "s")
			switch other, taken := claimed[r.kind][p.Name]; {
			case p.Name == r.key:
				l.errorf(p.Pos, path, "%q is this %s's own %s; list only the %ss it had before", p.Name, noun, keyWord, keyWord)
			case defined[p.Name] != (Pos{}):
				l.errorf(p.Pos, path, "%q is the %s of the %s defined at %s: a previous %s must not be in use in the configuration", p.Name, keyWord, noun, defined[p.Name], keyWord)
			case taken:
				l.errorf(p.Pos, path, "%q is also a previous %s of %s %q (at %s): a live %s can only be renamed to one", p.Name, keyWord, noun, other.key, other.pos, noun)
			default:
				claimed[r.kind][p.Name] = claim{r.key, p.Pos}
			}
		}
	}
}

// definedKeys returns the keys of kind k defined so far, with where, and
// the word for the key.
func (l *loader) definedKeys(k Kind) (map[string]Pos, string) {
	switch k {
	case KindEnvironment:
		return l.envs, "cloud_name"
	case KindUser:
		return l.users, "email"
	}
	return l.groups, "name"
}
