package client

import (
	"context"
	"errors"
	"iter"
	"net/url"
)

// PrincipalsService reads and changes the roles held by principals.
type PrincipalsService service

// AssignedRole is PrincipalRolesData: a role as held by a principal, with
// the scope and content instance of that assignment.
type AssignedRole struct {
	ID               string           `json:"id"`
	Name             string           `json:"name"`
	Description      string           `json:"description,omitempty"`
	ManagementType   ManagementType   `json:"management_type"`
	PermissionType   PermissionType   `json:"permission_type"`
	ScopeType        ScopeType        `json:"scope_type"`
	ScopeID          string           `json:"scope_id,omitempty"` // prodenv id or "all"
	PolicyParameters PolicyParameters `json:"policy_parameters,omitempty"`
	CreatedAt        EpochTime        `json:"created_at"`
	UpdatedAt        EpochTime        `json:"updated_at"`
}

// PrincipalRoles is PrincipalRolesInspectData: a principal and its roles.
type PrincipalRoles struct {
	Type  PrincipalType  `json:"type"`
	ID    string         `json:"id"`
	Roles []AssignedRole `json:"roles"`
}

// PrincipalRoleListOptions are getPrincipalRoles' query parameters; the
// first three are required.
type PrincipalRoleListOptions struct {
	PrincipalType  PrincipalType  // required
	PrincipalID    string         // required
	PermissionType PermissionType // required
	ManagementType ManagementType
	ScopeType      ScopeType
	ScopeID        string
	ContentFilter
}

