package client

import (
	"context"
	"net/url"
)

// EffectivePoliciesService reads the policies granted to principals.
type EffectivePoliciesService service

// EffectivePolicies is the data of EffectivePoliciesResponse.
type EffectivePolicies struct {
	Principals     []EffectivePrincipal `json:"principals"`
	CustomPolicies []EffectivePolicy    `json:"custom_policies"`
}

// EffectivePrincipal is the spec's PrincipalRole: note the
// principal_type/principal_id naming (NOTES P6).
type EffectivePrincipal struct {
	PrincipalType PrincipalType   `json:"principal_type"`
	PrincipalID   string          `json:"principal_id"`
	Roles         []EffectiveRole `json:"roles"`
}

// EffectiveRole is the spec's EffectiveRole.
type EffectiveRole struct {
	ID             string            `json:"id"`
	SystemPolicies []EffectivePolicy `json:"system_policies"`
}

// EffectivePolicy is the spec's EffectivePolicy.
type EffectivePolicy struct {
	ID              string `json:"id"`
	PolicyStatement string `json:"policy_statement"`
}

// EffectivePoliciesOptions are getEffectivePolicies' query parameters;
// PrincipalID is required when PrincipalType is set.
type EffectivePoliciesOptions struct {
	ScopeType     ScopeType
	ScopeID       string
	PrincipalType PrincipalType
	PrincipalID   string
}

// Get returns the system policies (through roles) and custom policies that
// apply to principals in a scope.
//
// operationId: getEffectivePolicies — GET /v2/accounts/{account_id}/permissions/policies/effective
func (s *EffectivePoliciesService) Get(ctx context.Context, opts *EffectivePoliciesOptions) (*EffectivePolicies, error) {
	q := query{}
	if opts != nil {
		q.str("scope_type", string(opts.ScopeType))
		q.str("scope_id", opts.ScopeID)
		q.str("principal_type", string(opts.PrincipalType))
		q.str("principal_id", opts.PrincipalID)
	}
	var out struct {
		Data EffectivePolicies `json:"data"`
	}
	if err := s.client.call(ctx, request{op: "getEffectivePolicies", query: url.Values(q)}, &out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}
