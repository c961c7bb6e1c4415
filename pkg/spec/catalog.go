package spec

// The catalog of system roles and system policies. validate is offline, so
// it checks the cld:: ids a configuration names against catalog.json, a
// snapshot of GET public/catalog shipped in the binary; plan reads the live
// catalog once (state.Read) and the planner checks against that instead,
// so a snapshot that falls behind the service only matters offline.
//
// Refresh the snapshot with
//
//	go test ./pkg/spec -run TestCatalogSnapshot -update
//
// which writes what the emulator serves (its reviewed catalog); replace it
// with a real account's answer when one is available.

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:embed catalog.json
var catalogJSON []byte

// Catalog is the system roles and system policies of the permissions API,
// indexed by id.
type Catalog struct {
	Policies map[string]CatalogPolicy
	Roles    map[string]CatalogRole
}

// CatalogPolicy is a system policy.
type CatalogPolicy struct {
	ID             string
	Name           string
	PermissionType string // global | content
	ScopeType      string // account | prodenv
	// Params are the content types (folder_id, collection_id) an assignment
	// of a role holding this policy names; empty for global policies.
	Params []string
	// Statement is the policy's Cedar text, with <folder_id> or
	// <collection_id> placeholders in content policies; pkg/access
	// evaluates it.
	Statement string
}

// CatalogRole is a system role.
type CatalogRole struct {
	ID             string
	Name           string
	PermissionType string
	ScopeType      string
	Policies       []string
}

// contentParams are the content types an assignment may name (NOTES.md 7:
// asset_id is "Not currently supported").
var contentParams = []string{"folder_id", "collection_id"}

// NewCatalog indexes policies and roles. A content policy's Params, when
// empty, are read from its statement's <folder_id>/<collection_id>
// placeholders (the catalog answer does not always carry
// policy_parameters); a content policy with neither takes both.
func NewCatalog(policies []CatalogPolicy, statements map[string]string, roles []CatalogRole) *Catalog {
	c := &Catalog{Policies: map[string]CatalogPolicy{}, Roles: map[string]CatalogRole{}}
	for _, p := range policies {
		if p.Statement == "" {
			p.Statement = statements[p.ID]
		}
		if p.PermissionType == "content" && len(p.Params) == 0 {
			for _, k := range contentParams {
				if strings.Contains(statements[p.ID], "<"+k+">") {
					p.Params = append(p.Params, k)
				}
			}
			if len(p.Params) == 0 {
				p.Params = slices.Clone(contentParams)
			}
		}
		c.Policies[p.ID] = p
	}
	for _, r := range roles {
		c.Roles[r.ID] = r
	}
	return c
}

// RoleParams returns the content types a role holding these system
// policies takes on assignment, sorted.
func (c *Catalog) RoleParams(policyIDs []string) []string {
	var out []string
	for _, id := range policyIDs {
		out = append(out, c.Policies[id].Params...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// catalogFile is the shape of GET public/catalog (and of catalog.json).
type catalogFile struct {
	Catalog struct {
		SystemPolicies []struct {
			ID               string   `json:"id"`
			Name             string   `json:"name"`
			PermissionType   string   `json:"permission_type"`
			ScopeType        string   `json:"scope_type"`
			Policy           string   `json:"policy"`
			PolicyParameters []string `json:"policy_parameters"`
		} `json:"system_policies"`
		SystemRoles []struct {
			ID              string   `json:"id"`
			Name            string   `json:"name"`
			PermissionType  string   `json:"permission_type"`
			ScopeType       string   `json:"scope_type"`
			SystemPolicyIDs []string `json:"system_policy_ids"`
		} `json:"system_roles"`
	} `json:"catalog"`
}

// BuiltinCatalog returns the snapshot shipped in the binary.
var BuiltinCatalog = sync.OnceValue(func() *Catalog {
	c, err := parseCatalog(catalogJSON)
	if err != nil {
		panic("spec: embedded catalog.json: " + err.Error())
	}
	return c
})

func parseCatalog(data []byte) (*Catalog, error) {
	var f catalogFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("decode catalog: %w", err)
	}
	var pols []CatalogPolicy
	stmts := map[string]string{}
	for _, p := range f.Catalog.SystemPolicies {
		pols = append(pols, CatalogPolicy{ID: p.ID, Name: p.Name, PermissionType: p.PermissionType, ScopeType: p.ScopeType, Params: p.PolicyParameters})
		stmts[p.ID] = p.Policy
	}
	var roles []CatalogRole
	for _, r := range f.Catalog.SystemRoles {
		roles = append(roles, CatalogRole{ID: r.ID, Name: r.Name, PermissionType: r.PermissionType, ScopeType: r.ScopeType, Policies: r.SystemPolicyIDs})
	}
	if len(pols) == 0 || len(roles) == 0 {
		return nil, fmt.Errorf("catalog has %d system policies and %d system roles", len(pols), len(roles))
	}
	return NewCatalog(pols, stmts, roles), nil
}
