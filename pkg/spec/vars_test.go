package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// loadFiles writes files into a temporary directory, changes into it and
// loads path with opts.
func loadFiles(t *testing.T, files map[string]string, path string, opts LoadOptions) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return LoadWith(path, opts)
}

func TestVars(t *testing.T) {
	const cfg = `version: 1
vars:
  slug: acme
  on: true
  seats: 3
  name: "${var:slug} Production"
environments:
  - cloud_name: ${var:slug}-prod
    name: ${var:name}
    enabled: ${var:on}
    custom_attributes:
      seats: ${var:seats}
      label: "${var:seats} seats"
`
	tests := []struct {
		name  string
		files map[string]string
		opts  LoadOptions
		want  Environment
	}{
		{
			name:  "values of vars:",
			files: map[string]string{"c.yaml": cfg},
			want: Environment{CloudName: "acme-prod", Name: "acme Production", Enabled: ptr(true),
				CustomAttributes: map[string]any{"seats": 3, "label": "3 seats"}},
		},
		{
			name:  "--var wins over --var-file, which wins over vars:, and keeps the declared type",
			files: map[string]string{"c.yaml": cfg, "v.yaml": "slug: globex\nseats: 7\n"},
			opts:  LoadOptions{VarFiles: []string{"v.yaml"}, Vars: []string{"seats=9", "on=false", "name=Plain"}},
			want: Environment{CloudName: "globex-prod", Name: "Plain", Enabled: ptr(false),
				CustomAttributes: map[string]any{"seats": 9, "label": "9 seats"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadFiles(t, tt.files, "c.yaml", tt.opts)
			if err != nil {
				t.Fatalf("LoadWith returned %v", err)
			}
			if len(got.Environments) != 1 {
				t.Fatalf("LoadWith returned %d environments, want 1", len(got.Environments))
			}
			e := got.Environments[0]
			e.Pos = Pos{}
			if diff := cmp.Diff(tt.want, e); diff != "" {
				t.Errorf("environment (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVarErrors(t *testing.T) {
	const cfg = "version: 1\nvars:\n  seats: 3\nenvironments:\n  - {cloud_name: acme, name: \"${var:seats}\"}\n"
	tests := []struct {
		name  string
		files map[string]string
		opts  LoadOptions
		want  string
	}{
		{
			name:  "--var without =",
			files: map[string]string{"c.yaml": cfg},
			opts:  LoadOptions{Vars: []string{"seats"}},
			want:  "--var seats: expected --var NAME=VALUE",
		},
		{
			name:  "--var of the wrong type",
			files: map[string]string{"c.yaml": cfg},
			opts:  LoadOptions{Vars: []string{"seats=many"}},
			want:  `--var seats=many: variable "seats" is an int: got string "many"`,
		},
		{
			name:  "--var nothing uses",
			files: map[string]string{"c.yaml": cfg},
			opts:  LoadOptions{Vars: []string{"region=eu"}},
			want:  `--var region=eu: variable "region" is never used: no ${var:region} in the configuration`,
		},
		{
			name:  "--var-file problems at their positions",
			files: map[string]string{"c.yaml": cfg, "v.yaml": "seats: lots\nextra: [1]\n"},
			opts:  LoadOptions{VarFiles: []string{"v.yaml"}},
			want: "v.yaml:1:8: seats: variable \"seats\" is an int: got string \"lots\"\n" +
				"v.yaml:2:8: extra: variable \"extra\": expected a string, an integer or a boolean, got a list",
		},
		{
			name:  "--var-file missing",
			files: map[string]string{"c.yaml": cfg},
			opts:  LoadOptions{VarFiles: []string{"nope.yaml"}},
			want:  "nope.yaml: read variables file: nope.yaml: no such file or directory",
		},
		{
			name: "a variable defined in two files",
			files: map[string]string{
				"d/a.yaml": cfg,
				"d/b.yaml": "vars:\n  seats: 4\n",
			},
			want: `d/b.yaml:2:3: vars.seats: duplicate variable "seats"; first defined at d/a.yaml:3:3`,
		},
		{
			// The text after the last reference counts too: each
			// reference fits, the whole value does not.
			name: "a value made with variables over the limit by its text",
			files: map[string]string{"c.yaml": "version: 1\nvars:\n  a: x\nroles:\n" +
				"  - {id: r, name: R, permission_type: global, scope_type: account, description: \"${var:a}" + strings.Repeat("y", maxVarValue) + "\"}\n"},
			want: "c.yaml:5:82: roles[0].description: the value would be longer than 64 KiB, the limit for a value made with variables",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "c.yaml"
			if _, ok := tt.files["d/a.yaml"]; ok {
				path = "d"
			}
			_, err := loadFiles(t, tt.files, path, tt.opts)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("LoadWith returned %v, want Errors", err)
			}
			if diff := cmp.Diff(tt.want, errs.Error()); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCedarRefsFromVars: a variable may build a Cedar reference, which is
// left for the plan to resolve.
func TestCedarRefsFromVars(t *testing.T) {
	cfg := `version: 1
vars: {team: designers}
groups: [{name: "${var:team}"}]
policies:
  - name: p
    scope: account
    statement: 'permit(principal == Cloudinary::Group::"${group:${var:team}}", action, resource);'
`
	got, err := loadFiles(t, map[string]string{"c.yaml": cfg}, "c.yaml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `permit(principal == Cloudinary::Group::"${group:designers}", action, resource);`
	if got.Policies[0].Statement != want {
		t.Errorf("statement = %q, want %q", got.Policies[0].Statement, want)
	}
}
