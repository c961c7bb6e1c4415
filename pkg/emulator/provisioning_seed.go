package emulator

// Seeding the provisioning half: the seed format and how it is loaded.

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ProvisioningSeed is the provisioning part of a Seed. Objects refer to each
// other by natural key; ids are generated unless given.
//
//	environments:
//	  - cloud_name: acme-prod
//	    name: Acme production    # default: the cloud_name
//	    id: 0aaaaa1bbbbb2ccccc3ddddd4eeeee5f  # default: generated
//	    enabled: true            # default true
//	    custom_attributes: {tier: gold}
//	    access_keys:             # omitted: one generated key; []: none
//	      - {name: main, enabled: true, api_key: "123456789012345"}
//	users:
//	  - email: ann@example.com
//	    name: Ann                # default: the email's local part
//	    role: admin              # default DefaultUserRole
//	    enabled: true            # default true
//	    pending: false           # default false: seeded users are established
//	    environments: [acme-prod] # omitted: all environments; []: none
//	groups:
//	  - name: Designers          # unique case-insensitively
//	    members: [ann@example.com]
//
// Seeded ids must be unique; seeded api_keys must be 15 digits.
type ProvisioningSeed struct {
	Environments []SeedEnvironment `yaml:"environments,omitempty" json:"environments,omitempty"`
	Users        []SeedUser        `yaml:"users,omitempty" json:"users,omitempty"`
	Groups       []SeedGroup       `yaml:"groups,omitempty" json:"groups,omitempty"`
}

// SeedEnvironment is a product environment of a seed.
type SeedEnvironment struct {
	CloudName        string          `yaml:"cloud_name" json:"cloud_name"`
	Name             string          `yaml:"name,omitempty" json:"name,omitempty"`
	Enabled          *bool           `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	ID               string          `yaml:"id,omitempty" json:"id,omitempty"`
	CustomAttributes map[string]any  `yaml:"custom_attributes,omitempty" json:"custom_attributes,omitempty"`
	AccessKeys       []SeedAccessKey `yaml:"access_keys" json:"access_keys"`
}

// SeedAccessKey is an access key of a seeded product environment.
type SeedAccessKey struct {
	Name    string `yaml:"name,omitempty" json:"name,omitempty"`
	Enabled *bool  `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	APIKey  string `yaml:"api_key,omitempty" json:"api_key,omitempty"`
	// CreatedAt is the key's creation time; default the emulator's now.
	CreatedAt *time.Time `yaml:"created_at,omitempty" json:"created_at,omitempty"`
}

