package spec

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// cloudNameRE is the schema's cloud name pattern. A reference that does not
// match was reported by the schema, so it is not also reported as unknown.
var cloudNameRE = regexp.MustCompile(`^[a-z0-9_-]+$`)

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
			for i, n := range items(val) {
				l.decodeEnvironment(f, n, fmt.Sprintf("environments[%d]", i))
			}
		case "users":
			for i, n := range items(val) {
				l.decodeUser(f, n, fmt.Sprintf("users[%d]", i))
			}
		case "groups":
			for i, n := range items(val) {
				l.decodeGroup(f, n, fmt.Sprintf("groups[%d]", i))
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
	for _, kv := range fields(n) {
		val := kv[1]
		switch kv[0].Value {
		case "cloud_name":
			e.CloudName, _ = str(val)
			if e.CloudName != "" {
				l.define(l.envs, e.CloudName, f.pos(val), path+".cloud_name", fmt.Sprintf("environment %q", e.CloudName))
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
	if b := e.BaseEnvironment; b != "" && cloudNameRE.MatchString(b) {
		if b == e.CloudName {
			l.errorf(f.pos(base), path+".base_environment", "an environment cannot be its own base")
		} else {
			l.envRefs = append(l.envRefs, envRef{pos: f.pos(base), path: path + ".base_environment", cloudName: b})
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
	for _, kv := range fields(n) {
		val := kv[1]
		switch kv[0].Value {
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
			what := fmt.Sprintf("user %q", email)
			if email != u.Email {
				what += " (emails are compared case-insensitively)"
			}
			l.define(l.users, u.Email, f.pos(val), path+".email", what)
		case "name":
			if s, ok := str(val); ok {
				u.Name = &s
			}
		case "role":
			if s, ok := str(val); ok {
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
	a := &EnvironmentAccess{CloudNames: []string{}}
	seen := map[string]Pos{}
	for i, item := range items(n) {
		name, ok := str(item)
		if !ok || !cloudNameRE.MatchString(name) {
			continue
		}
		ipath := fmt.Sprintf("%s[%d]", path, i)
		if prev, dup := seen[name]; dup {
			l.errorf(f.pos(item), ipath, "duplicate environment %q (first listed at %s)", name, prev)
			continue
		}
		seen[name] = f.pos(item)
		a.CloudNames = append(a.CloudNames, name)
		l.envRefs = append(l.envRefs, envRef{pos: f.pos(item), path: ipath, cloudName: name})
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
					for _, kv := range fields(item) {
						switch kv[0].Value {
						case "user":
							email, ok = str(kv[1])
						case "expires":
							exp = l.decodeExpiry(f, kv[1], ipath+".expires")
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
			l.errorf(f.pos(item), fmt.Sprintf("prune[%d]", i), "duplicate kind %q", s)
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

// define records that key is defined at pos, or reports a duplicate naming
// both places. what names the object, such as `user "ana@acme.test"`.
func (l *loader) define(defined map[string]Pos, key string, pos Pos, path, what string) {
	if prev, dup := defined[key]; dup {
		l.errorf(pos, path, "duplicate %s; first defined at %s", what, prev)
		return
	}
	defined[key] = pos
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
func checkEmail(s string) (ok bool, why string) {
	if r := hiddenRune(s); r >= 0 {
		return false, fmt.Sprintf("it contains %s, an invisible or bidirectional control character", describeRune(r))
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false, ""
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
