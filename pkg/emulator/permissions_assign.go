package emulator

// Role assignments: the two add/remove PUTs and the four reads (NOTES.md
// 2.10-2.12, 4.4).

import (
	"slices"
)

// checkAssignment validates one assignment of a role to an (existing)
// principal and returns it (without times).
func (s *permState) checkAssignment(ptype, pid, roleID string, scopeID *string, params map[string]any) (*assignment, *permErr) {
	r, found := s.role(roleID)
	if !found {
		return nil, notFound("role_id", roleID)
	}
	a := &assignment{PrincipalType: ptype, PrincipalID: pid, RoleID: roleID}
	switch r.ScopeType {
	case "account":
		// An account role has no scope_id (NOTES.md 4.4).
		if scopeID != nil && *scopeID != "" {
			return nil, invalidField("scope_id", *scopeID)
		}
	case "prodenv":
		if scopeID == nil || *scopeID == "" {
			return nil, missingFields("scope_id")
		}
		if perr := s.checkScopeID(*scopeID); perr != nil {
			return nil, perr
		}
		a.ScopeID = *scopeID
	}
	if r.PermissionType != "content" {
		if len(params) > 0 {
			return nil, invalidField("policy_parameters", params)
		}
		return a, nil
	}
	// A content role needs exactly one instance, of a type its policies
	// take: {"folder_id": "..."} or {"collection_id": "..."}.
	if len(params) == 0 {
		return nil, missingFields("policy_parameters")
	}
	if len(params) != 1 {
		return nil, invalidField("policy_parameters", params)
	}
	allowed := r.paramTypes()
	if len(allowed) == 0 {
		allowed = policyParamKeys
	}
	for k, v := range params {
		str, isString := v.(string)
		if !slices.Contains(allowed, k) || !isString || str == "" {
			return nil, invalidField("policy_parameters", params)
		}
		a.Params = map[string]string{k: str}
	}
	return a, nil
}

// applyAssignments adds or removes assignments. Adding a tuple that exists
// and removing one that does not are no-ops.
func (s *permState) applyAssignments(op string, list []*assignment) {
	now := s.e.now().Unix()
	for _, a := range list {
		cur := s.index().byTuple[a.tupleKey()]
		switch {
		case op == "add" && cur == nil:
			a.Created, a.Updated = now, now
			s.addAssign(a)
		case op == "remove" && cur != nil:
			s.removeAssigns(func(x *assignment) bool { return x == cur })
		}
	}
}

func checkOperation(op *string) *permErr {
	if *op != "add" && *op != "remove" {
		return invalidField("operation", *op)
	}
	return nil
}

type principalRef struct {
	Type *string `json:"type"`
	ID   *string `json:"id"`
}

// checkPrincipalRef checks a Principal{type, id} of a body.
func (s *permState) checkPrincipalRef(p principalRef) *permErr {
	var missing []string
	if p.Type == nil || *p.Type == "" {
		missing = append(missing, "principal_type")
	}
	if p.ID == nil || *p.ID == "" {
		missing = append(missing, "principal_id")
	}
	if len(missing) > 0 {
		return missingFields(missing...)
	}
	return s.checkPrincipalQuery(*p.Type, *p.ID)
}

func (s *permState) updatePrincipalRoles(c *call) reply {
	var b struct {
		Operation *string       `json:"operation"`
		Principal *principalRef `json:"principal"`
		Roles     *[]struct {
			ID               *string        `json:"id"`
			ScopeID          *string        `json:"scope_id"`
			PolicyParameters map[string]any `json:"policy_parameters"`
		} `json:"roles"`
	}
	if rep, good := c.decode(&b); !good {
		return rep
	}
	var missing []string
	if b.Operation == nil || *b.Operation == "" {
		missing = append(missing, "operation")
	}
	if b.Principal == nil {
		missing = append(missing, "principal_type", "principal_id")
	}
	if b.Roles == nil || len(*b.Roles) == 0 {
		missing = append(missing, "roles")
	}
	if len(missing) > 0 {
		return c.failPerm(missingFields(missing...))
	}
	if perr := checkOperation(b.Operation); perr != nil {
		return c.failPerm(perr)
	}
	if perr := s.checkPrincipalRef(*b.Principal); perr != nil {
		return c.failPerm(perr)
	}
	var list []*assignment
	for _, r := range *b.Roles {
		if r.ID == nil || *r.ID == "" {
			return c.failPerm(missingFields("role_id"))
		}
		a, perr := s.checkAssignment(*b.Principal.Type, *b.Principal.ID, *r.ID, r.ScopeID, r.PolicyParameters)
		if perr != nil {
			return c.failPerm(perr)
		}
		list = append(list, a)
	}
	s.applyAssignments(*b.Operation, list)
	return ok(nil)
}

