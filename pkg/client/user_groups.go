package client

import (
	"context"
	"net/url"
)

// UserGroupsService manages user groups and their memberships.
type UserGroupsService service

// UserGroup is the spec's UserGroup. Users, CreatedAt and UpdatedAt are
// only returned with extended details.
type UserGroup struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Users     []UserGroupUser `json:"users,omitempty"`
	CreatedAt Timestamp       `json:"created_at"`
	UpdatedAt Timestamp       `json:"updated_at"`
}

// UserGroupUser is the spec's UserGroupUser, a group member.
type UserGroupUser struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// UserGroupListOptions are getUserGroups' and getUserGroup's query
// parameters.
type UserGroupListOptions struct {
	// ExtendedDetails adds each group's members and timestamps: the whole
	// membership graph in one request.
	ExtendedDetails bool
}

func (o *UserGroupListOptions) values() url.Values {
	q := query{}
	if o != nil {
		q.flag("extended_details", o.ExtendedDetails)
	}
	return url.Values(q)
}

// UserGroupRequest is the body of createUserGroup and updateUserGroup. The
// spec's UserGroupRequest also lists extended_details, a response flag
// that leaked into the body (changelog 0.1.2); it is deliberately absent.
type UserGroupRequest struct {
	Name string `json:"name"`
}

// List returns every user group; not paginated.
//
// operationId: getUserGroups — GET /v1_1/provisioning/accounts/{account_id}/user_groups
func (s *UserGroupsService) List(ctx context.Context, opts *UserGroupListOptions) ([]UserGroup, error) {
	var out struct {
		UserGroups []UserGroup `json:"user_groups"`
	}
	if err := s.client.call(ctx, request{op: "getUserGroups", query: opts.values()}, &out); err != nil {
		return nil, err
	}
	return out.UserGroups, nil
}

// Create creates a user group.
//
// operationId: createUserGroup — POST /v1_1/provisioning/accounts/{account_id}/user_groups
func (s *UserGroupsService) Create(ctx context.Context, body UserGroupRequest) (*UserGroup, error) {
	var out UserGroup
	if err := s.client.call(ctx, request{op: "createUserGroup", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns one user group.
//
// operationId: getUserGroup — GET /v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}
func (s *UserGroupsService) Get(ctx context.Context, groupID string, opts *UserGroupListOptions) (*UserGroup, error) {
	var out UserGroup
	if err := s.client.call(ctx, request{op: "getUserGroup", ids: []string{groupID}, query: opts.values()}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update renames a user group.
//
// operationId: updateUserGroup — PUT /v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}
func (s *UserGroupsService) Update(ctx context.Context, groupID string, body UserGroupRequest) (*UserGroup, error) {
	var out UserGroup
	if err := s.client.call(ctx, request{op: "updateUserGroup", ids: []string{groupID}, body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes a user group.
//
// operationId: deleteUserGroup — DELETE /v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}
func (s *UserGroupsService) Delete(ctx context.Context, groupID string) error {
	return s.client.call(ctx, request{op: "deleteUserGroup", ids: []string{groupID}}, &successResponse{})
}

// ListUsers returns a group's members.
//
// operationId: getUsersInUserGroup — GET /v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}/users
func (s *UserGroupsService) ListUsers(ctx context.Context, groupID string) ([]UserGroupUser, error) {
	var out struct {
		Users []UserGroupUser `json:"users"`
	}
	if err := s.client.call(ctx, request{op: "getUsersInUserGroup", ids: []string{groupID}}, &out); err != nil {
		return nil, err
	}
	return out.Users, nil
}

// AddUser adds a user to a group (no body) and returns the member. A 409
// probably means "already a member".
//
// operationId: addUserToUserGroup — POST /v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}/users/{user_id}
func (s *UserGroupsService) AddUser(ctx context.Context, groupID, userID string) (*UserGroupUser, error) {
	var out UserGroupUser
	if err := s.client.call(ctx, request{op: "addUserToUserGroup", ids: []string{groupID, userID}}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveUser removes a user from a group and returns the remaining members.
//
// operationId: removeUserFromUserGroup — DELETE /v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}/users/{user_id}
func (s *UserGroupsService) RemoveUser(ctx context.Context, groupID, userID string) ([]UserGroupUser, error) {
	var out struct {
		Users []UserGroupUser `json:"users"`
	}
	if err := s.client.call(ctx, request{op: "removeUserFromUserGroup", ids: []string{groupID, userID}}, &out); err != nil {
		return nil, err
	}
	return out.Users, nil
}
