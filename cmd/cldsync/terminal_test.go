package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestApplyStdinDevNull: /dev/null is a character device but no terminal.
// apply with stdin from it must refuse as it does in CI, not prompt and
// read an empty answer as "no".
func TestApplyStdinDevNull(t *testing.T) {
	t.Parallel()
	env := testAccount(t, schemaSeed)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cldsync.yaml")
	if err := os.WriteFile(cfg, []byte(schemaConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if isTerminal(null) {
		t.Fatalf("isTerminal(%s) = true", os.DevNull)
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"apply", cfg}, streams{Stdout: &stdout, Stderr: &stderr, Stdin: null,
		Getenv: func(k string) string { return env[k] }})
	want := "apply needs confirmation: run it on a terminal, or pass --auto-approve"
	if code != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("apply with stdin from %s exited %d with stderr %q, want 1 and %q", os.DevNull, code, stderr.String(), want)
	}
	if strings.Contains(stdout.String(), "Do you want to perform these actions") || strings.Contains(stderr.String(), "apply cancelled") {
		t.Errorf("apply prompted on %s:\n%s%s", os.DevNull, stdout.String(), stderr.String())
	}
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, v := range map[string]any{"regular file": f, "buffer": &bytes.Buffer{}, "nil": nil} {
		if isTerminal(v) {
			t.Errorf("isTerminal(%s) = true", name)
		}
	}
}