func (s *permState) updateRolePrincipals(c *call) reply {
	roleID := c.param("role_id")
	if _, found := s.role(roleID); !found {
		return c.failPerm(notFound("role_id", roleID))
	}
	var b struct {
		Operation  *string `json:"operation"`
		Principals *[]struct {
			PrincipalType    *string        `json:"principal_type"`
			PrincipalID      *string        `json:"principal_id"`
			ScopeID          *string        `json:"scope_id"`
			PolicyParameters map[string]any `json:"policy_parameters"`
		} `json:"principals"`
	}
	if rep, good := c.decode(&b); !good {
		return rep
	}
	var missing []string
	if b.Operation == nil || *b.Operation == "" {
		missing = append(missing, "operation")
	}
	if b.Principals == nil || len(*b.Principals) == 0 {
		missing = append(missing, "principals")
	}
	if len(missing) > 0 {
		return c.failPerm(missingFields(missing...))
	}
	if perr := checkOperation(b.Operation); perr != nil {
		return c.failPerm(perr)
	}
	var list []*assignment
	for _, p := range *b.Principals {
		if perr := s.checkPrincipalRef(principalRef{Type: p.PrincipalType, ID: p.PrincipalID}); perr != nil {
			return c.failPerm(perr)
		}
		a, perr := s.checkAssignment(*p.PrincipalType, *p.PrincipalID, roleID, p.ScopeID, p.PolicyParameters)
		if perr != nil {
			return c.failPerm(perr)
		}
		list = append(list, a)
	}
	s.applyAssignments(*b.Operation, list)
	return ok(nil)
}

// assignmentInScope reports whether an assignment shows in a read for
// (scopeType, scopeID); see scopeMatches for scopeID "" and "all".
func (s *permState) assignmentInScope(a *assignment, scopeType, scopeID string) bool {
	r, found := s.role(a.RoleID)
	return found && scopeMatches(r.ScopeType, a.ScopeID, scopeType, scopeID)
}

// paramsMatch reports whether an assignment is for every instance in filter.
func paramsMatch(a *assignment, filter map[string]string) bool {
	for k, v := range filter {
		if a.Params[k] != v {
			return false
		}
	}
	return true
}

// principalRoleJSON is PrincipalRolesData: the role with the assignment's
// scope_id, policy_parameters and times.
func (s *permState) principalRoleJSON(a *assignment) map[string]any {
	r, _ := s.role(a.RoleID)
	m := map[string]any{
		"id": r.ID, "name": r.Name, "description": r.Description,
		"management_type": r.Management, "permission_type": r.PermissionType,
		"scope_type": r.ScopeType, "created_at": a.Created, "updated_at": a.Updated,
	}
	if r.ScopeType == "prodenv" {
		m["scope_id"] = a.ScopeID
	}
	if len(a.Params) > 0 {
		m["policy_parameters"] = a.Params
	}
	return m
}

// scopeQuery reads an optional scope_type/scope_id pair of query
// parameters. scope_id needs scope_type prodenv (or none) and must be an
// environment or "all".
func (s *permState) scopeQuery(c *call) (scopeType, scopeID string, perr *permErr) {
	scopeType, scopeID = c.query().Get("scope_type"), c.query().Get("scope_id")
	if scopeType != "" && !validScopeType(scopeType) {
		return "", "", invalidField("scope_type", scopeType)
	}
	if scopeID != "" {
		if scopeType == "account" {
			return "", "", invalidField("scope_id", scopeID)
		}
		scopeType = "prodenv"
		if perr := s.checkScopeID(scopeID); perr != nil {
			return "", "", perr
		}
	}
	return scopeType, scopeID, nil
}