// SeedUser is a user of a seed.
type SeedUser struct {
	Email        string   `yaml:"email" json:"email"`
	Name         string   `yaml:"name,omitempty" json:"name,omitempty"`
	Role         string   `yaml:"role,omitempty" json:"role,omitempty"`
	Enabled      *bool    `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	Pending      bool     `yaml:"pending,omitempty" json:"pending,omitempty"`
	ID           string   `yaml:"id,omitempty" json:"id,omitempty"`
	Environments []string `yaml:"environments" json:"environments"`
	// CreatedAt is when the user was invited; default the emulator's now.
	CreatedAt *time.Time `yaml:"created_at,omitempty" json:"created_at,omitempty"`
}

// SeedGroup is a user group of a seed, with its members by email.
type SeedGroup struct {
	Name    string   `yaml:"name" json:"name"`
	ID      string   `yaml:"id,omitempty" json:"id,omitempty"`
	Members []string `yaml:"members,omitempty" json:"members,omitempty"`
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// seed adds the seed's objects. It checks what the API would check
// (formats, enums, uniqueness, references) and names the offending object.
// Must hold e.mu. On error the objects seeded before the bad one stay.
func (s *provState) seed(sd ProvisioningSeed) error {
	for i, se := range sd.Environments {
		where := fmt.Sprintf("environment %d (%q)", i, se.CloudName)
		if !cloudNameRE.MatchString(se.CloudName) {
			return fmt.Errorf("%s: cloud_name must be lower-case letters, digits, '-' or '_'", where)
		}
		if s.envByCloudName(se.CloudName) != nil {
			return fmt.Errorf("%s: cloud_name already exists", where)
		}
		id := se.ID
		if id == "" {
			id = s.uniqueID(32)
		} else if s.env(id) != nil {
			return fmt.Errorf("%s: id %q already exists", where, id)
		}
		name := se.Name
		if name == "" {
			name = se.CloudName
		}
		v := s.addEnv(id, se.CloudName, name, boolOr(se.Enabled, true), cloneMap(se.CustomAttributes))
		if se.AccessKeys == nil {
			s.addKey(v, "", "", true)
		}
		for j, sk := range se.AccessKeys {
			if sk.Name != "" && v.keyByName(sk.Name) != nil {
				return fmt.Errorf("%s: access key %d: name %q already exists", where, j, sk.Name)
			}
			if sk.APIKey != "" {
				if !apiKeyRE.MatchString(sk.APIKey) {
					return fmt.Errorf("%s: access key %d: api_key %q is not 15 digits", where, j, sk.APIKey)
				}
				if s.accessKeyExists(sk.APIKey) {
					return fmt.Errorf("%s: access key %d: api_key %q already exists", where, j, sk.APIKey)
				}
			}
			k := s.addKey(v, sk.Name, sk.APIKey, boolOr(sk.Enabled, true))
			if sk.CreatedAt != nil {
				k.created, k.updated = sk.CreatedAt.UTC(), sk.CreatedAt.UTC()
			}
		}
	}
	for i, su := range sd.Users {
		where := fmt.Sprintf("user %d (%q)", i, su.Email)
		if !validEmail(su.Email) {
			return fmt.Errorf("%s: invalid email", where)
		}
		if s.userWithEmail(su.Email) != nil {
			return fmt.Errorf("%s: email already exists", where)
		}
		role := su.Role
		if role == "" {
			role = DefaultUserRole
		}
		if !slices.Contains(userRoles, role) {
			return fmt.Errorf("%s: role %q is not one of %s", where, role, strings.Join(userRoles, ", "))
		}
		id := su.ID
		if id == "" {
			id = s.uniqueID(30)
		} else if s.user(id) != nil {
			return fmt.Errorf("%s: id %q already exists", where, id)
		}
		name := su.Name
		if name == "" {
			name, _, _ = strings.Cut(su.Email, "@")
		}
		now := s.e.now()
		created := now
		if su.CreatedAt != nil {
			created = su.CreatedAt.UTC()
		}
		u := &provUser{id: id, name: name, email: su.Email, role: role, enabled: boolOr(su.Enabled, true),
			pending: su.Pending, created: created, updated: created, seq: s.nextSeq()}
		if !su.Pending {
			u.lastLogin = now
		}
		if su.Environments == nil || role == "master_admin" {
			u.allSubAccounts = true
		} else {
			u.subAccounts = []string{}
			for _, cloud := range su.Environments {
				v := s.envByCloudName(cloud)
				if v == nil {
					return fmt.Errorf("%s: unknown environment %q", where, cloud)
				}
				if !slices.Contains(u.subAccounts, v.id) {
					u.subAccounts = append(u.subAccounts, v.id)
				}
			}
		}
		s.addUser(u)
	}
	for i, sg := range sd.Groups {
		where := fmt.Sprintf("group %d (%q)", i, sg.Name)
		if strings.TrimSpace(sg.Name) == "" {
			return fmt.Errorf("%s: name is required", where)
		}
		if s.groupByName(sg.Name) != nil {
			return fmt.Errorf("%s: name already exists", where)
		}
		id := sg.ID
		if id == "" {
			id = s.uniqueID(32)
		} else if s.group(id) != nil {
			return fmt.Errorf("%s: id %q already exists", where, id)
		}
		now := s.e.now()
		g := &provGroup{id: id, name: sg.Name, members: []string{}, created: now, updated: now, seq: s.nextSeq()}
		for _, email := range sg.Members {
			u := s.userWithEmail(email)
			if u == nil {
				return fmt.Errorf("%s: unknown member %q", where, email)
			}
			if slices.Contains(g.members, u.id) {
				return fmt.Errorf("%s: member %q listed twice", where, email)
			}
			g.members = append(g.members, u.id)
		}
		s.groups = append(s.groups, g)
		for _, id := range g.members {
			s.groupCount[id]++
		}
	}
	return nil
}

// addRootUser adds the enabled root master_admin user a new account has:
// RootUserEmail, active (not pending), with access to everything.
func (s *provState) addRootUser() {
	now := s.e.now()
	s.addUser(&provUser{
		id: s.uniqueID(30), name: RootUserName, email: RootUserEmail, role: "master_admin",
		enabled: true, root: true, allSubAccounts: true,
		created: now, updated: now, lastLogin: now, seq: s.nextSeq(),
	})
}
