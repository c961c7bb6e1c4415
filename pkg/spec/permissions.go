package spec

// The permissions half of the configuration (NOTES.md 2.7-2.16, 4.3-4.5, 5):
//
//	roles:        # custom roles, keyed by id (cldsync chooses it on create)
//	policies:     # custom Cedar policies, keyed by (scope, name)
//	assignments:  # (principal, role, scope, folder_id/collection_id) tuples
//	permissions: false   # turns the whole half off (NOTES.md P22)
//
// Each item is decoded with its file (decodePermissions); the checks that
// need every file (references to roles, users, groups; duplicate keys;
// Cedar, whose error positions need the source text) run once at the end
// (checkPermissions). Cedar statements are only parsed here, with cedar-go:
// whether their entity types and actions exist is the service's call, which
// plan asks through public/validate.

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Scope values besides an environment's cloud_name.
const (
	// ScopeAccount is the account scope: account-level roles and policies.
	ScopeAccount = "account"
	// ScopeAll is every product environment (scope_id "all").
	ScopeAll = "all"
)

// PermissionsSetting is a `permissions:` key.
type PermissionsSetting struct {
	Enabled bool
	Pos     Pos
}

// PermissionsOff reports whether the configuration turns the permissions
// half off (`permissions: false`): nothing of it is read, planned or
// applied.
func (c *Config) PermissionsOff() bool { return c.Permissions != nil && !c.Permissions.Enabled }

// HasPermissions reports whether the configuration lists roles, policies or
// assignments, or prunes one of those kinds.
func (c *Config) HasPermissions() bool {
	return len(c.Roles) > 0 || len(c.Policies) > 0 || len(c.Assignments) > 0 ||
		c.Prunes(KindRole) || c.Prunes(KindPolicy) || c.Prunes(KindAssignment)
}

// Role is a custom role, keyed by ID.
type Role struct {
	ID          string
	Name        string
	Description *string
	// PermissionType is global or content; ScopeType is account or prodenv.
	// Both are immutable in the API: changing one replaces the role.
	PermissionType string
	ScopeType      string
	// SystemPolicies are system policy ids, sorted; nil means not managed.
	SystemPolicies []string
	// Protect makes the plan refuse any change that deletes or replaces
	// the role.
	Protect bool
	Pos     Pos
}

// Policy is a custom Cedar policy, keyed by (Scope, Name).
type Policy struct {
	Name string
	// Scope is ScopeAccount, ScopeAll or an environment's cloud_name.
	Scope       string
	Description *string
	// Statement is the Cedar text as written, ${kind:name} references
	// included (see CedarRefs).
	Statement string
	Enabled   *bool
	// StatementPos is where the statement's first line starts. For a
	// literal block (StatementBlock), line n of the statement is source
	// line StatementPos.Line+n-1; see PosAt.
	StatementPos   Pos
	StatementBlock bool
	// Protect makes the plan refuse any change that deletes or replaces
	// the policy.
	Protect bool
	Pos     Pos
}

// Key is the policy's natural key, "scope/name".
func (p *Policy) Key() string { return PolicyKey(p.Scope, p.Name) }

// PolicyKey joins a scope and a policy name into a policy's key.
func PolicyKey(scope, name string) string { return scope + "/" + name }

// PosAt maps a 1-based line and column of the statement to the YAML
// source. Columns are exact for a literal block and a one-line scalar;
// other styles fold lines, so their positions are the value's start.
func (p *Policy) PosAt(line, col int) Pos {
	at := p.StatementPos
	switch {
	case p.StatementBlock:
		at.Line += line - 1
		at.Col += col - 1
	case line == 1 && !strings.Contains(p.Statement, "\n"):
		at.Col += col - 1
	}
	return at
}

// PrincipalKind is the kind of principal an assignment names.
type PrincipalKind string

// PrincipalKind values: the keys of an assignment's principal.
const (
	PrincipalUser   PrincipalKind = "user"
	PrincipalGroup  PrincipalKind = "group"
	PrincipalAPIKey PrincipalKind = "api_key"
)

