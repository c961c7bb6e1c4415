package planner

import (
	"fmt"
	"slices"
	"time"

	"github.com/cldsync/cldsync/pkg/spec"
)

// FormatVersion is the version of the plan's data shape, written as
// format_version in the JSON rendering. Bump the minor version for additions
// and the major version for changes that break readers.
//
//   - 1.0: changes, summary, unmanaged, warnings, errors.
//   - 1.1: access (the effective-access diff), ignored, and the values of
//     roles, policies, assignments and access keys, which 1.0 readers did
//     not know.
const FormatVersion = "2.0"

// Plan is the set of changes that makes the live account match the
// configuration, plus what the planner left alone or refused.
type Plan struct {
	FormatVersion string
	// Changes are in apply order: every change comes after the changes it
	// depends on (see the package documentation for the full order).
	Changes []Change
	// Unmanaged counts, per kind, the live objects that the configuration
	// does not list and that are left alone. Kinds with no such objects are
	// absent. Renderers must sort the kinds (see Kinds).
	Unmanaged map[spec.Kind]int
	// UnmanagedNames names, per kind, the objects Unmanaged counts (as
	// their Ref.Name), in the order found; renderers sort them.
	UnmanagedNames map[spec.Kind][]string
	// Ignored counts, per kind, the live objects that the configuration's
	// ignore rules keep out of the plan (ignore.go). Kinds with none are
	// absent.
	Ignored map[spec.Kind]int
	// Warnings are facts the reader should know before applying, such as
	// deletes that were not planned because a listing was incomplete.
	Warnings []string
	// Errors are objects the planner refused to plan, such as an ambiguous
	// natural key. A plan with errors should not be applied.
	Errors []PlanError
	// FailingAccessTests counts the configuration's access tests that
	// fail in the live account (access_tests.go): drift's report of them
	// is in Warnings.
	FailingAccessTests int `json:",omitempty"`
	// StaleInvitations are the live users invited longer ago than
	// safety.stale_invitation_after who never accepted (stale.go), oldest
	// first; each is also a warning.
	StaleInvitations []StaleInvitation `json:",omitempty"`
	// UnmanagedDrift, set by drift --fail-on-unmanaged, names the objects
	// left alone that it counts as drift ("1 user (mallory@evil.test)"),
	// so that the report's summary line says drift, not "No drift".
	UnmanagedDrift string `json:",omitempty"`
	// StaleDrift, set by drift when it fails on stale invitations (by
	// flag or setting) and there are some, makes the report's summary
	// line count them as drift, not "No drift".
	StaleDrift bool `json:",omitempty"`
	// Access is what the changes do to people's and keys' access
	// (access.go), sorted; empty when Options.NoAccessDiff is set or the
	// permissions half was not read.
	Access []AccessChange
}

// Summary counts a plan's changes by action, as in the summary line
// "Plan: N to add, N to change, N to destroy."
type Summary struct {
	Add     int
	Change  int
	Destroy int
}

// Total is the number of changes.
func (s Summary) Total() int { return s.Add + s.Change + s.Destroy }

// Summary counts the plan's changes by action.
func (p *Plan) Summary() Summary { return summarize(p.Changes) }

// summarize counts changes by action; a replace is one add and one destroy.
func summarize(changes []Change) Summary {
	var s Summary
	for _, c := range changes {
		switch c.Action {
		case Create:
			s.Add++
		case Update:
			s.Change++
		case Delete:
			s.Destroy++
		case Replace:
			s.Add++
			s.Destroy++
		}
	}
	return s
}

// HasChanges reports whether the plan has at least one change.
func (p *Plan) HasChanges() bool { return len(p.Changes) > 0 }

// PlanError is an object the planner refused to plan, and why.
type PlanError struct {
	Ref     Ref
	Message string
	// Pos is where the configuration writes the object (or the value the
	// message is about); zero when unknown, as for objects only the live
	// account has. Plan.LocateErrors fills it (errpos.go).
	Pos spec.Pos
	// Change is the change a guard refused (guards.go), kept so that the
	// plan can show what would have happened and count it; nil for an
	// object the differ could not plan at all.
	Change *Change
}

// Error implements error, so that a caller can join a plan's errors.
func (e PlanError) Error() string { return e.Ref.String() + ": " + e.Message }

// Ref names one object by kind and natural key: a cloud_name, a lower-cased
// email, a group name, or for memberships MembershipName(group, email).
type Ref struct {
	Kind spec.Kind
	Name string
}

// String returns "kind/name", for messages and test dumps.
func (r Ref) String() string { return string(r.Kind) + "/" + r.Name }

// membershipSeparator joins a group name and an email into a membership's
// Ref.Name. Emails cannot contain spaces, so the last occurrence of the
// separator always splits the two apart unambiguously.
const membershipSeparator = " / "

// MembershipName is the Ref.Name of the membership of the user with this
// email in the named group: "group / email".
func MembershipName(group, email string) string {
	return group + membershipSeparator + email
}