func (s *permState) getPrincipalRoles(c *call) reply {
	q := c.query()
	var missing []string
	for _, f := range []string{"principal_type", "principal_id", "permission_type"} {
		if q.Get(f) == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return c.failPerm(missingFields(missing...))
	}
	perm, mgmt := q.Get("permission_type"), q.Get("management_type")
	if !validPermissionType(perm) {
		return c.failPerm(invalidField("permission_type", perm))
	}
	if mgmt != "" && mgmt != "system" && mgmt != "custom" {
		return c.failPerm(invalidField("management_type", mgmt))
	}
	ptype, pid := q.Get("principal_type"), q.Get("principal_id")
	if perr := s.checkPrincipalQuery(ptype, pid); perr != nil {
		return c.failPerm(perr)
	}
	scopeType, scopeID, perr := s.scopeQuery(c)
	if perr != nil {
		return c.failPerm(perr)
	}
	params, perr := paramsQuery(c)
	if perr != nil {
		return c.failPerm(perr)
	}
	data := []map[string]any{}
	for _, a := range s.assigns {
		r, _ := s.role(a.RoleID)
		if a.PrincipalType != ptype || a.PrincipalID != pid || r.PermissionType != perm ||
			(mgmt != "" && r.Management != mgmt) || !paramsMatch(a, params) ||
			(scopeType != "" && !scopeMatches(r.ScopeType, a.ScopeID, scopeType, scopeID)) {
			continue
		}
		data = append(data, s.principalRoleJSON(a))
	}
	return ok(envelope(data))
}

// getRolePrincipals lists one row per assignment with verbose=true; without
// it each principal appears once, as {id, type}.
func (s *permState) getRolePrincipals(c *call) reply {
	roleID := c.param("role_id")
	r, found := s.role(roleID)
	if !found {
		return c.failPerm(notFound("role_id", roleID))
	}
	verbose, _, good := c.queryBool("verbose")
	if !good {
		return c.failPerm(invalidField("verbose", c.query().Get("verbose")))
	}
	scopeType, scopeID, perr := s.scopeQuery(c)
	if perr != nil {
		return c.failPerm(perr)
	}
	params, perr := paramsQuery(c)
	if perr != nil {
		return c.failPerm(perr)
	}
	data := []map[string]any{}
	seen := map[principalKey]bool{}
	for _, a := range s.index().byRole[roleID] {
		if a.RoleID != roleID || !paramsMatch(a, params) ||
			(scopeType != "" && !scopeMatches(r.ScopeType, a.ScopeID, scopeType, scopeID)) {
			continue
		}
		if !verbose {
			k := principalKey{a.PrincipalType, a.PrincipalID}
			if !seen[k] {
				seen[k] = true
				data = append(data, map[string]any{"id": a.PrincipalID, "type": a.PrincipalType})
			}
			continue
		}
		m := map[string]any{
			"id": a.PrincipalID, "type": a.PrincipalType, "role_id": a.RoleID,
			"scope_type": r.ScopeType, "created_at": a.Created, "updated_at": a.Updated,
		}
		if r.ScopeType == "prodenv" {
			m["scope_id"] = a.ScopeID
		}
		if len(a.Params) > 0 {
			m["policy_parameters"] = a.Params
		}
		data = append(data, m)
	}
	return ok(envelope(data))
}

type principalKey struct{ typ, id string }

// assignmentsInScope returns the assignments in (scopeType, scopeID)
// matching params, by principal, in creation order, and the principals in
// the order of their first such assignment. One pass over the assignments:
// the per-page cost of inspect on a large account.
func (s *permState) assignmentsInScope(scopeType, scopeID string, params map[string]string) ([]principalKey, map[principalKey][]*assignment) {
	var order []principalKey
	by := map[principalKey][]*assignment{}
	for _, a := range s.assignsOfScope(scopeType, scopeID) {
		if !s.assignmentInScope(a, scopeType, scopeID) || !paramsMatch(a, params) {
			continue
		}
		k := principalKey{a.PrincipalType, a.PrincipalID}
		if _, seen := by[k]; !seen {
			order = append(order, k)
		}
		by[k] = append(by[k], a)
	}
	return order, by
}

