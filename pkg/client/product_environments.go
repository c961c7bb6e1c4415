package client

import (
	"context"
	"net/url"
)

// ProductEnvironmentsService manages product environments (sub-accounts).
type ProductEnvironmentsService service

// ProductEnvironment is the spec's ProductEnvironment. The API never returns
// custom_attributes, so that field cannot be read back (NOTES P11).
type ProductEnvironment struct {
	ID            string         `json:"id"`
	CloudName     string         `json:"cloud_name"`
	Name          string         `json:"name"`
	Enabled       bool           `json:"enabled"`
	APIAccessKeys []APIAccessKey `json:"api_access_keys,omitempty"`
	CreatedAt     Timestamp      `json:"created_at"`
	UpdatedAt     Timestamp      `json:"updated_at"`
}

// APIAccessKey is the spec's ApiAccessKey, embedded in ProductEnvironment.
type APIAccessKey struct {
	Key     string `json:"key"`
	Secret  Secret `json:"secret"`
	Enabled bool   `json:"enabled"`
}

// ProductEnvironmentListOptions are getProductEnvironments' query
// parameters. IDs and CloudNames take at most 100 values each (use
// ListByIDs/ListByCloudNames for more); with IDs set the server ignores the
// other filters.
type ProductEnvironmentListOptions struct {
	Enabled    *bool // nil returns enabled and disabled
	IDs        []string
	CloudNames []string
	Prefix     string // case-insensitive prefix of name
}

func (o *ProductEnvironmentListOptions) values() (url.Values, error) {
	q := query{}
	if o == nil {
		return url.Values(q), nil
	}
	if err := checkFilterLen("ids", o.IDs); err != nil {
		return nil, err
	}
	if err := checkFilterLen("cloud_names", o.CloudNames); err != nil {
		return nil, err
	}
	q.boolp("enabled", o.Enabled)
	q.strs("ids", o.IDs)
	q.strs("cloud_names", o.CloudNames)
	q.str("prefix", o.Prefix)
	return url.Values(q), nil
}

// CreateProductEnvironmentRequest is ProductEnvironmentRequest. The spec
// has no enabled field on create: create, then Update with Enabled false.
type CreateProductEnvironmentRequest struct {
	Name             string         `json:"name"`
	CloudName        string         `json:"cloud_name,omitempty"` // default: generated
	BaseSubAccountID string         `json:"base_sub_account_id,omitempty"`
	CustomAttributes map[string]any `json:"custom_attributes,omitzero"`
}

// UpdateProductEnvironmentRequest is ProductEnvironmentUpdateRequest. Nil
// fields are not sent. Send every managed field (NOTES P1): the spec does
// not say whether PUT is partial, and enabled "defaults to true".
type UpdateProductEnvironmentRequest struct {
	Name             *string        `json:"name,omitempty"`
	CloudName        *string        `json:"cloud_name,omitempty"`
	CustomAttributes map[string]any `json:"custom_attributes,omitzero"` // nil: not sent; empty: {}
	Enabled          *bool          `json:"enabled,omitempty"`
}

// List returns the product environments matching opts (all of them for nil
// opts). The endpoint is not paginated.
//
// operationId: getProductEnvironments — GET /v1_1/provisioning/accounts/{account_id}/sub_accounts
func (s *ProductEnvironmentsService) List(ctx context.Context, opts *ProductEnvironmentListOptions) ([]ProductEnvironment, error) {
	q, err := opts.values()
	if err != nil {
		return nil, err
	}
	var out struct {
		SubAccounts []ProductEnvironment `json:"sub_accounts"`
	}
	if err := s.client.call(ctx, request{op: "getProductEnvironments", query: q}, &out); err != nil {
		return nil, err
	}
	return out.SubAccounts, nil
}

// ListByIDs returns the product environments with these ids, in requests
// of at most 100 ids. Unknown ids are simply absent.
//
// operationId: getProductEnvironments — GET /v1_1/provisioning/accounts/{account_id}/sub_accounts
func (s *ProductEnvironmentsService) ListByIDs(ctx context.Context, ids []string) ([]ProductEnvironment, error) {
	return s.listChunked(ctx, ids, func(c []string) *ProductEnvironmentListOptions {
		return &ProductEnvironmentListOptions{IDs: c}
	})
}

// ListByCloudNames returns the product environments with these cloud
// names, in requests of at most 100 names.
//
// operationId: getProductEnvironments — GET /v1_1/provisioning/accounts/{account_id}/sub_accounts
func (s *ProductEnvironmentsService) ListByCloudNames(ctx context.Context, cloudNames []string) ([]ProductEnvironment, error) {
	return s.listChunked(ctx, cloudNames, func(c []string) *ProductEnvironmentListOptions {
		return &ProductEnvironmentListOptions{CloudNames: c}
	})
}

func (s *ProductEnvironmentsService) listChunked(ctx context.Context, vals []string, opts func([]string) *ProductEnvironmentListOptions) ([]ProductEnvironment, error) {
	var out []ProductEnvironment
	seen := map[string]bool{}
	for _, c := range chunks(vals, maxFilterValues) {
		page, err := s.List(ctx, opts(c))
		if err != nil {
			return nil, err
		}
		for _, pe := range page {
			if !seen[pe.ID] {
				seen[pe.ID] = true
				out = append(out, pe)
			}
		}
	}
	return out, nil
}

// Create creates a product environment. The API answers 200, not 201.
//
// operationId: createProductEnvironment — POST /v1_1/provisioning/accounts/{account_id}/sub_accounts
func (s *ProductEnvironmentsService) Create(ctx context.Context, body CreateProductEnvironmentRequest) (*ProductEnvironment, error) {
	var out ProductEnvironment
	if err := s.client.call(ctx, request{op: "createProductEnvironment", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns one product environment.
//
// operationId: getProductEnvironment — GET /v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}
func (s *ProductEnvironmentsService) Get(ctx context.Context, subAccountID string) (*ProductEnvironment, error) {
	var out ProductEnvironment
	if err := s.client.call(ctx, request{op: "getProductEnvironment", ids: []string{subAccountID}}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update changes a product environment.
//
// operationId: updateProductEnvironment — PUT /v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}
func (s *ProductEnvironmentsService) Update(ctx context.Context, subAccountID string, body UpdateProductEnvironmentRequest) (*ProductEnvironment, error) {
	var out ProductEnvironment
	if err := s.client.call(ctx, request{op: "updateProductEnvironment", ids: []string{subAccountID}, body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes a product environment (refused by the API for
// environments with 1000 or more images).
//
// operationId: deleteProductEnvironment — DELETE /v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}
func (s *ProductEnvironmentsService) Delete(ctx context.Context, subAccountID string) error {
	return s.client.call(ctx, request{op: "deleteProductEnvironment", ids: []string{subAccountID}}, &successResponse{})
}
