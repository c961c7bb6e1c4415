package emulator

import (
	"fmt"
)

// PermissionsSeed is the permissions part of a Seed: custom roles, custom
// policies and role assignments. They go through the same checks as the
// API, so a seed cannot create what the API would refuse. Principals and
// environments are named by natural key and must be in the seed's
// provisioning part (or the account) already.
type PermissionsSeed struct {
	Roles       []SeedRole       `yaml:"roles,omitempty"`
	Policies    []SeedPolicy     `yaml:"policies,omitempty"`
	Assignments []SeedAssignment `yaml:"assignments,omitempty"`
}

// SeedRole is a custom role (CreateRole). ID is generated when empty.
type SeedRole struct {
	ID              string   `yaml:"id,omitempty"`
	Name            string   `yaml:"name"`
	Description     string   `yaml:"description,omitempty"`
	PermissionType  string   `yaml:"permission_type"`
	ScopeType       string   `yaml:"scope_type"`
	SystemPolicyIDs []string `yaml:"system_policy_ids,omitempty"`
}

// SeedPolicy is a custom policy. Scope is the environment's cloud_name or
// "all" for scope_type prodenv, empty for account.
type SeedPolicy struct {
	Name            string `yaml:"name"`
	Description     string `yaml:"description,omitempty"`
	ScopeType       string `yaml:"scope_type"`
	Scope           string `yaml:"scope,omitempty"`
	PolicyStatement string `yaml:"policy_statement"`
	Enabled         *bool  `yaml:"enabled,omitempty"`
}

// SeedAssignment assigns a role (system or custom, by id) to a principal.
// Principal is the user's email, the group's name, or the api_key value of
// an access key (principal_type user, group, apiKey). Scope is "account"
// (or empty) for account roles, and "all" or a cloud_name for prodenv
// roles. PolicyParameters names the folder or collection of a content role.
type SeedAssignment struct {
	PrincipalType    string            `yaml:"principal_type"`
	Principal        string            `yaml:"principal"`
	RoleID           string            `yaml:"role_id"`
	Scope            string            `yaml:"scope,omitempty"`
	PolicyParameters map[string]string `yaml:"policy_parameters,omitempty"`
}

// seed adds the seed's roles, then policies, then assignments. Must hold
// e.mu.
func (s *permState) seed(in PermissionsSeed) error {
	for i, sr := range in.Roles {
		b := roleBody{Name: &sr.Name, PermissionType: &sr.PermissionType, ScopeType: &sr.ScopeType, SystemPolicyIDs: &sr.SystemPolicyIDs}
		if sr.ID != "" {
			b.ID = &sr.ID
		}
		if sr.Description != "" {
			b.Description = &sr.Description
		}
		r, perr := s.checkNewRole(b)
		if perr != nil {
			return fmt.Errorf("roles[%d] %q: %w", i, sr.Name, perr)
		}
		s.addRole(r)
	}
	for i, sp := range in.Policies {
		b := customPolicyBody{Name: &sp.Name, PolicyStatement: &sp.PolicyStatement, ScopeType: &sp.ScopeType, Enabled: sp.Enabled}
		if sp.Description != "" {
			b.Description = &sp.Description
		}
		if sp.ScopeType == "prodenv" {
			id, err := s.scopeByName(sp.Scope)
			if err != nil {
				return fmt.Errorf("policies[%d] %q: %w", i, sp.Name, err)
			}
			b.ScopeID = &id
		}
		p, perr := s.checkPolicy(b, nil)
		if perr != nil {
			return fmt.Errorf("policies[%d] %q: %w", i, sp.Name, perr)
		}
		s.addPolicy(p)
	}
	for i, sa := range in.Assignments {
		pid, err := s.principalByName(sa.PrincipalType, sa.Principal)
		if err != nil {
			return fmt.Errorf("assignments[%d]: %w", i, err)
		}
		var scopeID *string
		if sa.Scope != "" && sa.Scope != "account" {
			id, err := s.scopeByName(sa.Scope)
			if err != nil {
				return fmt.Errorf("assignments[%d]: %w", i, err)
			}
			scopeID = &id
		}
		params := map[string]any{}
		for k, v := range sa.PolicyParameters {
			params[k] = v
		}
		a, perr := s.checkAssignment(sa.PrincipalType, pid, sa.RoleID, scopeID, params)
		if perr != nil {
			return fmt.Errorf("assignments[%d] %s %q role %s: %w", i, sa.PrincipalType, sa.Principal, sa.RoleID, perr)
		}
		s.applyAssignments("add", []*assignment{a})
	}
	return nil
}

// scopeByName resolves "all" or an environment's cloud_name.
func (s *permState) scopeByName(name string) (string, error) {
	if name == "all" {
		return name, nil
	}
	id, found := s.e.prov.subAccountIDByCloudName(name)
	if !found {
		return "", fmt.Errorf("no product environment with cloud_name %q", name)
	}
	return id, nil
}

// principalByName resolves a principal's natural key to its id.
func (s *permState) principalByName(typ, name string) (string, error) {
	var id string
	found := false
	switch typ {
	case "user":
		id, found = s.e.prov.userIDByEmail(name)
	case "group":
		id, found = s.e.prov.groupIDByName(name)
	case "apiKey":
		id, found = name, s.apiKeyPrincipalExists(name)
	case "provisioningKey":
		id, found = name, name != ""
	default:
		return "", fmt.Errorf("principal_type %q: want user, group, apiKey or provisioningKey", typ)
	}
	if !found {
		return "", fmt.Errorf("no %s %q", typ, name)
	}
	return id, nil
}
