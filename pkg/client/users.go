package client

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"
)

// UsersService manages the account's users.
type UsersService service

// User is the spec's User. Since spec 0.2.0 it carries no access list: use
// ListSubAccounts and ListGroups (NOTES P3).
type User struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	FirstName        string         `json:"first_name,omitempty"`
	LastName         string         `json:"last_name,omitempty"`
	Email            string         `json:"email"`
	Role             string         `json:"role"` // a plain string in responses
	TechnicalRole    string         `json:"technical_role,omitempty"`
	Root             bool           `json:"root,omitempty"`
	Pending          bool           `json:"pending"`
	Enabled          bool           `json:"enabled"`
	Status           string         `json:"status,omitempty"`
	TwoFactor        bool           `json:"two_factor,omitempty"`
	Providers        []string       `json:"providers,omitempty"`
	EmailPreferences map[string]any `json:"email_preferences,omitempty"`
	AccountID        string         `json:"account_id,omitempty"`
	AllSubAccounts   bool           `json:"all_sub_accounts"`
	GroupCount       int            `json:"group_count,omitempty"`
	SubAccountCount  int            `json:"sub_account_count,omitempty"`
	CreatedAt        Timestamp      `json:"created_at"`
	UpdatedAt        Timestamp      `json:"updated_at"`
	LastLogin        Timestamp      `json:"last_login"`
	// SubAccountIDs is not in the spec's User (removed in 0.2.0), but the
	// live service has answered it, listing a restricted user's product
	// environments (docs/live-api.md, user-sub-account-ids). Nil when the
	// answer leaves it out: use ListSubAccounts then.
	SubAccountIDs []string `json:"sub_account_ids,omitempty"`
}

// UserRole is UserRequest.role, the legacy account role (NOTES P19).
type UserRole string

// UserRole values.
const (
	RoleMasterAdmin       UserRole = "master_admin"
	RoleAdmin             UserRole = "admin"
	RoleBilling           UserRole = "billing"
	RoleTechnicalAdmin    UserRole = "technical_admin"
	RoleReports           UserRole = "reports"
	RoleMediaLibraryAdmin UserRole = "media_library_admin"
	RoleMediaLibraryUser  UserRole = "media_library_user"
)

// CreateUserRequest is createUser's body (UserRequest with name and email
// required). Omitting SubAccountIDs grants every product environment;
// an empty non-nil slice sends [].
type CreateUserRequest struct {
	Name          string   `json:"name"`
	Email         string   `json:"email"`
	Role          UserRole `json:"role,omitempty"`
	SubAccountIDs []string `json:"sub_account_ids,omitzero"`
	Enabled       *bool    `json:"enabled,omitempty"`
}

// UpdateUserRequest is updateUser's body (UserRequest). Nil fields are not
// sent; SubAccountIDs nil is not sent, empty sends []. Whether an omitted
// field is kept or reset is unspecified (NOTES P1): send all managed ones.
type UpdateUserRequest struct {
	Name          *string   `json:"name,omitempty"`
	Email         *string   `json:"email,omitempty"`
	Role          *UserRole `json:"role,omitempty"`
	SubAccountIDs []string  `json:"sub_account_ids,omitzero"`
	Enabled       *bool     `json:"enabled,omitempty"`
}

// UserListOptions are getUsers' query parameters. IDs and Emails take at
// most 100 values (ListByIDs/ListByEmails chunk) and make the server ignore
// every other parameter, paging included.
type UserListOptions struct {
	Pending      *bool // nil: all users
	IDs          []string
	Emails       []string
	Prefix       string
	SubAccountID string // only users with access to this product environment
	LastLogin    *bool
	From, To     string // yyyy-mm-dd
	UnionType    string // include or exclude
	SortOrder    SortOrder
	SortBy       string // name, role, status, activity, created_at
	Page         int    // 1-based
	PageSize     int
}

func (o *UserListOptions) values() (url.Values, error) {
	q := query{}
	if o == nil {
		return url.Values(q), nil
	}
	if err := checkFilterLen("ids", o.IDs); err != nil {
		return nil, err
	}
	if err := checkFilterLen("emails", o.Emails); err != nil {
		return nil, err
	}
	q.boolp("pending", o.Pending)
	q.strs("ids", o.IDs)
	q.strs("emails", o.Emails)
	q.str("prefix", o.Prefix)
	q.str("sub_account_id", o.SubAccountID)
	q.boolp("last_login", o.LastLogin)
	q.str("from", o.From)
	q.str("to", o.To)
	q.str("union_type", o.UnionType)
	q.str("sort_order", string(o.SortOrder))
	q.str("sort_by", o.SortBy)
	q.num("page", o.Page)
	q.num("page_size", o.PageSize)
	return url.Values(q), nil
}

