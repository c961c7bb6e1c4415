package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// Options tune Apply.
type Options struct {
	// Parallelism bounds concurrent changes (default 10, as Terraform: enough
	// to hide latency, few enough not to trip rate limits).
	Parallelism int
	// Hooks, if set, hear about each change as it starts and ends.
	Hooks Hooks
	// Work is the context API calls run under. Apply stops starting new
	// changes when its ctx is done, but calls already sent run on under
	// Work, so the first Ctrl-C never cuts a request off half way. Default:
	// the context attached to ctx by WithWork, else ctx without its
	// cancellation (faults.go).
	Work context.Context
	// VerifyAccess asks getEffectivePolicies, once every change is applied,
	// whether the users and keys whose access the plan changes hold what
	// the plan says (verify.go); mismatches are report warnings.
	VerifyAccess bool
	// NoSecretDelivery generates keys without delivering their secrets:
	// for a rehearsal against an emulator, whose secrets are not real and
	// must not replace real ones in files or CI systems (access_keys.go).
	NoSecretDelivery bool
}

// Hooks hear about apply's progress; apply itself never prints.
type Hooks interface {
	Started(c planner.Change)
	Finished(e Entry)
}

// Entry is the outcome of one change.
type Entry struct {
	Change  planner.Change
	Outcome Outcome
	Err     error  // why it failed
	Reason  string // why it was skipped
}

// Report is what apply did: every change of the plan, in plan order, with
// its outcome.
type Report struct {
	Entries []Entry
	// Warnings are what the server did not store as sent (postcheck.go) and
	// access it does not confirm (verify.go), sorted.
	Warnings []string
	// AccessChecks counts the principals and scopes whose access
	// getEffectivePolicies was asked to confirm (Options.VerifyAccess).
	AccessChecks int
}

// Count returns how many changes had outcome o.
func (r *Report) Count(o Outcome) int {
	n := 0
	for _, e := range r.Entries {
		if e.Outcome == o {
			n++
		}
	}
	return n
}

// Failed reports whether any change failed or was skipped.
func (r *Report) Failed() bool { return r.Count(Failed) > 0 || r.Count(Skipped) > 0 }

// Apply executes plan against the account c manages. live is the state the
// plan was made from; it supplies the ids of objects the plan names. Every
// change runs after the changes it depends on; a failure skips only its
// dependents. The report lists every change, whatever happened.
func Apply(ctx context.Context, c *API, plan *planner.Plan, live *state.Account, opts Options) *Report {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 10
	}
	work := opts.Work
	if work == nil {
		work = WorkOf(ctx)
	}
	ex := &executor{c: c, ids: newIDs(live), noDelivery: opts.NoSecretDelivery}
	ex.preparePermissions(plan, live) // permissions.go
	ex.learnRenames(plan)             // rename.go

	// Task ids are the changes' names, so skip reasons read "depends on
	// user raj@acme.test, which failed".
	taskIDs := map[planner.Ref][]string{}
	index := map[string]int{}
	for i, ch := range plan.Changes {
		id := changeName(ch)
		if _, dup := index[id]; dup {
			id = fmt.Sprintf("%s (#%d)", id, i+1)
		}
		index[id] = i
		taskIDs[ch.Ref] = append(taskIDs[ch.Ref], id)
	}
	tasks := make([]task, len(plan.Changes))
	for id, i := range index {
		ch := plan.Changes[i]
		var deps []string
		skip := ""
		for _, d := range ch.DependsOn {
			deps = append(deps, taskIDs[d]...)
			if len(taskIDs[d]) == 0 && skip == "" {
				// A change that depends on one the plan no longer holds
				// (dropped as stale, edited out) must not run without it.
				skip = "depends on " + planner.Noun(d.Kind) + " " + d.Name + ", which is not in the plan"
			}
		}
		tasks[i] = task{id: id, deps: deps, skip: skip, run: func(ctx context.Context) error { return ex.run(ctx, ch) }}
	}
	var started func(string)
	var finished func(result)
	if opts.Hooks != nil {
		var mu sync.Mutex // hooks are called one at a time
		started = func(id string) { mu.Lock(); defer mu.Unlock(); opts.Hooks.Started(plan.Changes[index[id]]) }
		finished = func(r result) {
			mu.Lock()
			defer mu.Unlock()
			opts.Hooks.Finished(ex.settle(entry(plan.Changes[index[r.id]], r)))
		}
	}
	results := runDAG(ctx, work, tasks, opts.Parallelism, started, finished)
	rep := &Report{Entries: make([]Entry, len(results))}
	for i, r := range results {
		rep.Entries[i] = ex.settle(entry(plan.Changes[i], r)) // permissions.go: batches sent before a Ctrl-C
	}
	if opts.VerifyAccess && !rep.Failed() {
		var msgs []string
		rep.AccessChecks, msgs = ex.verifyAccess(work, plan, live, opts.Parallelism) // verify.go
		ex.warn.add(msgs...)
	}
	rep.Warnings = ex.warn.sorted() // postcheck.go
	return rep
}

