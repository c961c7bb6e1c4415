package state

import "github.com/cldsync/cldsync/pkg/spec"

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
	Pending bool
	Root    bool
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
