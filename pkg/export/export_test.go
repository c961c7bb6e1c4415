package export_test

import (
	"bytes"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/export"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "update golden files")

var accounts = map[string]string{
	"new account": ``,
	"small": `
environments:
  - {cloud_name: acme-prod, name: Acme Production}
  - {cloud_name: acme-staging, name: Acme Staging, enabled: false}
users:
  - {email: Ana@Acme.test, name: Ana Lopez, role: master_admin}
  - {email: raj@acme.test, name: Raj Patel, role: media_library_user, environments: [acme-staging, acme-prod]}
  - {email: mei@acme.test, name: Mei Chen, role: admin}
  - {email: lee@acme.test, name: Lee, role: reports, environments: [], enabled: false}
groups:
  - {name: designers, members: [raj@acme.test, Ana@Acme.test]}
  - {name: empty}
`,
}

func read(t *testing.T, seed string) (*state.Account, *emulator.Emulator, *client.Client) {
	t.Helper()
	emu := emulator.New(emulator.Options{})
	if err := emu.LoadSeed(strings.NewReader(seed)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := state.Read(t.Context(), state.FromClient(c), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return acc, emu, c
}

// TestRoundTrip: export, then plan the exported configuration against the
// same account: no changes. Exporting again gives identical files.
func TestRoundTrip(t *testing.T) {
	for name, seed := range accounts {
		t.Run(name, func(t *testing.T) {
			acc, emu, c := read(t, seed)
			files, err := export.Files(acc, nil)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			for _, f := range files {
				if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := spec.Load(dir)
			if err != nil {
				t.Fatalf("exported configuration does not load: %v", err)
			}
			live, err := state.Read(t.Context(), state.FromClient(c), state.Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := planner.Diff(cfg, live, planner.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if p.HasChanges() || len(p.Errors) > 0 || len(p.Unmanaged) > 0 {
				var b strings.Builder
				planner.RenderText(&b, p, planner.TextOptions{})
				t.Errorf("plan of the export is not empty, or leaves objects unmanaged:\n%s", b.String())
			}
			again, err := export.Files(live, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(files, again); diff != "" {
				t.Errorf("a second export differs (-first +second):\n%s", diff)
			}
			if len(emu.Writes()) != 0 {
				t.Errorf("export wrote to the account: %v", emu.Writes())
			}
		})
	}
}

// TestGolden pins the output format: key order, defaults omitted, inline
// lists, members always written.
func TestGolden(t *testing.T) {
	acc, _, _ := read(t, accounts["small"])
	got, err := export.Single(acc, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "small.yaml")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("export differs from %s (-want +got):\n%s\nrun: go test ./pkg/export -run TestGolden -update", golden, cmp.Diff(string(want), string(got)))
	}
}

func TestKinds(t *testing.T) {
	acc, _, _ := read(t, accounts["small"])
	files, err := export.Files(acc, []spec.Kind{spec.KindGroup})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name != "groups.yaml" || bytes.Contains(files[0].Content, []byte("users:")) {
		t.Errorf("--kinds groups wrote %d files: %+v", len(files), files)
	}
	if _, err := export.Files(acc, []spec.Kind{"widgets"}); err == nil {
		t.Error("an unknown kind was accepted")
	}
}