// inspectAnswer builds PrincipalRolesInspectResponse for the given
// principals (in order), each with its assignments from by, paged over
// principals.
func (s *permState) inspectAnswer(principals []principalKey, by map[principalKey][]*assignment, cursor string) (map[string]any, *permErr) {
	from, to, next, err := page(len(principals), cursor)
	if err != nil {
		return nil, invalidField("cursor", cursor)
	}
	out := []map[string]any{}
	for _, p := range principals[from:to] {
		roles := []map[string]any{}
		for _, a := range by[p] {
			roles = append(roles, s.principalRoleJSON(a))
		}
		out = append(out, map[string]any{"type": p.typ, "id": p.id, "roles": roles})
	}
	body := envelope(map[string]any{"principals": out})
	if next != "" {
		body["next_cursor"] = next
	}
	return body, nil
}

// checkInspectScope checks the required scope_type and optional scope_id
// of both inspect operations.
func (s *permState) checkInspectScope(scopeType, scopeID string) *permErr {
	if scopeType == "" {
		return missingFields("scope_type")
	}
	if !validScopeType(scopeType) {
		return invalidField("scope_type", scopeType)
	}
	if scopeID != "" {
		if scopeType == "account" {
			return invalidField("scope_id", scopeID)
		}
		return s.checkScopeID(scopeID)
	}
	return nil
}

func (s *permState) inspect(c *call) reply {
	q := c.query()
	scopeType, scopeID := q.Get("scope_type"), q.Get("scope_id")
	if perr := s.checkInspectScope(scopeType, scopeID); perr != nil {
		return c.failPerm(perr)
	}
	ptype, pid := q.Get("principal_type"), q.Get("principal_id")
	if ptype != "" || pid != "" {
		if perr := s.checkPrincipalQuery(ptype, pid); perr != nil {
			return c.failPerm(perr)
		}
	}
	params, perr := paramsQuery(c)
	if perr != nil {
		return c.failPerm(perr)
	}
	type inScope struct {
		principals []principalKey
		by         map[principalKey][]*assignment
	}
	// Every page of a cursor walk filters the same list: once per state of
	// the account (index.go).
	memo := cachedList(s.e, c.listKey("cursor"), func() inScope {
		p, by := s.assignmentsInScope(scopeType, scopeID, params)
		return inScope{p, by}
	})
	principals, by := memo.principals, memo.by
	if ptype != "" {
		principals = slices.DeleteFunc(slices.Clone(principals), func(k principalKey) bool { return k.typ != ptype || k.id != pid })
	}
	body, perr := s.inspectAnswer(principals, by, q.Get("cursor"))
	if perr != nil {
		return c.failPerm(perr)
	}
	return ok(body)
}

// inspectMultiple answers every principal given, in order, even one with no
// role in the scope (roles: []): it "evaluates only the principals you
// provide".
func (s *permState) inspectMultiple(c *call) reply {
	var b struct {
		ScopeType        *string         `json:"scope_type"`
		ScopeID          *string         `json:"scope_id"`
		Principals       *[]principalRef `json:"principals"`
		PolicyParameters map[string]any  `json:"policy_parameters"`
		Cursor           string          `json:"cursor"`
	}
	if rep, good := c.decode(&b); !good {
		return rep
	}
	var missing []string
	if b.ScopeType == nil || *b.ScopeType == "" {
		missing = append(missing, "scope_type")
	}
	if b.Principals == nil || len(*b.Principals) == 0 {
		missing = append(missing, "principals")
	}
	if len(missing) > 0 {
		return c.failPerm(missingFields(missing...))
	}
	scopeID := ""
	if b.ScopeID != nil {
		scopeID = *b.ScopeID
	}
	if perr := s.checkInspectScope(*b.ScopeType, scopeID); perr != nil {
		return c.failPerm(perr)
	}
	params := map[string]string{}
	for k, v := range b.PolicyParameters {
		str, isString := v.(string)
		if !slices.Contains(policyParamKeys, k) || !isString {
			return c.failPerm(invalidField("policy_parameters", b.PolicyParameters))
		}
		params[k] = str
	}
	var principals []principalKey
	given := map[principalKey]bool{}
	for _, p := range *b.Principals {
		if perr := s.checkPrincipalRef(p); perr != nil {
			return c.failPerm(perr)
		}
		k := principalKey{*p.Type, *p.ID}
		if !given[k] {
			given[k] = true
			principals = append(principals, k)
		}
	}
	_, by := s.assignmentsInScope(*b.ScopeType, scopeID, params)
	body, perr := s.inspectAnswer(principals, by, b.Cursor)
	if perr != nil {
		return c.failPerm(perr)
	}
	return ok(body)
}
