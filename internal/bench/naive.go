package bench

import (
	"context"
	"fmt"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
)

// Naive reads a whole account the way a script over the official SDK
// would: one request at a time, one request per object, and no knowledge
// of the API's shortcuts. It returns how many requests it sent:
//
//   - the environments (one listing);
//   - the users, page after page at the default page size, until a page
//     is shorter than the first one; then each user's environments
//     (getSubAccountsForUser), whatever its access;
//   - the groups (one listing), then each group's members
//     (getUsersInUserGroup);
//   - with permissions: the roles (global, content), each custom role
//     (getRole), the custom policies of the account and of each
//     environment (cursor pages), and each user's and group's roles
//     (getPrincipalRoles, global and content).
//
// NaiveRequests predicts the count from the seed.
func Naive(ctx context.Context, c *client.Client, withPermissions bool) (int, error) {
	n := 0
	envs, err := c.ProductEnvironments.List(ctx, nil)
	n++
	if err != nil {
		return n, fmt.Errorf("list environments: %w", err)
	}
	var users []client.User
	first := 0
	for page := 1; ; page++ {
		us, err := c.Users.List(ctx, &client.UserListOptions{Page: page})
		n++
		if err != nil {
			return n, fmt.Errorf("list users page %d: %w", page, err)
		}
		users = append(users, us...)
		if page == 1 {
			first = len(us)
		}
		if len(us) == 0 || len(us) < first {
			break
		}
	}
	for _, u := range users {
		if _, err := c.Users.ListSubAccounts(ctx, u.ID); err != nil {
			return n, fmt.Errorf("environments of user %s: %w", u.Email, err)
		}
		n++
	}
	groups, err := c.UserGroups.List(ctx, nil)
	n++
	if err != nil {
		return n, fmt.Errorf("list groups: %w", err)
	}
	for _, g := range groups {
		if _, err := c.UserGroups.ListUsers(ctx, g.ID); err != nil {
			return n, fmt.Errorf("members of group %s: %w", g.Name, err)
		}
		n++
	}
	if !withPermissions {
		return n, nil
	}
	for _, pt := range []client.PermissionType{client.PermissionGlobal, client.PermissionContent} {
		roles, err := c.Roles.List(ctx, client.RoleListOptions{PermissionType: pt, ManagementType: client.ManagementCustom})
		n++
		if err != nil {
			return n, fmt.Errorf("list %s roles: %w", pt, err)
		}
		for _, r := range roles {
			if _, err := c.Roles.Get(ctx, r.ID, nil); err != nil {
				return n, fmt.Errorf("role %s: %w", r.ID, err)
			}
			n++
		}
	}
	scopes := []client.CustomPolicyListOptions{{ScopeType: client.ScopeAccount}}
	for _, e := range envs {
		scopes = append(scopes, client.CustomPolicyListOptions{ScopeType: client.ScopeProdEnv, ScopeID: e.ID})
	}
	for _, o := range scopes {
		for {
			page, err := c.CustomPolicies.List(ctx, &o)
			n++
			if err != nil {
				return n, fmt.Errorf("list custom policies: %w", err)
			}
			if page.NextCursor == "" {
				break
			}
			o.Cursor = page.NextCursor
		}
	}
	principals := make([]client.PrincipalRoleListOptions, 0, len(users)+len(groups))
	for _, u := range users {
		principals = append(principals, client.PrincipalRoleListOptions{PrincipalType: client.PrincipalUser, PrincipalID: u.ID})
	}
	for _, g := range groups {
		principals = append(principals, client.PrincipalRoleListOptions{PrincipalType: client.PrincipalGroup, PrincipalID: g.ID})
	}
	for _, p := range principals {
		for _, pt := range []client.PermissionType{client.PermissionGlobal, client.PermissionContent} {
			p.PermissionType = pt
			if _, err := c.Principals.ListRoles(ctx, p); err != nil {
				return n, fmt.Errorf("roles of %s %s: %w", p.PrincipalType, p.PrincipalID, err)
			}
			n++
		}
	}
	return n, nil
}

// NaiveRequests is how many requests Naive sends to an account seeded with
// s (plus the root user when root).
func NaiveRequests(s emulator.Seed, root, withPermissions bool) int {
	a := newAccount(s, root)
	u := len(a.users)
	n := 1 + u/emulator.UsersDefaultPageSize + 1 + u + 1 + a.groups
	if u > 0 && u < emulator.UsersDefaultPageSize {
		n++ // a short first page proves nothing: one more, empty
	}
	if !withPermissions {
		return n
	}
	n += 2 + a.roles
	for _, sc := range append([]string{""}, a.envs...) {
		k := 0
		for _, p := range a.policies {
			if (sc == "" && p.ScopeType == "account") || (sc != "" && p.ScopeType == "prodenv" && (p.Scope == sc || p.Scope == "all")) {
				k++
			}
		}
		n += cursorPages(k)
	}
	return n + 2*(u+a.groups)
}