// List returns one page of users. A page shorter than PageSize does not
// prove the end: the server caps the page size at an undocumented value.
// Use ListAll or ListIter to read everything.
//
// operationId: getUsers — GET /v1_1/provisioning/accounts/{account_id}/users
func (s *UsersService) List(ctx context.Context, opts *UserListOptions) ([]User, error) {
	return listUsers[User](ctx, s.client, opts)
}

// listUsers reads one page of users, decoding each into T.
func listUsers[T any](ctx context.Context, c *Client, opts *UserListOptions) ([]T, error) {
	q, err := opts.values()
	if err != nil {
		return nil, err
	}
	var out struct {
		Users []T `json:"users"`
	}
	if err := c.call(ctx, request{op: "getUsers", query: q}, &out); err != nil {
		return nil, err
	}
	return out.Users, nil
}

// UserSummary is the part of a User that reading a whole account needs:
// who the user is, its role and state, and how much access it has. Its
// fields decode as User's do.
type UserSummary struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Email           string    `json:"email"`
	Role            string    `json:"role"`
	Root            bool      `json:"root,omitempty"`
	Pending         bool      `json:"pending"`
	Enabled         bool      `json:"enabled"`
	AllSubAccounts  bool      `json:"all_sub_accounts"`
	SubAccountCount int       `json:"sub_account_count,omitempty"`
	CreatedAt       Timestamp `json:"created_at"`
}

// ListSummaries is List keeping only each user's UserSummary. The other
// fields are skipped, not decoded (fastdecode.go): a page of a large
// account's listing costs a fifth of List's decode and a third of its
// memory (no names' parts, providers, preferences or other timestamps),
// and so does every page held until the listing is complete. A value of
// a skipped field is not checked beyond being JSON.
//
// operationId: getUsers — GET /v1_1/provisioning/accounts/{account_id}/users
func (s *UsersService) ListSummaries(ctx context.Context, opts *UserListOptions) ([]UserSummary, error) {
	q, err := opts.values()
	if err != nil {
		return nil, err
	}
	return callFast(ctx, s.client, request{op: "getUsers", query: q}, decodeSummaries,
		func(out struct {
			Users []UserSummary `json:"users"`
		}) []UserSummary {
			return out.Users
		})
}

// ListAll reads every page of users matching opts and says whether the
// listing is provably complete. It pages from opts.Page (default 1) until
// a page is empty. If a page repeats the previous one (the server ignoring
// page), it stops with Complete false and a Reason: never delete what an
// incomplete listing lacks. Users seen twice (shifted by a concurrent
// insert) are returned once.
//
// operationId: getUsers — GET /v1_1/provisioning/accounts/{account_id}/users
func (s *UsersService) ListAll(ctx context.Context, opts *UserListOptions) ([]User, Listing, error) {
	var out []User
	l, err := s.walk(ctx, opts, func(u User) bool { out = append(out, u); return true })
	if err != nil {
		return nil, l, err
	}
	return out, l, nil
}

// ListIter yields every user matching opts, as ListAll reads them. If the
// listing cannot be proven complete, the last pair carries an error
// wrapping ErrIncomplete.
//
// operationId: getUsers — GET /v1_1/provisioning/accounts/{account_id}/users
func (s *UsersService) ListIter(ctx context.Context, opts *UserListOptions) iter.Seq2[User, error] {
	return func(yield func(User, error) bool) {
		stopped := false
		l, err := s.walk(ctx, opts, func(u User) bool {
			if !yield(u, nil) {
				stopped = true
				return false
			}
			return true
		})
		switch {
		case stopped:
		case err != nil:
			yield(User{}, err)
		case !l.Complete:
			yield(User{}, fmt.Errorf("list users: %w: %s", ErrIncomplete, l.Reason))
		}
	}
}

