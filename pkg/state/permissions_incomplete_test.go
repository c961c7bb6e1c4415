package state_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// repeatCursor serves the emulator, except that the listings whose path
// ends in one of suffixes ignore their cursor and always name a next one,
// as a server that loops would: the client sees the same cursor twice.
func repeatCursor(emu *emulator.Emulator, suffixes ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loops := r.Method == http.MethodGet && func() bool {
			for _, s := range suffixes {
				if strings.HasSuffix(r.URL.Path, s) {
					return true
				}
			}
			return false
		}()
		if !loops {
			emu.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		q.Del("cursor")
		r.URL.RawQuery = q.Encode()
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		body["next_cursor"] = "again"
		var b bytes.Buffer
		json.NewEncoder(&b).Encode(body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b.Bytes())
	})
}

// TestReadPermissionsIncomplete: a custom policy or inspect listing that
// repeats its cursor is recorded in Account.Incomplete for its kind, not
// fatal, and what was read is kept.
func TestReadPermissionsIncomplete(t *testing.T) {
	tests := []struct {
		name     string
		suffixes []string
		want     map[spec.Kind]string
	}{
		{
			name:     "policies",
			suffixes: []string{"/policies/custom"},
			want: map[spec.Kind]string{
				spec.KindPolicy: `account: listing may be incomplete: page 2 repeats page 1 (cursor "again" ignored?)`,
			},
		},
		{
			name:     "assignments",
			suffixes: []string{"/principal_roles/inspect"},
			want: map[spec.Kind]string{
				spec.KindAssignment: `account: listing may be incomplete: page 2 repeats page 1 (cursor "again" ignored?)`,
			},
		},
		{
			name:     "both",
			suffixes: []string{"/policies/custom", "/principal_roles/inspect"},
			want: map[spec.Kind]string{
				spec.KindPolicy:     `account: listing may be incomplete: page 2 repeats page 1 (cursor "again" ignored?)`,
				spec.KindAssignment: `account: listing may be incomplete: page 2 repeats page 1 (cursor "again" ignored?)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator.New(emulator.Options{Bare: true})
			if err := emu.LoadSeed(strings.NewReader(permSeed)); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(repeatCursor(emu, tt.suffixes...))
			defer srv.Close()
			c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := state.Read(t.Context(), state.FromClient(c), state.Options{Permissions: true})
			if err != nil {
				t.Fatalf("Read returned %v, want the incomplete listing recorded", err)
			}
			if diff := cmp.Diff(tt.want, got.Incomplete); diff != "" {
				t.Errorf("Incomplete (-want +got):\n%s", diff)
			}
			// What the pages held is kept: every page repeats the first,
			// which holds everything in this small account.
			if n := len(got.Permissions.Policies); n != 2 {
				t.Errorf("read %d policies, want the 2 the pages held", n)
			}
			if n := len(got.Permissions.Assignments); n != 5 {
				t.Errorf("read %d assignments, want the 5 the pages held", n)
			}
		})
	}
}

// TestReadKeysIncomplete: an access-key listing that cannot be proven
// complete leaves the keys it lost unnamed, so the assignments are
// recorded incomplete, naming the listing.
func TestReadKeysIncomplete(t *testing.T) {
	emu, c := newAccount(t, permSeed)
	// Every answer claims more keys than it holds: the walk ends on an
	// empty page, short of the total.
	for range 3 {
		emu.InjectFault(emulator.Fault{Op: "getAccessKeys", Rewrite: map[string]any{"total": 5}})
	}
	got, err := state.Read(t.Context(), state.FromClient(c), state.Options{Permissions: true})
	if err != nil {
		t.Fatalf("Read returned %v, want the incomplete listing recorded", err)
	}
	want := map[spec.Kind]string{
		spec.KindAssignment: "principals missing from the incomplete API key listing of acme-prod cannot be named: listing may be incomplete: empty page 2 after 1 of 5 access keys",
	}
	if diff := cmp.Diff(want, got.Incomplete); diff != "" {
		t.Errorf("Incomplete (-want +got):\n%s", diff)
	}
}