// ChangeName names a change for people, as progress lines and the report
// do: "create user raj@acme.test", and for a rename (`previously:`, an
// Update that changes the natural key) "rename group designers →
// brand-designers", as the plan shows it.
func ChangeName(ch planner.Change) string { return changeName(ch) }

func changeName(ch planner.Change) string {
	if from, ok := ch.RenamedFrom(); ok {
		return "rename " + planner.Noun(ch.Ref.Kind) + " " + from + " → " + ch.Ref.Name
	}
	if ch.IsRotation() {
		return "rotate " + planner.Noun(ch.Ref.Kind) + " " + ch.Ref.Name
	}
	return strings.ToLower(ch.Action.String()) + " " + planner.Noun(ch.Ref.Kind) + " " + ch.Ref.Name
}

func entry(c planner.Change, r result) Entry {
	return Entry{Change: c, Outcome: r.outcome, Err: r.err, Reason: r.reason}
}

// ids maps natural keys to live ids, learning the ids of created objects.
type ids struct {
	mu     sync.Mutex
	envs   map[string]string // cloud_name → id
	users  map[string]string // lower-case email → id
	groups map[string]string // name → id
}

func newIDs(live *state.Account) *ids {
	m := &ids{envs: map[string]string{}, users: map[string]string{}, groups: map[string]string{}}
	if live == nil {
		return m
	}
	for _, e := range live.Environments {
		m.envs[e.CloudName] = e.ID
	}
	for _, u := range live.Users {
		m.users[u.Email] = u.ID
	}
	for _, g := range live.Groups {
		m.groups[g.Name] = g.ID
	}
	return m
}

func (m *ids) get(kind spec.Kind, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var id string
	switch kind {
	case spec.KindEnvironment:
		id = m.envs[key]
	case spec.KindUser:
		id = m.users[strings.ToLower(key)]
	case spec.KindGroup:
		id = m.groups[key]
	}
	if id == "" {
		return "", fmt.Errorf("no id known for %s %s", planner.Noun(kind), key)
	}
	return id, nil
}

func (m *ids) set(kind spec.Kind, key, id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch kind {
	case spec.KindEnvironment:
		m.envs[key] = id
	case spec.KindUser:
		m.users[strings.ToLower(key)] = id
	case spec.KindGroup:
		m.groups[key] = id
	}
}

// idOr returns known if set, else the id learned for key.
func (m *ids) idOr(known string, kind spec.Kind, key string) (string, error) {
	if known != "" {
		return known, nil
	}
	return m.get(kind, key)
}

type executor struct {
	// noDelivery is Options.NoSecretDelivery.
	noDelivery bool
	c          *API
	ids        *ids
	perm       permState // permissions.go
	warn       warnings  // postcheck.go
}

var errUnknownChange = errors.New("apply does not know this kind of change")

