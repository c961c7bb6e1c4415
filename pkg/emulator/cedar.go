package emulator

// Cedar checking for custom policies and the public validate endpoint.
//
// A statement is valid when cedar-go parses it into one or more policies and
// every entity type it names exists in the Cedar schema the emulator serves
// (catalog.json, "cedar_schema"): principals must be one of the schema's
// principal types (Cloudinary::User, Group, APIKey), a constrained action
// must be one of a namespace's actions, and every other entity type (the
// resource, `is` tests, entity literals in conditions) must be a declared
// entity type. That is how `Cloudinary::APIKy` (the spec's validate example)
// and `Cloudinary::user` (the spec's effective-policies examples, NOTES.md
// P10) are refused. Attribute types are not checked: the spec's schema is
// partial and a full Cedar validation would refuse statements the real
// service accepts.
//
// Statements are stored and returned in cedar-go's canonical formatting and
// compared in that form, so two statements that differ only in whitespace
// are the same statement (NOTES.md 5.3: the real API reformats).

import (
	"fmt"
	"slices"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
)

// cedarCode is the code the validate endpoint gives every Cedar error
// (ValidateCedarPolicyResponseExample).
const cedarCode = "ACCOUNTS_00002"

// cedarError is one problem found in a statement; the JSON shape of the
// validate endpoint's CedarError.
type cedarError struct {
	Message string `json:"cedar_message"`
	Code    string `json:"cedar_code"`
}

// cedarSchema is what the checker needs from the served Cedar schema.
type cedarSchema struct {
	entityTypes    map[types.EntityType]bool
	principalTypes map[types.EntityType]bool
	actions        map[types.EntityUID]bool
}

// schemaNamespace is the JSON shape of one namespace of a Cedar JSON schema,
// as far as the checker reads it.
type schemaNamespace struct {
	EntityTypes map[string]any `json:"entityTypes"`
	Actions     map[string]struct {
		AppliesTo struct {
			PrincipalTypes []string `json:"principalTypes"`
		} `json:"appliesTo"`
	} `json:"actions"`
}

func newCedarSchema(namespaces map[string]schemaNamespace) *cedarSchema {
	s := &cedarSchema{
		entityTypes:    map[types.EntityType]bool{},
		principalTypes: map[types.EntityType]bool{},
		actions:        map[types.EntityUID]bool{},
	}
	qualify := func(ns, name string) types.EntityType {
		if strings.Contains(name, "::") {
			return types.EntityType(name)
		}
		return types.EntityType(ns + "::" + name)
	}
	for ns, def := range namespaces {
		for name := range def.EntityTypes {
			s.entityTypes[qualify(ns, name)] = true
		}
		for name, a := range def.Actions {
			s.actions[types.NewEntityUID(qualify(ns, "Action"), types.String(name))] = true
			for _, p := range a.AppliesTo.PrincipalTypes {
				s.principalTypes[qualify(ns, p)] = true
			}
		}
	}
	return s
}

// checkCedar parses statement and checks its entity types. It returns the
// canonical form of a valid statement, or the problems found.
func checkCedar(statement string) (string, []cedarError) {
	return theCatalog().schema.check(statement)
}

func (s *cedarSchema) check(statement string) (string, []cedarError) {
	list, err := cedar.NewPolicyListFromBytes("", []byte(statement))
	if err != nil {
		return "", []cedarError{{Message: "invalid_syntax: " + err.Error(), Code: cedarCode}}
	}
	if len(list) == 0 {
		return "", []cedarError{{Message: "empty_policy", Code: cedarCode}}
	}
	var errs []string
	add := func(msg string) {
		if !slices.Contains(errs, msg) {
			errs = append(errs, msg)
		}
	}
	for _, p := range list {
		a := (*xast.Policy)(p.AST())
		s.checkPrincipal(a.Principal, add)
		s.checkAction(a.Action, add)
		s.checkResource(a.Resource, add)
		for _, cond := range a.Conditions {
			xast.Inspect(xast.NewNode(cond.Body), func(n xast.IsNode) bool {
				switch n := n.(type) {
				case xast.NodeValue:
					s.checkValue(n.Value, add)
				case xast.NodeTypeIs:
					s.checkType(n.EntityType, add)
				case xast.NodeTypeIsIn:
					s.checkType(n.EntityType, add)
				}
				return true
			})
		}
	}
	if len(errs) > 0 {
		out := make([]cedarError, len(errs))
		for i, m := range errs {
			out[i] = cedarError{Message: m, Code: cedarCode}
		}
		return "", out
	}
	return string(list.MarshalCedar()), nil
}

