package spec

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestLoadAccessKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	src := `version: 1
prune: [access_keys]
ignore:
  access_keys: ["acme-prod/legacy-*"]
environments:
  - cloud_name: acme-prod
    name: Acme
    access_keys:
      - name: ci
        dedicated_for: webhooks
        max_age: 90d
        retire_after: 2w
        secret: {file: secrets/ci.env}
        previously: [build]
      - name: deploy
        enabled: false
        secret: {command: [gh, secret, set, X], overwrite: true}
  - {cloud_name: acme-dev, name: Dev, access_keys: []}
  - {cloud_name: acme-qa, name: QA}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []AccessKey{{
		Name: "ci", DedicatedFor: "webhooks", MaxAge: 90 * 24 * time.Hour, RetireAfter: 14 * 24 * time.Hour,
		Secret:     &SecretSink{File: "secrets/ci.env"},
		Previously: []Previous{{Name: "build"}},
	}, {
		Name: "deploy", Enabled: ptr(false),
		Secret: &SecretSink{Command: []string{"gh", "secret", "set", "X"}, Overwrite: true},
	}}
	if diff := cmp.Diff(want, cfg.Environments[0].AccessKeys, cmpopts.IgnoreTypes(Pos{})); diff != "" {
		t.Errorf("access keys (-want +got):\n%s", diff)
	}
	if p := cfg.Environments[0].AccessKeys[1].Pos; p.Line != 15 || p.Col != 9 {
		t.Errorf("deploy at %d:%d, want 15:9", p.Line, p.Col)
	}
	if cfg.Environments[1].AccessKeys == nil || len(cfg.Environments[1].AccessKeys) != 0 {
		t.Errorf("access_keys: [] = %#v, want empty and managed", cfg.Environments[1].AccessKeys)
	}
	if got := cfg.ManagesAccessKeys(); !cmp.Equal(got, []string{"acme-prod", "acme-dev"}) {
		t.Errorf("ManagesAccessKeys = %v", got)
	}
	if !cfg.Prunes(KindAccessKey) {
		t.Error("prune: [access_keys] not read")
	}
	if _, ok := cfg.Ignore.Match(KindAccessKey, "acme-prod/legacy-1"); !ok {
		t.Error("ignore access_keys not read")
	}
}

func TestParseAge(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"90d", 90 * 24 * time.Hour, false},
		{"2w", 14 * 24 * time.Hour, false},
		{"12h", 12 * time.Hour, false},
		{"30m", 30 * time.Minute, false},
		{"0d", 0, true},
		{"d", 0, true},
		{"5y", 0, true},
		{"99999999999999w", 0, true},
	} {
		got, err := ParseAge(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil && FormatAge(got) != tc.in {
			t.Errorf("FormatAge(%v) = %q, want %q", got, FormatAge(got), tc.in)
		}
	}
}