// Principal names a user (lower-cased email), a group (name) or an
// environment's access key ("cloud_name/key name").
type Principal struct {
	Kind PrincipalKind
	Name string
}

// String is "user:ana@acme.test", "group:designers" or
// "api_key:acme-prod/ci".
func (p Principal) String() string { return string(p.Kind) + ":" + p.Name }

// SplitAPIKey splits an API key principal's name into the environment's
// cloud_name and the key's name.
func SplitAPIKey(name string) (env, key string) {
	env, key, _ = strings.Cut(name, "/")
	return env, key
}

// Assignment gives a role to a principal in a scope. Its identity is the
// whole tuple.
type Assignment struct {
	Principal Principal
	// Role is a custom role's id or a system role's id (cld::role::...).
	Role string
	// Scope is ScopeAccount for account roles, else ScopeAll or a cloud_name.
	Scope string
	// FolderID or CollectionID names the instance of a content role.
	FolderID     string
	CollectionID string
	// Protect makes the plan refuse any change that removes the
	// assignment, even for a moment (its role replaced).
	Protect bool
	// Expires is when the assignment ends (expiry.go); nil never.
	Expires *Expiry `json:",omitempty"`
	Pos     Pos
	// RolePos and PrincipalPos are where the role and principal are
	// written, for errors found once every file is read.
	RolePos      Pos
	PrincipalPos Pos
}

// ---- decoding ----

func (l *loader) decodePermissions(f *file, key string, val *yaml.Node) {
	switch key {
	case "permissions":
		b := boolean(val)
		if b == nil {
			return
		}
		s := &PermissionsSetting{Enabled: *b, Pos: f.pos(val)}
		if prev := l.cfg.Permissions; prev != nil && prev.Enabled != s.Enabled {
			l.errorf(s.Pos, "permissions", "differs from permissions at %s; files that repeat permissions must agree", prev.Pos)
			return
		}
		if l.cfg.Permissions == nil || !s.Enabled {
			l.cfg.Permissions = s
		}
	case "roles":
		for i, n := range items(val) {
			l.decodeRole(f, n, itemPath("roles", i))
		}
	case "policies":
		for i, n := range items(val) {
			l.decodePolicy(f, n, itemPath("policies", i))
		}
	case "assignments":
		l.cfg.Assignments = slices.Grow(l.cfg.Assignments, len(val.Content))
		for i, n := range items(val) {
			l.decodeAssignment(f, n, itemPath("assignments", i))
		}
	}
}

func (l *loader) decodeRole(f *file, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	r := Role{Pos: f.pos(n)}
	var policies *yaml.Node
	for k, val := range pairs(n) {
		switch k.Value {
		case "id":
			r.ID, _ = str(val)
			if strings.HasPrefix(r.ID, "cld::") {
				l.errorf(f.pos(val), path+".id", "%q is a system role id: system roles are Cloudinary's and cannot be defined; assign them directly", r.ID)
			}
		case "name":
			r.Name, _ = str(val)
		case "description":
			if s, ok := str(val); ok {
				r.Description = &s
			}
		case "permission_type":
			r.PermissionType, _ = str(val)
		case "scope_type":
			r.ScopeType, _ = str(val)
		case "system_policies":
			if val.Kind == yaml.SequenceNode {
				policies = val
				r.SystemPolicies = []string{}
			}
		case "protect":
			r.Protect = orDefault(boolean(val), false)
		}
	}
	if r.PermissionType == "content" && r.ScopeType == ScopeAccount {
		l.errorf(r.Pos, path, "a content role applies to folders or collections of an environment: its scope_type must be prodenv")
	}
	cat := BuiltinCatalog()
	seen := map[string]bool{}
	for i, item := range items(policies) {
		id, ok := str(item)
		if !ok || id == "" {
			continue
		}
		ipath := fmt.Sprintf("%s.system_policies[%d]", path, i)
		switch p, known := cat.Policies[id]; {
		case seen[id]:
			l.errorf(f.pos(item), ipath, "duplicate system policy %q", id)
			continue
		case !known:
			l.errorf(f.pos(item), ipath, "unknown system policy %q%s (checked against the catalog shipped with cldsync)", id, didYouMean(id, slices.Sorted(maps.Keys(cat.Policies))))
		case r.PermissionType != "" && r.ScopeType != "" && (p.PermissionType != r.PermissionType || p.ScopeType != r.ScopeType):
			l.errorf(f.pos(item), ipath, "system policy %q is %s/%s, but the role is %s/%s (permission_type/scope_type)", id, p.PermissionType, p.ScopeType, r.PermissionType, r.ScopeType)
		}
		seen[id] = true
		r.SystemPolicies = append(r.SystemPolicies, id)
	}
	slices.Sort(r.SystemPolicies)
	l.cfg.Roles = append(l.cfg.Roles, r)
}

