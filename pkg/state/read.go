package state

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/spec"
)

// API is the part of the Cloudinary API that reading the account needs.
// It has no method that can change the account, so a plan built on it
// cannot write; FromClient adapts a *client.Client.
type API interface {
	ListProductEnvironments(ctx context.Context) ([]client.ProductEnvironment, error)
	// ListUserIDs reads every page of users matching opts, keeping only
	// the ids keep accepts (client.UsersService.ListAllIDsWhere), and
	// says whether the listing is proven complete.
	ListUserIDs(ctx context.Context, opts *client.UserListOptions, keep func(id []byte, allSubAccounts bool) bool) ([]string, client.Listing, error)
	// ListUsersPage reads the one page of users opts.Page names, keeping
	// what the read needs of each: pages are held until the listing is
	// complete, and at 100k users whole users were 0.5 GB of garbage.
	ListUsersPage(ctx context.Context, opts *client.UserListOptions) ([]client.UserSummary, error)
	ListUserSubAccounts(ctx context.Context, userID string) ([]client.SubAccountSummary, error)
	// ListUserGroupsWithMembers returns every group with its members.
	ListUserGroupsWithMembers(ctx context.Context) ([]client.UserGroup, error)
	PermissionsAPI // permissions.go
}

// FromClient returns the read-only API of c.
func FromClient(c *client.Client) API { return clientAPI{c} }

type clientAPI struct{ c *client.Client }

func (a clientAPI) ListProductEnvironments(ctx context.Context) ([]client.ProductEnvironment, error) {
	return a.c.ProductEnvironments.List(ctx, nil)
}

func (a clientAPI) ListUserIDs(ctx context.Context, opts *client.UserListOptions, keep func(id []byte, allSubAccounts bool) bool) ([]string, client.Listing, error) {
	return a.c.Users.ListAllIDsWhere(ctx, opts, keep)
}

func (a clientAPI) ListUsersPage(ctx context.Context, opts *client.UserListOptions) ([]client.UserSummary, error) {
	return a.c.Users.ListSummaries(ctx, opts)
}

func (a clientAPI) ListUserSubAccounts(ctx context.Context, userID string) ([]client.SubAccountSummary, error) {
	return a.c.Users.ListSubAccounts(ctx, userID)
}

func (a clientAPI) ListUserGroupsWithMembers(ctx context.Context) ([]client.UserGroup, error) {
	return a.c.UserGroups.List(ctx, &client.UserGroupListOptions{ExtendedDetails: true})
}

// Options tune Read.
type Options struct {
	// Parallelism bounds concurrent requests (default 8).
	Parallelism int
	// UsersPageSize is the page size asked for when listing users (default
	// 100). The server may cap it silently; the client copes.
	UsersPageSize int
	// Permissions also reads the permissions half (permissions.go) into
	// Account.Permissions; APIKeyEnvironments are the cloud names whose
	// access keys to read because the configuration names them.
	Permissions        bool
	APIKeyEnvironments []string
	// AccessKeyEnvironments are the cloud names whose access keys are
	// managed: read, with their status and age, into Account.AccessKeys
	// (access_keys.go).
	AccessKeyEnvironments []string
	// AllAccessKeys reads the access keys of every environment (export).
	AllAccessKeys bool

	// AccessStrategy (PerUser or PerEnvironment) and AssignmentStrategy
	// (PerRole or PerScope) force how those parts are read; empty chooses
	// the fewest requests (strategy.go). Every strategy reads the same.
	AccessStrategy, AssignmentStrategy string
	// Explain, when set, is told each strategy as it is chosen, with the
	// estimates it was chosen from (plan --verbose prints them).
	Explain func(Choice)
	// Progress, when set, is told how far the read has come as parts
	// complete (progress.go), one update at a time.
	Progress func(Progress)
}

