package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/cldsync/cldsync/pkg/emulator"
)

// testAccount starts an emulator seeded with seed and returns the
// environment cldsync reads its credentials from.
func testAccount(t *testing.T, seed string) map[string]string {
	t.Helper()
	emu := emulator.New(emulator.Options{AccountID: "acc", APIKey: "key", APISecret: "secret", Bare: true})
	if err := emu.LoadSeed(strings.NewReader(seed)); err != nil {
		t.Fatalf("LoadSeed returned error %v", err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return map[string]string{"CLDSYNC_API_URL": srv.URL, "CLOUDINARY_ACCOUNT_URL": "account://key:secret@acc", "NO_COLOR": "1"}
}

// runCLI runs cldsync in-process and returns its exit code and output.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, streams{
		Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		Getenv: func(k string) string { return env[k] },
	})
	return code, stdout.String(), stderr.String()
}

// compilePlanSchema compiles one definition of schema/plan.schema.json.
func compilePlanSchema(t *testing.T, def string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	url := filepath.Join("..", "..", "schema", "plan.schema.json")
	if def != "" {
		url += "#/$defs/" + def
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", url, err)
	}
	return s
}

const schemaSeed = `
environments:
  - {cloud_name: acme-prod, name: Acme Prod, custom_attributes: {team: web}}
users:
  - {email: raj@acme.test, name: Raj, role: admin, environments: [acme-prod]}
  - {email: old@acme.test, name: Old, role: reports}
groups:
  - {name: designers, members: [old@acme.test]}
  - {name: temp}
`

const schemaConfig = `version: 1
prune: [groups]
environments:
  - cloud_name: acme-prod
    name: Acme Production
    custom_attributes: {team: web}
  - cloud_name: acme-staging
    name: Acme Staging
    base_environment: acme-prod
users:
  - email: ana@acme.test
    role: admin
    environments: [acme-staging]
  - email: raj@acme.test
    role: media_library_user
groups:
  - name: designers
    members: [ana@acme.test, raj@acme.test]
`

// TestJSONOutputMatchesSchema validates the real JSON that plan, drift,
// plan --out and apply write, against the emulator, with
// schema/plan.schema.json.
func TestJSONOutputMatchesSchema(t *testing.T) {
	env := testAccount(t, schemaSeed)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "account.yaml")
	if err := os.WriteFile(cfg, []byte(schemaConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "plan.json")
	validate := func(name, def string, data []byte) {
		t.Helper()
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", name, err, data)
		}
		if err := compilePlanSchema(t, def).Validate(v); err != nil {
			t.Errorf("%s does not match the schema: %#v\n%s", name, err, data)
		}
	}

	code, out, stderr := runCLI(t, env, "plan", "--format", "json", "--out", saved, "--detailed-exitcode", cfg)
	if code != 2 {
		t.Fatalf("plan exited %d, want 2; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{`"action": "create"`, `"action": "update"`, `"action": "delete"`} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output has no %s, so the test covers less than it should", want)
		}
	}
	validate("plan --format json", "", []byte(out))
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	validate("plan --out", "savedPlan", data)

	code, out, stderr = runCLI(t, env, "drift", "--format", "json", cfg)
	if code != 2 {
		t.Fatalf("drift exited %d, want 2; stderr:\n%s", code, stderr)
	}
	validate("drift --format json", "driftReport", []byte(out))

	code, out, stderr = runCLI(t, env, "apply", "--plan", saved, "--format", "json")
	if code != 0 {
		t.Fatalf("apply exited %d, want 0; stderr:\n%s", code, stderr)
	}
	validate("apply --format json", "applyReport", []byte(out))

	code, out, stderr = runCLI(t, env, "drift", "--format", "json", cfg)
	if code != 0 {
		t.Fatalf("drift after apply exited %d, want 0; stdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	validate("clean drift --format json", "driftReport", []byte(out))
}

// TestPlanColor checks colour is used only on a terminal and never with
// NO_COLOR; the streams here are not terminals.
func TestPlanColor(t *testing.T) {
	env := testAccount(t, schemaSeed)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "account.yaml")
	if err := os.WriteFile(cfg, []byte(schemaConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	delete(env, "NO_COLOR")
	_, out, _ := runCLI(t, env, "plan", cfg)
	if strings.Contains(out, "\x1b[") {
		t.Errorf("plan wrote ANSI colour to a stream that is not a terminal:\n%q", out)
	}
	if useColor(streams{Stdout: os.Stdout, Getenv: func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }}) {
		t.Errorf("useColor with NO_COLOR set = true, want false")
	}
}