func (l *loader) decodePolicy(f *file, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	p := Policy{Pos: f.pos(n)}
	for k, val := range pairs(n) {
		switch k.Value {
		case "name":
			p.Name, _ = str(val)
		case "scope":
			p.Scope, _ = str(val)
			l.scopeRef(f, val, path, p.Scope)
		case "description":
			if s, ok := str(val); ok {
				p.Description = &s
			}
		case "enabled":
			p.Enabled = boolean(val)
		case "protect":
			p.Protect = orDefault(boolean(val), false)
		case "statement":
			s, ok := str(val)
			if !ok {
				break
			}
			p.Statement = s
			p.StatementPos = f.pos(val)
			switch val.Style {
			case yaml.LiteralStyle:
				// The content starts on the line after the | indicator; its
				// column is found from the source at the end (checkPermissions).
				p.StatementBlock = true
				p.StatementPos.Line++
				p.StatementPos.Col = 0
			case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
				p.StatementPos.Col++
			}
		}
	}
	l.cfg.Policies = append(l.cfg.Policies, p)
}

// scopeRef records the scope of the item at path when it names an
// environment, to be checked with the other environment references.
func (l *loader) scopeRef(f *file, val *yaml.Node, path, scope string) {
	if scope != "" && scope != ScopeAccount && scope != ScopeAll && isCloudName(scope) {
		l.refEnv(f.pos(val), scope, func() string { return path + ".scope" })
	}
}

func (l *loader) decodeAssignment(f *file, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	a := Assignment{Pos: f.pos(n)}
	for k, val := range pairs(n) {
		switch k.Value {
		case "principal":
			a.PrincipalPos = f.pos(val)
			a.Principal = l.decodePrincipal(f, val, path+".principal")
		case "role":
			a.Role, _ = str(val)
			a.Role = l.intern(a.Role)
			a.RolePos = f.pos(val)
		case "scope":
			a.Scope, _ = str(val)
			a.Scope = l.intern(a.Scope)
			l.scopeRef(f, val, path, a.Scope)
		case "folder_id":
			a.FolderID, _ = str(val)
		case "collection_id":
			a.CollectionID, _ = str(val)
		case "protect":
			a.Protect = orDefault(boolean(val), false)
		case "expires":
			a.Expires = l.decodeExpiry(f, val, path+".expires")
		}
	}
	if a.FolderID != "" && a.CollectionID != "" {
		l.errorf(a.Pos, path, "an assignment names one content instance: folder_id or collection_id, not both")
	}
	l.cfg.Assignments = append(l.cfg.Assignments, a)
}

