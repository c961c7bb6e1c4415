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
	"github.com/sourcegraph/conc/pool"
)

// API is the part of the Cloudinary API that reading the account needs.
// It has no method that can change the account, so a plan built on it
// cannot write; FromClient adapts a *client.Client.
type API interface {
	ListProductEnvironments(ctx context.Context) ([]client.ProductEnvironment, error)
	// ListUsers reads every page of users matching opts and says whether
	// the listing is proven complete.
	ListUsers(ctx context.Context, opts *client.UserListOptions) ([]client.User, client.Listing, error)
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

func (a clientAPI) ListUsers(ctx context.Context, opts *client.UserListOptions) ([]client.User, client.Listing, error) {
	return a.c.Users.ListAll(ctx, opts)
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

	// perUser makes readAccess read per user: the fallback when a
	// per-environment listing cannot be proven complete.
	perUser bool
}

// Read fetches the live account with the fewest requests (NOTES.md
// section 9): product environments, users and groups-with-members in three
// concurrent listings, then the product-environment access of users who
// do not have access to all of them, per user or per environment,
// whichever needs fewer requests.
//
// Failures: a listing that fails outright (after the client's retries)
// fails the read. Environments, users and groups are what every change is
// planned against, and a plan built without one of them would create
// objects that exist and could not resolve members. A listing that is read
// but cannot be proven complete (a users page repeating the previous one)
// is recorded in Account.Incomplete with the reason instead, and the
// planner deletes nothing of that kind. A per-environment access listing
// that cannot be proven complete is not trusted: access is then read per
// user, which needs no paging.
func Read(ctx context.Context, api API, opts Options) (*Account, error) {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 8
	}
	if opts.UsersPageSize <= 0 {
		opts.UsersPageSize = 100
	}
	var (
		envs    []client.ProductEnvironment
		users   []client.User
		listing client.Listing
		groups  []client.UserGroup
	)
	p := pool.New().WithContext(ctx).WithMaxGoroutines(opts.Parallelism)
	p.Go(func(ctx context.Context) (err error) {
		envs, err = api.ListProductEnvironments(ctx)
		if err != nil {
			return fmt.Errorf("list product environments: %w", err)
		}
		return nil
	})
	p.Go(func(ctx context.Context) (err error) {
		users, listing, err = api.ListUsers(ctx, &client.UserListOptions{PageSize: opts.UsersPageSize})
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		return nil
	})
	p.Go(func(ctx context.Context) (err error) {
		groups, err = api.ListUserGroupsWithMembers(ctx)
		if err != nil {
			return fmt.Errorf("list user groups: %w", err)
		}
		return nil
	})
	if err := p.Wait(); err != nil {
		return nil, err
	}

	acc := &Account{Incomplete: map[spec.Kind]string{}}
	cloudByID := make(map[string]string, len(envs))
	for _, e := range envs {
		cloudByID[e.ID] = e.CloudName
		acc.Environments = append(acc.Environments, Environment{ID: e.ID, CloudName: e.CloudName, Name: e.Name, Enabled: e.Enabled})
	}
	slices.SortFunc(acc.Environments, func(a, b Environment) int { return strings.Compare(a.CloudName, b.CloudName) })

	if !listing.Complete {
		acc.Incomplete[spec.KindUser] = listing.Reason
	}
	access, err := readAccess(ctx, api, opts, users, envs, cloudByID)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		lu := User{
			ID: u.ID, Email: strings.ToLower(u.Email), Name: u.Name, Role: u.Role,
			Enabled: u.Enabled, Pending: u.Pending, Root: u.Root,
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
	if opts.Permissions {
		if acc.Permissions, err = readPermissions(ctx, api, opts, acc); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func cmpJoin(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// allAccess reports whether a user may access every product environment:
// the API ignores sub_account_ids for master_admin users.
func allAccess(u client.User) bool {
	return u.AllSubAccounts || u.Role == string(client.RoleMasterAdmin)
}

// readAccess returns, for each user without access to every environment,
// the sorted cloud names it may access. It reads per user (one request
// each) or per environment (one listing each, inverted), whichever is
// fewer requests.
func readAccess(ctx context.Context, api API, opts Options, users []client.User, envs []client.ProductEnvironment, cloudByID map[string]string) (map[string][]string, error) {
	var restricted []client.User
	for _, u := range users {
		if !allAccess(u) {
			restricted = append(restricted, u)
		}
	}
	access := make(map[string][]string, len(restricted))
	if len(restricted) == 0 {
		return access, nil
	}
	var mu sync.Mutex
	add := func(userID, cloud string) {
		mu.Lock()
		access[userID] = append(access[userID], cloud)
		mu.Unlock()
	}
	p := pool.New().WithContext(ctx).WithMaxGoroutines(opts.Parallelism)
	// Without a total, a listing ends only on an empty page: full pages + 1.
	pagesPerEnv := len(users)/opts.UsersPageSize + 1
	var fallback atomic.Bool
	if opts.perUser || len(restricted) <= len(envs)*pagesPerEnv {
		for _, u := range restricted {
			p.Go(func(ctx context.Context) error {
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
		isRestricted := make(map[string]bool, len(restricted))
		for _, u := range restricted {
			isRestricted[u.ID] = true
		}
		for _, e := range envs {
			p.Go(func(ctx context.Context) error {
				us, listing, err := api.ListUsers(ctx, &client.UserListOptions{SubAccountID: e.ID, PageSize: opts.UsersPageSize})
				if err != nil {
					return fmt.Errorf("list users of product environment %s: %w", e.CloudName, err)
				}
				if !listing.Complete {
					fallback.Store(true) // read per user instead, below
					return nil
				}
				for _, u := range us {
					if isRestricted[u.ID] {
						add(u.ID, cloudByID[e.ID])
					}
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
		opts.perUser = true
		return readAccess(ctx, api, opts, users, envs, cloudByID)
	}
	for id := range access {
		slices.Sort(access[id])
		access[id] = slices.Compact(access[id])
	}
	return access, nil
}