// Action is what a change does to one object. The zero value is invalid, so
// that a Change built without an action is caught rather than applied.
type Action int

const (
	// Create makes an object that does not exist live.
	Create Action = iota + 1
	// Update changes a live object in place.
	Update
	// Delete removes a live object.
	Delete
	// Replace deletes a live object and creates it again, for changes the
	// API cannot make in place (permissions.go). Before and After are both
	// set; the summary counts it as one add and one destroy.
	Replace
)

// Actions lists every valid action, for exhaustiveness tests.
var Actions = []Action{Create, Update, Delete, Replace}

// String returns the action's verb: "create", "update" or "delete".
func (a Action) String() string {
	switch a {
	case Create:
		return "create"
	case Update:
		return "update"
	case Delete:
		return "delete"
	case Replace:
		return "replace"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Change is one action on one object.
type Change struct {
	Action Action
	Ref    Ref
	// Before is the live object, ids included: nil for Create, set for
	// Update and Delete.
	Before Value
	// After is the object to send: set for Create (references by name, such
	// as base_environment, are resolved to ids at apply time) and for Update,
	// where it is the complete object, with live values for the fields the
	// configuration does not manage, because the API's PUTs reset what they
	// are not sent. nil for Delete.
	After Value
	// Fields lists the attributes that change, in a fixed order per kind:
	// for Update the old and new values; for Create the attributes being set
	// (Old empty); none for Delete. Values are display literals: quoted
	// strings, true/false, "all" or a list of quoted cloud names.
	Fields []FieldDiff
	// DependsOn names the changes of this plan that must be applied first.
	DependsOn []Ref
	// Reason says why the change is planned, in a short phrase.
	Reason string
	// Notes are consequences the reader should know, such as an invitation
	// email being sent.
	Notes []string
}

// FieldDiff is one changed attribute, named as in the YAML.
type FieldDiff struct {
	Name string
	Old  string
	New  string
}

// Value is the state of one object in a Change: EnvironmentValue,
// UserValue, GroupValue or MembershipValue. The set is closed (the interface
// is sealed), so a type switch over these four is exhaustive.
type Value interface {
	// Ref names the object.
	Ref() Ref
	sealed()
}

// EnvironmentValue is a product environment.
type EnvironmentValue struct {
	// ID is the live id; empty in a Create's After.
	ID        string
	CloudName string
	Name      string
	Enabled   bool
	// BaseEnvironment is the cloud_name to copy settings from, set only in a
	// Create's After; apply resolves it to base_sub_account_id.
	BaseEnvironment string
	// CustomAttributes is write-only: nil in Before (the API never returns
	// it) and nil in After when the configuration does not manage it (then
	// apply must not send it). Treat it as read-only.
	CustomAttributes map[string]any
}

// UserValue is a user.
type UserValue struct {
	// ID is the live id; empty in a Create's After.
	ID    string
	Email string
	Name  string
	// Role is the legacy account role. Empty in a Create's After means the
	// configuration does not set it and apply must not send it.
	Role    string
	Enabled bool
	// AllEnvironments is true when the user may access every product
	// environment; otherwise Environments lists cloud names, sorted, which
	// apply resolves to sub_account_ids.
	AllEnvironments bool
	Environments    []string
	// Pending and Root are informational, copied from live; never sent.
	Pending bool
	Root    bool
}

// GroupValue is a user group. Its members are separate membership changes.
type GroupValue struct {
	// ID is the live id; empty in a Create's After.
	ID   string
	Name string
	// Members is informational, from live: the lower-cased emails whose
	// memberships a Delete drops with the group.
	Members []string
}

// MembershipValue is one user's membership in one group.
type MembershipValue struct {
	Group string
	// GroupID is the live group's id; empty when the group is created by
	// the same plan (apply resolves it by name).
	GroupID string
	// User is the lower-cased email.
	User string
	// UserID is the live user's id; empty when the user is created by the
	// same plan or missing from an incomplete user listing (apply resolves
	// it by email).
	UserID string
}

// Ref implements Value.
func (v EnvironmentValue) Ref() Ref { return Ref{spec.KindEnvironment, v.CloudName} }

// Ref implements Value.
func (v UserValue) Ref() Ref { return Ref{spec.KindUser, normEmail(v.Email)} }

// Ref implements Value.
func (v GroupValue) Ref() Ref { return Ref{spec.KindGroup, v.Name} }

// Ref implements Value.
func (v MembershipValue) Ref() Ref {
	return Ref{spec.KindMembership, MembershipName(v.Group, v.User)}
}

func (EnvironmentValue) sealed() {}
func (UserValue) sealed()        {}
func (GroupValue) sealed()       {}
func (MembershipValue) sealed()  {}

// AccessKeyValue: access_keys.go.

// Options changes how Diff plans.
type Options struct {
	// Prune, when non-nil, replaces Config.Prune (the --prune flag). An empty
	// non-nil slice prunes nothing.
	Prune []spec.Kind
	// AllowDeletes lets the plan delete more than the configuration's
	// safety limits allow (--allow-deletes). It overrides neither protect
	// nor the lockout guard (guards.go).
	AllowDeletes bool
	// AllowEnvironmentDeletes lets the plan delete product environments
	// (--allow-environment-deletes).
	AllowEnvironmentDeletes bool
	// NoAccessDiff leaves Plan.Access empty (--no-access-diff).
	NoAccessDiff bool
	// Access keys (access_keys.go): SecretsDir is the directory receiving
	// the secrets of new keys whose configuration names no sink
	// (--secrets-dir); Rotate names keys, "cloud_name/name", to rotate
	// whatever their age (--rotate); AllowKeyRemoval lets a plan disable
	// or delete an environment's last enabled key (--allow-key-removal).
	SecretsDir      string
	Rotate          []string
	AllowKeyRemoval bool
	// Now is the planner's clock, for key ages and rotation dates; zero
	// means time.Now.
	Now time.Time
}

// now returns Options.Now, or the time.
func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// kindOrder is the dependency order of the kinds: a kind's objects may only
// depend on objects of the same or an earlier kind. Roles, policies and
// assignments are placed now so that adding them keeps the order stable.
var kindOrder = []spec.Kind{
	spec.KindEnvironment,
	spec.KindAccessKey,
	spec.KindUser,
	spec.KindGroup,
	spec.KindMembership,
	spec.KindRole,
	spec.KindPolicy,
	spec.KindAssignment,
}

// kindRank is the index of k in kindOrder; unknown kinds sort last.
func kindRank(k spec.Kind) int {
	for i, o := range kindOrder {
		if o == k {
			return i
		}
	}
	return len(kindOrder)
}

// Kinds returns the keys of an unmanaged-count map in kind order, for
// renderers, which must not iterate the map itself.
func Kinds(m map[spec.Kind]int) []spec.Kind {
	out := make([]spec.Kind, 0, len(m))
	for _, k := range kindOrder {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	var unknown []spec.Kind
	for k := range m {
		if kindRank(k) == len(kindOrder) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return append(out, unknown...)
}

// Noun returns the singular word for a kind, as used in "create user x".
func Noun(k spec.Kind) string {
	switch k {
	case spec.KindEnvironment:
		return "environment"
	case spec.KindUser:
		return "user"
	case spec.KindGroup:
		return "group"
	case spec.KindMembership:
		return "membership"
	case spec.KindAccessKey:
		return "access key"
	case spec.KindRole:
		return "role"
	case spec.KindPolicy:
		return "policy"
	case spec.KindAssignment:
		return "assignment"
	case accessTestKind:
		return "access test"
	}
	return string(k)
}

// SummaryLine counts the plan's changes, and scripts may match it:
// "Plan: N to add, N to change, N to destroy." (a count that holds refused
// changes says so: "12 to destroy (all refused)", "3 to add (1 refused)")
// or, when there is nothing to
// do, "No changes. The account matches the configuration." It is the last
// line of the text of a plan without errors. A plan with errors never says
// "No changes" (the refused objects do differ), and its text ends with
// RefusalLine after this line.
func (p *Plan) SummaryLine() string {
	s := p.Summary()
	if s.Total() == 0 && len(p.Errors) == 0 {
		return "No changes. The account matches the configuration."
	}
	// The refused changes count too, marked: a plan refused for deleting
	// 15 users says "15 to destroy (all refused)", not "0 to destroy".
	r := p.RefusedSummary()
	count := func(planned, refused int, what string) string {
		n := planned + refused
		switch {
		case refused == 0:
			return fmt.Sprintf("%d %s", n, what)
		case refused == n:
			return fmt.Sprintf("%d %s (all refused)", n, what)
		}
		return fmt.Sprintf("%d %s (%d refused)", n, what, refused)
	}
	return "Plan: " + count(s.Add, r.Add, "to add") + ", " + count(s.Change, r.Change, "to change") + ", " +
		count(s.Destroy, r.Destroy, "to destroy") + "."
}

// RefusalLine is the last line of the text of a plan with errors: "Plan
// refused: 2 objects (see the errors above); nothing will be applied."
// where is where the errors are ("above", "below"). It is "" for a plan
// without errors.
func (p *Plan) RefusalLine(where string) string {
	if len(p.Errors) == 0 {
		return ""
	}
	return fmt.Sprintf("Plan refused: %s (see the %s %s); nothing will be applied.",
		nounCount(p.RefusedObjects(), "object", "objects"), Plural(len(p.Errors), "error", "errors"), where)
}

// RefusedObjects is how many objects the plan refused: its errors counted
// once per object.
func (p *Plan) RefusedObjects() int {
	seen := map[Ref]bool{}
	for _, e := range p.Errors {
		seen[e.Ref] = true
	}
	return len(seen)
}

// nounCount is "1 object" or "2 objects".
func nounCount(n int, one, many string) string { return fmt.Sprintf("%d %s", n, Plural(n, one, many)) }
