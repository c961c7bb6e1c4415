package spec

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const tenantsExample = "../../examples/tenants"

// TestTenantsExample loads the example: three instantiations, uniquely
// named objects, positions in the template that say which instantiation.
func TestTenantsExample(t *testing.T) {
	cfg, err := Load(tenantsExample)
	if err != nil {
		t.Fatal(err)
	}
	var envs []string
	for _, e := range cfg.Environments {
		envs = append(envs, e.CloudName)
	}
	want := []string{"acme-prod", "acme-staging", "globex-prod", "globex-staging", "initech-prod", "initech-staging"}
	if diff := cmp.Diff(want, envs); diff != "" {
		t.Errorf("environments (-want +got):\n%s", diff)
	}
	if got := len(cfg.Tenants); got != 3 {
		t.Fatalf("Load returned %d tenants, want 3", got)
	}
	wantVars := map[string]string{"slug": "globex", "display": "Globex", "admin": "hank@globex.test", "staging_enabled": "false"}
	if diff := cmp.Diff(wantVars, cfg.Tenants[1].Vars); diff != "" {
		t.Errorf("tenants[1].Vars (-want +got):\n%s", diff)
	}
	tmpl := filepath.Join(tenantsExample, "templates", "tenant.yaml")
	wantPos := Pos{File: tmpl, Line: 30, Col: 5, Via: "tenants[1] at " + filepath.Join(tenantsExample, "cldsync.yaml") + ":25:5"}
	if diff := cmp.Diff(wantPos, cfg.Environments[3].Pos); diff != "" {
		t.Errorf("globex-staging's position (-want +got):\n%s", diff)
	}
	if e := cfg.Environments[3]; e.Enabled == nil || *e.Enabled {
		t.Errorf("globex-staging enabled = %v, want false (a bool variable)", e.Enabled)
	}
	const stmt = "permit(\n  principal == Cloudinary::Group::\"${group:initech-designers}\",\n  action == Cloudinary::Action::\"create\",\n  resource is Cloudinary::Asset\n);\n"
	if got := cfg.Policies[2].Statement; got != stmt {
		t.Errorf("initech's statement = %q, want %q", got, stmt)
	}
}

// TestTemplateAlone: a template loaded on its own takes its examples.
func TestTemplateAlone(t *testing.T) {
	cfg, err := Load(filepath.Join(tenantsExample, "templates", "tenant.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Template == nil || len(cfg.Template.Params) != 4 {
		t.Fatalf("Template = %+v, want 4 parameters", cfg.Template)
	}
	if got := cfg.Users[0].Email; got != "admin@acme.test" {
		t.Errorf("user = %q, want the example admin@acme.test", got)
	}
}

// TestInstantiate pins what cldsync init writes.
func TestInstantiate(t *testing.T) {
	path := filepath.Join(tenantsExample, "templates", "tenant.yaml")
	_, data, err := Instantiate(path, LoadOptions{Vars: []string{"slug=umbrella", "display=Umbrella", "admin=alice@umbrella.test"}})
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, filepath.Join(specTestdata, "ok", "tmpl_init.golden"), string(data))
	// What it wrote loads, with the same objects.
	cfg, err := Parse("cldsync.yaml", data)
	if err != nil {
		t.Fatalf("the instantiated configuration does not load: %v", err)
	}
	if got := cfg.Roles[0].ID; got != "umbrella-reviewer" {
		t.Errorf("role id = %q, want umbrella-reviewer", got)
	}

	// Without examples: every parameter without a default needs a value.
	_, _, err = Instantiate(path, LoadOptions{Vars: []string{"slug=umbrella", "colour=red"}})
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Instantiate without values returned %v, want Errors", err)
	}
	want := "--var colour=red: unknown variable \"colour\": " + path + " has no such parameter (its parameters are admin, display, slug, staging_enabled)\n" +
		path + ":15:5: template.params.display: missing variable \"display\": give it a value with --var display=VALUE\n" +
		path + ":19:5: template.params.admin: missing variable \"admin\": give it a value with --var admin=VALUE"
	if diff := cmp.Diff(want, errs.Error()); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
