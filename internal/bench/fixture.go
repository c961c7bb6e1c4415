package bench

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
)

// Fixture is a generated account served by an in-process emulator, and a
// client pointed at it.
type Fixture struct {
	Emu    *emulator.Emulator
	Client *client.Client
	Seed   emulator.Seed
	URL    string
	srv    *httptest.Server
}

// Start generates the account o, serves it with emulator options eo (the
// root user included unless eo.Bare) and returns a client for it with
// extra options. Close stops the server.
func Start(o emulator.GenerateOptions, eo emulator.Options, opts ...client.Option) (*Fixture, error) {
	seed, err := emulator.Generate(o)
	if err != nil {
		return nil, err
	}
	emu := emulator.New(eo)
	if err := emu.Seed(seed); err != nil {
		return nil, err
	}
	srv := httptest.NewServer(emu)
	c, err := client.New(append([]client.Option{client.WithBaseURL(srv.URL), client.WithCredentials(emu.AccountID(), "key", "secret")}, opts...)...)
	if err != nil {
		srv.Close()
		return nil, err
	}
	emu.ResetStats()
	return &Fixture{Emu: emu, Client: c, Seed: seed, URL: srv.URL, srv: srv}, nil
}

// Close stops the fixture's server.
func (f *Fixture) Close() { f.srv.Close() }

// Serve is Start for a test or benchmark: it fails tb on error and closes
// the fixture when tb ends.
func Serve(tb testing.TB, o emulator.GenerateOptions, eo emulator.Options, opts ...client.Option) *Fixture {
	tb.Helper()
	f, err := Start(o, eo, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(f.Close)
	return f
}

// Counts are requests by operationId.
type Counts map[string]int

// CountsOf returns the emulator's request counts (every answer included).
func CountsOf(emu *emulator.Emulator) Counts {
	out := Counts{}
	for op, s := range emu.Stats() {
		out[op] = s.Requests
	}
	return out
}

// Total sums the counts of the operations keep accepts (all when nil).
func (c Counts) Total(keep func(op string) bool) int {
	n := 0
	for op, k := range c {
		if keep == nil || keep(op) {
			n += k
		}
	}
	return n
}

// IsPermissionsOp reports whether an operationId belongs to the
// Permissions API (/v2) rather than provisioning (/v1_1).
func IsPermissionsOp(op string) bool { return slices.Contains(PermissionsOps, op) }

// IsPermissionsHalf reports whether an operationId belongs to the
// permissions half of a read, as Minimum's parts count it: the Permissions
// API's, and getAccessKeys, which a read sends only to name API-key
// principals.
func IsPermissionsHalf(op string) bool { return IsPermissionsOp(op) || op == "getAccessKeys" }

// PermissionsOps are the 21 operations of the Permissions API (NOTES.md
// section 0), the rest of the 47 being provisioning.
var PermissionsOps = []string{
	"getSystemRolesAndPoliciesCatalog", "validateCedarPolicy", "getCedarSchema",
	"getSystemPolicies", "getCustomPolicies", "createCustomPolicy", "getCustomPolicy", "updateCustomPolicy", "deleteCustomPolicy",
	"getEffectivePolicies",
	"getRoles", "createRole", "getRole", "updateRole", "deleteRole",
	"getPrincipalRoles", "updatePrincipalRoles", "inspect", "inspectMultiple",
	"getRolePrincipals", "updateRolePrincipals",
}
