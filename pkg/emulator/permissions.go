package emulator

// permState is the permissions half of the account. Guarded by Emulator.mu.
type permState struct {
	e *Emulator
}

func newPermState(e *Emulator) *permState { return &permState{e: e} }

// PermissionsSeed is the permissions part of a Seed.
type PermissionsSeed struct{}

func (s *permState) seed(PermissionsSeed) error { return nil }

func (e *Emulator) permissionsHandlers() map[string]handler { return nil }

// forgetPrincipal removes every role assignment of a principal; the
// provisioning half calls it when a user, group or access key is deleted
// (typ is "user", "group" or "apiKey"). Must hold e.mu.
func (s *permState) forgetPrincipal(typ, id string) {}

// forgetScope removes the assignments and custom policies scoped to a
// product environment; called when it is deleted. Must hold e.mu.
func (s *permState) forgetScope(subAccountID string) {}
