package emulator

// Roles: system roles from the catalog, custom roles in the account
// (NOTES.md 2.9, 4.3).

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

func (s *permState) getRoles(c *call) reply {
	q := c.query()
	perm := q.Get("permission_type")
	if perm == "" {
		// Required by the spec; getRoles lists no 400, so this is a 500
		// (see the file comment of permissions.go), never a default.
		return c.failPerm(missingFields("permission_type"))
	}
	if !validPermissionType(perm) {
		return c.failPerm(invalidField("permission_type", perm))
	}
	scope := q.Get("scope_type") // optional; absent lists both scopes
	if scope != "" && !validScopeType(scope) {
		return c.failPerm(invalidField("scope_type", scope))
	}
	mgmt := q.Get("management_type")
	if mgmt != "" && mgmt != "system" && mgmt != "custom" {
		return c.failPerm(invalidField("management_type", mgmt))
	}
	// policy_parameters is a JSON-encoded array in the query (NOTES.md 1.4):
	// a role matches when it takes every listed content type.
	var wantParams []string
	if raw := q.Get("policy_parameters"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &wantParams); err != nil {
			return c.failPerm(invalidField("policy_parameters", raw))
		}
	}
	data := []map[string]any{}
	for _, r := range s.allRoles() {
		if r.PermissionType != perm || (scope != "" && r.ScopeType != scope) || (mgmt != "" && r.Management != mgmt) {
			continue
		}
		pt := r.paramTypes()
		if !allIn(wantParams, pt) {
			continue
		}
		data = append(data, r.json(false, nil))
	}
	return ok(envelope(data))
}

