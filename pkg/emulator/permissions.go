package emulator

// The permissions half of the account (/v2, NOTES.md 2.7-2.16): custom
// roles, custom policies and role assignments, plus the read-only catalog
// of system roles and policies (catalog.go) and Cedar checking (cedar.go).
//
// Choices where the spec is silent or contradicts itself, in one place:
//   - Only listed status codes are answered. A bad query parameter answers
//     400 where the operation lists it; where it does not (getRoles,
//     getSystemPolicies, getCustomPolicies) it answers 500, and where
//     neither is listed (getRole, getRolePrincipals, deleteRole) 403. A
//     missing required permission_type on getRoles is such a bad parameter:
//     500, never a silent default. An unknown scope_id on getCustomPolicies
//     is 500 too (it lists no 404).
//   - System roles are read-only: updateRole and deleteRole on one answer
//     403 "not allowed".
//   - deleteRole of a role that still has principals, without force=true,
//     answers 403 (the spec lists no 409 for delete; NOTES.md P21). With
//     force=true its assignments go too.
//   - Adding an assignment that already exists, or removing one that does
//     not, is a no-op answering 200: both PUTs are idempotent.
//   - An assignment to scope_id "all" appears in every prodenv's inspect,
//     getPrincipalRoles, getRolePrincipals and effective-policies answer
//     filtered by scope_id, with scope_id "all" as stored.
//   - Custom policies scoped "all" appear in every prodenv's list. A
//     statement is a duplicate (409) only within the same scope value: the
//     same statement may exist for "all" and for one environment.
//   - An apiKey principal's id is the access key's api_key value (NOTES.md
//     P12); apiKeyPrincipalExists is the one place that assumes it.
//     provisioningKey principals are accepted without a check: there is
//     no list of account keys.
//   - List pages hold PermissionsPageSize items; cursors are opaque.
//   - getPrincipalRoles lists the principal's own assignments, not those
//     inherited through groups; getEffectivePolicies includes both.
//   - A scope_type left out of getSystemPolicies, getCustomPolicies and
//     getEffectivePolicies means account, as the first two document.
//   - inspectMultiple answers every principal given, with roles: [] when it
//     has none in the scope; an unknown principal answers 404.
//   - getRolePrincipals without verbose lists each principal once as
//     {id, type}; verbose=true lists one row per assignment.
//   - An assignment's created_at/updated_at in PrincipalRolesData and
//     PrincipalResponseData are the assignment's own times.
//   - A principal's missing type or id answers "missing fields" with
//     principal_type/principal_id (MissingPrincipalFieldsErrorExample), a
//     role entry without id "missing fields" role_id.
//   - A request with several roles or principals is checked whole before
//     anything changes: a refused request changes nothing.

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// PermissionsPageSize is how many items one page of a cursor-paged
// permissions list holds (custom policies; principals of inspect and
// inspectMultiple). The spec gives no page size.
const PermissionsPageSize = 20

// permState is the permissions half of the account. Guarded by Emulator.mu.
type permState struct {
	e        *Emulator
	policies []*customPolicy // in creation order
	roles    []*customRole   // in creation order
	assigns  []*assignment   // in creation order

	// roleByID indexes roles; only addRole and removeRole change either.
	roleByID map[string]*customRole
	// idx indexes assigns (index.go); seq numbers them in creation order.
	idx *assignIndex
	seq int
}

func newPermState(e *Emulator) *permState {
	return &permState{e: e, roleByID: map[string]*customRole{}}
}

// checkIndexes reports an index that disagrees with the lists (for tests).
func (s *permState) checkIndexes() error {
	if len(s.roleByID) != len(s.roles) {
		return fmt.Errorf("roleByID has %d roles, the list %d", len(s.roleByID), len(s.roles))
	}
	for _, r := range s.roles {
		if s.roleByID[r.ID] != r {
			return fmt.Errorf("roleByID[%s] is not the listed role", r.ID)
		}
	}
	return s.checkAssignIndex()
}

// customPolicy is a custom Cedar policy.
type customPolicy struct {
	ID          string
	Name        string
	Description *string
	Statement   string // canonical
	ScopeType   string
	ScopeID     string // "" for account scope; an environment id or "all"
	Enabled     bool
	Created     int64
	Updated     int64
}

// customRole is a custom role.
type customRole struct {
	ID             string
	Name           string
	Description    *string
	PermissionType string
	ScopeType      string
	PolicyIDs      []string
	Created        int64
	Updated        int64
}

// assignment is one role assignment: the identity is the whole tuple
// (principal type and id, role, scope id, policy parameters).
type assignment struct {
	PrincipalType string
	PrincipalID   string
	RoleID        string
	ScopeID       string            // "" for account roles
	Params        map[string]string // content roles: one of folder_id, collection_id
	Created       int64
	Updated       int64
	seq           int // creation order (addAssign)
}

