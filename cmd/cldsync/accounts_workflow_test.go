package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAccountsWorkflow checks the many-accounts example: plan and apply
// are matrices over the account directories, each job reads the secret
// named after its directory, plans its own path, comments under a marker
// naming the account, and runs in a concurrency group of its own account.
// The step that lists the directories runs in bash on a fake checkout.
func TestAccountsWorkflow(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "examples", "github", "accounts.yml")
	doc := loadYAML(t, path)
	jobs, _ := doc["jobs"].(map[string]any)
	for name, secret := range map[string]string{"plan": "CLOUDINARY_PLAN_ACCOUNT_URL_{0}", "apply": "CLOUDINARY_ACCOUNT_URL_{0}"} {
		job, _ := jobs[name].(map[string]any)
		strategy, _ := job["strategy"].(map[string]any)
		matrix, _ := strategy["matrix"].(map[string]any)
		if matrix["account"] != "${{ fromJSON(needs.accounts.outputs.names) }}" || strategy["fail-fast"] != false {
			t.Errorf("job %s: strategy %v, want a matrix over needs.accounts.outputs.names without fail-fast", name, strategy)
		}
		env, _ := job["env"].(map[string]any)
		if want := "${{ secrets[format('" + secret + "', matrix.account)] }}"; env["CLOUDINARY_ACCOUNT_URL"] != want {
			t.Errorf("job %s: CLOUDINARY_ACCOUNT_URL = %v, want %s", name, env["CLOUDINARY_ACCOUNT_URL"], want)
		}
		conc, _ := job["concurrency"].(map[string]any)
		if g, _ := conc["group"].(string); !strings.Contains(g, "${{ matrix.account }}") {
			t.Errorf("job %s: concurrency group %q is not per account", name, g)
		}
		var with map[string]any
		for _, st := range asList(job["steps"]) {
			m, _ := st.(map[string]any)
			if uses, _ := m["uses"].(string); strings.HasPrefix(uses, "cldsync/cldsync") {
				with, _ = m["with"].(map[string]any)
			}
		}
		if with["command"] != name || with["path"] != "accounts/${{ matrix.account }}/" || with["comment-marker"] != "cldsync-plan-${{ matrix.account }}" {
			t.Errorf("job %s: action inputs %v, want command %s on accounts/NAME/ with a comment per account", name, with, name)
		}
	}

	// The list step on a checkout with two accounts, then with a directory
	// whose name cannot be a secret's.
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("no jq")
	}
	accounts, _ := jobs["accounts"].(map[string]any)
	var list map[string]any
	for _, st := range asList(accounts["steps"]) {
		if m, _ := st.(map[string]any); m["id"] == "list" {
			list = m
		}
	}
	if list == nil {
		t.Fatal("accounts job has no list step")
	}
	checkout := t.TempDir()
	for _, d := range []string{"accounts/acme_corp", "accounts/globex"} {
		if err := os.MkdirAll(filepath.Join(checkout, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(checkout, "accounts", "README.md"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	listIn := func(t *testing.T) (int, string) {
		t.Helper()
		tmp := t.TempDir()
		out := filepath.Join(tmp, "output")
		run, _ := list["run"].(string)
		// The step runs in the checkout, as Actions runs it.
		st := map[string]any{"name": "list", "run": "cd " + checkout + "\n" + run}
		code := runStep(t, st, tmp, []string{"GITHUB_OUTPUT=" + out})
		data, _ := os.ReadFile(out)
		return code, string(data)
	}
	if code, got := listIn(t); code != 0 || got != "names=[\"acme_corp\",\"globex\"]\n" {
		t.Errorf("list step exited %d with output %q, want names=[\"acme_corp\",\"globex\"]", code, got)
	}
	if err := os.MkdirAll(filepath.Join(checkout, "accounts", "bad-name"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, got := listIn(t); code == 0 {
		t.Errorf("list step accepted accounts/bad-name, output %q", got)
	}
}
