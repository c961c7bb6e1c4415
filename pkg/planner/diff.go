package planner

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// roleMasterAdmin is the legacy role that may access every product
// environment, whatever sub_account_ids says (the API ignores it).
const roleMasterAdmin = "master_admin"

// Diff plans the changes that make live match desired. Objects it cannot
// plan safely are reported in Plan.Errors rather than failing the whole
// plan; Diff returns an error only for unusable input (nil arguments, an
// unknown kind to prune, a dependency cycle such as two environments that
// are each other's base).
//
// Diff reads desired and live but never modifies them, and keeps no
// reference into them except CustomAttributes maps (shallow copies).
func Diff(desired *spec.Config, live *state.Account, opts Options) (*Plan, error) {
	if desired == nil {
		return nil, errors.New("plan: nil configuration")
	}
	if live == nil {
		return nil, errors.New("plan: nil live account")
	}
	pruneKinds := desired.Prune
	if opts.Prune != nil {
		pruneKinds = opts.Prune
	}
	prune := make(map[spec.Kind]bool, len(pruneKinds))
	for _, k := range pruneKinds {
		if kindRank(k) == len(kindOrder) {
			return nil, fmt.Errorf("plan: prune: unknown kind %q", k)
		}
		prune[k] = true
	}

	d := &differ{
		plan: &Plan{
			FormatVersion: FormatVersion,
			Unmanaged:     map[spec.Kind]int{},
			Ignored:       map[spec.Kind]int{},
		},
		ignore:       desired.Ignore,
		prune:        prune,
		incomplete:   live.Incomplete,
		refused:      map[Ref]bool{},
		ambiguous:    map[Ref][]string{},
		deletedUsers: map[string]bool{},
	}
	// From here on, live is the account with the configuration's renames
	// done (rename.go).
	live = d.renameLive(desired, live)
	d.index(desired, live)
	d.countIgnored(live)
	d.warnIncomplete()
	d.environments(desired, live)
	d.users(desired, live)
	d.groups(desired, live)
	d.permissions(desired, live) // permissions.go
	d.planRenames(desired)       // rename.go

	d.guard(desired, live, opts)
	d.dropOrphans()
	d.noteCustomAttributesReset()
	changes, err := order(d.plan.Changes)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	d.plan.Changes = changes
	if !opts.NoAccessDiff {
		d.plan.Access = Access(desired, live, d.plan) // access.go
	}
	slices.SortStableFunc(d.plan.Errors, func(a, b PlanError) int {
		if c := compareRefs(a.Ref, b.Ref); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	for k, n := range d.plan.Unmanaged {
		if n == 0 {
			delete(d.plan.Unmanaged, k)
		}
	}
	for k, n := range d.plan.Ignored {
		if n == 0 {
			delete(d.plan.Ignored, k)
		}
	}
	return d.plan, nil
}

// differ holds the indexes of one Diff call. Every lookup is a map keyed by
// natural key, so planning is linear in the size of the inputs.
type differ struct {
	plan       *Plan
	prune      map[spec.Kind]bool
	incomplete map[spec.Kind]string
	// ignore holds the configuration's ignore rules (ignore.go).
	ignore spec.Ignore

	dEnvs   map[string]*spec.Environment
	dUsers  map[string]*spec.User
	dGroups map[string]*spec.Group

	lEnvs   map[string]*state.Environment
	lUsers  map[string]*state.User
	lGroups map[string]*state.Group

	// refused holds the refs of objects that the plan refuses (ambiguous
	// live key or duplicate desired key), so that changes referring to them
	// are refused too.
	refused map[Ref]bool
	// ambiguous holds the sorted ids of the live objects sharing a key, for
	// messages about objects that refer to them.
	ambiguous map[Ref][]string
	// deletedUsers holds the emails of users this plan deletes.
	deletedUsers map[string]bool
	// userGroups maps a live user's email to the live groups listing them,
	// built on first use for the notes of user deletes.
	userGroups map[string][]string
	// renames maps the ref of a configured object that renames a live one
	// to the live key it renames (rename.go).
	renames map[Ref]string
}

// indexLive indexes live objects by key. Keys seen more than once map to
// the ids of all their objects in ambiguous, and are absent from the index.
func indexLive[T any](items []T, key func(*T) string, id func(*T) string) (map[string]*T, map[string][]string) {
	idx := make(map[string]*T, len(items))
	var ambiguous map[string][]string
	for i := range items {
		it := &items[i]
		k := key(it)
		if ids, ok := ambiguous[k]; ok {
			ambiguous[k] = append(ids, id(it))
			continue
		}
		if prev, ok := idx[k]; ok {
			if ambiguous == nil {
				ambiguous = map[string][]string{}
			}
			ambiguous[k] = []string{id(prev), id(it)}
			delete(idx, k)
			continue
		}
		idx[k] = it
	}
	return idx, ambiguous
}

// indexDesired indexes desired objects by key. Keys defined more than once
// map to their positions in dups, and are absent from the index.
func indexDesired[T any](items []T, key func(*T) string, pos func(*T) spec.Pos) (map[string]*T, map[string][]spec.Pos) {
	idx := make(map[string]*T, len(items))
	var dups map[string][]spec.Pos
	for i := range items {
		it := &items[i]
		k := key(it)
		if ps, ok := dups[k]; ok {
			dups[k] = append(ps, pos(it))
			continue
		}
		if prev, ok := idx[k]; ok {
			if dups == nil {
				dups = map[string][]spec.Pos{}
			}
			dups[k] = []spec.Pos{pos(prev), pos(it)}
			delete(idx, k)
			continue
		}
		idx[k] = it
	}
	return idx, dups
}

func (d *differ) index(desired *spec.Config, live *state.Account) {
	var ambEnvs, ambUsers, ambGroups map[string][]string
	d.lEnvs, ambEnvs = indexLive(live.Environments,
		func(e *state.Environment) string { return e.CloudName },
		func(e *state.Environment) string { return e.ID })
	d.lUsers, ambUsers = indexLive(live.Users,
		func(u *state.User) string { return normEmail(u.Email) },
		func(u *state.User) string { return u.ID })
	d.lGroups, ambGroups = indexLive(live.Groups,
		func(g *state.Group) string { return g.Name },
		func(g *state.Group) string { return g.ID })

	var dupEnvs, dupUsers, dupGroups map[string][]spec.Pos
	d.dEnvs, dupEnvs = indexDesired(desired.Environments,
		func(e *spec.Environment) string { return e.CloudName },
		func(e *spec.Environment) spec.Pos { return e.Pos })
	d.dUsers, dupUsers = indexDesired(desired.Users,
		func(u *spec.User) string { return normEmail(u.Email) },
		func(u *spec.User) spec.Pos { return u.Pos })
	d.dGroups, dupGroups = indexDesired(desired.Groups,
		func(g *spec.Group) string { return g.Name },
		func(g *spec.Group) spec.Pos { return g.Pos })

	for _, a := range []struct {
		kind      spec.Kind
		keyWord   string
		amb       map[string][]string
		dups      map[string][]spec.Pos
		inDesired func(string) bool
	}{
		{spec.KindEnvironment, "cloud_name", ambEnvs, dupEnvs, d.hasDesired(spec.KindEnvironment)},
		{spec.KindUser, "email", ambUsers, dupUsers, d.hasDesired(spec.KindUser)},
		{spec.KindGroup, "name", ambGroups, dupGroups, d.hasDesired(spec.KindGroup)},
	} {
		for _, k := range slices.Sorted(maps.Keys(a.amb)) {
			ref := Ref{a.kind, k}
			ids := slices.Clone(a.amb[k])
			slices.Sort(ids)
			d.refused[ref] = true
			d.ambiguous[ref] = ids
			// An ambiguous object that the plan would not touch anyway (not
			// in the configuration, kind not pruned) is only counted.
			if !a.inDesired(k) && (!d.prune[a.kind] || d.isIgnored(a.kind, k)) {
				continue
			}
			d.errorf(ref, "%d live %s have this %s (ids %s); refusing to plan it until all but one are renamed or deleted",
				len(ids), a.kind, a.keyWord, strings.Join(ids, ", "))
		}
		for _, k := range slices.Sorted(maps.Keys(a.dups)) {
			ref := Ref{a.kind, k}
			d.refused[ref] = true
			var at []string
			for _, p := range a.dups[k] {
				at = append(at, fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col))
			}
			d.errorf(ref, "defined %d times in the configuration (%s); refusing to plan it", len(at), strings.Join(at, ", "))
		}
	}
}

func (d *differ) hasDesired(k spec.Kind) func(string) bool {
	return func(key string) bool {
		switch k {
		case spec.KindEnvironment:
			return d.dEnvs[key] != nil
		case spec.KindUser:
			return d.dUsers[key] != nil
		case spec.KindGroup:
			return d.dGroups[key] != nil
		}
		return false
	}
}

func (d *differ) warnIncomplete() {
	for _, k := range Kinds(countKeys(d.incomplete)) {
		extra := ""
		if k == spec.KindGroup {
			extra = " and no members are removed"
		}
		d.warnf("%s: the live listing is incomplete (%s): no %s are deleted%s, and objects missing from the listing may be planned as creates",
			k, d.incomplete[k], k, extra)
	}
	if d.prune[spec.KindMembership] {
		d.warnf("memberships: pruning memberships has no effect: list a group's members to manage them completely; members of groups not in the configuration are left alone")
	}
}

func countKeys(m map[spec.Kind]string) map[spec.Kind]int {
	out := make(map[spec.Kind]int, len(m))
	for k := range m {
		out[k] = 1
	}
	return out
}

// canDelete reports whether deletes of kind k may be planned at all.
func (d *differ) canDelete(k spec.Kind) bool {
	if _, ok := d.incomplete[k]; ok {
		return false
	}
	// Members come from the group listing: an incomplete group listing makes
	// the members of the groups it does list suspect too.
	if k == spec.KindMembership {
		return d.canDelete(spec.KindGroup)
	}
	return true
}

func (d *differ) errorf(ref Ref, format string, args ...any) {
	d.plan.Errors = append(d.plan.Errors, PlanError{Ref: ref, Message: fmt.Sprintf(format, args...)})
}

func (d *differ) warnf(format string, args ...any) {
	d.plan.Warnings = append(d.plan.Warnings, fmt.Sprintf(format, args...))
}

func (d *differ) add(c Change) { d.plan.Changes = append(d.plan.Changes, c) }

// envCreated reports whether this plan creates the environment.
func (d *differ) envCreated(cloudName string) bool {
	ref := Ref{spec.KindEnvironment, cloudName}
	return d.dEnvs[cloudName] != nil && d.lEnvs[cloudName] == nil && !d.refused[ref]
}

// checkEnvRef returns why an environment named by another object cannot be
// resolved, or "" when it exists live or is created by this plan.
func (d *differ) checkEnvRef(cloudName string) string {
	ref := Ref{spec.KindEnvironment, cloudName}
	switch {
	case d.refused[ref]:
		return d.refusedMessage(ref)
	case d.lEnvs[cloudName] != nil || d.dEnvs[cloudName] != nil:
		return ""
	}
	return fmt.Sprintf("environment %q is neither in the configuration nor in the account", cloudName)
}

func (d *differ) environments(desired *spec.Config, live *state.Account) {
	for i := range desired.Environments {
		e := &desired.Environments[i]
		ref := Ref{spec.KindEnvironment, e.CloudName}
		if d.refused[ref] {
			continue
		}
		if l := d.lEnvs[e.CloudName]; l != nil {
			d.updateEnvironment(ref, e, l)
		} else {
			d.createEnvironment(ref, e)
		}
	}
	for i := range live.Environments {
		l := &live.Environments[i]
		if d.dEnvs[l.CloudName] != nil || d.isIgnored(spec.KindEnvironment, l.CloudName) {
			continue
		}
		ref := Ref{spec.KindEnvironment, l.CloudName}
		if !d.prune[spec.KindEnvironment] || !d.canDelete(spec.KindEnvironment) || d.refused[ref] {
			d.plan.Unmanaged[spec.KindEnvironment]++
			continue
		}
		d.add(Change{
			Action: Delete,
			Ref:    ref,
			Before: liveEnvironment(l),
			Reason: "not in the configuration, and environments are pruned",
			Notes:  []string{"deletes the product environment and everything in it; the API refuses it for environments with 1000 or more images"},
		})
	}
}

func liveEnvironment(l *state.Environment) EnvironmentValue {
	return EnvironmentValue{ID: l.ID, CloudName: l.CloudName, Name: l.Name, Enabled: l.Enabled}
}

func (d *differ) createEnvironment(ref Ref, e *spec.Environment) {
	after := EnvironmentValue{
		CloudName:        e.CloudName,
		Name:             e.Name,
		Enabled:          deref(e.Enabled, true),
		BaseEnvironment:  e.BaseEnvironment,
		CustomAttributes: cloneAttrs(e.CustomAttributes),
	}
	c := Change{Action: Create, Ref: ref, Reason: "not in the account"}
	if after.Name == "" {
		after.Name = e.CloudName
		c.Notes = append(c.Notes, "name is not set: the cloud_name is used as the display name, which the API requires")
	}
	if after.BaseEnvironment != "" {
		if msg := d.checkEnvRef(after.BaseEnvironment); msg != "" {
			d.errorf(ref, "base_environment: %s", msg)
			return
		}
		if d.envCreated(after.BaseEnvironment) {
			c.DependsOn = append(c.DependsOn, Ref{spec.KindEnvironment, after.BaseEnvironment})
		}
	}
	if !after.Enabled {
		c.Notes = append(c.Notes, "created, then disabled: the create request has no enabled field")
	}
	c.After = after
	c.Fields = append(c.Fields,
		FieldDiff{Name: "name", New: quote(after.Name)},
		FieldDiff{Name: "enabled", New: strconv.FormatBool(after.Enabled)})
	if after.BaseEnvironment != "" {
		c.Fields = append(c.Fields, FieldDiff{Name: "base_environment", New: quote(after.BaseEnvironment)})
	}
	if after.CustomAttributes != nil {
		c.Fields = append(c.Fields, FieldDiff{Name: "custom_attributes", New: formatAttrs(after.CustomAttributes)})
	}
	d.add(c)
}

func (d *differ) updateEnvironment(ref Ref, e *spec.Environment, l *state.Environment) {
	before := liveEnvironment(l)
	after := before
	var fields []FieldDiff
	// An empty name is treated as not managed: the API requires a name, so
	// an empty one can only mean the configuration left it out.
	if e.Name != "" && e.Name != l.Name {
		fields = append(fields, FieldDiff{Name: "name", Old: quote(l.Name), New: quote(e.Name)})
		after.Name = e.Name
	}
	if e.Enabled != nil && *e.Enabled != l.Enabled {
		fields = append(fields, FieldDiff{Name: "enabled", Old: strconv.FormatBool(l.Enabled), New: strconv.FormatBool(*e.Enabled)})
		after.Enabled = *e.Enabled
	}
	// custom_attributes cannot be compared (write-only), so it never causes
	// an update on its own; it rides along with one.
	if len(fields) == 0 {
		return
	}
	c := Change{Action: Update, Ref: ref, Before: before, Fields: fields, Reason: "differs from the configuration"}
	if e.CustomAttributes != nil {
		after.CustomAttributes = cloneAttrs(e.CustomAttributes)
		c.Notes = append(c.Notes, "custom_attributes is sent again: the API never returns it, so it is not compared")
	}
	c.After = after
	d.add(c)
}

// customAttributesResetNote is the note on an environment update (renames
// included) whose configuration leaves custom_attributes out.
const customAttributesResetNote = "the API never returns custom_attributes, and this PUT resets them unless the configuration sets them"

// noteCustomAttributesReset notes, and warns once about, the environment
// updates that will clear custom_attributes: the PUT resets what it is not
// sent (NOTES P1), and cldsync cannot send the live value back because the
// API never returns it (P11). A configuration from cldsync export never
// has custom_attributes, so renaming or enabling such an environment
// would wipe them silently. Creates are left out: what a create does not
// send, the environment does not have.
func (d *differ) noteCustomAttributesReset() {
	var names []string
	for i := range d.plan.Changes {
		c := &d.plan.Changes[i]
		if c.Ref.Kind != spec.KindEnvironment || c.Action != Update {
			continue
		}
		if e := d.dEnvs[c.Ref.Name]; e == nil || e.CustomAttributes != nil {
			continue
		}
		c.Notes = append(c.Notes, customAttributesResetNote)
		names = append(names, c.Ref.Name)
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	one := len(names) == 1
	d.warnf("%s %s: updating %s resets custom_attributes, which the configuration does not set: the API never returns them, so cldsync cannot send them back; set custom_attributes to keep them",
		map[bool]string{true: "environment", false: "environments"}[one], strings.Join(names, ", "),
		map[bool]string{true: "it", false: "them"}[one])
}

func (d *differ) users(desired *spec.Config, live *state.Account) {
	for i := range desired.Users {
		u := &desired.Users[i]
		key := normEmail(u.Email)
		ref := Ref{spec.KindUser, key}
		if d.refused[ref] {
			continue
		}
		l := d.lUsers[key]
		role := ""
		if l != nil {
			role = l.Role
		}
		if u.Role != nil {
			role = *u.Role
		}
		if role == roleMasterAdmin && u.Environments != nil && !u.Environments.All {
			d.warnf("user %s: environments is ignored: a master_admin may access every product environment", key)
		}
		if l != nil {
			d.updateUser(ref, u, l, role)
		} else {
			d.createUser(ref, u, role)
		}
	}
	for i := range live.Users {
		l := &live.Users[i]
		key := normEmail(l.Email)
		if d.dUsers[key] != nil || d.isIgnored(spec.KindUser, key) {
			continue
		}
		ref := Ref{spec.KindUser, key}
		if !d.prune[spec.KindUser] || !d.canDelete(spec.KindUser) || d.refused[ref] {
			d.plan.Unmanaged[spec.KindUser]++
			continue
		}
		if l.Root {
			d.plan.Unmanaged[spec.KindUser]++
			d.warnf("user %s: the account's root user is never deleted, though users are pruned", key)
			continue
		}
		c := Change{
			Action: Delete,
			Ref:    ref,
			Before: liveUser(l),
			Reason: "not in the configuration, and users are pruned",
		}
		if gs := d.groupsOf(key); len(gs) > 0 {
			c.Notes = append(c.Notes, "also removes the user from groups "+quoteList(gs))
		}
		d.deletedUsers[key] = true
		d.add(c)
	}
}

// groupsOf returns the sorted names of the live groups listing email.
func (d *differ) groupsOf(email string) []string {
	if d.userGroups == nil {
		d.userGroups = map[string][]string{}
		for _, g := range d.lGroups {
			for _, m := range g.Members {
				m = normEmail(m)
				d.userGroups[m] = append(d.userGroups[m], g.Name)
			}
		}
		for _, gs := range d.userGroups {
			slices.Sort(gs)
		}
	}
	return d.userGroups[email]
}

func liveUser(l *state.User) UserValue {
	return UserValue{
		ID:              l.ID,
		Email:           l.Email,
		Name:            l.Name,
		Role:            l.Role,
		Enabled:         l.Enabled,
		AllEnvironments: l.AllEnvironments,
		Environments:    slices.Clone(l.Environments),
		Pending:         l.Pending,
		Root:            l.Root,
	}
}

// desiredAccess returns the desired access in canonical form: all, or a
// sorted list without duplicates.
func desiredAccess(a *spec.EnvironmentAccess) (bool, []string) {
	if a.All {
		return true, nil
	}
	list := slices.Clone(a.CloudNames)
	slices.Sort(list)
	list = slices.Compact(list)
	if list == nil {
		list = []string{}
	}
	return false, list
}

// envDeps returns the environment creates that a user with this access
// depends on, or an error message when an environment cannot be resolved.
func (d *differ) envDeps(list []string) ([]Ref, string) {
	var deps []Ref
	for _, cn := range list {
		if msg := d.checkEnvRef(cn); msg != "" {
			return nil, "environments: " + msg
		}
		if d.envCreated(cn) {
			deps = append(deps, Ref{spec.KindEnvironment, cn})
		}
	}
	return deps, ""
}

func (d *differ) createUser(ref Ref, u *spec.User, role string) {
	after := UserValue{
		Email:   strings.TrimSpace(u.Email),
		Name:    deref(u.Name, ""),
		Role:    role,
		Enabled: deref(u.Enabled, true),
	}
	c := Change{Action: Create, Ref: ref, Reason: "not in the account"}
	if u.Name == nil {
		after.Name = after.Email
		c.Notes = append(c.Notes, "name is not set: the email is used as the name, which the API requires")
	}
	switch {
	case role == roleMasterAdmin:
		after.AllEnvironments = true
	case u.Environments == nil:
		// The API's default for sub_account_ids on create is every product
		// environment; say so, because it is the widest access.
		after.AllEnvironments = true
		c.Notes = append(c.Notes, "environments is not set: the API gives the user access to all product environments")
	default:
		after.AllEnvironments, after.Environments = desiredAccess(u.Environments)
		deps, msg := d.envDeps(after.Environments)
		if msg != "" {
			d.errorf(ref, "%s", msg)
			return
		}
		c.DependsOn = deps
	}
	c.Notes = append(c.Notes, "sends an invitation email to "+after.Email)
	c.After = after
	c.Fields = append(c.Fields, FieldDiff{Name: "name", New: quote(after.Name)})
	if after.Role != "" {
		c.Fields = append(c.Fields, FieldDiff{Name: "role", New: quote(after.Role)})
	}
	c.Fields = append(c.Fields,
		FieldDiff{Name: "enabled", New: strconv.FormatBool(after.Enabled)},
		FieldDiff{Name: "environments", New: formatAccess(after.AllEnvironments, after.Environments)})
	d.add(c)
}

func (d *differ) updateUser(ref Ref, u *spec.User, l *state.User, role string) {
	before := liveUser(l)
	after := liveUser(l)
	var fields []FieldDiff
	if u.Name != nil && *u.Name != l.Name {
		fields = append(fields, FieldDiff{Name: "name", Old: quote(l.Name), New: quote(*u.Name)})
		after.Name = *u.Name
	}
	if u.Role != nil && *u.Role != l.Role {
		fields = append(fields, FieldDiff{Name: "role", Old: quote(l.Role), New: quote(*u.Role)})
		after.Role = *u.Role
	}
	if u.Enabled != nil && *u.Enabled != l.Enabled {
		fields = append(fields, FieldDiff{Name: "enabled", Old: strconv.FormatBool(l.Enabled), New: strconv.FormatBool(*u.Enabled)})
		after.Enabled = *u.Enabled
	}
	var deps []Ref
	// A master_admin may access everything whatever the list says, so the
	// access of a user who is (or becomes) one is not compared.
	if role != roleMasterAdmin && u.Environments != nil {
		all, list := desiredAccess(u.Environments)
		if !all {
			list = d.withIgnoredAccess(list, l)
		}
		if all != l.AllEnvironments || (!all && !slices.Equal(list, l.Environments)) {
			var msg string
			if deps, msg = d.envDeps(list); msg != "" {
				d.errorf(ref, "%s", msg)
				return
			}
			fields = append(fields, FieldDiff{
				Name: "environments",
				Old:  formatAccess(l.AllEnvironments, l.Environments),
				New:  formatAccess(all, list),
			})
			after.AllEnvironments, after.Environments = all, list
		}
	}
	if len(fields) == 0 {
		return
	}
	d.add(Change{
		Action:    Update,
		Ref:       ref,
		Before:    before,
		After:     after,
		Fields:    fields,
		DependsOn: deps,
		Reason:    "differs from the configuration",
	})
}

func (d *differ) groups(desired *spec.Config, live *state.Account) {
	for i := range desired.Groups {
		g := &desired.Groups[i]
		ref := Ref{spec.KindGroup, g.Name}
		if d.refused[ref] {
			continue
		}
		l := d.lGroups[g.Name]
		if l == nil {
			d.add(Change{
				Action: Create,
				Ref:    ref,
				After:  GroupValue{Name: g.Name},
				Fields: []FieldDiff{{Name: "name", New: quote(g.Name)}},
				Reason: "not in the account",
			})
		}
		if g.MembersManaged {
			d.memberships(g, l)
		} else if l != nil {
			d.plan.Unmanaged[spec.KindMembership] += len(l.Members)
		}
	}
	for i := range live.Groups {
		l := &live.Groups[i]
		if d.dGroups[l.Name] != nil || d.isIgnored(spec.KindGroup, l.Name) {
			continue
		}
		ref := Ref{spec.KindGroup, l.Name}
		if !d.prune[spec.KindGroup] || !d.canDelete(spec.KindGroup) || d.refused[ref] {
			d.plan.Unmanaged[spec.KindGroup]++
			d.plan.Unmanaged[spec.KindMembership] += len(l.Members)
			continue
		}
		c := Change{
			Action: Delete,
			Ref:    ref,
			Before: GroupValue{ID: l.ID, Name: l.Name, Members: normEmails(l.Members)},
			Reason: "not in the configuration, and groups are pruned",
		}
		if n := len(l.Members); n > 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("also drops its %d %s", n, Plural(n, "membership", "memberships")))
		}
		d.add(c)
	}
}

