package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJSONDiagnosticsMatchSchema: what plan --format json writes when it
// cannot plan is described by $defs/diagnostics, for a configuration error
// (with positions) and for an error reading the account, and so is what
// apply --format json writes for a refused plan.
func TestJSONDiagnosticsMatchSchema(t *testing.T) {
	t.Parallel()
	env := testAccount(t, schemaSeed)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nusers:\n  - {email: nope, name: A, role: admin}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	schema := compilePlanSchema(t, "diagnostics")
	wrong := map[string]string{}
	for k, v := range env {
		wrong[k] = v
	}
	wrong["CLOUDINARY_ACCOUNT_URL"] = "account://key:wrong@acc"
	for name, env := range map[string]map[string]string{"configuration error": env, "401": wrong} {
		code, out, stderr := runCLI(t, env, "plan", "--format", "json", bad)
		if name == "401" {
			good := filepath.Join(t.TempDir(), "good.yaml")
			if err := os.WriteFile(good, []byte("version: 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, stderr = runCLI(t, env, "plan", "--format", "json", good)
		}
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil || code != 1 {
			t.Fatalf("%s: exit %d, stdout not JSON (%v):\n%s\nstderr:\n%s", name, code, err, out, stderr)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s: diagnostics do not match the schema: %v\n%s", name, err, out)
		}
		if name == "configuration error" && !strings.Contains(out, `"line": 3`) {
			t.Errorf("%s: no position in\n%s", name, out)
		}
	}
	// apply --format json: a refused plan, each refused object a diagnostic.
	refused := filepath.Join(t.TempDir(), "refused.yaml")
	if err := os.WriteFile(refused, []byte("version: 1\ngroups:\n  - name: g\n    members: [nobody@acme.test]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, env, "apply", "--auto-approve", "--format", "json", refused)
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 1 {
		t.Fatalf("apply refused: exit %d, stdout not JSON (%v):\n%s\nstderr:\n%s", code, err, out, stderr)
	}
	if err := schema.Validate(v); err != nil {
		t.Errorf("apply refused: diagnostics do not match the schema: %v\n%s", err, out)
	}
}