// Read fetches the live account with the fewest requests (NOTES.md
// section 9): product environments, users and groups-with-members, then
// the product-environment access of users who do not have access to all
// of them, per user or per environment, whichever needs fewer requests;
// and with Options.Permissions the permissions half (permissions.go),
// which needs only the environments and so runs alongside.
//
// Every request of the read shares one bound of Options.Parallelism
// (a limiter, not a pool per stage), and when several wait, the start of
// a long chain goes first (the users listing, the account's role
// assignments), then per-environment listings, then single requests: at
// a remote service's latency the read then takes about as long as its
// requests divided by the parallelism, not the sum of its stages.
//
// Failures: a listing that fails outright (after the client's retries)
// fails the read, and the first failure cancels the rest. Environments,
// users and groups are what every change is planned against, and a plan
// built without one of them would create objects that exist and could
// not resolve members. A listing that is read but cannot be proven
// complete (a users page repeating the previous one) is recorded in
// Account.Incomplete with the reason instead, and the planner deletes
// nothing of that kind; an incomplete users or groups listing marks the
// role assignments incomplete too, since the assignments of a principal
// missing from it cannot be named (permissions.go, principalsIncomplete).
// A per-environment access listing that cannot be proven complete is not
// trusted: access is then read per user, which needs no paging.
func Read(ctx context.Context, api API, opts Options) (*Account, error) {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 8
	}
	if opts.UsersPageSize <= 0 {
		opts.UsersPageSize = 100
	}
	rd := &reader{api: api, opts: opts, lim: newLimiter(opts.Parallelism), keys: &keyLists{}, explainMu: &sync.Mutex{}, prog: newProgress(opts.Progress)}
	var (
		envs    []client.ProductEnvironment
		users   []client.UserSummary
		listing client.Listing
		access  map[string][]string
		groups  []client.UserGroup
		perms   *permReader
	)
	acc := &Account{Incomplete: map[spec.Kind]string{}}
	envsRead := make(chan struct{}) // closed once envs and acc.Environments are set
	// usersListed and groupsListed are closed once users and groups are set.
	usersListed, groupsListed := make(chan struct{}), make(chan struct{})
	awaitPrincipals := func(ctx context.Context) (int, error) {
		for _, ch := range []chan struct{}{usersListed, groupsListed} {
			select {
			case <-ch:
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		return len(users) + len(groups), nil
	}
	awaitEnvs := func(ctx context.Context) error {
		select {
		case <-envsRead:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p := newGroup(ctx)
	rd.run(p, urgent, func(ctx context.Context) (err error) {
		if envs, err = api.ListProductEnvironments(ctx); err != nil {
			return fmt.Errorf("list product environments: %w", err)
		}
		for _, e := range envs {
			acc.Environments = append(acc.Environments, Environment{ID: e.ID, CloudName: e.CloudName, Name: e.Name, Enabled: e.Enabled})
			rd.keyCount += len(e.APIAccessKeys)
		}
		slices.SortFunc(acc.Environments, func(a, b Environment) int { return strings.Compare(a.CloudName, b.CloudName) })
		rd.prog.update(func(p *Progress) { p.Environments = len(envs) })
		rd.prog.estimate("environments", 1)
		rd.prog.estimate("groups", 1)
		if opts.Permissions {
			// At least: two role listings, the catalog, and one request
			// per scope for policies and for assignments.
			rd.prog.estimate("roles", 2)
			rd.prog.estimate("catalog", 1)
			rd.prog.estimate("policies", 1+len(envs))
			rd.prog.estimate("assignments", 1+len(envs))
		}
		close(envsRead)
		return nil
	})
	p.Go(func(ctx context.Context) (err error) {
		// The longest chain: the users' pages (numbered, so read in
		// parallel, users.go), then the access they imply.
		var pageSize int
		users, listing, pageSize, err = rd.listUsers(ctx)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		close(usersListed)
		if err := awaitEnvs(ctx); err != nil {
			return err
		}
		access, err = rd.readAccess(ctx, users, envs, pageSize)
		return err
	})
	rd.run(p, urgent, func(ctx context.Context) (err error) {
		if groups, err = api.ListUserGroupsWithMembers(ctx); err != nil {
			return fmt.Errorf("list user groups: %w", err)
		}
		rd.prog.update(func(p *Progress) { p.Groups = len(groups) })
		close(groupsListed)
		return nil
	})
	if len(opts.AccessKeyEnvironments) > 0 || opts.AllAccessKeys {
		p.Go(func(ctx context.Context) error { return rd.readAccessKeys(ctx, acc, awaitEnvs) })
	}
	if opts.Permissions {
		p.Go(func(ctx context.Context) (err error) {
			perms, err = rd.readPermissions(ctx, acc, awaitEnvs, awaitPrincipals)
			return err
		})
	}
	if err := p.Wait(); err != nil {
		return nil, err
	}

	if !listing.Complete {
		acc.Incomplete[spec.KindUser] = listing.Reason
	}
	for _, u := range users {
		lu := User{
			ID: u.ID, Email: strings.ToLower(u.Email), Name: u.Name, Role: u.Role,
			Enabled: u.Enabled, Pending: u.Pending, CreatedAt: u.CreatedAt.Time, Root: u.Root,
			AllEnvironments: allAccess(u),
		}
		if !lu.AllEnvironments {
			lu.Environments = access[u.ID]
			if lu.Environments == nil {
				lu.Environments = []string{}
			}
		}
		acc.Users = append(acc.Users, lu)
	}
	slices.SortFunc(acc.Users, func(a, b User) int {
		return cmpJoin(strings.Compare(a.Email, b.Email), strings.Compare(a.ID, b.ID))
	})

	for _, g := range groups {
		members := make([]string, 0, len(g.Users))
		for _, m := range g.Users {
			members = append(members, strings.ToLower(m.Email))
		}
		slices.Sort(members)
		acc.Groups = append(acc.Groups, Group{ID: g.ID, Name: g.Name, Members: members})
	}
	slices.SortFunc(acc.Groups, func(a, b Group) int {
		return cmpJoin(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	if perms != nil {
		// Principals are named by the users and groups read alongside.
		acc.Permissions = perms.finish()
	}
	return acc, nil
}

// reader is one Read: its API, options and the limiter every request of
// the read shares.
type reader struct {
	api       API
	opts      Options
	lim       *limiter
	keys      *keyLists   // access_keys.go
	explainMu *sync.Mutex // Explain is called one choice at a time
	keyCount  int         // access keys of every environment, once they are listed
	prog      *progress
}

// group runs a read's concurrent steps: the first error cancels the
// context of the others and is the one Wait returns.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newGroup(ctx context.Context) *group {
	ctx, cancel := context.WithCancel(ctx)
	return &group{ctx: ctx, cancel: cancel}
}

// Go runs f in a goroutine; f may call Go again before it returns.
func (g *group) Go(f func(ctx context.Context) error) {
	g.wg.Go(func() {
		if err := f(g.ctx); err != nil {
			g.once.Do(func() { g.err = err; g.cancel() })
		}
	})
}

// Wait waits for every step and returns the first error.
func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

// run starts f in g once the limiter grants a slot of class c, and frees
// the slot when f returns. It waits for the slot here, so a loop of run
// calls holds no more goroutines than slots; the caller must hold none.
// f should send one request, or one listing whose pages must follow one
// another.
func (rd *reader) run(g *group, c class, f func(ctx context.Context) error) {
	if err := rd.lim.acquire(g.ctx, c); err != nil {
		g.Go(func(context.Context) error { return err })
		return
	}
	g.Go(func(ctx context.Context) error {
		defer rd.lim.release()
		return f(ctx)
	})
}

// do runs f, which sends one request or one chain of pages, in a slot
// of class c, and returns its error. The caller must hold no slot.
func (rd *reader) do(ctx context.Context, c class, f func(ctx context.Context) error) error {
	if err := rd.lim.acquire(ctx, c); err != nil {
		return err
	}
	defer rd.lim.release()
	return f(ctx)
}

// class orders the requests waiting for the limiter: every waiter of a
// class goes before any of the next, first come first served within one.
type class int

const (
	// urgent requests start the read or a long chain of pages (the
	// account's listings): late, they would end it late.
	urgent class = iota
	// perEnvironment are the listings per environment, each a few pages.
	perEnvironment
	// single are one-request reads (a role, a user's environments), which
	// fill the gaps at the end.
	single
	numClasses
)

// limiter bounds how many requests of a read are in flight: a semaphore
// whose waiters are served by class, then in arrival order.
type limiter struct {
	mu      sync.Mutex
	free    int
	waiting [numClasses][]chan struct{}
}

func newLimiter(n int) *limiter { return &limiter{free: n} }

// acquire waits for a slot, or for ctx to end.
func (l *limiter) acquire(ctx context.Context, c class) error {
	l.mu.Lock()
	if l.free > 0 {
		l.free--
		l.mu.Unlock()
		return nil
	}
	ready := make(chan struct{})
	l.waiting[c] = append(l.waiting[c], ready)
	l.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		if i := slices.Index(l.waiting[c], ready); i >= 0 {
			l.waiting[c] = slices.Delete(l.waiting[c], i, i+1)
			l.mu.Unlock()
			return ctx.Err()
		}
		l.mu.Unlock()
		l.release() // granted as ctx ended: pass it on
		return ctx.Err()
	}
}

// release frees a slot, handing it to the first waiter of the most
// urgent class.
func (l *limiter) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.waiting {
		if len(l.waiting[c]) > 0 {
			ready := l.waiting[c][0]
			l.waiting[c] = l.waiting[c][1:]
			close(ready)
			return
		}
	}
	l.free++
}

func cmpJoin(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// allAccess reports whether a user may access every product environment:
// the API ignores sub_account_ids for master_admin users.
func allAccess(u client.UserSummary) bool {
	return u.AllSubAccounts || u.Role == string(client.RoleMasterAdmin)
}

// readAccess returns, for each user without access to every environment,
// the sorted cloud names it may access. It reads per user (one request
// each) or per environment (one listing each, inverted), whichever needs
// fewer requests by the counts the users listing returned (strategy.go).
func (rd *reader) readAccess(ctx context.Context, users []client.UserSummary, envs []client.ProductEnvironment, pageSize int) (map[string][]string, error) {
	api, opts := rd.api, rd.opts
	var restricted []client.UserSummary
	allAccessUsers, grants := 0, 0
	for _, u := range users {
		if allAccess(u) {
			allAccessUsers++
		} else {
			restricted = append(restricted, u)
			grants += u.SubAccountCount
		}
	}
	access := make(map[string][]string, len(restricted))
	if len(restricted) == 0 {
		return access, nil
	}
	choice := chooseAccess(opts.AccessStrategy, len(restricted), allAccessUsers, grants, len(envs), pageSize)
	rd.explain(choice)
	rd.prog.estimate("access", choice.estimate().Expected)
	cloudByID := make(map[string]string, len(envs))
	for _, e := range envs {
		cloudByID[e.ID] = e.CloudName
	}
	var mu sync.Mutex
	add := func(userID, cloud string) {
		mu.Lock()
		access[userID] = append(access[userID], cloud)
		mu.Unlock()
	}
	p := newGroup(ctx)
	var fallback atomic.Bool
	if choice.Strategy == PerUser {
		for _, u := range restricted {
			rd.run(p, single, func(ctx context.Context) error {
				subs, err := api.ListUserSubAccounts(ctx, u.ID)
				if err != nil {
					return fmt.Errorf("list product environments of user %s: %w", u.Email, err)
				}
				for _, s := range subs {
					add(u.ID, s.CloudName)
				}
				return nil
			})
		}
	} else {
		ids := make([]string, len(restricted))
		for i, u := range restricted {
			ids[i] = u.ID
		}
		isRestricted := newIDSet(ids)
		// Only which restricted users are listed matters: their ids, not
		// whole users, nor the users who may access every environment
		// (most of each listing). Those say so in the listing itself, so
		// only the others' ids are looked up: at 50k users 70,000 lookups
		// rather than 2.7 million, each a likely cache miss in a read
		// that idles between answers.
		keep := func(id []byte, allSubAccounts bool) bool {
			return !allSubAccounts && isRestricted.has(id)
		}
		for _, e := range envs {
			rd.run(p, perEnvironment, func(ctx context.Context) error {
				ids, listing, err := api.ListUserIDs(ctx, &client.UserListOptions{SubAccountID: e.ID, PageSize: opts.UsersPageSize}, keep)
				if err != nil {
					return fmt.Errorf("list users of product environment %s: %w", e.CloudName, err)
				}
				if !listing.Complete {
					fallback.Store(true) // read per user instead, below
					return nil
				}
				for _, id := range ids {
					add(id, cloudByID[e.ID])
				}
				return nil
			})
		}
	}
	if err := p.Wait(); err != nil {
		return nil, err
	}
	if fallback.Load() {
		// A per-environment listing could not be proven complete, and
		// access read from it could be missing: read each restricted user's
		// environments instead, which needs no paging.
		perUser := *rd
		perUser.opts.AccessStrategy = PerUser
		perUser.opts.Explain = nil
		return perUser.readAccess(ctx, users, envs, pageSize)
	}
	for id := range access {
		slices.Sort(access[id])
		access[id] = slices.Compact(access[id])
	}
	return access, nil
}

// explain reports a strategy choice to Options.Explain.
func (rd *reader) explain(c Choice) {
	if rd.opts.Explain != nil {
		rd.explainMu.Lock()
		defer rd.explainMu.Unlock()
		rd.opts.Explain(c)
	}
}
