package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
	"github.com/google/go-cmp/cmp"
)

// TestHelp renders --help for cldsync and every command into
// testdata/help/*.txt (go test -run TestHelp -update), so that help text
// is reviewed in diffs like code. It also checks what the help must say.
func TestHelp(t *testing.T) {
	// kong wraps help to $COLUMNS; t.Setenv rules out t.Parallel.
	t.Setenv("COLUMNS", "80")
	var c cli
	parser, err := kong.New(&c, kong.Name("cldsync"), kongVars())
	if err != nil {
		t.Fatal(err)
	}
	commands := [][]string{nil}
	for _, n := range parser.Model.Children {
		commands = append(commands, []string{n.Name})
	}
	seen := map[string]bool{}
	for _, cmd := range commands {
		name := "cldsync"
		if len(cmd) > 0 {
			name = strings.Join(cmd, "-")
		}
		seen[name+".txt"] = true
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append(cmd, "--help"), streams{Stdout: &stdout, Stderr: &stderr,
				Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }})
			if code != 0 || stderr.Len() > 0 {
				t.Fatalf("--help exited %d with stderr %q", code, stderr.String())
			}
			golden := filepath.Join("testdata", "help", name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestHelp -update)", err)
			}
			if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
				t.Errorf("%s --help differs from %s (-want +got; -update rewrites it):\n%s", name, golden, diff)
			}
		})
	}
	// A golden file of a command that is gone is stale.
	files, _ := filepath.Glob(filepath.Join("testdata", "help", "*.txt"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s is no command's help; delete it", f)
		}
	}
}

// TestHelpSays checks the facts the help must state, whatever its wording.
func TestHelpSays(t *testing.T) {
	t.Setenv("COLUMNS", "1000") // one line per flag, for matching
	for _, tc := range []struct {
		args    []string
		want    []string
		notWant []string
	}{
		{nil, []string{"CLOUDINARY_ACCOUNT_URL", "CLOUDINARY_ACCOUNT_ID", "CLOUDINARY_PROVISIONING_API_KEY",
			"CLOUDINARY_PROVISIONING_API_SECRET", "CLOUDINARY_REGION", "CLDSYNC_API_URL", "CLDSYNC_DEBUG", "NO_COLOR", "--version"}, nil},
		{[]string{"plan"}, []string{"Default: . (the current directory)", "--markdown-limit=BYTES", "Default: 60000", "--allow-deletes", "are deleted"}, nil},
		{[]string{"drift"}, []string{"Default: . (the current directory)", "are reported as extra"},
			[]string{"--allow-deletes", "--allow-environment-deletes", "are deleted"}},
		{[]string{"init"}, []string{"--out=DIR", "Default: . (the current directory)"}, nil},
		{[]string{"emulator"}, []string{"--seed=FILE", "base URL as the first line"}, nil},
		{[]string{"export"}, []string{"--kinds=KIND,...", "--force"}, []string{"KIND,...,..."}},
		{[]string{"github-comment"}, []string{"($GITHUB_REPOSITORY)"}, []string{"(default: $GITHUB_REPOSITORY)"}},
	} {
		code, stdout, stderr := runCLI(t, nil, append(tc.args, "--help")...)
		if code != 0 {
			t.Fatalf("%v --help exited %d: %s", tc.args, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v --help does not say %q", tc.args, w)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(stdout, w) {
				t.Errorf("%v --help says %q", tc.args, w)
			}
		}
	}
}

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	code, stdout, _ := runCLI(t, nil, "--version")
	_, want, _ := runCLI(t, nil, "version")
	if code != 0 || stdout != want || !strings.HasPrefix(stdout, "cldsync ") {
		t.Errorf("cldsync --version exited %d with %q, want 0 and %q (as cldsync version)", code, stdout, want)
	}
}
