package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
)

// RolesService manages roles and, per role, their principals.
type RolesService service

// Role is RoleResponseData; Policies is filled by Get, Create and Update
// only (getRoles items carry no policies, NOTES P4).
type Role struct {
	ID               string              `json:"id"`
	Name             string              `json:"name"`
	Description      string              `json:"description,omitempty"`
	ManagementType   ManagementType      `json:"management_type"`
	PermissionType   PermissionType      `json:"permission_type"`
	ScopeType        ScopeType           `json:"scope_type"`
	PolicyParameters PolicyParameterKeys `json:"policy_parameters,omitempty"`
	Policies         []SystemPolicy      `json:"policies,omitempty"`
	CreatedAt        EpochTime           `json:"created_at"`
	UpdatedAt        EpochTime           `json:"updated_at"`
}

// RoleListOptions are getRoles' query parameters; PermissionType is
// required, so listing every role takes two calls.
type RoleListOptions struct {
	PermissionType PermissionType // required
	ScopeType      ScopeType
	ManagementType ManagementType
	// PolicyParameters is sent JSON-encoded (policy_parameters=["folder_id"]),
	// as the spec declares it with content application/json.
	PolicyParameters PolicyParameterKeys
}

// CreateRoleRequest is CreateRole. ID may be chosen by the client;
// PermissionType and ScopeType are immutable afterwards.
type CreateRoleRequest struct {
	ID              string         `json:"id,omitempty"`
	PermissionType  PermissionType `json:"permission_type"`
	ScopeType       ScopeType      `json:"scope_type"`
	Name            string         `json:"name"`
	Description     *string        `json:"description,omitempty"`
	SystemPolicyIDs []string       `json:"system_policy_ids,omitzero"`
}

// UpdateRoleRequest is UpdateRole, a full replace: send everything to keep.
type UpdateRoleRequest struct {
	Name            string   `json:"name"`
	Description     *string  `json:"description,omitempty"`
	SystemPolicyIDs []string `json:"system_policy_ids,omitzero"`
}

// RoleGetOptions are getRole's query parameters: a content instance to
// substitute into the policies' <folder_id>-style placeholders.
type RoleGetOptions struct {
	ContentFilter
}

// RoleDeleteOptions are deleteRole's query parameters.
type RoleDeleteOptions struct {
	// Force deletes the role even if principals hold it.
	Force bool
}

