package planner

// Projection: the account as a plan leaves it. Every safety question
// about a plan is asked of two accounts of the same model, before and
// after (see Transition): the guards compare invariants, the effective
// access diff compares access graphs, and callers compare their own.

import (
	"maps"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// Project returns the account as it will be once plan is applied to live:
// the same model, with each change's After in place of its Before. It is
// pure: live is not modified and nothing is read.
//
// It applies the plan's renames first, then every removal (deletes, and
// the delete half of a replace), then every addition, so the order of the
// changes does not matter. What the API does along with a change is
// projected too: deleting a user or group drops its memberships and role
// assignments, deleting an environment drops the assignments and policies
// scoped to it, deleting (or replacing) a role drops its assignments.
//
// Objects the plan creates have no id. A created user is pending: it has
// not accepted its invitation, so it cannot act until it does.
func Project(live *model.Account, plan *Plan) *model.Account {
	p := newProjection(live, len(plan.Changes))
	for i := range plan.Changes {
		p.rename(&plan.Changes[i])
	}
	for i := range plan.Changes {
		p.remove(&plan.Changes[i])
	}
	p.sweep()
	for i := range plan.Changes {
		p.add(&plan.Changes[i])
	}
	return p.account()
}

// projectRenames returns live under the names plan leaves: its renames
// applied and nothing else, so that a renamed object is the same object
// before and after.
func projectRenames(live *model.Account, plan *Plan) *model.Account {
	if !slices.ContainsFunc(plan.Changes, func(c Change) bool { _, ok := c.RenamedFrom(); return ok }) {
		return live // nothing to rename: live as it is (read only)
	}
	p := newProjection(live, 0)
	for i := range plan.Changes {
		p.rename(&plan.Changes[i])
	}
	return p.account()
}

// projection is an account being changed, indexed by natural key.
type projection struct {
	base     *model.Account
	envs     map[string]model.Environment
	users    *table[model.User]
	groups   map[string]model.Group
	members  map[string]map[string]bool // group → lower-cased emails
	perms    bool                       // the permissions half is there to change
	roles    map[string]model.Role
	policies map[string]model.Policy     // by id, or "new\x00" + policy key
	assigns  map[string]model.Assignment // by the assignment's Ref name
	keys     map[string]model.AccessKey  // by spec.AccessKeyName
	apiKeys  []model.APIKey              // the permissions half's, naming apiKey principals

	// What the removals take with them, swept in one pass (sweep), so
	// that the cost stays linear in the account and the plan.
	goneScopes     map[string]bool
	goneUsers      map[string]bool
	gonePrincipals map[spec.Principal]bool
	goneRoles      map[string]bool
}

// newProjection indexes live, with room for about room objects more.
func newProjection(live *model.Account, room int) *projection {
	// The maps are sized for the live account: the plan adds few.
	p := &projection{
		base: live, envs: make(map[string]model.Environment, len(live.Environments)),
		users: newTable(live.Users, userKey, room), groups: make(map[string]model.Group, len(live.Groups)),
		members: make(map[string]map[string]bool, len(live.Groups)), keys: make(map[string]model.AccessKey, len(live.AccessKeys)),
		goneScopes: map[string]bool{}, goneUsers: map[string]bool{}, gonePrincipals: map[spec.Principal]bool{}, goneRoles: map[string]bool{},
	}
	for _, k := range live.AccessKeys {
		p.keys[spec.AccessKeyName(k.Environment, k.Name)] = k
	}
	for _, e := range live.Environments {
		p.envs[e.CloudName] = e
	}
	// A user's Environments is live's: whatever edits it clones it first
	// (renameEnvironment, sweep).
	for _, g := range live.Groups {
		m := make(map[string]bool, len(g.Members))
		for _, e := range g.Members {
			m[normEmail(e)] = true
		}
		p.groups[g.Name], p.members[g.Name] = g, m
	}
	lp := live.Permissions
	if p.perms = lp != nil && lp.Unavailable == ""; !p.perms {
		p.roles, p.policies, p.assigns = map[string]model.Role{}, map[string]model.Policy{}, map[string]model.Assignment{}
		return p
	}
	p.apiKeys = slices.Clone(lp.APIKeys)
	p.roles = make(map[string]model.Role, len(lp.Roles))
	p.policies = make(map[string]model.Policy, len(lp.Policies))
	p.assigns = make(map[string]model.Assignment, len(lp.Assignments))
	for _, r := range lp.Roles {
		p.roles[r.ID] = r
	}
	for _, pol := range lp.Policies {
		p.policies[policyKey(pol)] = pol
	}
	for i := range lp.Assignments {
		a := &lp.Assignments[i]
		p.assigns[liveAssignment(a).Ref().Name] = *a
	}
	return p
}

// userKey indexes a projected user: the lower-cased email.
func userKey(u *model.User) string { return normEmail(u.Email) }

// policyKey indexes a projected policy: its id, or for one the plan
// creates, its natural key.
func policyKey(p model.Policy) string {
	if p.ID == "" {
		return "new\x00" + spec.PolicyKey(p.Scope, p.Name)
	}
	return p.ID
}

// rename applies an Update whose Before and After name different keys.
func (p *projection) rename(c *Change) {
	if c.Ref.Kind == spec.KindAccessKey {
		p.renameKey(c) // access_keys_project.go
		return
	}
	if c.Action != Update {
		return
	}
	switch b := c.Before.(type) {
	case EnvironmentValue:
		if a, ok := c.After.(EnvironmentValue); ok && a.CloudName != b.CloudName {
			p.renameEnvironment(b.CloudName, a.CloudName)
		}
	case UserValue:
		if a, ok := c.After.(UserValue); ok && normEmail(a.Email) != normEmail(b.Email) {
			p.renameUser(normEmail(b.Email), normEmail(a.Email))
		}
	case GroupValue:
		if a, ok := c.After.(GroupValue); ok && a.Name != b.Name {
			p.renameGroup(b.Name, a.Name)
		}
	}
}

func (p *projection) renameEnvironment(from, to string) {
	if e, ok := p.envs[from]; ok {
		delete(p.envs, from)
		e.CloudName = to
		p.envs[to] = e
	}
	p.users.each(func(u *model.User) {
		if i := slices.Index(u.Environments, from); i >= 0 {
			u.Environments = slices.Clone(u.Environments) // live's
			u.Environments[i] = to
			slices.Sort(u.Environments)
		}
	})
	for k, pol := range p.policies {
		if pol.Scope == from {
			pol.Scope = to
			p.policies[k] = pol
		}
	}
	for k, key := range p.keys {
		if key.Environment == from {
			delete(p.keys, k)
			key.Environment = to
			p.keys[spec.AccessKeyName(to, key.Name)] = key
		}
	}
	// An API key is named after its environment: "cloud_name/name".
	if p.perms {
		for i, k := range p.apiKeys {
			if k.Environment == from {
				p.apiKeys[i].Environment = to
			}
		}
	}
	p.rekeyAssignments(func(a *model.Assignment) bool {
		changed := false
		if a.Scope == from {
			a.Scope, changed = to, true
		}
		if rest, ok := strings.CutPrefix(a.Principal.Name, from+"/"); ok && a.Principal.Kind == spec.PrincipalAPIKey {
			a.Principal.Name, changed = to+"/"+rest, true
		}
		return changed
	})
}

func (p *projection) renameUser(from, to string) {
	if u, ok := p.users.get(from); ok {
		u.Email = to
		p.users.rekey(from, to)
	}
	for _, m := range p.members {
		if m[from] {
			delete(m, from)
			m[to] = true
		}
	}
	p.renamePrincipal(spec.Principal{Kind: spec.PrincipalUser, Name: from}, to)
}

func (p *projection) renameGroup(from, to string) {
	if g, ok := p.groups[from]; ok {
		delete(p.groups, from)
		g.Name = to
		p.groups[to], p.members[to] = g, p.members[from]
		delete(p.members, from)
	}
	p.renamePrincipal(spec.Principal{Kind: spec.PrincipalGroup, Name: from}, to)
}

func (p *projection) renamePrincipal(from spec.Principal, to string) {
	p.rekeyAssignments(func(a *model.Assignment) bool {
		if a.Principal != from {
			return false
		}
		a.Principal.Name = to
		return true
	})
}

// rekeyAssignments applies edit to every assignment and indexes again
// those it changed.
func (p *projection) rekeyAssignments(edit func(a *model.Assignment) bool) {
	for k, a := range p.assigns {
		if edit(&a) {
			delete(p.assigns, k)
			p.assigns[liveAssignment(&a).Ref().Name] = a
		}
	}
}

// remove applies a delete, or the delete half of a replace. What goes
// along with the object is swept afterwards (sweep).
func (p *projection) remove(c *Change) {
	if c.Action != Delete && c.Action != Replace {
		return
	}
	switch b := c.Before.(type) {
	case EnvironmentValue:
		delete(p.envs, b.CloudName)
		p.goneScopes[b.CloudName] = true
	case UserValue:
		email := normEmail(b.Email)
		p.users.del(email)
		p.goneUsers[email] = true
		p.gonePrincipals[spec.Principal{Kind: spec.PrincipalUser, Name: email}] = true
	case GroupValue:
		delete(p.groups, b.Name)
		delete(p.members, b.Name)
		p.gonePrincipals[spec.Principal{Kind: spec.PrincipalGroup, Name: b.Name}] = true
	case MembershipValue:
		delete(p.members[b.Group], normEmail(b.User))
	case RoleValue:
		delete(p.roles, b.ID)
		p.goneRoles[b.ID] = true
	case PolicyValue:
		delete(p.policies, policyKey(model.Policy{ID: b.ID, Scope: b.Scope, Name: b.Name}))
	case AssignmentValue:
		delete(p.assigns, b.Ref().Name)
	case AccessKeyValue:
		delete(p.keys, b.Ref().Name)
	}
}

// sweep drops what the removals take with them: a user's memberships, a
// user's or group's assignments, an environment's users' access to it,
// its assignments, policies and keys, and a role's assignments.
func (p *projection) sweep() {
	if len(p.goneUsers) > 0 {
		for _, m := range p.members {
			maps.DeleteFunc(m, func(email string, _ bool) bool { return p.goneUsers[email] })
		}
	}
	if len(p.goneScopes) > 0 {
		gone := func(e string) bool { return p.goneScopes[e] }
		p.users.each(func(u *model.User) {
			if slices.ContainsFunc(u.Environments, gone) {
				// Cloned: u.Environments may be live's.
				u.Environments = slices.DeleteFunc(slices.Clone(u.Environments), gone)
			}
		})
		maps.DeleteFunc(p.policies, func(_ string, pol model.Policy) bool { return p.goneScopes[pol.Scope] })
		maps.DeleteFunc(p.keys, func(_ string, k model.AccessKey) bool { return p.goneScopes[k.Environment] })
	}
	maps.DeleteFunc(p.assigns, func(_ string, a model.Assignment) bool {
		return p.gonePrincipals[a.Principal] || p.goneRoles[a.Role] || p.goneScopes[a.Scope]
	})
}

// add applies a create, an update, or the create half of a replace.
func (p *projection) add(c *Change) {
	if c.Action == Delete {
		return
	}
	switch a := c.After.(type) {
	case EnvironmentValue:
		e := p.envs[a.CloudName]
		e.CloudName, e.Name, e.Enabled = a.CloudName, a.Name, a.Enabled
		p.envs[a.CloudName] = e
	case UserValue:
		p.addUser(c.Action, a)
	case GroupValue:
		if _, ok := p.groups[a.Name]; !ok {
			p.groups[a.Name], p.members[a.Name] = model.Group{Name: a.Name}, map[string]bool{}
		}
	case MembershipValue:
		if p.members[a.Group] == nil {
			p.members[a.Group] = map[string]bool{}
		}
		p.members[a.Group][normEmail(a.User)] = true
	case RoleValue:
		p.roles[a.ID] = model.Role{ID: a.ID, Name: a.Name, Description: a.Description, PermissionType: a.PermissionType,
			ScopeType: a.ScopeType, SystemPolicies: slices.Clone(a.SystemPolicies)}
	case PolicyValue:
		pol := model.Policy{Name: a.Name, Description: a.Description, Statement: a.Statement, Scope: a.Scope, ScopeID: a.ScopeID, Enabled: a.Enabled}
		if b, ok := c.Before.(PolicyValue); ok && c.Action == Update {
			pol.ID = b.ID
		}
		p.policies[policyKey(pol)] = pol
	case AssignmentValue:
		p.assigns[a.Ref().Name] = projectedAssignment(a)
	case AccessKeyValue:
		p.addKey(c, a)
	}
}

// addKey applies a key's create or update. A rotation creates the new key
// and leaves the old one disabled under its retired name.
func (p *projection) addKey(c *Change, a AccessKeyValue) {
	k := model.AccessKey{Environment: a.Environment, Name: a.Name, Key: a.Key, Enabled: a.Enabled}
	if b, ok := c.Before.(AccessKeyValue); ok {
		old := p.keys[b.Ref().Name]
		delete(p.keys, b.Ref().Name)
		if c.IsRotation() {
			old.Name, old.Enabled = a.RetiredName, false
			p.keys[spec.AccessKeyName(old.Environment, old.Name)] = old
		} else {
			k.Key, k.CreatedAt = old.Key, old.CreatedAt
		}
	}
	p.keys[spec.AccessKeyName(k.Environment, k.Name)] = k
}

// addUser applies a user's create or update. An update keeps what the
// configuration cannot change (id, root, whether the invitation is
// accepted); a created user is pending.
func (p *projection) addUser(action Action, a UserValue) {
	email := normEmail(a.Email)
	u, ok := p.users.get(email) // edited in place
	if !ok {
		p.users.set(email, model.User{})
		u, _ = p.users.get(email)
	}
	if action == Create || !ok {
		*u = model.User{Pending: true}
	}
	u.Email, u.Name, u.Role, u.Enabled = email, a.Name, a.Role, a.Enabled
	u.AllEnvironments, u.Environments = a.AllEnvironments, slices.Clone(a.Environments)
	if u.AllEnvironments {
		u.Environments = nil
	}
}

// projectedAssignment is the live form of an assignment the plan makes.
func projectedAssignment(v AssignmentValue) model.Assignment {
	a := model.Assignment{
		PrincipalType: model.PrincipalType(v.PrincipalType), PrincipalID: v.PrincipalID, Role: v.Role,
		Scope: v.Scope, ScopeID: v.ScopeID, FolderID: v.FolderID, CollectionID: v.CollectionID,
	}
	if as, ok := assignOf(v); ok {
		a.Principal = as.Principal
	}
	return a
}

// account builds the projected account, sorted like a read one.
func (p *projection) account() *model.Account {
	out := &model.Account{
		Incomplete: p.base.Incomplete, AccessKeysRead: p.base.AccessKeysRead,
		AccessKeys: inOrder(p.base.AccessKeys, p.keys, func(k *model.AccessKey) string { return spec.AccessKeyName(k.Environment, k.Name) },
			func(k *model.AccessKey) string { return k.Environment + "\x00" + k.Name }),
		Environments: inOrder(p.base.Environments, p.envs, func(e *model.Environment) string { return e.CloudName }, nil),
		Users:        p.users.inOrder(p.base.Users, userKey),
	}
	out.Groups = inOrder(p.base.Groups, p.groups, func(g *model.Group) string { return g.Name }, nil)
	for i := range out.Groups {
		out.Groups[i].Members = slices.Sorted(maps.Keys(p.members[out.Groups[i].Name]))
	}
	lp := p.base.Permissions
	if !p.perms {
		out.Permissions = lp
		return out
	}
	perms := *lp
	perms.APIKeys = p.apiKeys
	perms.Roles = inOrder(lp.Roles, p.roles, func(r *model.Role) string { return r.ID }, nil)
	perms.Policies = inOrder(lp.Policies, p.policies, func(pol *model.Policy) string { return policyKey(*pol) },
		func(pol *model.Policy) string { return spec.PolicyKey(pol.Scope, pol.Name) })
	perms.Assignments = inOrder(lp.Assignments, p.assigns, func(a *model.Assignment) string { return liveAssignment(a).Ref().Name },
		func(a *model.Assignment) string { return liveAssignmentKey(a) + "\x00" + a.PrincipalID })
	out.Permissions = &perms
	return out
}

// inOrder lists the values of now, the projected objects by key (key
// gives an object's key in now): live's objects first, in live's order,
// with the plan's changes; then those the plan adds (or renames), sorted
// by order (nil: by key) and merged in when live is sorted, as state reads
// it. Only what the plan adds is sorted, so a plan that adds nothing costs
// one pass; each object's order is computed once, and objects are sorted
// by index, never copied to be compared. It empties now.
func inOrder[T any](live []T, now map[string]T, key, order func(*T) string) []T {
	if len(now) == 0 {
		return nil
	}
	out := make([]T, 0, len(now))
	var outKeys []string // the order of out, when order is key
	if order == nil {
		outKeys = make([]string, 0, len(now))
	}
	for i := range live {
		k := key(&live[i])
		if v, ok := now[k]; ok {
			delete(now, k) // taken: what is left was added
			out = append(out, v)
			if order == nil {
				outKeys = append(outKeys, k)
			}
		}
	}
	if len(now) == 0 {
		return out
	}
	vals := make([]T, 0, len(now))
	added := make([]keyed, 0, len(now))
	for k, v := range now {
		vals = append(vals, v)
		if order != nil {
			k = order(&vals[len(vals)-1])
		}
		added = append(added, keyed{k, len(vals) - 1})
	}
	if order != nil {
		outKeys = make([]string, len(out))
		for i := range out {
			outKeys[i] = order(&out[i])
		}
	}
	return placeAdded(out, outKeys, vals, added)
}

// placeAdded sorts added (keys of objects of vals) and merges them into
// out, sorted by outKeys, when it is sorted, or appends them.
func placeAdded[T any](out []T, outKeys []string, vals []T, added []keyed) []T {
	slices.SortFunc(added, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	if !slices.IsSorted(outKeys) {
		for _, a := range added {
			out = append(out, vals[a.i])
		}
		return out
	}
	return mergeSorted(out, outKeys, vals, added)
}

// keyed is the sort key of the object at index i.
type keyed struct {
	key string
	i   int
}

// mergeSorted merges a, sorted by aKeys, with the objects of b that
// added lists sorted; of equal keys, a's come first. It merges from the
// back, in place, when a has the room (inOrder makes it so), rather than
// copying a large account into a new list to add a few objects.
func mergeSorted[T any](a []T, aKeys []string, b []T, added []keyed) []T {
	n := len(a) + len(added)
	if cap(a) < n {
		a = slices.Grow(a, len(added))
	}
	out := a[:n]
	i, j := len(a)-1, len(added)-1
	for k := n - 1; j >= 0; k-- {
		if i >= 0 && aKeys[i] > added[j].key {
			out[k] = a[i]
			i--
		} else {
			out[k] = b[added[j].i]
			j--
		}
	}
	return out
}

// Transition is a plan seen as a change of account: the account before it
// and after it, in the same model. Guards are invariants over a
// Transition (Invariant), and the effective-access diff compares the
// access of its two sides (Access).
type Transition struct {
	Plan *Plan
	// Before is the live account under the names the plan leaves: its
	// renames applied and nothing else, so that a renamed object is the
	// same object on both sides.
	Before *model.Account
	// After is Project(live, plan).
	After *model.Account

	// beforeNames is statementNames(Before) when the caller has it
	// already.
	beforeNames map[string]string
}

// NewTransition projects plan onto live.
func NewTransition(live *model.Account, plan *Plan) *Transition {
	return &Transition{Plan: plan, Before: projectRenames(live, plan), After: Project(live, plan)}
}

// Access returns the access graphs of both sides. A statement of a live
// policy names principals by id; after the plan it still names the ones
// the plan deletes, so their ids keep the names they had before.
func (t *Transition) Access() (before, after *AccessGraph) {
	beforeNames := t.beforeNames
	if beforeNames == nil {
		beforeNames = statementNames(t.Before)
	}
	// The ids the statements after the plan hold, named after the plan,
	// else before it (idnames.go).
	want := statementLiterals(t.After)
	names := idNamesFor(t.Before, want)
	maps.Copy(names, idNamesFor(t.After, want))
	return accessOf(t.Before, beforeNames), accessOf(t.After, names)
}