// memberships plans the membership changes of a desired group whose
// members are managed; l is the live group, or nil when it is created.
func (d *differ) memberships(g *spec.Group, l *state.Group) {
	groupCreated := l == nil
	groupID := ""
	live := map[string]bool{}
	if l != nil {
		groupID = l.ID
		for _, m := range l.Members {
			live[normEmail(m)] = true
		}
	}
	want := normEmails(g.Members)
	wanted := make(map[string]bool, len(want))
	for _, m := range want {
		wanted[m] = true
		if live[m] {
			continue
		}
		ref := Ref{spec.KindMembership, MembershipName(g.Name, m)}
		userID, userCreated, msg := d.resolveMember(m)
		if msg != "" {
			d.errorf(ref, "%s", msg)
			continue
		}
		c := Change{
			Action: Create,
			Ref:    ref,
			After:  MembershipValue{Group: g.Name, GroupID: groupID, User: m, UserID: userID},
			Reason: "listed in the members of group " + quote(g.Name),
		}
		if groupCreated {
			c.DependsOn = append(c.DependsOn, Ref{spec.KindGroup, g.Name})
		}
		if userCreated {
			c.DependsOn = append(c.DependsOn, Ref{spec.KindUser, m})
		}
		d.add(c)
	}
	if l == nil || !d.canDelete(spec.KindMembership) {
		return
	}
	for _, m := range normEmails(l.Members) {
		// Deleting a user drops its memberships; the user delete says so.
		if wanted[m] || d.deletedUsers[m] || d.isIgnored(spec.KindUser, m) {
			continue
		}
		ref := Ref{spec.KindMembership, MembershipName(g.Name, m)}
		userID := ""
		if u := d.lUsers[m]; u != nil {
			userID = u.ID
		} else if d.refused[Ref{spec.KindUser, m}] {
			d.errorf(ref, "%s; refusing to remove it from the group", d.refusedMessage(Ref{spec.KindUser, m}))
			continue
		}
		d.add(Change{
			Action: Delete,
			Ref:    ref,
			Before: MembershipValue{Group: g.Name, GroupID: groupID, User: m, UserID: userID},
			Reason: "not in the members of group " + quote(g.Name),
		})
	}
}