// decodePrincipal reads {user: EMAIL}, {group: NAME} or
// {api_key: {environment: CLOUD_NAME, name: KEY_NAME}}; the schema has
// reported any other shape.
func (l *loader) decodePrincipal(f *file, n *yaml.Node, path string) Principal {
	kvs := fields(n)
	if len(kvs) != 1 {
		return Principal{}
	}
	val := kvs[0][1]
	switch k := PrincipalKind(kvs[0][0].Value); k {
	case PrincipalUser:
		email, ok := str(val)
		if !ok || email == "" {
			return Principal{}
		}
		if !validEmail(email) {
			l.errorf(f.pos(val), path+".user", "%s", badEmail(email))
			return Principal{}
		}
		return Principal{Kind: k, Name: strings.ToLower(email)}
	case PrincipalGroup:
		name, _ := str(val)
		return Principal{Kind: k, Name: name}
	case PrincipalAPIKey:
		var env, key string
		for _, kv := range fields(val) {
			switch kv[0].Value {
			case "environment":
				env, _ = str(kv[1])
				if env != "" && isCloudName(env) {
					l.refEnv(f.pos(kv[1]), env, func() string { return path + ".api_key.environment" })
				}
			case "name":
				key, _ = str(kv[1])
			}
		}
		if env == "" || key == "" {
			return Principal{}
		}
		return Principal{Kind: k, Name: env + "/" + key}
	}
	return Principal{}
}

// ---- checks across files ----

// checkPermissions runs the checks that need every file: unique keys,
// references to roles, users, groups and environments, and Cedar.
func (l *loader) checkPermissions(srcs []source) {
	cfg := &l.cfg
	if cfg.PermissionsOff() {
		for _, section := range []struct {
			name string
			n    int
			at   func() Pos
		}{
			{"roles", len(cfg.Roles), func() Pos { return cfg.Roles[0].Pos }},
			{"policies", len(cfg.Policies), func() Pos { return cfg.Policies[0].Pos }},
			{"assignments", len(cfg.Assignments), func() Pos { return cfg.Assignments[0].Pos }},
		} {
			if section.n > 0 {
				l.errorf(section.at(), section.name, "the permissions half is turned off (permissions: false at %s); remove %s or the switch", cfg.Permissions.Pos, section.name)
			}
		}
	}
	roles := l.checkRoles()
	l.checkPolicies(srcs)
	l.checkAssignments(roles)
}

// indexesInFile gives each item its index among the items of its file
// (and template instantiation, Via), for paths such as policies[2]. One
// pass: counting the earlier items of each item's file was quadratic in
// the number of assignments.
func indexesInFile[T any](list []T, pos func(*T) Pos) []int {
	type key struct{ file, via string }
	next := map[key]int{}
	out := make([]int, len(list))
	for i := range list {
		p := pos(&list[i])
		k := key{p.File, p.Via}
		out[i] = next[k]
		next[k]++
	}
	return out
}

func (l *loader) checkRoles() map[string]*Role {
	roles := map[string]*Role{}
	names := map[string]Pos{}
	inFile := indexesInFile(l.cfg.Roles, func(r *Role) Pos { return r.Pos })
	for i := range l.cfg.Roles {
		r := &l.cfg.Roles[i]
		path := itemPath("roles", inFile[i])
		if r.ID == "" || strings.HasPrefix(r.ID, "cld::") {
			continue
		}
		if prev, dup := roles[r.ID]; dup {
			l.errorf(r.Pos, path+".id", "duplicate role %q; first defined at %s", r.ID, prev.Pos)
			continue
		}
		roles[r.ID] = r
		if r.Name == "" {
			continue
		}
		if prev, dup := names[r.Name]; dup {
			l.errorf(r.Pos, path+".name", "duplicate role name %q (first at %s): the API refuses two custom roles with one name", r.Name, prev)
			continue
		}
		names[r.Name] = r.Pos
	}
	return roles
}

