package spec

// Access tests (`access_tests:`): what must always hold, checked by
// `cldsync test` offline, by plan on the planned account and by drift on
// the live one (pkg/access evaluates them). Here they are only read and
// their references checked: the principal, the scope, role ids, and the
// actions and resource types of Cedar requests, so that a typo cannot make
// a `cannot` pass for ever.

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// AccessTest is one item of access_tests.
type AccessTest struct {
	Name string
	Who  Principal
	// In is ScopeAccount or an environment's cloud_name.
	In     string
	Can    []AccessCheck
	Cannot []AccessCheck
	Pos    Pos
	WhoPos Pos
	InPos  Pos
}

// AccessCheck is one item of can or cannot: a role id (Role), or a Cedar
// request (Action, Resource, Context).
type AccessCheck struct {
	Role string
	// Action is "read" or `Namespace::Action::"name"`; Resource is "any"
	// or an entity literal such as `Folder::"f1"`.
	Action   string
	Resource string
	Context  map[string]any
	Pos      Pos
}

// String is the item as a reader knows it: the role id, or "read on
// any".
func (c AccessCheck) String() string {
	if c.Role != "" {
		return c.Role
	}
	s := c.Action + " on " + c.Resource
	if len(c.Context) > 0 {
		s += fmt.Sprintf(" with context %v", c.Context)
	}
	return s
}

// CedarActions are the actions of Cloudinary's Cedar schema (catalog.json
// of the emulator, "cedar_schema"); an action written without a namespace
// must be one of them.
var CedarActions = []string{"create", "delete", "moderate", "move", "read", "update", "update_settings"}

// CedarResourceTypes are the resource entity types of the Cedar schema.
var CedarResourceTypes = []string{
	"Cloudinary::Account", "Cloudinary::Asset", "Cloudinary::Collection", "Cloudinary::Feature",
	"Cloudinary::Folder", "Cloudinary::Group", "Cloudinary::ProductEnvironment", "Cloudinary::Report",
	"Cloudinary::UploadMapping", "Cloudinary::UploadPreset", "Cloudinary::User",
	"MediaFlows::EasyFlow", "MediaFlows::LogEntry", "MediaFlows::PowerFlow",
}

var (
	entityLiteralRE = regexp.MustCompile(`^((?:[A-Za-z_][A-Za-z0-9_]*::)+)"(?:[^"\\]|\\.)*"$`)
	actionLiteralRE = regexp.MustCompile(`^(?:[A-Za-z_][A-Za-z0-9_]*::)+Action::"(?:[^"\\]|\\.)*"$`)
)

func (l *loader) decodeAccessTests(f *file, val *yaml.Node) {
	for i, n := range items(val) {
		if n.Kind != yaml.MappingNode {
			continue
		}
		path := fmt.Sprintf("access_tests[%d]", i)
		t := AccessTest{Pos: f.pos(n)}
		for _, kv := range fields(n) {
			v := kv[1]
			switch kv[0].Value {
			case "name":
				t.Name, _ = str(v)
			case "who":
				t.WhoPos = f.pos(v)
				t.Who = l.decodePrincipal(f, v, path+".who")
			case "in":
				t.In, _ = str(v)
				t.InPos = f.pos(v)
			case "can":
				t.Can = l.decodeAccessChecks(f, v)
			case "cannot":
				t.Cannot = l.decodeAccessChecks(f, v)
			}
		}
		l.cfg.AccessTests = append(l.cfg.AccessTests, t)
	}
}

func (l *loader) decodeAccessChecks(f *file, n *yaml.Node) []AccessCheck {
	out := []AccessCheck{}
	for _, item := range items(n) {
		c := AccessCheck{Pos: f.pos(item)}
		if s, ok := str(item); ok {
			c.Role = s
			out = append(out, c)
			continue
		}
		if item.Kind != yaml.MappingNode {
			continue
		}
		c.Resource = "any"
		for _, kv := range fields(item) {
			switch kv[0].Value {
			case "action":
				c.Action, _ = str(kv[1])
			case "resource":
				if s, ok := str(kv[1]); ok && s != "" {
					c.Resource = s
				}
			case "context":
				c.Context, _ = l.toValue(f, kv[1], false).(map[string]any)
			}
		}
		out = append(out, c)
	}
	return out
}

