package doctor

import (
	"encoding/json"
	"slices"
	"sort"
)

// listShape is what a list operation answers: the spec's fields of the
// answer and of each item, and the fields the live table says the live
// service adds (docs/live-api.md), with the row that says so.
type listShape struct {
	op       string
	items    string   // the answer's key holding the list
	top      []string // the answer's fields (spec)
	item     []string // each item's fields (spec)
	liveItem map[string]string
}

// Field lists copied from the spec's schemas (TestShapesMatchTheSpec
// checks them against api/provisioning.openapi.yml).
var shapes = map[string]listShape{
	"getProductEnvironments": {op: "getProductEnvironments", items: "sub_accounts", top: []string{"sub_accounts"},
		item: []string{"cloud_name", "name", "enabled", "id", "api_access_keys", "created_at", "updated_at"}},
	"getUsers": {op: "getUsers", items: "users", top: []string{"users"},
		item: []string{"id", "name", "first_name", "last_name", "role", "email", "pending", "enabled", "created_at", "updated_at", "last_login",
			"all_sub_accounts", "providers", "email_preferences", "account_id", "two_factor", "status", "root", "technical_role", "group_count", "sub_account_count"},
		liveItem: map[string]string{"sub_account_ids": "user-sub-account-ids"}},
	"getUserGroups": {op: "getUserGroups", items: "user_groups", top: []string{"user_groups"},
		item: []string{"id", "name", "users", "created_at", "updated_at"}},
	"getAccessKeys": {op: "getAccessKeys", items: "access_keys", top: []string{"access_keys", "total"},
		item:     []string{"name", "api_key", "api_secret", "created_at", "updated_at", "enabled"},
		liveItem: map[string]string{"root": "access-key-root", "dedicated_for": "access-key-dedicated-for"}},
	"getRoles": {op: "getRoles", items: "data", top: []string{"data"},
		item: []string{"id", "name", "description", "management_type", "permission_type", "policy_parameters", "scope_type", "created_at", "updated_at"}},
	"getCustomPolicies": {op: "getCustomPolicies", items: "data", top: []string{"data", "next_cursor"},
		item: []string{"id", "policy_statement", "description", "scope_type", "scope_id", "name", "enabled", "created_at", "updated_at"}},
}

// Shape is how one list answer compares with the spec and the live table.
type Shape struct {
	Operation string `json:"operation"`
	// Matches is "spec" (only the spec's fields), "live" (the spec's and
	// fields the live table predicts), "neither" (fields in neither) or
	// "not read" (the request failed).
	Matches string `json:"matches"`
	Items   int    `json:"items"`
	// LiveFields are the fields seen that only the live table predicts.
	LiveFields []string `json:"live_fields,omitempty"`
	// Unexpected are the fields seen that neither predicts.
	Unexpected []string `json:"unexpected_fields,omitempty"`
	// Missing are the answer's top-level spec fields it lacks.
	Missing []string `json:"missing_fields,omitempty"`
}

// compareShape reads a list answer's field names (never its values) and
// compares them with the spec and the live table.
func compareShape(op string, body []byte) Shape {
	want := shapes[op]
	s := Shape{Operation: op, Matches: "not read"}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return s
	}
	var items []map[string]json.RawMessage
	_ = json.Unmarshal(top[want.items], &items)
	s.Items = len(items)
	seen := map[string]bool{}
	for k := range top {
		if !slices.Contains(want.top, k) {
			s.Unexpected = append(s.Unexpected, k)
		}
	}
	for _, k := range want.top {
		if _, ok := top[k]; !ok && k != "next_cursor" {
			s.Missing = append(s.Missing, k)
		}
	}
	for _, it := range items {
		for k := range it {
			if seen[k] {
				continue
			}
			seen[k] = true
			switch {
			case slices.Contains(want.item, k):
			case want.liveItem[k] != "":
				s.LiveFields = append(s.LiveFields, k)
			default:
				s.Unexpected = append(s.Unexpected, k)
			}
		}
	}
	sort.Strings(s.LiveFields)
	sort.Strings(s.Unexpected)
	switch {
	case len(s.Unexpected) > 0 || len(s.Missing) > 0:
		s.Matches = "neither"
	case len(s.LiveFields) > 0:
		s.Matches = "live"
	default:
		s.Matches = "spec"
	}
	return s
}