// List returns the roles (system and custom) of one permission type.
//
// operationId: getRoles — GET /v2/accounts/{account_id}/permissions/roles
func (s *RolesService) List(ctx context.Context, opts RoleListOptions) ([]Role, error) {
	if opts.PermissionType == "" {
		return nil, errors.New("getRoles: PermissionType is required")
	}
	q := query{}
	q.str("permission_type", string(opts.PermissionType))
	q.str("scope_type", string(opts.ScopeType))
	q.str("management_type", string(opts.ManagementType))
	if opts.PolicyParameters != nil {
		b, err := json.Marshal([]string(opts.PolicyParameters))
		if err != nil {
			return nil, err
		}
		q.str("policy_parameters", string(b))
	}
	var out struct {
		Data []Role `json:"data"`
	}
	if err := s.client.call(ctx, request{op: "getRoles", query: url.Values(q)}, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// Create creates a custom role (201, {data: ...} unwrapped).
//
// operationId: createRole — POST /v2/accounts/{account_id}/permissions/roles
func (s *RolesService) Create(ctx context.Context, body CreateRoleRequest) (*Role, error) {
	var out struct {
		Data Role `json:"data"`
	}
	if err := s.client.call(ctx, request{op: "createRole", body: body}, &out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}

// Get returns one role with its policies.
//
// operationId: getRole — GET /v2/accounts/{account_id}/permissions/roles/{role_id}
func (s *RolesService) Get(ctx context.Context, roleID string, opts *RoleGetOptions) (*Role, error) {
	q := query{}
	if opts != nil {
		opts.encode(q)
	}
	var out struct {
		Data Role `json:"data"`
	}
	if err := s.client.call(ctx, request{op: "getRole", ids: []string{roleID}, query: url.Values(q)}, &out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}

// Update replaces a custom role's name, description and policies.
//
// operationId: updateRole — PUT /v2/accounts/{account_id}/permissions/roles/{role_id}
func (s *RolesService) Update(ctx context.Context, roleID string, body UpdateRoleRequest) (*Role, error) {
	var out struct {
		Data Role `json:"data"`
	}
	if err := s.client.call(ctx, request{op: "updateRole", ids: []string{roleID}, body: body}, &out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}

// Delete deletes a custom role (204). Without Force the server refuses a
// role that principals hold.
//
// operationId: deleteRole — DELETE /v2/accounts/{account_id}/permissions/roles/{role_id}
func (s *RolesService) Delete(ctx context.Context, roleID string, opts *RoleDeleteOptions) error {
	q := query{}
	if opts != nil {
		q.flag("force", opts.Force)
	}
	return s.client.call(ctx, request{op: "deleteRole", ids: []string{roleID}, query: url.Values(q)}, nil)
}

// RolePrincipal is PrincipalResponseData: one assignment of the role. Note
// the type/id naming (NOTES P6). Without Verbose only ID and Type are set.
type RolePrincipal struct {
	ID               string           `json:"id"`
	Type             PrincipalType    `json:"type"`
	RoleID           string           `json:"role_id,omitempty"`
	PolicyParameters PolicyParameters `json:"policy_parameters,omitempty"`
	ScopeType        ScopeType        `json:"scope_type,omitempty"`
	ScopeID          string           `json:"scope_id,omitempty"`
	CreatedAt        EpochTime        `json:"created_at"`
	UpdatedAt        EpochTime        `json:"updated_at"`
}

// RolePrincipalListOptions are getRolePrincipals' query parameters.
type RolePrincipalListOptions struct {
	ScopeType ScopeType
	ScopeID   string
	Verbose   bool
	ContentFilter
}

// ListPrincipals returns the principals holding a role, one entry per
// assignment (scope, policy parameters); not paginated.
//
// operationId: getRolePrincipals — GET /v2/accounts/{account_id}/permissions/roles/{role_id}/principals
func (s *RolesService) ListPrincipals(ctx context.Context, roleID string, opts *RolePrincipalListOptions) ([]RolePrincipal, error) {
	q := query{}
	if opts != nil {
		q.str("scope_type", string(opts.ScopeType))
		q.str("scope_id", opts.ScopeID)
		q.flag("verbose", opts.Verbose)
		opts.encode(q)
	}
	return callFast(ctx, s.client, request{op: "getRolePrincipals", ids: []string{roleID}, query: url.Values(q)}, decodePrincipals,
		func(out struct {
			Data []RolePrincipal `json:"data"`
		}) []RolePrincipal {
			return out.Data
		})
}

// RolePrincipalChange is UpdateRolePrincipal: note the
// principal_type/principal_id naming (NOTES P6).
type RolePrincipalChange struct {
	PrincipalType    PrincipalType    `json:"principal_type"`
	PrincipalID      string           `json:"principal_id"`
	ScopeID          string           `json:"scope_id,omitempty"` // prodenv id or "all"; empty for account roles
	PolicyParameters PolicyParameters `json:"policy_parameters,omitzero"`
}

// UpdateRolePrincipalsRequest is UpdateRolePrincipalsRequest. There is no
// "set": compute add and remove sets.
type UpdateRolePrincipalsRequest struct {
	Operation  Operation             `json:"operation"`
	Principals []RolePrincipalChange `json:"principals"`
}

// UpdatePrincipals adds principals to, or removes them from, a role. The
// API answers 200 with no body.
//
// operationId: updateRolePrincipals — PUT /v2/accounts/{account_id}/permissions/roles/{role_id}/principals
func (s *RolesService) UpdatePrincipals(ctx context.Context, roleID string, body UpdateRolePrincipalsRequest) error {
	return s.client.call(ctx, request{op: "updateRolePrincipals", ids: []string{roleID}, body: body}, nil)
}
