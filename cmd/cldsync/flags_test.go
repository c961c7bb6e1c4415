package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// Terraform's single-dash long flags are read as cldsync's double-dash
// ones, as are misspelt ones; single letters, short-flag clusters, negative
// numbers and words after "--" are left alone.
func TestSingleDashLong(t *testing.T) {
	t.Parallel()
	parser, err := kong.New(&cli{}, kongVars())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want []string }{
		{[]string{"apply", "-auto-approve", "cfg"}, []string{"apply", "--auto-approve", "cfg"}},
		{[]string{"plan", "-out=plan.json", "-var", "a=b", "-no-color", "-v"}, []string{"plan", "--out=plan.json", "--var", "a=b", "--no-color", "-v"}},
		{[]string{"plan", "-vh", "-cdir", "--parallelism", "-5", "--", "-auto-approve"}, []string{"plan", "-vh", "-cdir", "--parallelism", "-5", "--", "-auto-approve"}},
		// Misspelt or unknown: rewritten, so that kong names the whole word.
		{[]string{"apply", "-auto-aprove", "-target=x"}, []string{"apply", "--auto-aprove", "--target=x"}},
	}
	for _, tt := range tests {
		if got := singleDashLong(parser.Model, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("singleDashLong(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNoColorFlag: on a terminal the plan is coloured; --no-color (or
// Terraform's -no-color) turns it off as NO_COLOR does.
func TestNoColorFlag(t *testing.T) {
	env := testAccount(t, schemaSeed)
	delete(env, "NO_COLOR")
	cfg := filepath.Join(t.TempDir(), "account.yaml")
	if err := os.WriteFile(cfg, []byte(schemaConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), append(args, cfg), streams{Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
			Getenv: func(k string) string { return env[k] }, Terminal: func(any) bool { return true }})
		if code != 0 && code != 2 {
			t.Fatalf("cldsync %q exited %d:\n%s", args, code, stderr.String())
		}
		return stdout.String()
	}
	if out := plan("plan"); !strings.Contains(out, "\x1b[") {
		t.Fatalf("plan on a terminal wrote no colour:\n%s", out)
	}
	for _, args := range [][]string{{"plan", "--no-color"}, {"--no-color", "plan"}, {"plan", "-no-color"}} {
		if out := plan(args...); strings.Contains(out, "\x1b[") {
			t.Errorf("cldsync %q wrote colour:\n%q", args, out)
		}
	}
}
