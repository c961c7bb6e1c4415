// Package model is the live account as the rest of cldsync sees it:
// normalised to the shape of the desired configuration, with names at the
// edges, and built from its own types only. Package state fills it from the
// API; the planner reads it (and projects it, planner.Project) without
// importing anything that can reach the service.
package model

import (
	"iter"
	"strings"
	"time"

	"github.com/cldsync/cldsync/pkg/spec"
)

// Account is the live account, normalised to the same shape as the desired
// configuration: objects are named by natural keys (cloud_name, lower-cased
// email, group name), references between them use those names, and lists
// are sorted, so that comparing with a spec.Config is plain equality. Ids
// are kept only so that apply can address objects.
type Account struct {
	Environments []Environment
	Users        []User
	Groups       []Group
	// Incomplete names the kinds whose listing failed, was cut short or
	// disagreed between pages, with the reason. The planner never deletes
	// objects of an incomplete kind.
	Incomplete map[spec.Kind]string
	// Permissions is the permissions half (permissions.go); nil when it was
	// not read.
	Permissions *Permissions
	// AccessKeys are the access keys of the environments named in
	// AccessKeysRead (access_keys.go), by environment then name; secrets
	// are never kept.
	AccessKeys     []AccessKey
	AccessKeysRead []string
}

// Environment is a live product environment.
type Environment struct {
	ID        string
	CloudName string
	Name      string
	Enabled   bool
}

// User is a live user.
type User struct {
	ID      string
	Email   string // lower-cased
	Name    string
	Role    string
	Enabled bool
	// Pending is true until the user accepts the invitation; CreatedAt is
	// when the user was created (invited), zero when the answer had none.
	Pending   bool
	CreatedAt time.Time
	Root      bool
	// AllEnvironments is true when the user may access every product
	// environment (all_sub_accounts); otherwise Environments lists the
	// cloud names, sorted.
	AllEnvironments bool
	Environments    []string
}

// Group is a live user group with its members' lower-cased emails, sorted.
type Group struct {
	ID      string
	Name    string
	Members []string
}

// Permissions is the live permissions half, normalised like the rest of
// Account: names at the edges, lists sorted.
type Permissions struct {
	// Unavailable says why the account has no Permissions API; when set,
	// nothing else was read.
	Unavailable string
	// Catalog is the live catalog of system roles and policies.
	Catalog *spec.Catalog
	// Roles are the custom roles, by id.
	Roles []Role
	// Policies are the custom policies, by scope then name.
	Policies []Policy
	// Assignments are every role assignment of every principal type.
	Assignments []Assignment
	// APIKeys are the access keys of the environments whose keys were read.
	APIKeys []APIKey
}

// Role is a live custom role.
type Role struct {
	ID             string
	Name           string
	Description    string
	PermissionType string
	ScopeType      string
	// SystemPolicies are the ids of its system policies, sorted.
	SystemPolicies []string
}

// Policy is a live custom policy.
type Policy struct {
	ID          string
	Name        string
	Description string
	// Statement is the Cedar text as the service returns it, ids included.
	Statement string
	// Scope is spec.ScopeAccount, spec.ScopeAll or the environment's
	// cloud_name; ScopeID is the environment id (or "all"), empty for
	// account.
	Scope   string
	ScopeID string
	Enabled bool
}

// Assignment is one live role assignment.
type Assignment struct {
	// PrincipalType is the API's: user, group, apiKey or provisioningKey.
	PrincipalType PrincipalType
	PrincipalID   string
	// Principal is the natural key when it is known: the user's email, the
	// group's name, the API key's "cloud_name/name". Zero for
	// provisioningKey principals and ids that match no listed object.
	Principal spec.Principal
	Role      string
	// Scope is spec.ScopeAccount, spec.ScopeAll or a cloud_name; ScopeID
	// the environment id, "all" or empty.
	Scope        string
	ScopeID      string
	FolderID     string
	CollectionID string
}

// PrincipalName names the principal for people: its natural key, or
// "provisioningKey:ID" / "apiKey:ID" when it has none.
func (a *Assignment) PrincipalName() string {
	if a.Principal.Kind != "" {
		return a.Principal.String()
	}
	return string(a.PrincipalType) + ":" + a.PrincipalID
}