func (l *loader) checkAssignments(roles map[string]*Role) {
	cat := BuiltinCatalog()
	seen := make(map[string]Pos, len(l.cfg.Assignments))
	inFile := indexesInFile(l.cfg.Assignments, func(a *Assignment) Pos { return a.Pos })
	for i := range l.cfg.Assignments {
		a := &l.cfg.Assignments[i]
		path := itemPath("assignments", inFile[i])
		good := true
		switch a.Principal.Kind {
		case PrincipalUser:
			if _, ok := l.users[a.Principal.Name]; !ok {
				l.unresolved(a.PrincipalPos, path+".principal", "unknown user %q: not defined under users", a.Principal.Name)
				good = false
			}
		case PrincipalGroup:
			if _, ok := l.groups[a.Principal.Name]; !ok {
				l.unresolved(a.PrincipalPos, path+".principal", "unknown group %q: not defined under groups%s", a.Principal.Name, l.groupCase(a.Principal.Name))
				good = false
			}
		case "":
			good = false
		}
		// The role's types: a custom role of the configuration, or a
		// system role of the catalog.
		var permType, scopeType string
		var params []string
		switch r, sys := roles[a.Role], cat.Roles[a.Role]; {
		case a.Role == "":
			good = false
		case r != nil:
			permType, scopeType = r.PermissionType, r.ScopeType
			params = cat.RoleParams(r.SystemPolicies)
		case sys.ID != "":
			permType, scopeType = sys.PermissionType, sys.ScopeType
			params = cat.RoleParams(sys.Policies)
		case strings.HasPrefix(a.Role, "cld::"):
			l.errorf(a.RolePos, path+".role", "unknown system role %q%s (checked against the catalog shipped with cldsync)", a.Role, didYouMean(a.Role, slices.Sorted(maps.Keys(cat.Roles))))
			good = false
		default:
			l.unresolved(a.RolePos, path+".role", "unknown role %q: not defined under roles, and not a system role (cld::role::...)", a.Role)
			good = false
		}
		if permType != "" && a.Scope != "" {
			good = l.checkAssignmentScope(a, path, permType, scopeType, params) && good
		}
		if !good {
			continue
		}
		key := AssignmentKey(a)
		if prev, dup := seen[key]; dup {
			l.errorf(a.Pos, path, "duplicate assignment; first at %s", prev)
			continue
		}
		seen[key] = a.Pos
	}
}

func (l *loader) checkAssignmentScope(a *Assignment, path, permType, scopeType string, params []string) bool {
	good := true
	switch {
	case scopeType == ScopeAccount && a.Scope != ScopeAccount:
		l.errorf(a.Pos, path+".scope", "role %q is an account role: its scope must be account, not %q", a.Role, a.Scope)
		good = false
	case scopeType == "prodenv" && a.Scope == ScopeAccount:
		l.errorf(a.Pos, path+".scope", "role %q is a product environment role: its scope must be all or an environment's cloud_name", a.Role)
		good = false
	}
	param := ""
	switch {
	case a.FolderID != "":
		param = "folder_id"
	case a.CollectionID != "":
		param = "collection_id"
	}
	switch {
	case permType == "content" && param == "":
		l.errorf(a.Pos, path, "role %q is a content role: name its folder (folder_id) or collection (collection_id)", a.Role)
		good = false
	case permType != "content" && param != "":
		l.errorf(a.Pos, path+"."+param, "role %q is a global role: it takes no %s", a.Role, param)
		good = false
	case param != "" && len(params) > 0 && !slices.Contains(params, param):
		l.errorf(a.Pos, path+"."+param, "role %q takes %s, not %s", a.Role, strings.Join(params, " or "), param)
		good = false
	}
	return good
}

// AssignmentKey is an assignment's identity as one string, for indexes:
// principal, role, scope and content instance.
func AssignmentKey(a *Assignment) string {
	// One concatenation, one allocation: the planner and the load make a
	// key for each of 100,000s of assignments.
	return string(a.Principal.Kind) + ":" + a.Principal.Name + "\x00" + a.Role + "\x00" + a.Scope + "\x00" + a.FolderID + "\x00" + a.CollectionID
}

// APIKeyEnvironments returns the cloud names whose access keys the
// configuration names (api_key principals and ${api_key:…} references),
// sorted: the state reader lists those environments' keys.
func (c *Config) APIKeyEnvironments() []string {
	var out []string
	for _, a := range c.Assignments {
		if a.Principal.Kind == PrincipalAPIKey {
			env, _ := SplitAPIKey(a.Principal.Name)
			out = append(out, env)
		}
	}
	for _, p := range c.Policies {
		for _, r := range CedarRefs(p.Statement) {
			if r.Kind == RefAPIKey {
				env, _ := SplitAPIKey(r.Name)
				out = append(out, env)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
