package state_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

func newAccount(t *testing.T, seed string) (*emulator.Emulator, *client.Client) {
	t.Helper()
	return newAccountWith(t, seed, emulator.Options{Bare: true})
}

// newAccountWith is newAccount with an emulator made with opts.
func newAccountWith(t *testing.T, seed string, opts emulator.Options) (*emulator.Emulator, *client.Client) {
	t.Helper()
	emu := emulator.New(opts)
	if err := emu.LoadSeed(strings.NewReader(seed)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	return emu, c
}

const smallSeed = `
environments:
  - {cloud_name: acme-prod, name: Acme Production}
  - {cloud_name: acme-staging, name: Acme Staging, enabled: false}
users:
  - {email: Ana@Acme.test, name: Ana, role: master_admin}
  - {email: raj@acme.test, name: Raj, role: media_library_user, environments: [acme-staging, acme-prod]}
  - {email: mei@acme.test, name: Mei, role: admin}
  - {email: lee@acme.test, name: Lee, role: reports, environments: []}
groups:
  - {name: designers, members: [raj@acme.test, Ana@Acme.test]}
  - {name: empty}
`

func TestRead(t *testing.T) {
	emu, c := newAccount(t, smallSeed)
	got, err := state.Read(t.Context(), state.FromClient(c), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := &state.Account{
		Environments: []state.Environment{
			{CloudName: "acme-prod", Name: "Acme Production", Enabled: true},
			{CloudName: "acme-staging", Name: "Acme Staging", Enabled: false},
		},
		Users: []state.User{
			{Email: "ana@acme.test", Name: "Ana", Role: "master_admin", Enabled: true, AllEnvironments: true},
			{Email: "lee@acme.test", Name: "Lee", Role: "reports", Enabled: true, Environments: []string{}},
			{Email: "mei@acme.test", Name: "Mei", Role: "admin", Enabled: true, AllEnvironments: true},
			{Email: "raj@acme.test", Name: "Raj", Role: "media_library_user", Enabled: true, Environments: []string{"acme-prod", "acme-staging"}},
		},
		Groups: []state.Group{
			{Name: "designers", Members: []string{"ana@acme.test", "raj@acme.test"}},
			{Name: "empty", Members: []string{}},
		},
		Incomplete: map[spec.Kind]string{},
	}
	opts := cmp.Options{
		cmpopts.IgnoreFields(state.Environment{}, "ID"),
		cmpopts.IgnoreFields(state.User{}, "ID", "Pending", "CreatedAt"),
		cmpopts.IgnoreFields(state.Group{}, "ID"),
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
	for _, u := range got.Users {
		if u.CreatedAt.IsZero() {
			t.Errorf("user %s has no created_at: stale invitations need it", u.Email)
		}
		if u.ID == "" {
			t.Errorf("user %s has no id", u.Email)
		}
	}
	// One listing each (users: a page, then the empty page that proves the
	// end, since the API gives no total), plus one access read per
	// restricted user (2).
	wantRequests := map[string]int{"getProductEnvironments": 1, "getUsers": 2, "getUserGroups": 1, "getSubAccountsForUser": 2}
	if diff := cmp.Diff(wantRequests, requestsByOp(emu)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if len(emu.Writes()) != 0 {
		t.Errorf("Read wrote: %v", emu.Writes())
	}
}

// TestReadAccessPerEnvironment: with many restricted users and few
// environments, access is read per environment and inverted.
func TestReadAccessPerEnvironment(t *testing.T) {
	var b strings.Builder
	b.WriteString("environments:\n  - {cloud_name: one, name: One}\n  - {cloud_name: two, name: Two}\nusers:\n")
	for i := range 30 {
		env := []string{"one", "two", "[one, two]"}[i%3]
		if !strings.HasPrefix(env, "[") {
			env = "[" + env + "]"
		}
		fmt.Fprintf(&b, "  - {email: u%02d@x.test, name: U%d, role: admin, environments: %s}\n", i, i, env)
	}
	emu, c := newAccount(t, b.String())
	got, err := state.Read(t.Context(), state.FromClient(c), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range got.Users {
		want := [][]string{{"one"}, {"two"}, {"one", "two"}}[i%3]
		if diff := cmp.Diff(want, u.Environments); diff != "" {
			t.Errorf("%s environments (-want +got):\n%s", u.Email, diff)
		}
	}
	// 1 user listing for the account and 1 per environment (2 pages each:
	// the empty page proves the end), no per-user reads.
	if diff := cmp.Diff(map[string]int{"getProductEnvironments": 1, "getUsers": 6, "getUserGroups": 1}, requestsByOp(emu)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestReadReportsErrors(t *testing.T) {
	emu, c := newAccount(t, smallSeed)
	emu.InjectFault(emulator.Fault{Op: "getUserGroups", Status: 403})
	_, err := state.Read(t.Context(), state.FromClient(c), state.Options{})
	if err == nil || !strings.Contains(err.Error(), "list user groups") {
		t.Fatalf("Read with a failing group listing: err = %v, want one naming the listing", err)
	}
}

func requestsByOp(emu *emulator.Emulator) map[string]int {
	out := map[string]int{}
	for op, s := range emu.Stats() {
		out[op] = s.Requests
	}
	return out
}