// APIKey is a product environment's access key, as far as principals need
// it: the key value is the apiKey principal's id (NOTES.md P12).
type APIKey struct {
	Environment string // cloud_name
	Name        string
	Key         string
}

// PrincipalType is the API's name for a kind of principal of a role
// assignment.
type PrincipalType string

// The principal types the API assigns roles to.
const (
	PrincipalUser            PrincipalType = "user"
	PrincipalGroup           PrincipalType = "group"
	PrincipalAPIKey          PrincipalType = "apiKey"
	PrincipalProvisioningKey PrincipalType = "provisioningKey"
)

// AccessKey is a live access key of a product environment, without its
// secret.
type AccessKey struct {
	Environment string // cloud_name
	Name        string
	// Key is the API key, the key's id in the API.
	Key       string
	Enabled   bool
	CreatedAt time.Time
	// DedicatedFor is what the key is dedicated to ("webhooks"), valid
	// when DedicatedForKnown: the live service answers dedicated_for for
	// a dedicated key, the spec's answer never carries it. A key whose
	// answer has no dedicated_for is unknown (the client cannot tell an
	// absent field from a key that is not dedicated).
	DedicatedFor      string
	DedicatedForKnown bool
}

// Unresolve rewrites the ids a live statement names into the ${kind:name}
// references a configuration writes, for display: every Cedar string
// literal that is exactly a known user, group or environment id or API key
// value.
func (p *Permissions) Unresolve(acc *Account, statement string) string {
	return UnresolveNames(acc.IDNames(), statement)
}

// IDNames maps the ids of the account's users, groups and environments,
// and the values of its API keys, to the ${kind:name} references a
// configuration writes for them. Objects without an id (those a projected
// plan creates) are left out.
func (acc *Account) IDNames() map[string]string {
	names := map[string]string{}
	for _, u := range acc.Users {
		names[u.ID] = spec.CedarRefText(spec.RefUser, u.Email)
	}
	for _, g := range acc.Groups {
		names[g.ID] = spec.CedarRefText(spec.RefGroup, g.Name)
	}
	for _, e := range acc.Environments {
		names[e.ID] = spec.CedarRefText(spec.RefEnvironment, e.CloudName)
	}
	if acc.Permissions != nil {
		for _, k := range acc.Permissions.APIKeys {
			names[k.Key] = spec.CedarRefText(spec.RefAPIKey, k.Environment+"/"+k.Name)
		}
	}
	delete(names, "")
	return names
}

// UnresolveNames is Unresolve with the names given (see IDNames).
func UnresolveNames(names map[string]string, statement string) string {
	return unresolve(names, statement, false)
}

// UnresolveNamesForConfig is UnresolveNames for a statement written into a
// configuration (export): a literal's ${, which would read back as a
// reference, is written with Cedar's escape for $ (\u{24}), the same
// string. Unresolve itself leaves literals alone: it also serves
// statements that hold references already.
func UnresolveNamesForConfig(names map[string]string, statement string) string {
	return unresolve(names, statement, true)
}

func unresolve(names map[string]string, statement string, escape bool) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(statement, '"')
		if i < 0 {
			b.WriteString(statement)
			return b.String()
		}
		j := closingQuote(statement, i+1)
		if j < 0 {
			b.WriteString(statement)
			return b.String()
		}
		lit := statement[i+1 : j]
		b.WriteString(statement[:i+1])
		if n, ok := names[lit]; ok && lit != "" {
			b.WriteString(n)
		} else if escape {
			b.WriteString(strings.ReplaceAll(lit, "${", `\u{24}{`))
		} else {
			b.WriteString(lit)
		}
		b.WriteByte('"')
		statement = statement[j+1:]
	}
}

// Literals yields the string literals of a Cedar statement, undecoded,
// as UnresolveNames finds them: the literals are where statements hold
// ids, so a caller can name just those ids.
func Literals(statement string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for {
			i := strings.IndexByte(statement, '"')
			if i < 0 {
				return
			}
			j := closingQuote(statement, i+1)
			if j < 0 || !yield(statement[i+1:j]) {
				return
			}
			statement = statement[j+1:]
		}
	}
}

// closingQuote returns the index of the quote ending a Cedar string literal
// that starts at from, or -1.
func closingQuote(s string, from int) int {
	for i := from; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}
