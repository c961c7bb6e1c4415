//lint:file-ignore S1016 the JSON types are mapped field by field on purpose: a conversion would tie the published shape to the internal types.

package planner

import (
	"fmt"

	"github.com/cldsync/cldsync/pkg/spec"
)

// The published JSON shapes of the permissions values (see json.go:
// mapped field by field, changed only with FormatVersion).

type jsonRole struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	PermissionType string   `json:"permission_type"`
	ScopeType      string   `json:"scope_type"`
	SystemPolicies []string `json:"system_policies"`
	Force          bool     `json:"force,omitempty"`
}

type jsonPolicy struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Scope       string `json:"scope"`
	ScopeID     string `json:"scope_id,omitempty"`
	Description string `json:"description"`
	Statement   string `json:"statement"`
	Enabled     bool   `json:"enabled"`
}

type jsonAssignment struct {
	PrincipalType string `json:"principal_type"`
	Principal     string `json:"principal"`
	PrincipalID   string `json:"principal_id,omitempty"`
	Role          string `json:"role"`
	Scope         string `json:"scope"`
	ScopeID       string `json:"scope_id,omitempty"`
	FolderID      string `json:"folder_id,omitempty"`
	CollectionID  string `json:"collection_id,omitempty"`
}

// jsonPermValue maps a RoleValue, PolicyValue or AssignmentValue.
func jsonPermValue(v Value) any {
	switch v := v.(type) {
	case RoleValue:
		return jsonRole{ID: v.ID, Name: v.Name, Description: v.Description, PermissionType: v.PermissionType,
			ScopeType: v.ScopeType, SystemPolicies: nonNil(v.SystemPolicies), Force: v.Force}
	case PolicyValue:
		return jsonPolicy{ID: v.ID, Name: v.Name, Scope: v.Scope, ScopeID: v.ScopeID, Description: v.Description,
			Statement: v.Statement, Enabled: v.Enabled}
	case AssignmentValue:
		return jsonAssignment{PrincipalType: v.PrincipalType, Principal: v.Principal, PrincipalID: v.PrincipalID,
			Role: v.Role, Scope: v.Scope, ScopeID: v.ScopeID, FolderID: v.FolderID, CollectionID: v.CollectionID}
	}
	return nil
}

// fromJSONPermValue is jsonPermValue's inverse, for reading saved plans:
// decode fills the JSON type it is given. ok is false for other kinds.
func fromJSONPermValue(kind spec.Kind, decode func(any) error) (v Value, ok bool, err error) {
	switch kind {
	case spec.KindRole:
		var j jsonRole
		if err := decode(&j); err != nil {
			return nil, true, err
		}
		return RoleValue{ID: j.ID, Name: j.Name, Description: j.Description, PermissionType: j.PermissionType,
			ScopeType: j.ScopeType, SystemPolicies: j.SystemPolicies, Force: j.Force}, true, nil
	case spec.KindPolicy:
		var j jsonPolicy
		if err := decode(&j); err != nil {
			return nil, true, err
		}
		return PolicyValue{ID: j.ID, Name: j.Name, Scope: j.Scope, ScopeID: j.ScopeID, Description: j.Description,
			Statement: j.Statement, Enabled: j.Enabled}, true, nil
	case spec.KindAssignment:
		var j jsonAssignment
		if err := decode(&j); err != nil {
			return nil, true, err
		}
		return AssignmentValue{PrincipalType: j.PrincipalType, Principal: j.Principal, PrincipalID: j.PrincipalID,
			Role: j.Role, Scope: j.Scope, ScopeID: j.ScopeID, FolderID: j.FolderID, CollectionID: j.CollectionID}, true, nil
	}
	return nil, false, fmt.Errorf("not a permissions kind: %s", kind)
}