// roleView is a role, system or custom, as the handlers see it.
type roleView struct {
	ID             string
	Name           string
	Description    *string
	Management     string // system | custom
	PermissionType string
	ScopeType      string
	PolicyIDs      []string
	Created        int64
	Updated        int64
}

// role returns the role with the given id, system or custom.
func (s *permState) role(id string) (roleView, bool) {
	if r := theCatalog().roleByID[id]; r != nil {
		d := r.Description
		return roleView{ID: r.ID, Name: r.Name, Description: &d, Management: "system",
			PermissionType: r.PermissionType, ScopeType: r.ScopeType, PolicyIDs: r.PolicyIDs,
			Created: catalogEpoch, Updated: catalogEpoch}, true
	}
	if r := s.customRole(id); r != nil {
		return roleView{ID: r.ID, Name: r.Name, Description: r.Description, Management: "custom",
			PermissionType: r.PermissionType, ScopeType: r.ScopeType, PolicyIDs: r.PolicyIDs,
			Created: r.Created, Updated: r.Updated}, true
	}
	return roleView{}, false
}

func (s *permState) allRoles() []roleView {
	var out []roleView
	for _, r := range theCatalog().roles {
		v, _ := s.role(r.ID)
		out = append(out, v)
	}
	for _, r := range s.roles {
		v, _ := s.role(r.ID)
		out = append(out, v)
	}
	return out
}

func (s *permState) customRole(id string) *customRole { return s.roleByID[id] }

