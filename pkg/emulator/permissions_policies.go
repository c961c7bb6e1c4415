package emulator

// Public endpoints, system policies, custom policies and effective policies
// (NOTES.md 2.7, 2.8, 2.13-2.16).

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/cedar-policy/cedar-go/types"
)

func (s *permState) getCatalog(c *call) reply {
	return ok(map[string]any{"catalog": theCatalog().catalogBody})
}

func (s *permState) getCedarSchema(c *call) reply {
	return ok(map[string]any{"schema": theCatalog().schemaJSON})
}

func (s *permState) validateCedarPolicy(c *call) reply {
	// The public operations' 400 declares no body (NOTES.md 6.1).
	var body struct {
		Policy *string `json:"policy"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil || body.Policy == nil {
		return reply{status: http.StatusBadRequest}
	}
	_, errs := checkCedar(*body.Policy)
	if errs == nil {
		errs = []cedarError{}
	}
	return ok(map[string]any{"valid": len(errs) == 0, "errors": errs})
}

// scopeTypeQuery reads a list's scope_type: absent means account ("If
// scope_type isn't specified as prodenv, the account-level policies will be
// returned"); a value outside the enum is an error.
func scopeTypeQuery(c *call) (string, *permErr) {
	v := c.query().Get("scope_type")
	switch v {
	case "":
		return "account", nil
	case "account", "prodenv":
		return v, nil
	}
	return "", invalidField("scope_type", v)
}

func (s *permState) getSystemPolicies(c *call) reply {
	scope, perr := scopeTypeQuery(c)
	if perr != nil {
		return c.failPerm(perr)
	}
	perm := c.query().Get("permission_type")
	if perm != "" && !validPermissionType(perm) {
		return c.failPerm(invalidField("permission_type", perm))
	}
	data := []map[string]any{}
	for _, p := range theCatalog().policies {
		if p.ScopeType == scope && (perm == "" || p.PermissionType == perm) {
			data = append(data, p.json(nil))
		}
	}
	// Every system policy fits in one answer: no next_cursor (NOTES.md P9).
	return ok(envelope(data))
}

// json is CustomPolicyResponseData.
func (p *customPolicy) json() map[string]any {
	m := map[string]any{
		"id": p.ID, "name": p.Name, "policy_statement": p.Statement, "description": p.Description,
		"scope_type": p.ScopeType, "enabled": p.Enabled, "created_at": p.Created, "updated_at": p.Updated,
	}
	if p.ScopeType == "prodenv" {
		m["scope_id"] = p.ScopeID
	}
	return m
}

// scopeMatches reports whether an object scoped (scopeType, scopeID) is
// visible in a list for (wantType, wantID): wantID "" means every prodenv,
// "all" only the objects scoped "all", and an environment id that
// environment's objects and those scoped "all".
func scopeMatches(scopeType, scopeID, wantType, wantID string) bool {
	if scopeType != wantType {
		return false
	}
	if scopeType != "prodenv" || wantID == "" {
		return true
	}
	if wantID == "all" {
		return scopeID == "all"
	}
	return scopeID == wantID || scopeID == "all"
}

func (s *permState) getCustomPolicies(c *call) reply {
	q := c.query()
	scope, perr := scopeTypeQuery(c)
	if perr != nil {
		return c.failPerm(perr)
	}
	scopeID := ""
	if scope == "prodenv" {
		scopeID = q.Get("scope_id")
		if scopeID == "" {
			return c.failPerm(missingFields("scope_id"))
		}
		// "all" is "relevant only when creating or updating a policy".
		if scopeID == "all" || !s.e.prov.subAccountExists(scopeID) {
			return c.failPerm(invalidField("scope_id", scopeID))
		}
	}
	enabled, hasEnabled, good := c.queryBool("enabled")
	if !good {
		return c.failPerm(invalidField("enabled", q.Get("enabled")))
	}
	var match []*customPolicy
	for _, p := range s.policies {
		if scopeMatches(p.ScopeType, p.ScopeID, scope, scopeID) && (!hasEnabled || p.Enabled == enabled) {
			match = append(match, p)
		}
	}
	from, to, next, err := page(len(match), q.Get("cursor"))
	if err != nil {
		return c.failPerm(invalidField("cursor", q.Get("cursor")))
	}
	data := []map[string]any{}
	for _, p := range match[from:to] {
		data = append(data, p.json())
	}
	body := envelope(data)
	if next != "" {
		body["next_cursor"] = next
	}
	return ok(body)
}

// customPolicyBody is CreateCustomPolicy and UpdateCustomPolicy.
type customPolicyBody struct {
	Name            *string `json:"name"`
	PolicyStatement *string `json:"policy_statement"`
	Description     *string `json:"description"`
	ScopeType       *string `json:"scope_type"`
	ScopeID         *string `json:"scope_id"`
	Enabled         *bool   `json:"enabled"`
}

// checkPolicy validates a create or update body into a policy (without id
// and times). self is the policy being updated, nil on create.
func (s *permState) checkPolicy(b customPolicyBody, self *customPolicy) (*customPolicy, *permErr) {
	var missing []string
	if b.Name == nil || *b.Name == "" {
		missing = append(missing, "name")
	}
	if b.PolicyStatement == nil || *b.PolicyStatement == "" {
		missing = append(missing, "policy_statement")
	}
	if b.ScopeType == nil || *b.ScopeType == "" {
		missing = append(missing, "scope_type")
	}
	if self != nil && b.Enabled == nil {
		missing = append(missing, "enabled") // UpdateCustomPolicy: required [enabled]
	}
	if len(missing) > 0 {
		return nil, missingFields(missing...)
	}
	p := &customPolicy{Name: *b.Name, Description: b.Description, ScopeType: *b.ScopeType, Enabled: true}
	if b.Enabled != nil {
		p.Enabled = *b.Enabled
	}
	if !validScopeType(p.ScopeType) {
		return nil, invalidField("scope_type", p.ScopeType)
	}
	if p.ScopeType == "prodenv" {
		if b.ScopeID == nil || *b.ScopeID == "" {
			return nil, missingFields("scope_id")
		}
		if perr := s.checkScopeID(*b.ScopeID); perr != nil {
			return nil, perr
		}
		p.ScopeID = *b.ScopeID
	}
	// For account scope scope_id is "only relevant if scope_type is
	// prodenv": it is ignored, not stored.
	canon, errs := checkCedar(*b.PolicyStatement)
	if errs != nil {
		return nil, cedarInvalid(*b.PolicyStatement, errs)
	}
	p.Statement = canon
	if self != nil && self.Statement == canon {
		// "Updating a policy with an identical policy_statement will
		// trigger a 409 error" (NOTES.md P2).
		return nil, conflict("already exists for the scope", "policy_statement", *b.PolicyStatement)
	}
	for _, o := range s.policies {
		if o != self && o.ScopeType == p.ScopeType && o.ScopeID == p.ScopeID && o.Statement == canon {
			return nil, conflict("already exists for the scope", "policy_statement", *b.PolicyStatement)
		}
	}
	return p, nil
}

func (s *permState) createCustomPolicy(c *call) reply {
	var b customPolicyBody
	if rep, good := c.decode(&b); !good {
		return rep
	}
	p, perr := s.checkPolicy(b, nil)
	if perr != nil {
		return c.failPerm(perr)
	}
	s.addPolicy(p)
	return created(envelope(p.json()))
}

func (s *permState) addPolicy(p *customPolicy) {
	p.ID = s.e.newID(24)
	p.Created = s.e.now().Unix()
	p.Updated = p.Created
	s.policies = append(s.policies, p)
}

func (s *permState) policy(id string) *customPolicy {
	for _, p := range s.policies {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (s *permState) getCustomPolicy(c *call) reply {
	p := s.policy(c.param("policy_id"))
	if p == nil {
		return c.failPerm(notFound("policy_id", c.param("policy_id")))
	}
	return ok(envelope(p.json()))
}

func (s *permState) updateCustomPolicy(c *call) reply {
	cur := s.policy(c.param("policy_id"))
	if cur == nil {
		return c.failPerm(notFound("policy_id", c.param("policy_id")))
	}
	var b customPolicyBody
	if rep, good := c.decode(&b); !good {
		return rep
	}
	p, perr := s.checkPolicy(b, cur)
	if perr != nil {
		return c.failPerm(perr)
	}
	// Full replace: every field comes from the body.
	cur.Name, cur.Description, cur.Statement = p.Name, p.Description, p.Statement
	cur.ScopeType, cur.ScopeID, cur.Enabled = p.ScopeType, p.ScopeID, p.Enabled
	cur.Updated = s.e.now().Unix()
	return ok(envelope(cur.json()))
}

func (s *permState) deleteCustomPolicy(c *call) reply {
	id := c.param("policy_id")
	for i, p := range s.policies {
		if p.ID == id {
			s.policies = append(s.policies[:i], s.policies[i+1:]...)
			return noContent()
		}
	}
	return c.failPerm(notFound("policy_id", id))
}

// getEffectivePolicies answers, per principal, the roles that apply to it in
// the scope with their system policies' statements (placeholders
// substituted from the assignment), and the enabled custom policies of the
// scope whose principal scope can match it. Simplifications: a user's roles
// include its groups' roles (flattened into one list); custom policies are
// matched on their principal scope only (conditions are not evaluated);
// without a principal, every principal with an assignment in the scope is
// listed and custom_policies holds every enabled custom policy of the scope.
func (s *permState) getEffectivePolicies(c *call) reply {
	q := c.query()
	scope, perr := scopeTypeQuery(c)
	if perr != nil {
		return c.failPerm(perr)
	}
	scopeID := q.Get("scope_id")
	if scopeID != "" {
		if scope != "prodenv" {
			return c.failPerm(invalidField("scope_id", scopeID))
		}
		if perr := s.checkScopeID(scopeID); perr != nil {
			return c.failPerm(perr)
		}
	}
	ptype, pid := q.Get("principal_type"), q.Get("principal_id")
	if ptype != "" || pid != "" {
		if perr := s.checkPrincipalQuery(ptype, pid); perr != nil {
			return c.failPerm(perr)
		}
	}
	var principals []principalKey
	if ptype != "" {
		principals = []principalKey{{ptype, pid}}
	} else {
		for _, a := range s.assigns {
			k := principalKey{a.PrincipalType, a.PrincipalID}
			if s.assignmentInScope(a, scope, scopeID) && !slices.Contains(principals, k) {
				principals = append(principals, k)
			}
		}
	}
	out := []map[string]any{}
	var entities []types.EntityUID
	for _, p := range principals {
		ids := []principalKey{p}
		if p.typ == "user" {
			for _, g := range s.e.prov.groupsOfUser(p.id) {
				ids = append(ids, principalKey{"group", g})
			}
		}
		roles := []map[string]any{}
		for _, a := range s.assigns {
			if !slices.Contains(ids, principalKey{a.PrincipalType, a.PrincipalID}) || !s.assignmentInScope(a, scope, scopeID) {
				continue
			}
			r, _ := s.role(a.RoleID)
			pols := []map[string]any{}
			for _, id := range r.PolicyIDs {
				sp := theCatalog().policyByID[id]
				pols = append(pols, map[string]any{"id": sp.ID, "policy_statement": substituteParams(sp.Statement, a.Params)})
			}
			roles = append(roles, map[string]any{"id": r.ID, "system_policies": pols})
		}
		out = append(out, map[string]any{"principal_type": p.typ, "principal_id": p.id, "roles": roles})
		if ptype != "" {
			for _, k := range ids {
				if e, good := principalEntity(k.typ, k.id); good {
					entities = append(entities, e)
				}
			}
		}
	}
	custom := []map[string]any{}
	for _, p := range s.policies {
		if !p.Enabled || !scopeMatches(p.ScopeType, p.ScopeID, scope, scopeID) {
			continue
		}
		if ptype != "" && (len(entities) == 0 || !cedarAppliesTo(p.Statement, entities)) {
			continue
		}
		custom = append(custom, map[string]any{"id": p.ID, "policy_statement": p.Statement})
	}
	return ok(envelope(map[string]any{"principals": out, "custom_policies": custom}))
}

// checkPrincipalQuery checks a principal_type/principal_id pair of query
// parameters: both present, a known type, an existing principal.
func (s *permState) checkPrincipalQuery(ptype, pid string) *permErr {
	var missing []string
	if ptype == "" {
		missing = append(missing, "principal_type")
	}
	if pid == "" {
		missing = append(missing, "principal_id")
	}
	if len(missing) > 0 {
		return missingFields(missing...)
	}
	if !validPrincipalType(ptype) {
		return invalidField("principal_type", ptype)
	}
	if !s.principalExists(ptype, pid) {
		return &permErr{status: http.StatusNotFound, message: "not found", fields: []any{map[string]any{"principal_id": pid}}}
	}
	return nil
}
