package spec

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "update golden files")

const specTestdata = "../../testdata/spec"

// TestErrors loads every case in testdata/spec/err (a NAME.yaml file or a
// NAME directory) and compares the errors with NAME.out. Cases load from
// inside that directory so that file names in the goldens are short.
func TestErrors(t *testing.T) {
	dir, cases := errorCases(t)
	t.Chdir(dir)
	// A lowered size cap, so that the too_big case stays small.
	defer func(old int64) { maxFileSize = old }(maxFileSize)
	maxFileSize = 16 << 10
	for _, path := range cases {
		name := strings.TrimSuffix(path, ".yaml")
		t.Run(name, func(t *testing.T) {
			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%q) = %+v, want errors", path, cfg)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Load(%q) error %T %v, want Errors", path, err, err)
			}
			if cfg != nil {
				t.Errorf("Load(%q) returned a config along with errors", path)
			}
			assertGolden(t, name+".out", err.Error()+"\n")
		})
	}
}

// errorCases returns the absolute path of testdata/spec/err and its cases:
// NAME.yaml files and NAME directories. There are at least 40.
func errorCases(t *testing.T) (dir string, cases []string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join(specTestdata, "err"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".yaml") {
			cases = append(cases, e.Name())
		}
	}
	if len(cases) < 40 {
		t.Fatalf("found %d error cases, want at least 40", len(cases))
	}
	return dir, cases
}

func assertGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (create it with: go test ./pkg/spec -run TestErrors -update): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s\nupdate with: go test ./pkg/spec -run TestErrors -update", golden, diff)
	}
}

func ptr[T any](v T) *T { return &v }