// paramTypes is a role's RoleResponseData.policy_parameters: the content
// types its system policies take, in first-seen order.
func (r roleView) paramTypes() []string {
	var out []string
	for _, id := range r.PolicyIDs {
		if p := theCatalog().policyByID[id]; p != nil {
			for _, k := range p.Params {
				if !slices.Contains(out, k) {
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// json is RoleResponseData; with policies it is RoleResponse's data, the
// role's system policies expanded (params substitutes placeholders).
func (r roleView) json(withPolicies bool, params map[string]string) map[string]any {
	m := map[string]any{
		"id": r.ID, "name": r.Name, "description": r.Description,
		"management_type": r.Management, "permission_type": r.PermissionType,
		"scope_type": r.ScopeType, "created_at": r.Created, "updated_at": r.Updated,
	}
	if pt := r.paramTypes(); len(pt) > 0 {
		m["policy_parameters"] = pt
	}
	if withPolicies {
		pols := []map[string]any{}
		for _, id := range r.PolicyIDs {
			pols = append(pols, theCatalog().policyByID[id].json(params))
		}
		m["policies"] = pols
	}
	return m
}

// permErr is a request error found by validation shared by the handlers and
// the seed: an HTTP status, the spec's message and details.fields.
type permErr struct {
	status  int
	message string
	fields  []any

	// statement and cedar are set for an invalid Cedar statement.
	statement string
	cedar     []cedarError
}

func (e *permErr) Error() string {
	if e.cedar != nil {
		msgs := make([]string, len(e.cedar))
		for i, c := range e.cedar {
			msgs[i] = c.Message
		}
		return fmt.Sprintf("invalid Cedar statement: %s", strings.Join(msgs, "; "))
	}
	return fmt.Sprintf("%d %s %v", e.status, e.message, e.fields)
}

func missingFields(names ...string) *permErr {
	f := make([]any, len(names))
	for i, n := range names {
		f[i] = n
	}
	return &permErr{status: http.StatusBadRequest, message: "missing fields", fields: f}
}

func invalidField(name string, value any) *permErr {
	return &permErr{status: http.StatusBadRequest, message: "invalid request", fields: []any{map[string]any{name: value}}}
}

func notFound(name, value string) *permErr {
	return &permErr{status: http.StatusNotFound, message: "not found", fields: []any{map[string]any{name: value}}}
}

func conflict(message, name string, value any) *permErr {
	return &permErr{status: http.StatusConflict, message: message, fields: []any{map[string]any{name: value}}}
}

func cedarInvalid(statement string, errs []cedarError) *permErr {
	return &permErr{status: http.StatusBadRequest, message: "invalid request", statement: statement, cedar: errs}
}

// failPerm answers a permErr. A 400 on an operation that does not list 400
// becomes the closest listed code (see the file comment).
func (c *call) failPerm(e *permErr) reply {
	if e.cedar != nil {
		msgs := make([]string, len(e.cedar))
		for i, ce := range e.cedar {
			msgs[i] = ce.Message
		}
		return c.failCedar(e.statement, msgs...)
	}
	status := e.status
	if status == http.StatusBadRequest && !c.op.allows(status) {
		switch {
		case c.op.allows(http.StatusInternalServerError):
			status = http.StatusInternalServerError
		default:
			status = http.StatusForbidden
		}
	}
	if status == http.StatusNotFound && !c.op.allows(status) {
		// Only create operations lack 404; a reference that does not exist
		// in their body is an invalid field.
		status = http.StatusBadRequest
		e = &permErr{status: status, message: "invalid request", fields: e.fields}
		if !c.op.allows(status) {
			status = http.StatusInternalServerError
		}
	}
	if len(e.fields) == 0 {
		return c.fail(status, e.message)
	}
	return c.failFields(status, e.message, e.fields...)
}

// envelope wraps a permissions answer as {"data": ...}.
func envelope(data any) map[string]any { return map[string]any{"data": data} }

// page returns one page of n items starting at the cursor, and the cursor
// of the next page ("" on the last). Cursors are base64 offsets; a cursor
// that does not decode is an error.
func page(n int, cursor string) (from, to int, next string, err error) {
	if cursor != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(cursor)
		off, perr := strconv.Atoi(strings.TrimPrefix(string(raw), "o"))
		if derr != nil || perr != nil || !strings.HasPrefix(string(raw), "o") || off < 0 {
			return 0, 0, "", fmt.Errorf("invalid cursor %q", cursor)
		}
		from = off
	}
	from = min(from, n)
	to = min(from+PermissionsPageSize, n)
	if to < n {
		next = base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(to)))
	}
	return from, to, next, nil
}

// principalExists checks a principal of PrincipalTypeEnum against the
// provisioning half.
func (s *permState) principalExists(typ, id string) bool {
	switch typ {
	case "user":
		return s.e.prov.userExists(id)
	case "group":
		return s.e.prov.groupExists(id)
	case "apiKey":
		return s.apiKeyPrincipalExists(id)
	case "provisioningKey":
		// No endpoint lists account API keys, so there is nothing to check.
		return id != ""
	}
	return false
}

// apiKeyPrincipalExists is the one place that decides what an apiKey
// principal id is: the api_key value of a product environment's access key
// (NOTES.md P12, unverified against the live API).
func (s *permState) apiKeyPrincipalExists(id string) bool {
	return s.e.prov.accessKeyExists(id)
}

func validPrincipalType(t string) bool {
	return t == "user" || t == "group" || t == "apiKey" || t == "provisioningKey"
}

// checkScopeID checks a prodenv scope id: an existing environment or "all".
func (s *permState) checkScopeID(id string) *permErr {
	if id == "all" || s.e.prov.subAccountExists(id) {
		return nil
	}
	return notFound("scope_id", id)
}

// forgetPrincipal removes every role assignment of a principal; the
// provisioning half calls it when a user, group or access key is deleted
// (typ is "user", "group" or "apiKey"). Must hold e.mu.
func (s *permState) forgetPrincipal(typ, id string) {
	s.removeAssigns(func(a *assignment) bool {
		return a.PrincipalType == typ && a.PrincipalID == id
	})
}

// forgetScope removes the assignments and custom policies scoped to a
// product environment; called when it is deleted. Must hold e.mu.
func (s *permState) forgetScope(subAccountID string) {
	s.removeAssigns(func(a *assignment) bool { return a.ScopeID == subAccountID })
	s.policies = slices.DeleteFunc(s.policies, func(p *customPolicy) bool {
		return p.ScopeType == "prodenv" && p.ScopeID == subAccountID
	})
}

func (e *Emulator) permissionsHandlers() map[string]handler {
	s := e.perm
	return map[string]handler{
		"getSystemRolesAndPoliciesCatalog": s.getCatalog,
		"validateCedarPolicy":              s.validateCedarPolicy,
		"getCedarSchema":                   s.getCedarSchema,
		"getSystemPolicies":                s.getSystemPolicies,
		"getCustomPolicies":                s.getCustomPolicies,
		"createCustomPolicy":               s.createCustomPolicy,
		"getCustomPolicy":                  s.getCustomPolicy,
		"updateCustomPolicy":               s.updateCustomPolicy,
		"deleteCustomPolicy":               s.deleteCustomPolicy,
		"getEffectivePolicies":             s.getEffectivePolicies,
		"getRoles":                         s.getRoles,
		"createRole":                       s.createRole,
		"getRole":                          s.getRole,
		"updateRole":                       s.updateRole,
		"deleteRole":                       s.deleteRole,
		"getPrincipalRoles":                s.getPrincipalRoles,
		"updatePrincipalRoles":             s.updatePrincipalRoles,
		"inspect":                          s.inspect,
		"inspectMultiple":                  s.inspectMultiple,
		"getRolePrincipals":                s.getRolePrincipals,
		"updateRolePrincipals":             s.updateRolePrincipals,
	}
}
