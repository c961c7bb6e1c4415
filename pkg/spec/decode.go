package spec

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// isCloudName reports whether s matches the schema's cloud name pattern,
// ^[a-z0-9_-]+$ (TestIsCloudName), without a regexp: it runs for every
// reference. A reference that does not match was reported by the schema,
// so it is not also reported as unknown.
func isCloudName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

// decodeFile adds one file's objects to the merged configuration. Values of
// the wrong shape are skipped: the schema has reported them.
func (l *loader) decodeFile(f *file) {
	if f.root.Kind != yaml.MappingNode {
		return
	}
	l.mappings++
	for _, kv := range fields(f.root) {
		key, val := kv[0].Value, kv[1]
		switch key {
		case "version":
			l.versionSeen = true
			// The schema accepts 1.0 as the integer 1, so read floats too.
			var v float64
			if t := val.ShortTag(); (t == "!!int" || t == "!!float") && val.Decode(&v) == nil && v == float64(int(v)) {
				l.cfg.Version = int(v)
			}
		case "environments":
			l.cfg.Environments = slices.Grow(l.cfg.Environments, len(val.Content))
			for i, n := range items(val) {
				l.decodeEnvironment(f, n, itemPath("environments", i))
			}
		case "users":
			l.cfg.Users = slices.Grow(l.cfg.Users, len(val.Content))
			for i, n := range items(val) {
				l.decodeUser(f, n, itemPath("users", i))
			}
		case "groups":
			l.cfg.Groups = slices.Grow(l.cfg.Groups, len(val.Content))
			for i, n := range items(val) {
				l.decodeGroup(f, n, itemPath("groups", i))
			}
		case "prune":
			l.decodePrune(f, val)
		case "safety":
			l.decodeSafety(f, val)
		case "ignore":
			l.decodeIgnore(f, val)
		case "roles", "policies", "assignments", "permissions":
			l.decodePermissions(f, key, val) // permissions.go
		case "access_tests":
			l.decodeAccessTests(f, val) // access_tests.go
		case "tenants":
			l.tmpl.tenants = append(l.tmpl.tenants, tenantsOf(f, val)...) // template.go
		}
	}
}

// items returns a sequence's elements, aliases resolved.
func items(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out
}

func (l *loader) decodeEnvironment(f *file, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	e := Environment{Pos: f.pos(n)}
	var base *yaml.Node
	for k, val := range pairs(n) {
		switch k.Value {
		case "cloud_name":
			e.CloudName, _ = str(val)
			if e.CloudName != "" {
				if prev, dup := define(l.envs, e.CloudName, f.pos(val)); dup {
					l.errorf(f.pos(val), path+".cloud_name", "duplicate environment %q; first defined at %s", e.CloudName, prev)
				}
			}
		case "name":
			e.Name, _ = str(val)
		case "enabled":
			e.Enabled = boolean(val)
		case "base_environment":
			e.BaseEnvironment, _ = str(val)
			base = val
		case "protect":
			e.Protect = orDefault(boolean(val), false)
		case "previously":
			e.Previously = l.decodePreviously(f, val, path+".previously", KindEnvironment) // rename.go
		case "access_keys":
			e.AccessKeys = l.decodeAccessKeys(f, val, path+".access_keys") // access_keys.go
		case "custom_attributes":
			if val.Kind == yaml.MappingNode {
				e.CustomAttributes, _ = l.toValue(f, val, false).(map[string]any)
			}
		}
	}
	if b := e.BaseEnvironment; b != "" && isCloudName(b) {
		if b == e.CloudName {
			l.errorf(f.pos(base), path+".base_environment", "an environment cannot be its own base")
		} else {
			l.refEnv(f.pos(base), b, func() string { return path + ".base_environment" })
		}
	}
	l.cfg.Environments = append(l.cfg.Environments, e)
}

