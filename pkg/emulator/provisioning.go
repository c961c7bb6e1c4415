package emulator

// provState is the provisioning half of the account. Guarded by Emulator.mu.
type provState struct {
	e *Emulator
}

func newProvState(e *Emulator) *provState { return &provState{e: e} }

// ProvisioningSeed is the provisioning part of a Seed.
type ProvisioningSeed struct{}

func (s *provState) seed(ProvisioningSeed) error { return nil }

// addRootUser adds the enabled root master_admin user a new account has.
func (s *provState) addRootUser() {}

func (e *Emulator) provisioningHandlers() map[string]handler { return nil }

// Lookups the permissions half uses to check principals and scopes. Must
// hold e.mu.
func (s *provState) userExists(id string) bool           { return false }
func (s *provState) groupExists(id string) bool          { return false }
func (s *provState) subAccountExists(id string) bool     { return false }
func (s *provState) accessKeyExists(apiKey string) bool  { return false }
func (s *provState) groupsOfUser(userID string) []string { return nil }
