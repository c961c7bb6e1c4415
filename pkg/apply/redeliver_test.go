package apply_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/spec"
)

// TestRedeliver: the current secrets go to their sinks (the key's own, or
// a file in the secrets dir); keys without a sink are skipped, keys the
// account lacks fail, an unknown --key stops it all; nothing is written
// to the account.
func TestRedeliver(t *testing.T) {
	emu, c := setup(t, `
environments:
  - {cloud_name: acme-prod, name: Acme, access_keys: [{name: ci, api_key: "111111111111111"}, {name: ops, api_key: "111111111111112"}, {name: loose, api_key: "111111111111113"}]}
`)
	dir := t.TempDir()
	own := filepath.Join(dir, "ci.env")
	cfg := &spec.Config{Environments: []spec.Environment{{CloudName: "acme-prod", Name: "Acme", AccessKeys: []spec.AccessKey{
		{Name: "ci", Secret: &spec.SecretSink{File: own}},
		{Name: "ops"},
		{Name: "missing", Secret: &spec.SecretSink{File: filepath.Join(dir, "missing.env")}},
	}}}}
	writes := len(emu.Writes())

	ds, err := apply.Redeliver(t.Context(), c, cfg, apply.RedeliverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.Key+" "+d.APIKey+" "+d.Skipped+" "+errString(d.Err))
	}
	want := []string{
		"acme-prod/ci 111111111111111  ",
		"acme-prod/ops  no secret: sink and no --secrets-dir ",
		"acme-prod/missing   not in the account (apply creates it)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("deliveries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b, err := os.ReadFile(own)
	if err != nil || !strings.Contains(string(b), "CLOUDINARY_URL=cloudinary://111111111111111:") {
		t.Errorf("ci.env = %q, %v", b, err)
	}

	ds, err = apply.Redeliver(t.Context(), c, cfg, apply.RedeliverOptions{SecretsDir: dir, Keys: []string{"acme-prod/ops"}})
	if err != nil || len(ds) != 1 || ds[0].Err != nil {
		t.Fatalf("ops to the secrets dir: %+v, %v", ds, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "acme-prod-ops.env")); err != nil {
		t.Error(err)
	}
	if _, err := apply.Redeliver(t.Context(), c, cfg, apply.RedeliverOptions{Keys: []string{"acme-prod/loose"}}); err == nil {
		t.Error("a key not in the configuration was accepted")
	}
	if n := len(emu.Writes()); n != writes {
		t.Errorf("%d writes to the account, want none", n-writes)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
