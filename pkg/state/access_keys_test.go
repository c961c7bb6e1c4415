package state_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/state"
)

// TestReadAccessKeys: the keys of the environments whose access keys are
// managed are read with status and creation time, one request per
// environment, shared with the permissions half when it needs the same
// environment's keys to name principals; no secret is kept.
func TestReadAccessKeys(t *testing.T) {
	seed := `
environments:
  - {cloud_name: acme-prod, id: env-prod, access_keys: [{name: ci, api_key: "111111111111111"}, {name: old, api_key: "111111111111112", enabled: false}]}
  - {cloud_name: acme-dev, id: env-dev, access_keys: [{name: dev, api_key: "222222222222222"}]}
  - {cloud_name: acme-qa, id: env-qa, access_keys: [{name: qa, api_key: "333333333333333"}]}
`
	for _, perms := range []bool{false, true} {
		t.Run(fmt.Sprint("permissions=", perms), func(t *testing.T) {
			emu, c := newAccount(t, seed)
			emu.ResetStats()
			got, err := state.Read(t.Context(), state.FromClient(c), state.Options{
				Permissions:           perms,
				APIKeyEnvironments:    []string{"acme-prod"},
				AccessKeyEnvironments: []string{"acme-prod", "acme-dev", "acme-gone"},
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range got.AccessKeys {
				k := &got.AccessKeys[i]
				if time.Since(k.CreatedAt) > time.Hour || k.CreatedAt.IsZero() {
					t.Errorf("%s/%s created_at %v, want the emulator's now", k.Environment, k.Name, k.CreatedAt)
				}
				k.CreatedAt = time.Time{}
			}
			want := []state.AccessKey{
				{Environment: "acme-dev", Name: "dev", Key: "222222222222222", Enabled: true},
				{Environment: "acme-prod", Name: "ci", Key: "111111111111111", Enabled: true},
				{Environment: "acme-prod", Name: "old", Key: "111111111111112"},
			}
			if diff := cmp.Diff(want, got.AccessKeys); diff != "" {
				t.Errorf("access keys (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"acme-dev", "acme-prod"}, got.AccessKeysRead); diff != "" {
				t.Errorf("AccessKeysRead (-want +got):\n%s", diff)
			}
			if n := emu.Stats()["getAccessKeys"].Requests; n != 2 {
				t.Errorf("getAccessKeys: %d requests, want 2 (one per managed environment, shared)", n)
			}
			if perms && len(got.Permissions.APIKeys) != 2 {
				t.Errorf("permissions API keys = %v, want acme-prod's two", got.Permissions.APIKeys)
			}
		})
	}
}

// TestReadAccessKeyDedicatedFor: a key's dedicated_for is kept when the
// answer carries it (the live service's, for a dedicated key) and is
// unknown when it does not (the spec's answer never carries it).
func TestReadAccessKeyDedicatedFor(t *testing.T) {
	seed := `
environments:
  - {cloud_name: acme-prod, id: env-prod, access_keys: [{name: ci, api_key: "111111111111111"}, {name: hooks, api_key: "111111111111112"}]}
`
	for _, profile := range []emulator.Profile{emulator.ProfileSpec, emulator.ProfileLive} {
		t.Run(fmt.Sprint("profile=", profile), func(t *testing.T) {
			_, c := newAccountWith(t, seed, emulator.Options{Bare: true, Profile: profile})
			if _, err := c.AccessKeys.Update(t.Context(), "env-prod", "111111111111112", client.UpdateAccessKeyRequest{
				Name: client.Ptr("hooks"), Enabled: client.Ptr(true), DedicatedFor: client.Ptr("webhooks")}); err != nil {
				t.Fatal(err)
			}
			got, err := state.Read(t.Context(), state.FromClient(c), state.Options{AccessKeyEnvironments: []string{"acme-prod"}})
			if err != nil {
				t.Fatal(err)
			}
			want := []state.AccessKey{
				{Environment: "acme-prod", Name: "ci", Key: "111111111111111", Enabled: true},
				{Environment: "acme-prod", Name: "hooks", Key: "111111111111112", Enabled: true},
			}
			if profile == emulator.ProfileLive {
				want[1].DedicatedFor, want[1].DedicatedForKnown = "webhooks", true
			}
			for i := range got.AccessKeys {
				got.AccessKeys[i].CreatedAt = time.Time{}
			}
			if diff := cmp.Diff(want, got.AccessKeys); diff != "" {
				t.Errorf("access keys (-want +got):\n%s", diff)
			}
		})
	}
}