func (l *loader) decodeUser(f *file, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	u := User{Pos: f.pos(n)}
	var envs *yaml.Node
	for k, val := range pairs(n) {
		switch k.Value {
		case "email":
			email, ok := str(val)
			if !ok || email == "" {
				break
			}
			u.Email = strings.ToLower(email)
			if !validEmail(email) {
				l.errorf(f.pos(val), path+".email", "%s", badEmail(email))
				break
			}
			if prev, dup := define(l.users, u.Email, f.pos(val)); dup {
				note := ""
				if email != u.Email {
					note = " (emails are compared case-insensitively)"
				}
				l.errorf(f.pos(val), path+".email", "duplicate user %q%s; first defined at %s", email, note, prev)
			}
		case "name":
			if s, ok := str(val); ok {
				u.Name = &s
			}
		case "role":
			if s, ok := str(val); ok {
				s = l.intern(s)
				u.Role = &s
			}
		case "enabled":
			u.Enabled = boolean(val)
		case "environments":
			envs = val
			u.Environments = l.decodeAccess(f, val, path+".environments")
		case "protect":
			u.Protect = orDefault(boolean(val), false)
		case "previously":
			u.Previously = l.decodePreviously(f, val, path+".previously", KindUser) // rename.go
		case "expires":
			u.Expires = l.decodeExpiry(f, val, path+".expires") // expiry.go
		}
	}
	if u.Role != nil && *u.Role == "master_admin" && u.Environments != nil && !u.Environments.All {
		// The API ignores sub_account_ids for master_admin, so a list
		// could never converge.
		l.errorf(f.pos(envs), path+".environments", `a master_admin can access every environment; use "all" or omit environments`)
	}
	l.cfg.Users = append(l.cfg.Users, u)
}

func (l *loader) decodeAccess(f *file, n *yaml.Node, path string) *EnvironmentAccess {
	if s, ok := str(n); ok {
		if s != "all" {
			return nil
		}
		return &EnvironmentAccess{All: true}
	}
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	list := items(n)
	a := &EnvironmentAccess{CloudNames: make([]string, 0, len(list))}
	var seen map[string]*yaml.Node // for a long list; a short one looks back
	if len(list) > smallMapping {
		seen = map[string]*yaml.Node{}
	}
	for i, item := range list {
		name, ok := str(item)
		if !ok || !isCloudName(name) {
			continue
		}
		if prev := listedBefore(list, i, name, seen); prev != nil {
			l.errorf(f.pos(item), itemPath(path, i), "duplicate environment %q (first listed at %s)", name, f.pos(prev))
			continue
		}
		if seen != nil {
			seen[name] = item
		}
		a.CloudNames = append(a.CloudNames, l.intern(name))
		l.refEnv(f.pos(item), name, func() string { return itemPath(path, i) })
	}
	slices.Sort(a.CloudNames)
	return a
}

func (l *loader) decodeGroup(f *file, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	g := Group{Pos: f.pos(n)}
	for _, kv := range fields(n) {
		val := kv[1]
		switch kv[0].Value {
		case "name":
			g.Name, _ = str(val)
			if g.Name != "" {
				l.defineGroup(g.Name, f.pos(val), path+".name")
			}
		case "members":
			if val.Kind != yaml.SequenceNode {
				break
			}
			g.MembersManaged = true
			g.Members = []string{}
			seen := map[string]Pos{}
			for i, item := range items(val) {
				ipath := fmt.Sprintf("%s.members[%d]", path, i)
				email, ok := str(item)
				var exp *Expiry
				if item.Kind == yaml.MappingNode { // {user: EMAIL, expires: DATE} (expiry.go)
					for k, v := range pairs(item) {
						switch k.Value {
						case "user":
							email, ok = str(v)
						case "expires":
							exp = l.decodeExpiry(f, v, ipath+".expires")
						}
					}
				}
				if !ok || email == "" {
					continue
				}
				if !validEmail(email) {
					l.errorf(f.pos(item), ipath, "%s", badEmail(email))
					continue
				}
				key := strings.ToLower(email)
				if prev, dup := seen[key]; dup {
					l.errorf(f.pos(item), ipath, "duplicate member %q (first listed at %s; emails are compared case-insensitively)", email, prev)
					continue
				}
				seen[key] = f.pos(item)
				g.Members = append(g.Members, key)
				if exp != nil {
					if g.MemberExpires == nil {
						g.MemberExpires = map[string]Expiry{}
					}
					g.MemberExpires[key] = *exp
				}
			}
			slices.Sort(g.Members)
		case "protect":
			g.Protect = orDefault(boolean(val), false)
		case "previously":
			g.Previously = l.decodePreviously(f, val, path+".previously", KindGroup) // rename.go
		}
	}
	l.cfg.Groups = append(l.cfg.Groups, g)
}