func (x *executor) run(ctx context.Context, ch planner.Change) error {
	if ok, err := x.runAccessKey(ctx, ch); ok { // access_keys.go
		return err
	}
	if ok, err := x.runPermissions(ctx, ch); ok { // permissions.go
		return err
	}
	if ok, err := x.runRename(ctx, ch); ok { // rename.go
		return err
	}
	switch v := ch.After.(type) {
	case planner.EnvironmentValue:
		return x.environment(ctx, ch.Action, v)
	case planner.UserValue:
		return x.user(ctx, ch.Action, v, emailChanges(ch))
	case planner.GroupValue:
		return x.group(ctx, ch.Action, v)
	case planner.MembershipValue:
		return x.membership(ctx, ch.Action, v)
	case nil:
		// Deletes carry only Before.
		switch v := ch.Before.(type) {
		case planner.EnvironmentValue:
			return x.environment(ctx, ch.Action, v)
		case planner.UserValue:
			return x.user(ctx, ch.Action, v, false)
		case planner.GroupValue:
			return x.group(ctx, ch.Action, v)
		case planner.MembershipValue:
			return x.membership(ctx, ch.Action, v)
		}
	}
	return fmt.Errorf("%w: %s %T", errUnknownChange, ch.Action, ch.After)
}

func (x *executor) environment(ctx context.Context, action planner.Action, v planner.EnvironmentValue) error {
	switch action {
	case planner.Create:
		body := client.CreateProductEnvironmentRequest{Name: v.Name, CloudName: v.CloudName, CustomAttributes: v.CustomAttributes}
		if v.BaseEnvironment != "" {
			base, err := x.ids.get(spec.KindEnvironment, v.BaseEnvironment)
			if err != nil {
				return err
			}
			body.BaseSubAccountID = base
		}
		env, err := createOnce(ctx, func(ctx context.Context) (*client.ProductEnvironment, error) {
			return x.c.ProductEnvironments.Create(ctx, body)
		}, x.findEnvironment(v.CloudName))
		if err != nil {
			return err
		}
		x.ids.set(spec.KindEnvironment, v.CloudName, env.ID)
		x.postcheck(v.Ref(), checkEnvironment(v, true, env)) // postcheck.go
		// The create body has no enabled field (NOTES P11): disable after.
		if !v.Enabled {
			err = idempotent(ctx, func(ctx context.Context) error {
				got, err := x.c.ProductEnvironments.Update(ctx, env.ID, client.UpdateProductEnvironmentRequest{
					Name: &v.Name, Enabled: &v.Enabled, CustomAttributes: v.CustomAttributes,
				})
				x.postcheck(v.Ref(), checkEnvironment(v, false, got))
				return err
			})
			if err != nil {
				return fmt.Errorf("disable after create: %w", err)
			}
		}
		return nil
	case planner.Update:
		id, err := x.ids.idOr(v.ID, spec.KindEnvironment, v.CloudName)
		if err != nil {
			return err
		}
		// The full body: the PUT resets what it is not sent (NOTES P1).
		return idempotent(ctx, func(ctx context.Context) error {
			got, err := x.c.ProductEnvironments.Update(ctx, id, client.UpdateProductEnvironmentRequest{
				Name: &v.Name, Enabled: &v.Enabled, CustomAttributes: v.CustomAttributes,
			})
			x.postcheck(v.Ref(), checkEnvironment(v, false, got)) // postcheck.go
			return err
		})
	case planner.Delete:
		id, err := x.ids.idOr(v.ID, spec.KindEnvironment, v.CloudName)
		if err != nil {
			return err
		}
		return deleteOnce(ctx, func(ctx context.Context) error { return x.c.ProductEnvironments.Delete(ctx, id) }, x.environmentExists(id))
	}
	return errUnknownChange
}