func TestLoad(t *testing.T) {
	ok := filepath.Join(specTestdata, "ok")
	at := func(file string, line, col int) Pos {
		return Pos{File: filepath.Join(ok, file), Line: line, Col: col}
	}
	tests := []struct {
		name string
		path string
		want *Config
	}{
		{
			name: "issue example",
			path: filepath.Join(ok, "issue.yaml"),
			want: &Config{
				Version: 1,
				Environments: []Environment{
					{CloudName: "acme-prod", Name: "Acme Production", CustomAttributes: map[string]any{"team": "web"}, Pos: at("issue.yaml", 4, 5)},
					{CloudName: "acme-staging", Name: "Acme Staging", Enabled: ptr(true), BaseEnvironment: "acme-prod", Pos: at("issue.yaml", 7, 5)},
				},
				Users: []User{
					{Email: "ana@acme.test", Name: ptr("Ana Lopez"), Role: ptr("master_admin"), Pos: at("issue.yaml", 12, 5)},
					{Email: "raj@acme.test", Name: ptr("Raj Patel"), Role: ptr("media_library_user"), Environments: &EnvironmentAccess{CloudNames: []string{"acme-staging"}}, Pos: at("issue.yaml", 15, 5)},
				},
				Groups: []Group{
					{Name: "designers", Members: []string{"raj@acme.test"}, MembersManaged: true, Pos: at("issue.yaml", 20, 5)},
				},
				Prune: []Kind{KindUser, KindGroup, KindMembership, KindEnvironment},
			},
		},
		{
			name: "minimal",
			path: filepath.Join(ok, "minimal.yaml"),
			want: &Config{Version: 1},
		},
		{
			name: "empty lists",
			path: filepath.Join(ok, "empty_lists.yaml"),
			want: &Config{
				Version:      1,
				Environments: nil,
				Users:        nil,
				Groups: []Group{
					{Name: "nobody", Members: []string{}, MembersManaged: true, Pos: at("empty_lists.yaml", 6, 5)},
				},
				Prune: []Kind{},
			},
		},
		{
			name: "directory merged in name order",
			path: filepath.Join(ok, "split"),
			want: &Config{
				Version: 1,
				Environments: []Environment{
					{CloudName: "acme-prod", Name: "Acme Production", Enabled: ptr(false),
						CustomAttributes: map[string]any{"team": "web", "cost_center": 42, "tags": []any{"a", "b"}},
						Pos:              at("split/10-environments.yaml", 4, 5)},
					{CloudName: "acme_dev-2", Name: "Acme Dev", BaseEnvironment: "acme-prod", CustomAttributes: map[string]any{}, Pos: at("split/10-environments.yaml", 11, 5)},
				},
				Users: []User{
					{Email: "ana@acme.test", Name: ptr("Ana Lopez"), Role: ptr("admin"), Enabled: ptr(true), Environments: &EnvironmentAccess{All: true}, Pos: at("split/20-users.yml", 3, 5)},
					{Email: "raj@acme.test", Role: ptr("technical_admin"), Environments: &EnvironmentAccess{CloudNames: []string{"acme-prod", "acme_dev-2"}}, Pos: at("split/20-users.yml", 8, 5)},
					{Email: "lee@acme.test", Environments: &EnvironmentAccess{CloudNames: []string{}}, Pos: at("split/20-users.yml", 11, 5)},
				},
				Groups: []Group{
					{Name: "designers", Members: []string{"ana@acme.test", "outsider@example.com", "raj@acme.test"}, MembersManaged: true, Pos: at("split/30-groups.yaml", 3, 5)},
					{Name: "Designers (EU)", Pos: at("split/30-groups.yaml", 5, 5)},
				},
				Prune: []Kind{KindGroup, KindMembership},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(tt.path)
			if err != nil {
				t.Fatalf("Load(%q) returned error:\n%v", tt.path, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Load(%q) mismatch (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

func TestLoadIOErrors(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) error %v, want os.ErrNotExist", err)
	}
	var errs Errors
	if errors.As(err, &errs) {
		t.Errorf("Load(missing) returned Errors %v, want a plain error", errs)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    *Config
		wantErr string
	}{
		{
			name: "ok",
			src:  "version: 1\nusers: [{email: Ana@Acme.Test}]\n",
			want: &Config{Version: 1, Users: []User{{Email: "ana@acme.test", Pos: Pos{File: "in.yaml", Line: 2, Col: 9}}}},
		},
		{
			name: "version written as a float",
			src:  "version: 1.0\n",
			want: &Config{Version: 1},
		},
		{
			name:    "merge keys are not supported",
			src:     "version: 1\nusers:\n  - &a {email: a@x.io}\n  - <<: *a\n    email: b@x.io\n",
			wantErr: `in.yaml:4:5: users[1]: unexpected key "<<"; expected one of email, enabled, environments, expires, name, previously, protect, role`,
		},
		{
			name:    "errors sorted by line then column",
			src:     "version: 3\nusers: [{email: x, role: y}]\n",
			wantErr: "in.yaml:1:10: version: expected 1, got 3\nin.yaml:2:17: users[0].email: invalid email address \"x\"\nin.yaml:2:26: users[0].role: unexpected value \"y\"; expected one of master_admin, admin, billing, technical_admin, reports, media_library_admin, media_library_user",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("in.yaml", []byte(tt.src))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse returned %+v, want error %q", got, tt.wantErr)
				}
				if diff := cmp.Diff(tt.wantErr, err.Error()); diff != "" {
					t.Errorf("Parse error mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse returned error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestModelines checks that the yaml-language-server modeline at the top of
// every valid fixture points at the schema, so editors validate them.
func TestModelines(t *testing.T) {
	const prefix = "# yaml-language-server: $schema="
	files, err := filepath.Glob(filepath.Join(specTestdata, "ok", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(specTestdata, "ok", "*", "*.y*ml"))
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		ref, ok := strings.CutPrefix(first, prefix)
		if !ok {
			t.Errorf("%s: first line %q, want a %q modeline", f, first, prefix)
			continue
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(f), ref)); err != nil {
			t.Errorf("%s: modeline schema: %v", f, err)
		}
	}
}

func TestPrunes(t *testing.T) {
	c := &Config{Prune: []Kind{KindUser, KindMembership}}
	for k, want := range map[Kind]bool{KindUser: true, KindMembership: true, KindGroup: false, KindEnvironment: false} {
		if got := c.Prunes(k); got != want {
			t.Errorf("Prunes(%q) = %v, want %v", k, got, want)
		}
	}
}