// refusedMessage says why an object that another one refers to is refused.
func (d *differ) refusedMessage(ref Ref) string {
	if ids, ok := d.ambiguous[ref]; ok {
		return fmt.Sprintf("%s %s matches %d live %s (ids %s)", Noun(ref.Kind), ref.Name, len(ids), ref.Kind, strings.Join(ids, ", "))
	}
	return fmt.Sprintf("%s %s is refused by this plan (see its error)", Noun(ref.Kind), ref.Name)
}

// resolveMember finds the user a membership create refers to: its live id
// when it has one, whether this plan creates it, or why it cannot be used.
func (d *differ) resolveMember(email string) (id string, created bool, msg string) {
	ref := Ref{spec.KindUser, email}
	l := d.lUsers[email]
	switch {
	case d.refused[ref]:
		return "", false, d.refusedMessage(ref)
	case d.dUsers[email] != nil && l == nil:
		return "", true, ""
	case l == nil:
		if reason, ok := d.incomplete[spec.KindUser]; ok {
			return "", false, fmt.Sprintf("user %s is not in the configuration, and not in the live user listing, which is incomplete (%s)", email, reason)
		}
		return "", false, fmt.Sprintf("user %s is neither in the configuration nor in the account", email)
	case d.deletedUsers[email]:
		return "", false, fmt.Sprintf("user %s is deleted by this plan (not in the configuration, and users are pruned)", email)
	}
	return l.ID, false, ""
}