// checkAccessTests checks what the tests name, once every file is read.
func (l *loader) checkAccessTests() {
	members := map[string]bool{}
	for _, g := range l.cfg.Groups {
		for _, m := range g.Members {
			members[m] = true
		}
	}
	roles := map[string]*Role{}
	for i := range l.cfg.Roles {
		roles[l.cfg.Roles[i].ID] = &l.cfg.Roles[i]
	}
	names := map[string]Pos{}
	inFile := indexesInFile(l.cfg.AccessTests, func(t *AccessTest) Pos { return t.Pos })
	for i := range l.cfg.AccessTests {
		t := &l.cfg.AccessTests[i]
		path := fmt.Sprintf("access_tests[%d]", inFile[i])
		if prev, dup := names[t.Name]; dup && t.Name != "" {
			l.errorf(t.Pos, path+".name", "duplicate access test %q; first at %s", t.Name, prev)
		} else {
			names[t.Name] = t.Pos
		}
		if t.Can == nil && t.Cannot == nil {
			l.errorf(t.Pos, path, "an access test needs can, cannot or both")
		}
		switch t.Who.Kind {
		case PrincipalUser:
			if _, ok := l.users[t.Who.Name]; !ok && !members[t.Who.Name] {
				l.errorf(t.WhoPos, path+".who", "unknown user %q: not defined under users nor a member of a group", t.Who.Name)
			}
		case PrincipalAPIKey:
			l.checkTestKey(t, path)
		case PrincipalGroup:
			if _, ok := l.groups[t.Who.Name]; !ok {
				l.errorf(t.WhoPos, path+".who", "unknown group %q: not defined under groups%s", t.Who.Name, didYouMean(t.Who.Name, slices.Sorted(maps.Keys(l.groups))))
			}
		}
		if _, ok := l.envs[t.In]; !ok && t.In != ScopeAccount && isCloudName(t.In) {
			l.errorf(t.InPos, path+".in", "unknown environment %q: expected account or an environment defined under environments%s", t.In, didYouMean(t.In, slices.Sorted(maps.Keys(l.envs))))
		}
		for _, list := range []struct {
			key    string
			checks []AccessCheck
		}{{"can", t.Can}, {"cannot", t.Cannot}} {
			for j, c := range list.checks {
				l.checkAccessCheck(c, fmt.Sprintf("%s.%s[%d]", path, list.key, j), t.In, roles)
			}
		}
	}
}

// checkTestKey checks an api_key principal against its environment's
// access_keys, when the configuration lists them.
func (l *loader) checkTestKey(t *AccessTest, path string) {
	env, name := SplitAPIKey(t.Who.Name)
	for _, e := range l.cfg.Environments {
		if e.CloudName != env || e.AccessKeys == nil {
			continue
		}
		var names []string
		for _, k := range e.AccessKeys {
			if k.Name == name {
				return
			}
			names = append(names, k.Name)
		}
		l.errorf(t.WhoPos, path+".who", "unknown access key %q of %s: not listed under its access_keys%s", name, env, didYouMean(name, names))
	}
}

func (l *loader) checkAccessCheck(c AccessCheck, path, in string, roles map[string]*Role) {
	if c.Role != "" {
		scopeType := ""
		if r := roles[c.Role]; r != nil {
			scopeType = r.ScopeType
		} else if sys, ok := BuiltinCatalog().Roles[c.Role]; ok {
			scopeType = sys.ScopeType
		} else {
			known := slices.Sorted(maps.Keys(BuiltinCatalog().Roles))
			l.errorf(c.Pos, path, "unknown role %q: not defined under roles, and not a system role%s", c.Role, didYouMean(c.Role, append(known, slices.Sorted(maps.Keys(roles))...)))
			return
		}
		switch {
		case scopeType == ScopeAccount && in != ScopeAccount:
			l.errorf(c.Pos, path, "role %q is an account role: it is held in account, not in %q", c.Role, in)
		case scopeType == "prodenv" && in == ScopeAccount:
			l.errorf(c.Pos, path, "role %q is a product environment role: it is held in an environment, not in account", c.Role)
		}
		return
	}
	switch {
	case c.Action == "":
	case strings.Contains(c.Action, "::"):
		if !actionLiteralRE.MatchString(c.Action) {
			l.errorf(c.Pos, path+".action", `%q is not an action: write a name such as read, or Namespace::Action::"name"`, c.Action)
		}
	case !slices.Contains(CedarActions, c.Action):
		l.errorf(c.Pos, path+".action", "unknown action %q: expected one of %s%s", c.Action, strings.Join(CedarActions, ", "), didYouMean(c.Action, CedarActions))
	}
	if c.Resource == "any" {
		return
	}
	m := entityLiteralRE.FindStringSubmatch(c.Resource)
	if m == nil {
		l.errorf(c.Pos, path+".resource", `%q is not a resource: write any, or an entity such as Folder::"f8a5c2e1"`, c.Resource)
		return
	}
	typ := strings.TrimSuffix(m[1], "::")
	if !strings.Contains(typ, "::") {
		typ = "Cloudinary::" + typ
	}
	if !slices.Contains(CedarResourceTypes, typ) {
		l.errorf(c.Pos, path+".resource", "unknown resource type %q: expected one of %s", strings.TrimPrefix(typ, "Cloudinary::"), strings.Join(shortTypes(), ", "))
	}
}

func shortTypes() []string {
	out := make([]string, len(CedarResourceTypes))
	for i, t := range CedarResourceTypes {
		out[i] = strings.TrimPrefix(t, "Cloudinary::")
	}
	return out
}
