package state_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// cutShort makes some user listings end unproven, as when the server
// ignores the page parameter.
type cutShort struct {
	state.API
	perEnv, account bool
}

func (a cutShort) ListUserIDs(ctx context.Context, opts *client.UserListOptions, keep func([]byte, bool) bool) ([]string, client.Listing, error) {
	users, l, err := a.API.ListUserIDs(ctx, opts, keep)
	if err == nil && opts.SubAccountID != "" && a.perEnv {
		l.Complete, l.Reason = false, "page 2 repeats page 1"
	}
	return users, l, err
}

// ListUsersPage answers every page of the account's listing with the
// first when account is set.
func (a cutShort) ListUsersPage(ctx context.Context, opts *client.UserListOptions) ([]client.UserSummary, error) {
	o := *opts
	if a.account {
		o.Page = 1
	}
	return a.API.ListUsersPage(ctx, &o)
}

// TestReadIncompleteListings: an account listing that cannot be proven
// complete is recorded, not fatal; per-environment access listings that
// cannot be fall back to per-user reads with the same result.
func TestReadIncompleteListings(t *testing.T) {
	var b strings.Builder
	b.WriteString("environments:\n  - {cloud_name: one, name: One}\n  - {cloud_name: two, name: Two}\nusers:\n")
	for i := range 30 {
		env := []string{"[one]", "[two]", "[one, two]"}[i%3]
		fmt.Fprintf(&b, "  - {email: u%02d@x.test, name: U%d, role: admin, environments: %s}\n", i, i, env)
	}
	emu, c := newAccount(t, b.String())

	want, err := state.Read(t.Context(), state.FromClient(c), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	emu.ResetStats()
	got, err := state.Read(t.Context(), cutShort{API: state.FromClient(c), perEnv: true}, state.Options{})
	if err != nil {
		t.Fatalf("Read with unproven per-environment listings: %v, want a fallback", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fallback read differs (-want +got):\n%s", diff)
	}
	if n := requestsByOp(emu)["getSubAccountsForUser"]; n != 30 {
		t.Errorf("fallback made %d per-user reads, want 30", n)
	}

	got, err = state.Read(t.Context(), cutShort{API: state.FromClient(c), account: true}, state.Options{})
	if err != nil {
		t.Fatalf("Read with an unproven user listing: %v, want it recorded", err)
	}
	if diff := cmp.Diff(map[spec.Kind]string{spec.KindUser: repeated}, got.Incomplete); diff != "" {
		t.Errorf("Incomplete (-want +got):\n%s", diff)
	}
}