// scopeEntityTypes returns the entity types a principal or resource scope
// names (none for an unconstrained scope).
func scopeEntityTypes(n any) []types.EntityType {
	switch n := n.(type) {
	case xast.ScopeTypeEq:
		return []types.EntityType{n.Entity.Type}
	case xast.ScopeTypeIn:
		return []types.EntityType{n.Entity.Type}
	case xast.ScopeTypeIs:
		return []types.EntityType{n.Type}
	case xast.ScopeTypeIsIn:
		return []types.EntityType{n.Type, n.Entity.Type}
	}
	return nil
}

func (s *cedarSchema) checkPrincipal(n xast.IsPrincipalScopeNode, add func(string)) {
	for _, t := range scopeEntityTypes(n) {
		if !s.principalTypes[t] {
			add("invalid_principal")
		}
	}
}

func (s *cedarSchema) checkAction(n xast.IsActionScopeNode, add func(string)) {
	var uids []types.EntityUID
	switch n := n.(type) {
	case xast.ScopeTypeEq:
		uids = append(uids, n.Entity)
	case xast.ScopeTypeIn:
		uids = append(uids, n.Entity)
	case xast.ScopeTypeInSet:
		uids = append(uids, n.Entities...)
	}
	for _, u := range uids {
		if !s.actions[u] {
			add("invalid_action")
		}
	}
}

func (s *cedarSchema) checkResource(n xast.IsResourceScopeNode, add func(string)) {
	for _, t := range scopeEntityTypes(n) {
		if !s.entityTypes[t] {
			add("invalid_resource")
		}
	}
}

// checkType accepts any declared entity type, and the Action type of a
// namespace (conditions may test `action == Cloudinary::Action::"read"`).
func (s *cedarSchema) checkType(t types.EntityType, add func(string)) {
	if s.entityTypes[t] {
		return
	}
	if strings.HasSuffix(string(t), "::Action") {
		return
	}
	add(fmt.Sprintf("invalid_entity_type: %s", t))
}

func (s *cedarSchema) checkValue(v types.Value, add func(string)) {
	switch v := v.(type) {
	case types.EntityUID:
		if strings.HasSuffix(string(v.Type), "::Action") {
			if !s.actions[v] {
				add("invalid_action")
			}
			return
		}
		s.checkType(v.Type, add)
	case types.Set:
		for e := range v.All() {
			s.checkValue(e, add)
		}
	case types.Record:
		for _, e := range v.All() {
			s.checkValue(e, add)
		}
	}
}

// principalEntity is the Cedar entity of a principal of the Permissions API
// (PrincipalTypeEnum); provisioningKey has no entity type in the schema.
func principalEntity(typ, id string) (types.EntityUID, bool) {
	name, ok := map[string]string{"user": "Cloudinary::User", "group": "Cloudinary::Group", "apiKey": "Cloudinary::APIKey"}[typ]
	if !ok {
		return types.EntityUID{}, false
	}
	return types.NewEntityUID(types.EntityType(name), types.String(id)), true
}

// cedarAppliesTo reports whether some policy of a (valid) statement can
// apply to any of the given principal entities: its principal scope is
// unconstrained, or names or tests the type of one of them. Conditions are
// not evaluated. An empty list matches everything.
func cedarAppliesTo(statement string, principals []types.EntityUID) bool {
	if len(principals) == 0 {
		return true
	}
	list, err := cedar.NewPolicyListFromBytes("", []byte(statement))
	if err != nil {
		return false
	}
	for _, p := range list {
		a := (*xast.Policy)(p.AST())
		for _, e := range principals {
			switch n := a.Principal.(type) {
			case xast.ScopeTypeAll:
				return true
			case xast.ScopeTypeEq:
				if n.Entity == e {
					return true
				}
			case xast.ScopeTypeIn:
				if n.Entity == e {
					return true
				}
			case xast.ScopeTypeIs:
				if n.Type == e.Type {
					return true
				}
			case xast.ScopeTypeIsIn:
				if n.Type == e.Type {
					return true
				}
			}
		}
	}
	return false
}
