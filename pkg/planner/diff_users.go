package planner

// Users: create, update, environment access and the groups a user is in.

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func (d *differ) users(desired *spec.Config, live *model.Account) {
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
	var deletes []Change
	for i := range live.Users {
		l := &live.Users[i]
		key := normEmail(l.Email)
		if d.dUsers[key] != nil || d.isIgnored(spec.KindUser, key) {
			continue
		}
		ref := Ref{spec.KindUser, key}
		if !d.prune[spec.KindUser] || !d.canDelete(spec.KindUser) || d.refused[ref] {
			d.plan.addUnmanaged(spec.KindUser, key)
			continue
		}
		if l.Root {
			d.plan.addUnmanaged(spec.KindUser, key)
			d.warnf("user %s: the account's root user is never deleted, though users are pruned", key)
			continue
		}
		deletes = append(deletes, Change{
			Action: Delete,
			Ref:    ref,
			Before: liveUser(l),
			Reason: "not in the configuration, and users are pruned",
		})
		d.deletedUsers[key] = true
	}
	groupsOf := d.groupsOf(d.deletedUsers)
	for _, c := range deletes {
		if gs := groupsOf[c.Ref.Name]; len(gs) > 0 {
			c.Notes = append(c.Notes, "also removes the user from groups "+quoteList(gs))
		}
		d.add(c)
	}
}

// groupsOf maps each of emails to the sorted names of the live groups
// listing it: one pass over the members, keeping only those asked about.
func (d *differ) groupsOf(emails map[string]bool) map[string][]string {
	out := groupsListing(maps.Values(d.lGroups), emails)
	for _, gs := range out {
		slices.Sort(gs)
	}
	return out
}

func liveUser(l *model.User) UserValue {
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

func (d *differ) updateUser(ref Ref, u *spec.User, l *model.User, role string) {
	// Compared first, and the change's values built only for a user that
	// changes: most do not.
	var fields []FieldDiff
	name, lRole, enabled := l.Name, l.Role, l.Enabled
	if u.Name != nil && *u.Name != l.Name {
		fields = append(fields, FieldDiff{Name: "name", Old: quote(l.Name), New: quote(*u.Name)})
		name = *u.Name
	}
	if u.Role != nil && *u.Role != l.Role {
		fields = append(fields, FieldDiff{Name: "role", Old: quote(l.Role), New: quote(*u.Role)})
		lRole = *u.Role
	}
	if u.Enabled != nil && *u.Enabled != l.Enabled {
		fields = append(fields, FieldDiff{Name: "enabled", Old: strconv.FormatBool(l.Enabled), New: strconv.FormatBool(*u.Enabled)})
		enabled = *u.Enabled
	}
	var deps []Ref
	accessChanged, newAll, newList := false, false, []string(nil)
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
			accessChanged, newAll, newList = true, all, list
		}
	}
	if len(fields) == 0 {
		return
	}
	before, after := liveUser(l), liveUser(l)
	after.Name, after.Role, after.Enabled = name, lRole, enabled
	if accessChanged {
		after.AllEnvironments, after.Environments = newAll, newList
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