func (l *loader) decodePrune(f *file, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		return
	}
	kinds := []Kind{}
	seen := map[string]bool{}
	for i, item := range items(n) {
		s, ok := str(item)
		if !ok {
			continue
		}
		if seen[s] {
			l.errorf(f.pos(item), itemPath("prune", i), "duplicate kind %q", s)
			continue
		}
		seen[s] = true
		kinds = append(kinds, Kind(s))
	}
	pos := f.pos(n)
	if l.prunePos == nil {
		l.prunePos = &pos
		l.cfg.Prune = kinds
		return
	}
	a, b := slices.Clone(l.cfg.Prune), slices.Clone(kinds)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		l.errorf(pos, "prune", "differs from prune at %s; files that repeat prune must agree", *l.prunePos)
	}
}

// defineGroup records a group name. The service compares group names
// case-insensitively (a second "Designers" beside "designers" is a 409),
// so two names equal under FoldName are one duplicate; l.groups keeps the
// names as written, for references.
func (l *loader) defineGroup(name string, pos Pos, path string) {
	key := FoldName(name)
	if prev, dup := l.groupFolds[key]; dup {
		if prev.name == name {
			l.errorf(pos, path, "duplicate group %q; first defined at %s", name, prev.pos)
		} else {
			l.errorf(pos, path, "duplicate group %q: the service compares group names case-insensitively, and %q is defined at %s", name, prev.name, prev.pos)
		}
		return
	}
	l.groupFolds[key] = nameDef{name, pos}
	l.groups[name] = pos
}

// define records that key is defined at pos, or returns where it was
// defined first.
func define(defined map[string]Pos, key string, pos Pos) (prev Pos, dup bool) {
	if prev, dup := defined[key]; dup {
		return prev, true
	}
	defined[key] = pos
	return Pos{}, false
}

// listedBefore returns the first of list[:i] that is the string s, from
// seen (s's first item) when there is one, else looking back.
func listedBefore(list []*yaml.Node, i int, s string, seen map[string]*yaml.Node) *yaml.Node {
	if seen != nil {
		return seen[s]
	}
	for _, item := range list[:i] {
		if v, ok := str(item); ok && v == s {
			return item
		}
	}
	return nil
}

// refEnv records a reference to an environment, checked once every file
// has defined its environments (parse). One defined already needs no
// check; path, for the message, is made only for one kept.
func (l *loader) refEnv(pos Pos, cloudName string, path func() string) {
	if _, ok := l.envs[cloudName]; ok {
		return
	}
	l.envRefs = append(l.envRefs, envRef{pos: pos, path: path(), cloudName: cloudName})
}

// validEmail accepts a bare address (no display name, no angle brackets)
// whose domain has a dot, whose local part (before @) has at most 64
// characters (RFC 5321), and with no invisible character (names.go). An
// address over 254 characters is the schema's maxLength to report.
func validEmail(s string) bool {
	ok, _ := checkEmail(s)
	return ok
}

// badEmail is the message for an invalid address.
func badEmail(s string) string {
	if _, why := checkEmail(s); why != "" {
		return fmt.Sprintf("invalid email address %q: %s", s, why)
	}
	return fmt.Sprintf("invalid email address %q", s)
}

// checkEmail says whether s is a valid address and, when it is not and
// there is more to say than that, why.
func checkEmail(s string) (ok bool, why string) { return checkEmailWith(s, plainAddress) }

// checkEmailWith is checkEmail asking mail.ParseAddress about the
// addresses that plain does not pass: most are plain, and net/mail
// allocates a lot.
func checkEmailWith(s string, plain func(string) bool) (ok bool, why string) {
	if r := hiddenRune(s); r >= 0 {
		return false, fmt.Sprintf("it contains %s, an invisible or bidirectional control character", describeRune(r))
	}
	if !plain(s) {
		a, err := mail.ParseAddress(s)
		if err != nil || a.Name != "" || a.Address != s {
			return false, ""
		}
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at <= 0 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false, ""
	}
	if n := utf8.RuneCountInString(s[:at]); n > 64 && len(s) <= 254 {
		return false, fmt.Sprintf("the part before @ is %d characters long; the limit is 64", n)
	}
	return true, ""
}

// plainAddress reports whether s is LOCAL@DOMAIN with both parts runs of
// letters, digits, "-" (and "_" and "+" in the local part) separated by
// single dots, and the domain with a dot: an address mail.ParseAddress
// accepts as written, with no name (TestPlainAddress).
func plainAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && dotRuns(local, "_+-") && dotRuns(domain, "-") && strings.Contains(domain, ".")
}

// dotRuns reports whether s is one or more runs of ASCII letters, digits
// and the bytes of extra, separated by single dots.
func dotRuns(s, extra string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte(extra, c) >= 0:
			run++
		case c == '.' && run > 0:
			run = 0
		default:
			return false
		}
	}
	return run > 0
}