func allIn(want, have []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// roleBody is CreateRole (and UpdateRole, which uses the Role subset).
type roleBody struct {
	ID              *string   `json:"id"`
	PermissionType  *string   `json:"permission_type"`
	ScopeType       *string   `json:"scope_type"`
	Name            *string   `json:"name"`
	Description     *string   `json:"description"`
	SystemPolicyIDs *[]string `json:"system_policy_ids"`
}

// checkRolePolicies checks system_policy_ids against the catalog and the
// role's types and returns them without duplicates.
func checkRolePolicies(ids []string, permissionType, scopeType string) ([]string, *permErr) {
	out := []string{}
	for _, id := range ids {
		p := theCatalog().policyByID[id]
		if p == nil || p.PermissionType != permissionType || p.ScopeType != scopeType {
			return nil, invalidField("system_policy_ids", id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// checkNewRole validates a create body into a role (without times).
func (s *permState) checkNewRole(b roleBody) (*customRole, *permErr) {
	var missing []string
	if b.PermissionType == nil || *b.PermissionType == "" {
		missing = append(missing, "permission_type")
	}
	if b.ScopeType == nil || *b.ScopeType == "" {
		missing = append(missing, "scope_type")
	}
	if b.Name == nil || *b.Name == "" {
		missing = append(missing, "name")
	}
	if len(missing) > 0 {
		return nil, missingFields(missing...)
	}
	r := &customRole{Name: *b.Name, Description: b.Description, PermissionType: *b.PermissionType, ScopeType: *b.ScopeType}
	if !validPermissionType(r.PermissionType) {
		return nil, invalidField("permission_type", r.PermissionType)
	}
	if !validScopeType(r.ScopeType) {
		return nil, invalidField("scope_type", r.ScopeType)
	}
	if r.PermissionType == "content" && r.ScopeType != "prodenv" {
		// Content roles apply to folders or collections of an environment
		// (NOTES.md 4.4); this is the spec's InvalidFieldErrorExample.
		return nil, invalidField("scope_type", r.ScopeType)
	}
	if b.ID != nil {
		id := *b.ID
		// Ids travel in paths; the cld:: prefix is Cloudinary's.
		if id == "" || strings.ContainsAny(id, "/?#% \t\n") || strings.HasPrefix(id, "cld::") {
			return nil, invalidField("id", id)
		}
		if _, exists := s.role(id); exists {
			return nil, conflict("already exists", "id", id)
		}
		r.ID = id
	}
	var ids []string
	if b.SystemPolicyIDs != nil {
		ids = *b.SystemPolicyIDs
	}
	pols, perr := checkRolePolicies(ids, r.PermissionType, r.ScopeType)
	if perr != nil {
		return nil, perr
	}
	r.PolicyIDs = pols
	if perr := s.checkRoleName(r.Name, ""); perr != nil {
		return nil, perr
	}
	return r, nil
}

// checkRoleName refuses a name another custom role has (system roles may
// share names with custom ones, as GetRolesExample shows; NOTES.md P10).
func (s *permState) checkRoleName(name, selfID string) *permErr {
	for _, o := range s.roles {
		if o.ID != selfID && o.Name == name {
			return conflict("already exists", "name", name)
		}
	}
	return nil
}

func (s *permState) addRole(r *customRole) {
	if r.ID == "" {
		r.ID = s.e.newID(24)
		for _, taken := s.role(r.ID); taken; _, taken = s.role(r.ID) {
			r.ID = s.e.newID(24)
		}
	}
	r.Created = s.e.now().Unix()
	r.Updated = r.Created
	s.roles = append(s.roles, r)
	s.roleByID[r.ID] = r
}

func (s *permState) createRole(c *call) reply {
	var b roleBody
	if rep, good := c.decode(&b); !good {
		return rep
	}
	r, perr := s.checkNewRole(b)
	if perr != nil {
		return c.failPerm(perr)
	}
	s.addRole(r)
	v, _ := s.role(r.ID)
	return created(envelope(v.json(true, nil)))
}

// paramsQuery reads the content instance of getRole, getPrincipalRoles,
// getRolePrincipals and inspect: folder_id, collection_id, and the
// param_key[]/param_value[] pairs. asset_id is "Not currently supported"
// and ignored.
func paramsQuery(c *call) (map[string]string, *permErr) {
	q := c.query()
	out := map[string]string{}
	for _, k := range policyParamKeys {
		if v := q.Get(k); v != "" {
			out[k] = v
		}
	}
	keys, vals := c.queryList("param_key"), c.queryList("param_value")
	if len(keys) != len(vals) {
		return nil, invalidField("param_value", strings.Join(vals, ","))
	}
	for i, k := range keys {
		if !slices.Contains(policyParamKeys, k) {
			return nil, invalidField("param_key", k)
		}
		out[k] = vals[i]
	}
	return out, nil
}

func (s *permState) getRole(c *call) reply {
	r, found := s.role(c.param("role_id"))
	if !found {
		return c.failPerm(notFound("role_id", c.param("role_id")))
	}
	params, perr := paramsQuery(c)
	if perr != nil {
		return c.failPerm(perr)
	}
	return ok(envelope(r.json(true, params)))
}

func (s *permState) updateRole(c *call) reply {
	id := c.param("role_id")
	cur := s.customRole(id)
	if cur == nil {
		if _, system := s.role(id); system {
			return c.fail(http.StatusForbidden, "not allowed")
		}
		return c.failPerm(notFound("role_id", id))
	}
	var b roleBody
	if rep, good := c.decode(&b); !good {
		return rep
	}
	if b.Name == nil || *b.Name == "" {
		return c.failPerm(missingFields("name"))
	}
	// Full replace: description and system_policy_ids left out are cleared.
	// id, permission_type and scope_type are not in UpdateRole: immutable.
	var ids []string
	if b.SystemPolicyIDs != nil {
		ids = *b.SystemPolicyIDs
	}
	pols, perr := checkRolePolicies(ids, cur.PermissionType, cur.ScopeType)
	if perr != nil {
		return c.failPerm(perr)
	}
	if perr := s.checkRoleName(*b.Name, cur.ID); perr != nil {
		return c.failPerm(perr)
	}
	cur.Name, cur.Description, cur.PolicyIDs = *b.Name, b.Description, pols
	cur.Updated = s.e.now().Unix()
	v, _ := s.role(id)
	return ok(envelope(v.json(true, nil)))
}

func (s *permState) deleteRole(c *call) reply {
	id := c.param("role_id")
	cur := s.customRole(id)
	if cur == nil {
		if _, system := s.role(id); system {
			return c.fail(http.StatusForbidden, "not allowed")
		}
		return c.failPerm(notFound("role_id", id))
	}
	force, _, good := c.queryBool("force")
	if !good {
		return c.failPerm(invalidField("force", c.query().Get("force")))
	}
	used := len(s.index().byRole[id]) > 0
	if used && !force {
		// The spec lists no 409 for delete; 403 is the listed code that
		// fits "Prevents deletion if the role has associated principals"
		// (NOTES.md P21).
		return c.failFields(http.StatusForbidden, "role has associated principals", map[string]any{"role_id": id})
	}
	s.removeAssigns(func(a *assignment) bool { return a.RoleID == id })
	s.roles = slices.DeleteFunc(s.roles, func(r *customRole) bool { return r.ID == id })
	delete(s.roleByID, id)
	return noContent()
}
