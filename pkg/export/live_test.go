package export_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/export"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// TestLiveDedicatedForRoundTrip: against the emulator's live profile,
// which answers dedicated_for for a dedicated key, export writes a key
// dedicated to webhooks with dedicated_for, the export plans to no
// changes, and another key dedicated to webhooks is drift the plan shows.
func TestLiveDedicatedForRoundTrip(t *testing.T) {
	seed := `
environments:
  - {cloud_name: acme-prod, id: env-prod, name: Acme, access_keys: [{name: main, api_key: "111111111111111"}, {name: hooks, api_key: "111111111111112"}]}
`
	_, _, c := readWith(t, seed, emulator.Options{Profile: emulator.ProfileLive})
	if _, err := c.AccessKeys.Update(t.Context(), "env-prod", "111111111111112", client.UpdateAccessKeyRequest{
		Name: client.Ptr("hooks"), Enabled: client.Ptr(true), DedicatedFor: client.Ptr("webhooks")}); err != nil {
		t.Fatal(err)
	}
	acc, err := export.Read(t.Context(), state.FromClient(c), 4)
	if err != nil {
		t.Fatal(err)
	}
	files, err := export.Files(acc, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var all strings.Builder
	for _, f := range files {
		all.Write(f.Content)
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := "      - name: hooks\n        dedicated_for: webhooks\n      - name: main\n"
	if !strings.Contains(all.String(), want) {
		t.Fatalf("export:\n%s\nwant it to hold:\n%s", all.String(), want)
	}
	cfg, err := spec.Load(dir)
	if err != nil {
		t.Fatalf("exported configuration does not load: %v", err)
	}
	if p, text := planOf(t, c, cfg); p.HasChanges() || len(p.Errors) > 0 || len(p.Unmanaged) > 0 {
		t.Errorf("plan of the export is not empty, or leaves objects unmanaged:\n%s", text)
	}

	// Another key dedicated to webhooks (the service takes the dedication
	// from hooks): drift the plan shows on the key that answers it.
	if _, err := c.AccessKeys.Update(t.Context(), "env-prod", "111111111111111", client.UpdateAccessKeyRequest{
		Name: client.Ptr("main"), Enabled: client.Ptr(true), DedicatedFor: client.Ptr("webhooks")}); err != nil {
		t.Fatal(err)
	}
	p, text := planOf(t, c, cfg)
	if !p.HasChanges() || !strings.Contains(text, `dedicated_for: "webhooks" → ""`) {
		t.Errorf("plan after main was dedicated to webhooks:\n%s\nwant an update of its dedicated_for", text)
	}
}
