package emulator

import (
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// Seed is the content of an account, loaded with LoadSeed or Seed: product
// environments, access keys, users, groups and memberships (provisioning),
// custom roles, custom policies and role assignments (permissions). Objects
// refer to each other by natural key (cloud_name, email, group name, role
// id); ids are generated unless given.
type Seed struct {
	ProvisioningSeed `yaml:",inline"`
	PermissionsSeed  `yaml:",inline"`
}

// LoadSeed reads a seed in YAML (or JSON, which is YAML) and applies it.
func (e *Emulator) LoadSeed(r io.Reader) error {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var s Seed
	if err := dec.Decode(&s); err != nil && err != io.EOF {
		return fmt.Errorf("read seed: %w", err)
	}
	return e.Seed(s)
}

// Seed adds the seed's objects to the account.
func (e *Emulator) Seed(s Seed) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.changed()
	if err := e.prov.seed(s.ProvisioningSeed); err != nil {
		return fmt.Errorf("seed provisioning: %w", err)
	}
	if err := e.perm.seed(s.PermissionsSeed); err != nil {
		return fmt.Errorf("seed permissions: %w", err)
	}
	return nil
}