// subAccountIDs resolves a user's environment access for a request body:
// nil (not sent: the API's default is every environment) for all access,
// else the ids, possibly an empty, non-nil list (no access).
func (x *executor) subAccountIDs(v planner.UserValue) ([]string, error) {
	if v.AllEnvironments || v.Role == string(client.RoleMasterAdmin) {
		return nil, nil
	}
	out := make([]string, 0, len(v.Environments))
	for _, cloud := range v.Environments {
		id, err := x.ids.get(spec.KindEnvironment, cloud)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// emailChanges reports whether an update renames a user's email. The live
// state holds emails lower-cased, so an update that does not rename must
// not send the email back: that would rewrite Ana@Acme.test as
// ana@acme.test.
func emailChanges(ch planner.Change) bool {
	before, ok := ch.Before.(planner.UserValue)
	after, ok2 := ch.After.(planner.UserValue)
	return ok && ok2 && !strings.EqualFold(before.Email, after.Email)
}

// user creates, updates or deletes a user. sendEmail is whether an update
// changes the email (a rename, with previously:).
func (x *executor) user(ctx context.Context, action planner.Action, v planner.UserValue, sendEmail bool) error {
	switch action {
	case planner.Create:
		subs, err := x.subAccountIDs(v)
		if err != nil {
			return err
		}
		u, err := createOnce(ctx, func(ctx context.Context) (*client.User, error) {
			return x.c.Users.Create(ctx, client.CreateUserRequest{
				Name: v.Name, Email: v.Email, Role: client.UserRole(v.Role), SubAccountIDs: subs, Enabled: &v.Enabled,
			})
		}, x.findUser(v.Email))
		if err != nil {
			return err
		}
		x.ids.set(spec.KindUser, v.Email, u.ID)
		x.postcheck(v.Ref(), checkUser(v, subs, u)) // postcheck.go
		return nil
	case planner.Update:
		id, err := x.ids.idOr(v.ID, spec.KindUser, v.Email)
		if err != nil {
			return err
		}
		subs, err := x.subAccountIDs(v)
		if err != nil {
			return err
		}
		body := client.UpdateUserRequest{Name: &v.Name, SubAccountIDs: subs, Enabled: &v.Enabled}
		if sendEmail {
			body.Email = &v.Email
		}
		if v.Role != "" {
			role := client.UserRole(v.Role)
			body.Role = &role
		}
		return idempotent(ctx, func(ctx context.Context) error {
			got, err := x.c.Users.Update(ctx, id, body)
			x.postcheck(v.Ref(), checkUser(v, subs, got)) // postcheck.go
			return err
		})
	case planner.Delete:
		id, err := x.ids.idOr(v.ID, spec.KindUser, v.Email)
		if err != nil {
			return err
		}
		return deleteOnce(ctx, func(ctx context.Context) error { return x.c.Users.Delete(ctx, id) }, x.userExists(id))
	}
	return errUnknownChange
}

func (x *executor) group(ctx context.Context, action planner.Action, v planner.GroupValue) error {
	switch action {
	case planner.Create:
		g, err := createOnce(ctx, func(ctx context.Context) (*client.UserGroup, error) {
			return x.c.UserGroups.Create(ctx, client.UserGroupRequest{Name: v.Name})
		}, x.findGroup(v.Name))
		if err != nil {
			return err
		}
		x.ids.set(spec.KindGroup, v.Name, g.ID)
		x.postcheck(v.Ref(), checkGroup(v, g)) // postcheck.go
		return nil
	case planner.Update:
		id, err := x.ids.idOr(v.ID, spec.KindGroup, v.Name)
		if err != nil {
			return err
		}
		return idempotent(ctx, func(ctx context.Context) error {
			got, err := x.c.UserGroups.Update(ctx, id, client.UserGroupRequest{Name: v.Name})
			x.postcheck(v.Ref(), checkGroup(v, got)) // postcheck.go
			return err
		})
	case planner.Delete:
		id, err := x.ids.idOr(v.ID, spec.KindGroup, v.Name)
		if err != nil {
			return err
		}
		return deleteOnce(ctx, func(ctx context.Context) error { return x.c.UserGroups.Delete(ctx, id) }, x.groupExists(id))
	}
	return errUnknownChange
}

func (x *executor) membership(ctx context.Context, action planner.Action, v planner.MembershipValue) error {
	gid, err := x.ids.idOr(v.GroupID, spec.KindGroup, v.Group)
	if err != nil {
		return err
	}
	uid, err := x.ids.idOr(v.UserID, spec.KindUser, v.User)
	if err != nil {
		return err
	}
	switch action {
	case planner.Create:
		answer, err := createOnce(ctx, func(ctx context.Context) (*client.AddUserAnswer, error) {
			return x.c.UserGroups.AddUser(ctx, gid, uid)
		}, x.findMemberAnswer(gid, uid))
		if err == nil {
			x.warn.add(checkMember(planner.Ref{Kind: spec.KindMembership, Name: planner.MembershipName(v.Group, v.User)}, uid, answer)...) // postcheck.go
		}
		return err
	case planner.Delete:
		return deleteOnce(ctx, func(ctx context.Context) error {
			_, err := x.c.UserGroups.RemoveUser(ctx, gid, uid)
			return err
		}, x.isMember(gid, uid))
	}
	return errUnknownChange
}
