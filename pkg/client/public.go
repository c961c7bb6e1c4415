package client

import (
	"context"
	"encoding/json"
)

// PublicService covers the account-independent permissions utilities. The
// spec says they need no authentication but does not exempt them from its
// global security; the client sends its credentials if it has any (NOTES
// P15) and works without.
type PublicService service

// Catalog is the catalog object of SystemRolesAndPoliciesCatalogResponse,
// typed after the spec's example (the schema says only "object").
type Catalog struct {
	SystemPolicies []CatalogPolicy `json:"system_policies"`
	SystemRoles    []CatalogRole   `json:"system_roles"`
}

// CatalogPolicy is a system policy in the catalog. Its statement is in
// Policy, where other endpoints say policy_statement.
type CatalogPolicy struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Description    string         `json:"description,omitempty"`
	Category       string         `json:"category,omitempty"`
	SubCategory    string         `json:"sub_category,omitempty"`
	PermissionType PermissionType `json:"permission_type"`
	ScopeType      ScopeType      `json:"scope_type"`
	Policy         string         `json:"policy"`
}

// CatalogRole is a system role in the catalog.
type CatalogRole struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Description     string         `json:"description,omitempty"`
	PermissionType  PermissionType `json:"permission_type"`
	ScopeType       ScopeType      `json:"scope_type"`
	SystemPolicyIDs []string       `json:"system_policy_ids"`
}

// GetCatalog returns every system role and system policy.
//
// operationId: getSystemRolesAndPoliciesCatalog — GET /v2/accounts/permissions/public/catalog
func (s *PublicService) GetCatalog(ctx context.Context) (*Catalog, error) {
	var out struct {
		Catalog Catalog `json:"catalog"`
	}
	if err := s.client.call(ctx, request{op: "getSystemRolesAndPoliciesCatalog"}, &out); err != nil {
		return nil, err
	}
	return &out.Catalog, nil
}

// ValidateCedarPolicyRequest is ValidateCedarPolicyRequest.
type ValidateCedarPolicyRequest struct {
	Policy string `json:"policy"`
}

// PolicyValidation is ValidateCedarPolicyResponse.
type PolicyValidation struct {
	Valid  bool         `json:"valid"`
	Errors []CedarError `json:"errors,omitempty"`
}

// ValidatePolicy checks a Cedar policy statement. It is a read-only POST,
// and retried as a read.
//
// operationId: validateCedarPolicy — POST /v2/accounts/permissions/public/validate
func (s *PublicService) ValidatePolicy(ctx context.Context, body ValidateCedarPolicyRequest) (*PolicyValidation, error) {
	var out PolicyValidation
	if err := s.client.call(ctx, request{op: "validateCedarPolicy", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetSchema returns the Cedar schema (the schema object of
// CedarSchemaResponse, in Cedar's JSON schema format keyed by namespace).
//
// operationId: getCedarSchema — GET /v2/accounts/permissions/public/schema
func (s *PublicService) GetSchema(ctx context.Context) (json.RawMessage, error) {
	var out struct {
		Schema json.RawMessage `json:"schema"`
	}
	if err := s.client.call(ctx, request{op: "getCedarSchema"}, &out); err != nil {
		return nil, err
	}
	return out.Schema, nil
}
