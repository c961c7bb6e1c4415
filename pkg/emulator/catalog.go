package emulator

// The catalog of system roles and system policies, and the Cedar schema.
//
// catalog.json is the one reviewed source for both public/catalog and
// public/schema, for getSystemPolicies, for the system roles in getRoles and
// getRole, for checking a custom role's system_policy_ids, and for the
// Cedar checker's known types. It holds every system id the spec and
// NOTES.md section 7 name; where the spec names an id without a statement,
// the emulator wrote one ("origin": "emulator" in the file). Statements are
// checked and canonicalised when the catalog loads, so a broken entry fails
// every test (TestCatalog) rather than one request.

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

// catalogEpoch is the created_at and updated_at of every system role and
// system policy (the spec's examples use 1719475215 for system policies).
const catalogEpoch int64 = 1719475215

// sysPolicy is one system policy.
type sysPolicy struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	Category       string   `json:"category"`
	SubCategory    string   `json:"sub_category"`
	PermissionType string   `json:"permission_type"`
	ScopeType      string   `json:"scope_type"`
	Params         []string `json:"policy_parameters"`
	Statement      string   `json:"policy"` // canonical after load
}

// sysRole is one system role.
type sysRole struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	PermissionType string   `json:"permission_type"`
	ScopeType      string   `json:"scope_type"`
	PolicyIDs      []string `json:"system_policy_ids"`
}

type catalog struct {
	policies    []*sysPolicy
	policyByID  map[string]*sysPolicy
	roles       []*sysRole
	roleByID    map[string]*sysRole
	schemaJSON  json.RawMessage
	schema      *cedarSchema
	catalogBody map[string]any
}

var theCatalog = sync.OnceValue(func() *catalog {
	c, err := loadCatalog(catalogJSON)
	if err != nil {
		panic("emulator: embedded catalog.json: " + err.Error())
	}
	return c
})

func loadCatalog(raw []byte) (*catalog, error) {
	var file struct {
		Policies []*sysPolicy    `json:"system_policies"`
		Roles    []*sysRole      `json:"system_roles"`
		Schema   json.RawMessage `json:"cedar_schema"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	var namespaces map[string]schemaNamespace
	if err := json.Unmarshal(file.Schema, &namespaces); err != nil {
		return nil, fmt.Errorf("decode cedar_schema: %w", err)
	}
	c := &catalog{
		policies:   file.Policies,
		policyByID: map[string]*sysPolicy{},
		roles:      file.Roles,
		roleByID:   map[string]*sysRole{},
		schema:     newCedarSchema(namespaces),
	}
	// Marshalling a RawMessage compacts it and keeps the file's key order.
	compact, err := json.Marshal(file.Schema)
	if err != nil {
		return nil, fmt.Errorf("compact cedar_schema: %w", err)
	}
	c.schemaJSON = compact
	for _, p := range c.policies {
		if !strings.HasPrefix(p.ID, "cld::policy::"+p.PermissionType+"::") {
			return nil, fmt.Errorf("policy %s: id does not match permission_type %q", p.ID, p.PermissionType)
		}
		if c.policyByID[p.ID] != nil {
			return nil, fmt.Errorf("policy %s: duplicate id", p.ID)
		}
		if !validScopeType(p.ScopeType) {
			return nil, fmt.Errorf("policy %s: scope_type %q", p.ID, p.ScopeType)
		}
		if (p.PermissionType == "content") != (len(p.Params) > 0) {
			return nil, fmt.Errorf("policy %s: content policies and only they have policy_parameters", p.ID)
		}
		canon, errs := c.schema.check(p.Statement)
		if errs != nil {
			return nil, fmt.Errorf("policy %s: invalid statement: %v", p.ID, errs)
		}
		p.Statement = canon
		c.policyByID[p.ID] = p
	}
	for _, r := range c.roles {
		if !strings.HasPrefix(r.ID, "cld::role::") || c.roleByID[r.ID] != nil {
			return nil, fmt.Errorf("role %s: bad or duplicate id", r.ID)
		}
		for _, id := range r.PolicyIDs {
			p := c.policyByID[id]
			if p == nil {
				return nil, fmt.Errorf("role %s: unknown policy %s", r.ID, id)
			}
			if p.ScopeType != r.ScopeType || p.PermissionType != r.PermissionType {
				return nil, fmt.Errorf("role %s: policy %s is %s/%s", r.ID, id, p.ScopeType, p.PermissionType)
			}
		}
		c.roleByID[r.ID] = r
	}
	// The public catalog's own shape (SystemRolesAndPoliciesCatalogResponse):
	// the statement is `policy` there, `policy_statement` elsewhere (P10).
	pols := make([]map[string]any, len(c.policies))
	for i, p := range c.policies {
		m := map[string]any{
			"id": p.ID, "name": p.Name, "description": p.Description,
			"category": p.Category, "sub_category": p.SubCategory,
			"permission_type": p.PermissionType, "scope_type": p.ScopeType,
			"policy": p.Statement,
		}
		if len(p.Params) > 0 {
			m["policy_parameters"] = p.Params
		}
		pols[i] = m
	}
	roles := make([]map[string]any, len(c.roles))
	for i, r := range c.roles {
		roles[i] = map[string]any{
			"id": r.ID, "name": r.Name, "description": r.Description,
			"permission_type": r.PermissionType, "scope_type": r.ScopeType,
			"system_policy_ids": slices.Clone(r.PolicyIDs),
		}
	}
	c.catalogBody = map[string]any{"system_policies": pols, "system_roles": roles}
	return c, nil
}

func validScopeType(s string) bool      { return s == "account" || s == "prodenv" }
func validPermissionType(s string) bool { return s == "global" || s == "content" }

// systemPolicyJSON is SystemPolicyResponseData. params substitutes the
// placeholders of a content policy (getRole with folder_id, effective
// policies); nil leaves them.
func (p *sysPolicy) json(params map[string]string) map[string]any {
	m := map[string]any{
		"id": p.ID, "name": p.Name, "description": p.Description,
		"scope_type": p.ScopeType, "permission_type": p.PermissionType,
		"policy_statement": substituteParams(p.Statement, params),
		"category":         p.Category, "sub_category": p.SubCategory,
		"created_at": catalogEpoch, "updated_at": catalogEpoch,
	}
	if len(p.Params) > 0 {
		m["policy_parameters"] = slices.Clone(p.Params)
	}
	return m
}

// substituteParams replaces `<folder_id>` and `<collection_id>` placeholders
// in a canonical statement with the given instances. The value lands inside
// a Cedar string literal, so it is escaped as one.
func substituteParams(statement string, params map[string]string) string {
	for _, k := range policyParamKeys {
		if v, ok := params[k]; ok {
			statement = strings.ReplaceAll(statement, "<"+k+">", cedarEscape(v))
		}
	}
	return statement
}

func cedarEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// policyParamKeys are the content types an assignment may name (NOTES.md 7:
// asset_id is "Not currently supported").
var policyParamKeys = []string{"folder_id", "collection_id"}

// SystemRoleCount is how many system roles the emulator's catalog holds,
// all of which getRoles lists: what reading assignments per role costs
// beyond the custom roles.
func SystemRoleCount() int { return len(theCatalog().roles) }
