package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportOut: export --out refuses to overwrite what a previous export
// (or a person) wrote, as init does, unless --force; and an unknown kind
// is refused with the kind it resembles instead of writing headers.
func TestExportOut(t *testing.T) {
	t.Parallel()
	env := testAccount(t, schemaSeed)
	dir := filepath.Join(t.TempDir(), "cfg")

	code, stdout, stderr := runCLI(t, env, "export", "--out", dir)
	if code != 0 || !strings.Contains(stdout, "wrote "+filepath.Join(dir, "users.yaml")) {
		t.Fatalf("export --out exited %d: %s%s", code, stdout, stderr)
	}
	users := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(users, []byte("# edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Parts of an earlier, larger export are named in the order export
	// writes them, by kind and part number, not as the directory sorts.
	for _, name := range []string{"users.10.yaml", "users.2.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("version: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = runCLI(t, env, "export", "--out", dir, "--kinds", "users,groups")
	var names []string
	for _, name := range []string{"users.yaml", "users.2.yaml", "users.10.yaml", "groups.yaml"} {
		names = append(names, filepath.Join(dir, name))
	}
	want := strings.Join(names, ", ") + " exist; refusing to overwrite (--force to replace)"
	if code != 1 || !strings.Contains(stderr, want) || stdout != "" {
		t.Errorf("export over existing files exited %d with stdout %q stderr %q, want 1 and %q", code, stdout, stderr, want)
	}
	if data, _ := os.ReadFile(users); string(data) != "# edited by hand\n" {
		t.Errorf("export without --force overwrote users.yaml:\n%s", data)
	}

	code, stdout, stderr = runCLI(t, env, "export", "--out", dir, "--kinds", "users", "--force")
	if data, _ := os.ReadFile(users); code != 0 || !strings.Contains(string(data), "raj@acme.test") {
		t.Errorf("export --force exited %d (%s%s) and left users.yaml:\n%s", code, stdout, stderr, data)
	}

	for _, args := range [][]string{{"export", "--kinds", "policys"}, {"export", "--out", t.TempDir(), "--kinds", "users,policys"}} {
		code, stdout, stderr = runCLI(t, env, args...)
		want := `--kinds: unknown kind "policys" (did you mean "policies"?)`
		if code != 1 || !strings.Contains(stderr, want) || stdout != "" {
			t.Errorf("%v exited %d with stdout %q stderr %q, want 1 and %q", args, code, stdout, stderr, want)
		}
	}
}
