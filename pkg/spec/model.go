package spec

// Kind names a kind of object cldsync manages. The values are the YAML keys
// and the words used in `prune:` and `--prune`.
type Kind string

const (
	KindEnvironment Kind = "environments"
	KindUser        Kind = "users"
	KindGroup       Kind = "groups"
	KindMembership  Kind = "memberships"
	KindRole        Kind = "roles"
	KindPolicy      Kind = "policies"
	KindAssignment  Kind = "assignments"
)

// Pos is where a value was written: file, 1-based line and column.
type Pos struct {
	File string
	Line int
	Col  int
	// Via says which instantiation of a template (File) the value comes
	// from, as "tenants[1] at cldsync.yaml:6:5"; empty outside templates.
	Via string `json:",omitempty"`
}

// Config is the desired account, loaded from one file or a directory.
// Optional fields are pointers (or carry a Managed flag): nil means "not
// managed, leave the live value as it is"; an empty list means "none".
type Config struct {
	Version      int
	Environments []Environment
	Users        []User
	Groups       []Group
	// Prune lists the kinds that are authoritative: live objects of these
	// kinds that the configuration does not list are deleted.
	Prune []Kind
	// Safety holds the deletion and lockout guards' limits (safety.go).
	Safety Safety
	// Ignore holds the rules keeping live objects out of the plan.
	Ignore Ignore
	// Roles, Policies and Assignments are the permissions half
	// (permissions.go): custom roles, custom Cedar policies and role
	// assignments.
	Roles       []Role
	Policies    []Policy
	Assignments []Assignment
	// Permissions is where the configuration says `permissions: true` or
	// `false`; nil means on (see PermissionsOff).
	Permissions *PermissionsSetting
	// AccessTests are what must always hold (access_tests.go).
	AccessTests []AccessTest `json:",omitempty"`
	// Tenants are the template instantiations of the configuration
	// (template.go); their objects are already in the lists above.
	// Template is set when the file loaded is a template on its own.
	Tenants  []Tenant     `json:",omitempty"`
	Template *TemplateRef `json:",omitempty"`
	// Warnings are what a reader should look at but that does not stop
	// the load, such as names that look alike (confusable.go).
	Warnings Errors `json:",omitempty"`
}

// Environment is a product environment, keyed by CloudName.
type Environment struct {
	CloudName string
	Name      string
	Enabled   *bool
	// BaseEnvironment is a cloud_name to copy settings from; used only on
	// create.
	BaseEnvironment string
	// CustomAttributes is write-only in the API (never returned): applied on
	// create and when the configuration changes it, never diffed against
	// live state. nil means not managed.
	CustomAttributes map[string]any
	// Protect makes the plan refuse any change that deletes or replaces
	// the object.
	Protect bool
	Pos     Pos
	// Previously lists cloud_names the environment had: a live environment
	// under one of them is renamed rather than replaced (rename.go).
	Previously []Previous `json:",omitempty"`
	// AccessKeys are the environment's API keys (access_keys.go); nil
	// means not managed, empty means none.
	AccessKeys []AccessKey `json:",omitempty"`
}

// User is a user, keyed by Email (compared case-insensitively).
type User struct {
	Email   string
	Name    *string
	Role    *string // the legacy account role: master_admin, admin, ...
	Enabled *bool
	// Environments is the product environments the user may access; nil
	// means not managed.
	Environments *EnvironmentAccess
	// Protect makes the plan refuse any change that deletes or replaces
	// the object.
	Protect bool
	Pos     Pos
	// Expires is when the user's access ends (expiry.go); nil never.
	Expires *Expiry `json:",omitempty"`
	// Previously lists (lower-cased) emails the user had: a live user
	// under one of them gets its email changed (rename.go).
	Previously []Previous `json:",omitempty"`
}

// EnvironmentAccess is either every product environment (All) or a list of
// cloud names.
type EnvironmentAccess struct {
	All        bool
	CloudNames []string
}

// Group is a user group, keyed by Name.
type Group struct {
	Name string
	// Members are user emails. When MembersManaged is true the list is
	// complete (empty means no members); when false, membership is left alone.
	Members        []string
	MembersManaged bool
	// MemberExpires holds the members written {user: EMAIL, expires:
	// DATE}, by lower-cased email (expiry.go); they are in Members too.
	MemberExpires map[string]Expiry `json:",omitempty"`
	// Protect makes the plan refuse any change that deletes or replaces
	// the object.
	Protect bool
	Pos     Pos
	// Previously lists names the group had: a live group under one of
	// them is renamed (rename.go).
	Previously []Previous `json:",omitempty"`
}
