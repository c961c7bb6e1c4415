package client

import (
	"context"
	"iter"
	"net/url"
)

// SystemPoliciesService reads Cloudinary's predefined policies.
type SystemPoliciesService service

// SystemPolicy is SystemPolicyResponseData (also the policies of a Role).
type SystemPolicy struct {
	ID               string              `json:"id"`
	Name             string              `json:"name"`
	Description      string              `json:"description,omitempty"`
	ScopeType        ScopeType           `json:"scope_type"`
	PermissionType   PermissionType      `json:"permission_type,omitempty"`
	PolicyStatement  string              `json:"policy_statement"`
	PolicyParameters PolicyParameterKeys `json:"policy_parameters,omitempty"`
	Category         string              `json:"category,omitempty"`
	SubCategory      string              `json:"sub_category,omitempty"`
	CreatedAt        EpochTime           `json:"created_at"`
	UpdatedAt        EpochTime           `json:"updated_at"`
}

// SystemPolicyListOptions are getSystemPolicies' query parameters. Without
// ScopeType prodenv the server returns account-level policies only.
type SystemPolicyListOptions struct {
	PermissionType PermissionType
	ScopeType      ScopeType
	// Cursor is not a parameter in the spec, although the response carries
	// next_cursor (NOTES P9). It is sent only when set.
	Cursor string
}

// SystemPolicyPage is one page of SystemPoliciesResponse.
type SystemPolicyPage struct {
	Policies   []SystemPolicy
	NextCursor string
}

// List returns one page of system policies.
//
// operationId: getSystemPolicies — GET /v2/accounts/{account_id}/permissions/policies/system
func (s *SystemPoliciesService) List(ctx context.Context, opts *SystemPolicyListOptions) (*SystemPolicyPage, error) {
	q := query{}
	if opts != nil {
		q.str("permission_type", string(opts.PermissionType))
		q.str("scope_type", string(opts.ScopeType))
		q.str("cursor", opts.Cursor)
	}
	var out struct {
		Data       []SystemPolicy `json:"data"`
		NextCursor string         `json:"next_cursor"`
	}
	if err := s.client.call(ctx, request{op: "getSystemPolicies", query: url.Values(q)}, &out); err != nil {
		return nil, err
	}
	return &SystemPolicyPage{Policies: out.Data, NextCursor: out.NextCursor}, nil
}

// ListIter yields every system policy, following next_cursor by sending it
// as cursor. If the server ignores the cursor (a page repeats), the walk
// ends with an error wrapping ErrIncomplete; the public catalog
// (Public.GetCatalog) is the fallback.
//
// operationId: getSystemPolicies — GET /v2/accounts/{account_id}/permissions/policies/system
func (s *SystemPoliciesService) ListIter(ctx context.Context, opts *SystemPolicyListOptions) iter.Seq2[SystemPolicy, error] {
	o := SystemPolicyListOptions{}
	if opts != nil {
		o = *opts
	}
	return cursorSeq(ctx, o.Cursor, func(ctx context.Context, cursor string) ([]SystemPolicy, string, error) {
		o.Cursor = cursor
		p, err := s.List(ctx, &o)
		if err != nil {
			return nil, "", err
		}
		return p.Policies, p.NextCursor, nil
	}, func(p SystemPolicy) string { return p.ID })
}
