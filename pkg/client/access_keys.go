package client

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"slices"
)

// AccessKeysService manages a product environment's API keys.
type AccessKeysService service

// AccessKey is the spec's AccessKey. APISecret comes back from list, create
// and update alike; it prints as REDACTED.
//
// Root and DedicatedFor are not in the spec's AccessKey, but the live
// service returns them (Cloudinary's SDK integration tests list the keys
// of every answer as name, api_key, api_secret, created_at, updated_at,
// enabled, [dedicated_for,] root: docs/live-api.md). Against a server that
// leaves them out they stay false and nil.
type AccessKey struct {
	Name      string    `json:"name"`
	APIKey    string    `json:"api_key"`
	APISecret Secret    `json:"api_secret"`
	Enabled   bool      `json:"enabled"`
	CreatedAt Timestamp `json:"created_at"`
	UpdatedAt Timestamp `json:"updated_at"`
	// Root marks the product environment's original key (live only).
	Root bool `json:"root,omitempty"`
	// DedicatedFor lists what the key is dedicated to, for example
	// ["webhooks"] (live only; the live service answers an array where the
	// update request sends a string).
	DedicatedFor DedicatedFor `json:"dedicated_for,omitempty"`
}

// DedicatedFor is an access key's dedications. It decodes from an array
// (the live service's answer), a single string (the request's shape, in
// case a server echoes it) or null.
type DedicatedFor []string

// UnmarshalJSON accepts ["webhooks"], "webhooks", "" and null.
func (d *DedicatedFor) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*d = nil
		if one != "" {
			*d = DedicatedFor{one}
		}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("dedicated_for: want a string or an array of strings, got %s", truncate(string(b), 40))
	}
	*d = many
	return nil
}

// Has reports whether the key is dedicated to purpose (e.g. "webhooks").
func (d DedicatedFor) Has(purpose string) bool { return slices.Contains(d, purpose) }

// AccessKeyList is one answer of getAccessKeys (AccessKeysResponse).
type AccessKeyList struct {
	AccessKeys []AccessKey `json:"access_keys"`
	Total      int         `json:"total"`
}

// AccessKeyListOptions are getAccessKeys' query parameters. With Page zero
// the server returns all pages at once.
type AccessKeyListOptions struct {
	PageSize  int
	Page      int    // 1-based, at most 100
	SortBy    string // api_key, created_at, name or enabled
	SortOrder SortOrder
}

func (o *AccessKeyListOptions) values() url.Values {
	q := query{}
	if o != nil {
		q.num("page_size", o.PageSize)
		q.num("page", o.Page)
		q.str("sort_by", o.SortBy)
		q.str("sort_order", string(o.SortOrder))
	}
	return url.Values(q)
}

// CreateAccessKeyRequest is AccessKeyRequest; nothing is required.
type CreateAccessKeyRequest struct {
	Name    string `json:"name,omitempty"`
	Enabled *bool  `json:"enabled,omitempty"`
}

// UpdateAccessKeyRequest is AccessKeyUpdateRequest. Nil fields are not
// sent. DedicatedFor ("webhooks") is sent as the spec's string; the spec's
// AccessKey does not carry it back, the live service answers it as an
// array (AccessKey.DedicatedFor).
type UpdateAccessKeyRequest struct {
	Name         *string `json:"name,omitempty"`
	Enabled      *bool   `json:"enabled,omitempty"`
	DedicatedFor *string `json:"dedicated_for,omitempty"`
}

// List returns one page of a product environment's access keys, with the
// total count.
//
// operationId: getAccessKeys — GET /v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys
func (s *AccessKeysService) List(ctx context.Context, subAccountID string, opts *AccessKeyListOptions) (*AccessKeyList, error) {
	var out AccessKeyList
	if err := s.client.call(ctx, request{op: "getAccessKeys", ids: []string{subAccountID}, query: opts.values()}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListIter yields every access key, page by page from opts.Page (default
// 1), until total keys were seen or a page comes back empty. A walk that
// ends short of total yields an error wrapping ErrIncomplete.
//
// operationId: getAccessKeys — GET /v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys
func (s *AccessKeysService) ListIter(ctx context.Context, subAccountID string, opts *AccessKeyListOptions) iter.Seq2[AccessKey, error] {
	o := AccessKeyListOptions{}
	if opts != nil {
		o = *opts
	}
	return func(yield func(AccessKey, error) bool) {
		if o.Page == 0 {
			o.Page = 1
		}
		seen := map[string]bool{}
		for ; ; o.Page++ {
			page, err := s.List(ctx, subAccountID, &o)
			if err != nil {
				yield(AccessKey{}, err)
				return
			}
			fresh := 0
			for _, k := range page.AccessKeys {
				if seen[k.APIKey] {
					continue
				}
				seen[k.APIKey] = true
				fresh++
				if !yield(k, nil) {
					return
				}
			}
			if len(seen) >= page.Total {
				return
			}
			switch {
			case len(page.AccessKeys) == 0:
				yield(AccessKey{}, fmt.Errorf("%w: empty page %d after %d of %d access keys", ErrIncomplete, o.Page, len(seen), page.Total))
				return
			case fresh == 0:
				yield(AccessKey{}, fmt.Errorf("%w: page %d repeats earlier keys (%d of %d seen)", ErrIncomplete, o.Page, len(seen), page.Total))
				return
			case o.Page >= 100:
				yield(AccessKey{}, fmt.Errorf("%w: the API serves at most 100 pages (%d of %d seen)", ErrIncomplete, len(seen), page.Total))
				return
			}
		}
	}
}

// Create generates a new API key and secret. Capture the secret: it is the
// only moment cldsync is meant to see it.
//
// operationId: generateAccessKey — POST /v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys
func (s *AccessKeysService) Create(ctx context.Context, subAccountID string, body CreateAccessKeyRequest) (*AccessKey, error) {
	var out AccessKey
	if err := s.client.call(ctx, request{op: "generateAccessKey", ids: []string{subAccountID}, body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteByName deletes the access key with this name.
//
// operationId: deleteAccessKeyByName — DELETE /v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys
func (s *AccessKeysService) DeleteByName(ctx context.Context, subAccountID, name string) error {
	if name == "" {
		return fmt.Errorf("deleteAccessKeyByName: %w: empty name", ErrInvalidID)
	}
	q := url.Values{"name": {name}}
	return s.client.call(ctx, request{op: "deleteAccessKeyByName", ids: []string{subAccountID}, query: q}, &successResponse{})
}

// Update changes an access key's name, status or dedication.
//
// operationId: updateAccessKey — PUT /v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys/{key}
func (s *AccessKeysService) Update(ctx context.Context, subAccountID, apiKey string, body UpdateAccessKeyRequest) (*AccessKey, error) {
	var out AccessKey
	if err := s.client.call(ctx, request{op: "updateAccessKey", ids: []string{subAccountID, apiKey}, body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes the access key with this API key.
//
// operationId: deleteAccessKey — DELETE /v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys/{key}
func (s *AccessKeysService) Delete(ctx context.Context, subAccountID, apiKey string) error {
	return s.client.call(ctx, request{op: "deleteAccessKey", ids: []string{subAccountID, apiKey}}, &successResponse{})
}