// dropOrphans refuses the changes that depend on a change the plan does
// not contain (because it was refused), and then their dependents in turn.
func (d *differ) dropOrphans() {
	for {
		present := make(map[Ref]bool, len(d.plan.Changes))
		for _, c := range d.plan.Changes {
			present[c.Ref] = true
		}
		kept := d.plan.Changes[:0]
		dropped := false
		for _, c := range d.plan.Changes {
			missing := ""
			for _, dep := range c.DependsOn {
				if !present[dep] {
					missing = dep.String()
					break
				}
			}
			if missing != "" {
				d.errorf(c.Ref, "depends on %s, which this plan refuses", missing)
				dropped = true
				continue
			}
			kept = append(kept, c)
		}
		d.plan.Changes = kept
		if !dropped {
			return
		}
	}
}

// order sorts changes (creates and updates by kind then name, then deletes
// in reverse kind order) and then moves each change after its dependencies.
func order(changes []Change) ([]Change, error) {
	slices.SortFunc(changes, compareChanges)
	pos := make(map[Ref]int, len(changes))
	for i, c := range changes {
		pos[c.Ref] = i
	}
	const (
		unvisited = iota
		visiting
		done
	)
	mark := make([]uint8, len(changes))
	out := make([]Change, 0, len(changes))
	var visit func(i int) error
	visit = func(i int) error {
		switch mark[i] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("dependency cycle through %s", changes[i].Ref)
		}
		mark[i] = visiting
		for _, dep := range changes[i].DependsOn {
			j, ok := pos[dep]
			if !ok {
				return fmt.Errorf("%s depends on %s, which is not in the plan", changes[i].Ref, dep)
			}
			if err := visit(j); err != nil {
				return err
			}
		}
		mark[i] = done
		out = append(out, changes[i])
		return nil
	}
	for i := range changes {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func compareChanges(a, b Change) int {
	pa, pb := a.Action == Delete, b.Action == Delete
	if pa != pb {
		if pa {
			return 1
		}
		return -1
	}
	ra, rb := kindRank(a.Ref.Kind), kindRank(b.Ref.Kind)
	if ra != rb {
		if pa { // deletes: dependents first
			return rb - ra
		}
		return ra - rb
	}
	return strings.Compare(a.Ref.Name, b.Ref.Name)
}

func compareRefs(a, b Ref) int {
	if c := kindRank(a.Kind) - kindRank(b.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// normEmails lower-cases, sorts and de-duplicates emails.
func normEmails(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = normEmail(s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func cloneAttrs(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func quote(s string) string { return strconv.Quote(s) }

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func formatAccess(all bool, list []string) string {
	if all {
		return "all"
	}
	return quoteList(list)
}

// formatAttrs renders custom attributes as compact JSON (keys sorted by
// encoding/json), falling back to fmt, which also sorts map keys.
func formatAttrs(m map[string]any) string {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Sprintf("%v", m)
	}
	return string(b)
}

// Plural is one when n is 1, else many: "1 object", "2 objects".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
