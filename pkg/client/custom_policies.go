package client

import (
	"context"
	"iter"
	"net/url"
)

// CustomPoliciesService manages custom Cedar policies.
type CustomPoliciesService service

// CustomPolicy is CustomPolicyResponseData.
type CustomPolicy struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Description     string    `json:"description,omitempty"`
	PolicyStatement string    `json:"policy_statement"`
	ScopeType       ScopeType `json:"scope_type"`
	ScopeID         string    `json:"scope_id,omitempty"` // prodenv id or "all"; empty for account scope
	Enabled         bool      `json:"enabled"`
	CreatedAt       EpochTime `json:"created_at"`
	UpdatedAt       EpochTime `json:"updated_at"`
}

// CreateCustomPolicyRequest is CreateCustomPolicy. ScopeID is required for
// prodenv scope and may be "all". The server answers 409 if the same
// statement already exists in the scope (NOTES P2).
type CreateCustomPolicyRequest struct {
	Name            string    `json:"name"`
	PolicyStatement string    `json:"policy_statement"`
	ScopeType       ScopeType `json:"scope_type"`
	ScopeID         string    `json:"scope_id,omitempty"`
	Description     *string   `json:"description,omitempty"`
	Enabled         *bool     `json:"enabled,omitempty"` // server default: true
}

// UpdateCustomPolicyRequest is UpdateCustomPolicy, a full replace: name,
// policy_statement, scope_type and enabled are required and always sent. An
// unchanged policy_statement makes the server answer 409 (NOTES P2).
type UpdateCustomPolicyRequest struct {
	Name            string    `json:"name"`
	PolicyStatement string    `json:"policy_statement"`
	ScopeType       ScopeType `json:"scope_type"`
	ScopeID         *string   `json:"scope_id,omitempty"`
	Description     *string   `json:"description,omitempty"`
	Enabled         bool      `json:"enabled"`
}

// CustomPolicyListOptions are getCustomPolicies' query parameters. Without
// ScopeType prodenv (and a ScopeID) the account-level policies come back.
type CustomPolicyListOptions struct {
	ScopeType ScopeType
	ScopeID   string
	Enabled   *bool
	Cursor    string
}

// CustomPolicyPage is one page of CustomPoliciesResponse.
type CustomPolicyPage struct {
	Policies   []CustomPolicy
	NextCursor string
}

// List returns one page of custom policies.
//
// operationId: getCustomPolicies — GET /v2/accounts/{account_id}/permissions/policies/custom
func (s *CustomPoliciesService) List(ctx context.Context, opts *CustomPolicyListOptions) (*CustomPolicyPage, error) {
	q := query{}
	if opts != nil {
		q.str("scope_type", string(opts.ScopeType))
		q.str("scope_id", opts.ScopeID)
		q.boolp("enabled", opts.Enabled)
		q.str("cursor", opts.Cursor)
	}
	fast := func(raw []byte) (*CustomPolicyPage, bool) {
		pols, next, ok := decodePolicies(raw)
		return &CustomPolicyPage{Policies: pols, NextCursor: next}, ok
	}
	return callFast(ctx, s.client, request{op: "getCustomPolicies", query: url.Values(q)}, fast,
		func(out struct {
			Data       []CustomPolicy `json:"data"`
			NextCursor string         `json:"next_cursor"`
		}) *CustomPolicyPage {
			return &CustomPolicyPage{Policies: out.Data, NextCursor: out.NextCursor}
		})
}

// ListIter yields every custom policy matching opts, following
// next_cursor. A cursor or page seen twice ends the walk with an error
// wrapping ErrIncomplete.
//
// operationId: getCustomPolicies — GET /v2/accounts/{account_id}/permissions/policies/custom
func (s *CustomPoliciesService) ListIter(ctx context.Context, opts *CustomPolicyListOptions) iter.Seq2[CustomPolicy, error] {
	o := CustomPolicyListOptions{}
	if opts != nil {
		o = *opts
	}
	return cursorSeq(ctx, o.Cursor, func(ctx context.Context, cursor string) ([]CustomPolicy, string, error) {
		o.Cursor = cursor
		p, err := s.List(ctx, &o)
		if err != nil {
			return nil, "", err
		}
		return p.Policies, p.NextCursor, nil
	}, func(p CustomPolicy) string { return p.ID })
}

// Create creates a custom policy (201, {data: ...} unwrapped).
//
// operationId: createCustomPolicy — POST /v2/accounts/{account_id}/permissions/policies/custom
func (s *CustomPoliciesService) Create(ctx context.Context, body CreateCustomPolicyRequest) (*CustomPolicy, error) {
	var out struct {
		Data CustomPolicy `json:"data"`
	}
	if err := s.client.call(ctx, request{op: "createCustomPolicy", body: body}, &out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}

// Get returns one custom policy.
//
// operationId: getCustomPolicy — GET /v2/accounts/{account_id}/permissions/policies/custom/{policy_id}
func (s *CustomPoliciesService) Get(ctx context.Context, policyID string) (*CustomPolicy, error) {
	var out struct {
		Data CustomPolicy `json:"data"`
	}
	if err := s.client.call(ctx, request{op: "getCustomPolicy", ids: []string{policyID}}, &out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}

// Update replaces a custom policy.
//
// operationId: updateCustomPolicy — PUT /v2/accounts/{account_id}/permissions/policies/custom/{policy_id}
func (s *CustomPoliciesService) Update(ctx context.Context, policyID string, body UpdateCustomPolicyRequest) (*CustomPolicy, error) {
	var out struct {
		Data CustomPolicy `json:"data"`
	}
	if err := s.client.call(ctx, request{op: "updateCustomPolicy", ids: []string{policyID}, body: body}, &out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}

// Delete deletes a custom policy (204).
//
// operationId: deleteCustomPolicy — DELETE /v2/accounts/{account_id}/permissions/policies/custom/{policy_id}
func (s *CustomPoliciesService) Delete(ctx context.Context, policyID string) error {
	return s.client.call(ctx, request{op: "deleteCustomPolicy", ids: []string{policyID}}, nil)
}
