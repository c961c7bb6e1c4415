package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateCommand(t *testing.T) {
	specDir, err := filepath.Abs("../../testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	// The spec package's golden for the same file, with paths as seen from
	// testdata/spec.
	golden, err := os.ReadFile(filepath.Join(specDir, "err", "several_errors.out"))
	if err != nil {
		t.Fatal(err)
	}
	several := strings.ReplaceAll(string(golden), "several_errors.yaml", "err/several_errors.yaml") +
		"cldsync: 7 errors in err/several_errors.yaml\n"

	tests := []struct {
		name       string
		dir        string // working directory, relative to testdata/spec
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{
			name:       "valid file",
			dir:        ".",
			args:       []string{"validate", "ok/issue.yaml"},
			wantStdout: "OK: 2 environments, 2 users, 1 group (ok/issue.yaml)\n",
		},
		{
			name:       "valid directory",
			dir:        ".",
			args:       []string{"validate", "ok/split/"},
			wantStdout: "OK: 2 environments, 3 users, 2 groups (ok/split/)\n",
		},
		{
			name:       "default path is the working directory",
			dir:        "ok/split",
			args:       []string{"validate"},
			wantStdout: "OK: 2 environments, 3 users, 2 groups (.)\n",
		},
		{
			name:       "no objects",
			dir:        ".",
			args:       []string{"validate", "ok/minimal.yaml"},
			wantStdout: "OK: 0 environments, 0 users, 0 groups (ok/minimal.yaml)\n",
		},
		{
			name:       "every error, sorted, then a count",
			dir:        ".",
			args:       []string{"validate", "err/several_errors.yaml"},
			wantCode:   1,
			wantStderr: several,
		},
		{
			name:     "one error",
			dir:      ".",
			args:     []string{"validate", "err/bad_version.yaml"},
			wantCode: 1,
			wantStderr: "err/bad_version.yaml:1:10: version: expected 1, got 2\n" +
				"cldsync: 1 error in err/bad_version.yaml\n",
		},
		{
			name:       "errors across files",
			dir:        "err",
			args:       []string{"validate", "duplicate_environment_across_files"},
			wantCode:   1,
			wantStderr: "duplicate_environment_across_files/20-more.yml:5:17: environments[1].cloud_name: duplicate environment \"acme-prod\"; first defined at duplicate_environment_across_files/10-prod.yaml:3:17\nduplicate_environment_across_files/20-more.yml:8:12: users[0].email: duplicate user \"ANA@acme.test\" (emails are compared case-insensitively); first defined at duplicate_environment_across_files/10-prod.yaml:6:12\ncldsync: 2 errors in duplicate_environment_across_files\n",
		},
		{
			name:       "missing path",
			dir:        ".",
			args:       []string{"validate", "no-such.yaml"},
			wantCode:   1,
			wantStderr: "cldsync: load configuration: stat no-such.yaml: no such file or directory\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(filepath.Join(specDir, tt.dir))
			var stdout, stderr bytes.Buffer
			code := Main(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("Main(%q) = %d, want %d; stderr:\n%s", tt.args, code, tt.wantCode, stderr.String())
			}
			if diff := cmp.Diff(tt.wantStdout, stdout.String()); diff != "" {
				t.Errorf("Main(%q) stdout mismatch (-want +got):\n%s", tt.args, diff)
			}
			if diff := cmp.Diff(tt.wantStderr, stderr.String()); diff != "" {
				t.Errorf("Main(%q) stderr mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}