func (s *UsersService) walk(ctx context.Context, opts *UserListOptions, emit func(User) bool) (Listing, error) {
	o := UserListOptions{}
	if opts != nil {
		o = *opts
	}
	var l Listing
	if len(o.IDs) > 0 || len(o.Emails) > 0 {
		// The server ignores page with these filters: one request is all.
		users, err := s.List(ctx, &o)
		l.Pages = 1
		if err != nil {
			return l, err
		}
		for _, u := range users {
			if !emit(u) {
				l.Reason = "stopped by the caller"
				return l, nil
			}
		}
		l.Complete = true
		return l, nil
	}
	if o.Page == 0 {
		o.Page = 1
	}
	seen := map[string]bool{}
	var prev []string
	for ; ; o.Page++ {
		if l.Pages >= maxPages {
			l.Reason = fmt.Sprintf("gave up after %d pages", l.Pages)
			return l, nil
		}
		users, err := s.List(ctx, &o)
		l.Pages++
		if err != nil {
			return l, fmt.Errorf("list users page %d: %w", o.Page, err)
		}
		if len(users) == 0 {
			l.Complete = true
			return l, nil
		}
		ids := make([]string, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		if slices.Equal(ids, prev) {
			l.Reason = fmt.Sprintf("page %d repeated page %d: the server may be ignoring page", o.Page, o.Page-1)
			return l, nil
		}
		prev = ids
		for _, u := range users {
			if seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			if !emit(u) {
				l.Reason = "stopped by the caller"
				return l, nil
			}
		}
	}
}

// ListByEmails returns the users with these emails, in requests of at most
// 100 emails each. Emails without a user are simply absent; each user is
// returned once.
//
// operationId: getUsers — GET /v1_1/provisioning/accounts/{account_id}/users
func (s *UsersService) ListByEmails(ctx context.Context, emails []string) ([]User, error) {
	return s.listChunked(ctx, emails, func(c []string) *UserListOptions { return &UserListOptions{Emails: c} })
}

// ListByIDs returns the users with these ids, in requests of at most 100.
//
// operationId: getUsers — GET /v1_1/provisioning/accounts/{account_id}/users
func (s *UsersService) ListByIDs(ctx context.Context, ids []string) ([]User, error) {
	return s.listChunked(ctx, ids, func(c []string) *UserListOptions { return &UserListOptions{IDs: c} })
}

func (s *UsersService) listChunked(ctx context.Context, vals []string, opts func([]string) *UserListOptions) ([]User, error) {
	var out []User
	seen := map[string]bool{}
	for _, c := range chunks(vals, maxFilterValues) {
		page, err := s.List(ctx, opts(c))
		if err != nil {
			return nil, err
		}
		for _, u := range page {
			if !seen[u.ID] {
				seen[u.ID] = true
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// Create creates (invites) a user. The API answers 200 with the user.
//
// operationId: createUser — POST /v1_1/provisioning/accounts/{account_id}/users
func (s *UsersService) Create(ctx context.Context, body CreateUserRequest) (*User, error) {
	var out User
	if err := s.client.call(ctx, request{op: "createUser", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns one user.
//
// operationId: getUser — GET /v1_1/provisioning/accounts/{account_id}/users/{user_id}
func (s *UsersService) Get(ctx context.Context, userID string) (*User, error) {
	var out User
	if err := s.client.call(ctx, request{op: "getUser", ids: []string{userID}}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update changes a user.
//
// operationId: updateUser — PUT /v1_1/provisioning/accounts/{account_id}/users/{user_id}
func (s *UsersService) Update(ctx context.Context, userID string, body UpdateUserRequest) (*User, error) {
	var out User
	if err := s.client.call(ctx, request{op: "updateUser", ids: []string{userID}, body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes a user.
//
// operationId: deleteUser — DELETE /v1_1/provisioning/accounts/{account_id}/users/{user_id}
func (s *UsersService) Delete(ctx context.Context, userID string) error {
	return s.client.call(ctx, request{op: "deleteUser", ids: []string{userID}}, &successResponse{})
}

// UserGroupSummary is the spec's UserGroupSummary.
type UserGroupSummary struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ListGroups returns the groups a user belongs to.
//
// operationId: getGroupsForUser — GET /v1_1/provisioning/accounts/{account_id}/users/{user_id}/groups
func (s *UsersService) ListGroups(ctx context.Context, userID string) ([]UserGroupSummary, error) {
	var out struct {
		Groups []UserGroupSummary `json:"groups"`
	}
	if err := s.client.call(ctx, request{op: "getGroupsForUser", ids: []string{userID}}, &out); err != nil {
		return nil, err
	}
	return out.Groups, nil
}

// SubAccountSummary is the spec's SubAccountSummary.
type SubAccountSummary struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	CloudName   string `json:"cloud_name"`
	Enabled     bool   `json:"enabled"`
}

// ListSubAccounts returns the product environments a user can access.
//
// operationId: getSubAccountsForUser — GET /v1_1/provisioning/accounts/{account_id}/users/{user_id}/sub_accounts
func (s *UsersService) ListSubAccounts(ctx context.Context, userID string) ([]SubAccountSummary, error) {
	var out struct {
		SubAccounts []SubAccountSummary `json:"sub_accounts"`
	}
	if err := s.client.call(ctx, request{op: "getSubAccountsForUser", ids: []string{userID}}, &out); err != nil {
		return nil, err
	}
	return out.SubAccounts, nil
}