// ListRoles returns the roles of one principal and permission type.
//
// operationId: getPrincipalRoles — GET /v2/accounts/{account_id}/permissions/principal_roles
func (s *PrincipalsService) ListRoles(ctx context.Context, opts PrincipalRoleListOptions) ([]AssignedRole, error) {
	if opts.PrincipalType == "" || opts.PrincipalID == "" || opts.PermissionType == "" {
		return nil, errors.New("getPrincipalRoles: PrincipalType, PrincipalID and PermissionType are required")
	}
	q := query{}
	q.str("principal_type", string(opts.PrincipalType))
	q.str("principal_id", opts.PrincipalID)
	q.str("permission_type", string(opts.PermissionType))
	q.str("management_type", string(opts.ManagementType))
	q.str("scope_type", string(opts.ScopeType))
	q.str("scope_id", opts.ScopeID)
	opts.encode(q)
	var out struct {
		Data []AssignedRole `json:"data"`
	}
	if err := s.client.call(ctx, request{op: "getPrincipalRoles", query: url.Values(q)}, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// RoleToManage is the spec's RoleToManage, one role of an
// UpdatePrincipalRolesRequest.
type RoleToManage struct {
	ID               string           `json:"id"`
	ScopeID          string           `json:"scope_id,omitempty"` // prodenv id or "all"; empty for account roles
	PolicyParameters PolicyParameters `json:"policy_parameters,omitzero"`
}

// UpdatePrincipalRolesRequest is UpdatePrincipalRolesRequest (principal,
// singular). There is no "set": compute add and remove sets.
type UpdatePrincipalRolesRequest struct {
	Operation Operation      `json:"operation"`
	Principal Principal      `json:"principal"`
	Roles     []RoleToManage `json:"roles"`
}

// UpdateRoles adds roles to, or removes them from, one principal. The API
// answers 200 with no body.
//
// operationId: updatePrincipalRoles — PUT /v2/accounts/{account_id}/permissions/principal_roles
func (s *PrincipalsService) UpdateRoles(ctx context.Context, body UpdatePrincipalRolesRequest) error {
	return s.client.call(ctx, request{op: "updatePrincipalRoles", body: body}, nil)
}

// InspectOptions are inspect's query parameters; ScopeType is required.
type InspectOptions struct {
	ScopeType     ScopeType // required
	ScopeID       string
	PrincipalType PrincipalType
	PrincipalID   string
	ContentFilter
	Cursor string
}

// InspectPage is one page of PrincipalRolesInspectResponse.
type InspectPage struct {
	Principals []PrincipalRoles
	NextCursor string
}

type inspectResponse struct {
	Data struct {
		Principals []PrincipalRoles `json:"principals"`
	} `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// Inspect returns one page of the principals holding roles in a scope,
// each with its roles.
//
// operationId: inspect — GET /v2/accounts/{account_id}/permissions/principal_roles/inspect
func (s *PrincipalsService) Inspect(ctx context.Context, opts InspectOptions) (*InspectPage, error) {
	if opts.ScopeType == "" {
		return nil, errors.New("inspect: ScopeType is required")
	}
	q := query{}
	q.str("scope_type", string(opts.ScopeType))
	q.str("scope_id", opts.ScopeID)
	q.str("principal_type", string(opts.PrincipalType))
	q.str("principal_id", opts.PrincipalID)
	opts.encode(q)
	q.str("cursor", opts.Cursor)
	var out inspectResponse
	if err := s.client.call(ctx, request{op: "inspect", query: url.Values(q)}, &out); err != nil {
		return nil, err
	}
	return &InspectPage{Principals: out.Data.Principals, NextCursor: out.NextCursor}, nil
}

// InspectIter yields every principal of Inspect, following next_cursor. A
// cursor or page seen twice ends the walk with an error wrapping
// ErrIncomplete.
//
// operationId: inspect — GET /v2/accounts/{account_id}/permissions/principal_roles/inspect
func (s *PrincipalsService) InspectIter(ctx context.Context, opts InspectOptions) iter.Seq2[PrincipalRoles, error] {
	return cursorSeq(ctx, opts.Cursor, func(ctx context.Context, cursor string) ([]PrincipalRoles, string, error) {
		opts.Cursor = cursor
		p, err := s.Inspect(ctx, opts)
		if err != nil {
			return nil, "", err
		}
		return p.Principals, p.NextCursor, nil
	}, principalKey)
}

func principalKey(p PrincipalRoles) string { return string(p.Type) + "\x00" + p.ID }

// InspectMultipleRequest is InspectRequest: only the listed principals are
// evaluated.
type InspectMultipleRequest struct {
	ScopeType        ScopeType        `json:"scope_type"`
	ScopeID          string           `json:"scope_id,omitempty"`
	Principals       []Principal      `json:"principals"`
	PolicyParameters PolicyParameters `json:"policy_parameters,omitzero"`
	Cursor           string           `json:"cursor,omitempty"`
}

// InspectMultiple returns one page of the roles of the given principals.
// It is a read-only POST, and retried as a read.
//
// operationId: inspectMultiple — POST /v2/accounts/{account_id}/permissions/principal_roles/inspect
func (s *PrincipalsService) InspectMultiple(ctx context.Context, body InspectMultipleRequest) (*InspectPage, error) {
	if body.Principals == nil {
		body.Principals = []Principal{} // required by the schema
	}
	var out inspectResponse
	if err := s.client.call(ctx, request{op: "inspectMultiple", body: body}, &out); err != nil {
		return nil, err
	}
	return &InspectPage{Principals: out.Data.Principals, NextCursor: out.NextCursor}, nil
}

// InspectMultipleIter yields every principal of InspectMultiple, following
// next_cursor through the body's cursor.
//
// operationId: inspectMultiple — POST /v2/accounts/{account_id}/permissions/principal_roles/inspect
func (s *PrincipalsService) InspectMultipleIter(ctx context.Context, body InspectMultipleRequest) iter.Seq2[PrincipalRoles, error] {
	return cursorSeq(ctx, body.Cursor, func(ctx context.Context, cursor string) ([]PrincipalRoles, string, error) {
		body.Cursor = cursor
		p, err := s.InspectMultiple(ctx, body)
		if err != nil {
			return nil, "", err
		}
		return p.Principals, p.NextCursor, nil
	}, principalKey)
}
