package emulator

import (
	"slices"
	"testing"
	"time"
)

// TestSetClock: keys created after SetClock carry the simulated time, and
// IssuedSecrets remembers every secret, a deleted key's included.
func TestSetClock(t *testing.T) {
	p := newProv(t, Options{Bare: true})
	env := p.createEnv("acme-prod")
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.e.SetClock(at)
	var k1, k2 provTKey
	p.must("POST", "/sub_accounts/"+env.ID+"/access_keys", `{"name":"a"}`, &k1)
	p.e.SetClock(at.Add(100 * 24 * time.Hour))
	p.must("POST", "/sub_accounts/"+env.ID+"/access_keys", `{"name":"b"}`, &k2)
	if k1.CreatedAt != "2026-01-01T00:00:00Z" || k2.CreatedAt != "2026-04-11T00:00:00Z" {
		t.Errorf("created_at %s and %s, want the simulated times", k1.CreatedAt, k2.CreatedAt)
	}
	p.must("DELETE", "/sub_accounts/"+env.ID+"/access_keys/"+k1.APIKey, "", nil)
	got := p.e.IssuedSecrets()
	if !slices.Contains(got, k1.APISecret) || !slices.Contains(got, k2.APISecret) {
		t.Errorf("IssuedSecrets() = %d secrets, missing one of the two created", len(got))
	}
	p.e.SetClock(time.Time{})
	var k3 provTKey
	p.must("POST", "/sub_accounts/"+env.ID+"/access_keys", `{"name":"c"}`, &k3)
	if k3.CreatedAt == k2.CreatedAt {
		t.Error("the zero time did not go back to the real clock")
	}
}
