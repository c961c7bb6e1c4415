package access

import (
	"slices"
	"strings"
	"sync"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// Account is one state of the account as far as access goes. Build it
// with FromConfig (desired) or FromState (live, or planned).
type Account struct {
	// Catalog holds the system roles and the statements of system policies.
	Catalog *spec.Catalog
	// Environments are the cloud names.
	Environments []string
	// Users are by lower-cased email.
	Users map[string]User
	// Groups map a group's name to its members' lower-cased emails.
	Groups map[string][]string
	// Roles are the custom roles, by id.
	Roles map[string]Role
	// Assignments are the role assignments of named principals.
	Assignments []Assignment
	// Policies are the custom policies.
	Policies []Policy
	// APIKeys are the access keys known, "cloud_name/name", sorted.
	APIKeys []string
	// DisabledKeys are the access keys known to be disabled: they hold
	// nothing, as disabled users.
	DisabledKeys map[string]bool

	cache sync.Map // statement → parsed (eval.go)
}

// User is a user as access sees it.
type User struct {
	Email   string
	Enabled bool
	Pending bool
}

// Role is a custom role.
type Role struct {
	Name     string
	Policies []string // system policy ids
}

// Assignment gives a role to a principal in a scope, on a folder or
// collection for content roles.
type Assignment struct {
	Principal    spec.Principal
	Role         string
	Scope        string
	FolderID     string
	CollectionID string
}

// Policy is a custom policy; Statement names principals with ${kind:name}
// references.
type Policy struct {
	Name      string
	Scope     string
	Statement string
	Enabled   bool
}

func newAccount(cat *spec.Catalog) *Account {
	if cat == nil {
		cat = spec.BuiltinCatalog()
	}
	return &Account{Catalog: cat, Users: map[string]User{}, Groups: map[string][]string{}, Roles: map[string]Role{}, DisabledKeys: map[string]bool{}}
}

// FromConfig is the desired account. Users named only as group members
// are taken to exist and be enabled (the configuration does not manage
// them); so are users whose enabled is not set, and policies likewise.
func FromConfig(cfg *spec.Config) *Account {
	a := newAccount(nil)
	keys := map[string]bool{}
	for _, e := range cfg.Environments {
		a.Environments = append(a.Environments, e.CloudName)
		for _, k := range e.AccessKeys {
			name := spec.AccessKeyName(e.CloudName, k.Name)
			keys[name] = true
			if !k.EnabledOrDefault() {
				a.DisabledKeys[name] = true
			}
		}
	}
	for _, u := range cfg.Users {
		a.Users[u.Email] = User{Email: u.Email, Enabled: u.Enabled == nil || *u.Enabled}
	}
	for _, g := range cfg.Groups {
		a.Groups[g.Name] = slices.Clone(g.Members)
		for _, m := range g.Members {
			if _, ok := a.Users[m]; !ok {
				a.Users[m] = User{Email: m, Enabled: true}
			}
		}
	}
	for _, r := range cfg.Roles {
		a.Roles[r.ID] = Role{Name: r.Name, Policies: slices.Clone(r.SystemPolicies)}
	}
	for _, as := range cfg.Assignments {
		a.assign(Assignment{as.Principal, as.Role, as.Scope, as.FolderID, as.CollectionID}, keys)
	}
	for _, p := range cfg.Policies {
		a.Policies = append(a.Policies, Policy{Name: p.Name, Scope: p.Scope, Statement: p.Statement, Enabled: p.Enabled == nil || *p.Enabled})
		for _, r := range spec.CedarRefs(p.Statement) {
			if r.Kind == spec.RefAPIKey {
				keys[r.Name] = true
			}
		}
	}
	a.APIKeys = sortedKeys(keys)
	a.finish()
	return a
}

// FromState is the live account, or the account a plan leaves (the
// planner's projection). Assignments of principals without a name
// (provisioning keys, unknown ids) are left out.
func FromState(acc *model.Account) *Account {
	var lp *model.Permissions
	if p := acc.Permissions; p != nil && p.Unavailable == "" {
		lp = p
	}
	var cat *spec.Catalog
	if lp != nil {
		cat = lp.Catalog
	}
	a := newAccount(cat)
	for _, e := range acc.Environments {
		a.Environments = append(a.Environments, e.CloudName)
	}
	for _, u := range acc.Users {
		e := strings.ToLower(u.Email)
		a.Users[e] = User{Email: e, Enabled: u.Enabled, Pending: u.Pending}
	}
	for _, g := range acc.Groups {
		a.Groups[g.Name] = slices.Clone(g.Members)
	}
	for _, k := range acc.AccessKeys { // managed keys, read with their status
		if !k.Enabled {
			a.DisabledKeys[spec.AccessKeyName(k.Environment, k.Name)] = true
		}
	}
	if lp == nil {
		a.finish()
		return a
	}
	for _, r := range lp.Roles {
		a.Roles[r.ID] = Role{Name: r.Name, Policies: slices.Clone(r.SystemPolicies)}
	}
	keys := map[string]bool{}
	for _, k := range lp.APIKeys {
		keys[k.Environment+"/"+k.Name] = true
	}
	for _, as := range lp.Assignments {
		a.assign(Assignment{as.Principal, as.Role, as.Scope, as.FolderID, as.CollectionID}, keys)
	}
	names := acc.IDNames() // one table for every statement
	for _, p := range lp.Policies {
		a.Policies = append(a.Policies, Policy{Name: p.Name, Scope: p.Scope, Statement: model.UnresolveNames(names, p.Statement), Enabled: p.Enabled})
	}
	a.APIKeys = sortedKeys(keys)
	a.finish()
	return a
}

// assign adds an assignment of a named principal, noting API keys.
func (a *Account) assign(as Assignment, keys map[string]bool) {
	if as.Principal.Kind == "" {
		return
	}
	a.Assignments = append(a.Assignments, as)
	if as.Principal.Kind == spec.PrincipalAPIKey {
		keys[as.Principal.Name] = true
	}
}

// finish sorts what evaluation walks, so that answers are stable.
func (a *Account) finish() {
	slices.Sort(a.Environments)
	for name, m := range a.Groups {
		m = slices.Clone(m)
		for i := range m {
			m[i] = strings.ToLower(m[i])
		}
		slices.Sort(m)
		a.Groups[name] = slices.Compact(m)
	}
	slices.SortFunc(a.Assignments, func(x, y Assignment) int {
		return strings.Compare(x.key(), y.key())
	})
	a.Assignments = slices.CompactFunc(a.Assignments, func(x, y Assignment) bool { return x == y })
	slices.SortFunc(a.Policies, func(x, y Policy) int {
		return strings.Compare(x.Scope+"\x00"+x.Name, y.Scope+"\x00"+y.Name)
	})
}

func (as Assignment) key() string {
	return strings.Join([]string{as.Principal.String(), as.Role, as.Scope, as.FolderID, as.CollectionID}, "\x00")
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// GroupsOf returns the groups p is a member of, sorted: a user's groups;
// none for groups and API keys.
func (a *Account) GroupsOf(p spec.Principal) []string { return a.groupsOf(p) }

func (a *Account) groupsOf(p spec.Principal) []string {
	if p.Kind != spec.PrincipalUser {
		return nil
	}
	var out []string
	for name, members := range a.Groups {
		if _, ok := slices.BinarySearch(members, p.Name); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// active reports whether p can hold anything: a user that exists and is
// enabled, a group that exists, or an API key not known to be disabled.
func (a *Account) active(p spec.Principal) bool {
	switch p.Kind {
	case spec.PrincipalUser:
		u, ok := a.Users[p.Name]
		return ok && u.Enabled
	case spec.PrincipalGroup:
		_, ok := a.Groups[p.Name]
		return ok
	case spec.PrincipalAPIKey:
		return !a.DisabledKeys[p.Name]
	}
	return false
}

// RoleName is a custom role's name, a system role's, or the id.
func (a *Account) RoleName(id string) string {
	if r, ok := a.Roles[id]; ok && r.Name != "" {
		return r.Name
	}
	if r, ok := a.Catalog.Roles[id]; ok && r.Name != "" {
		return r.Name
	}
	return id
}

func (a *Account) rolePolicies(id string) []string {
	if r, ok := a.Roles[id]; ok {
		return r.Policies
	}
	return a.Catalog.Roles[id].Policies
}

// inScope reports whether something held or written in scope held applies
// to a request in scope asked: the same scope, or "all" for an environment.
func inScope(held, asked string) bool {
	return held == asked || (held == spec.ScopeAll && asked != spec.ScopeAccount)
}
