package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestActionCommentsFailedPlan checks that the action's pull-request
// comment follows a plan that failed, so that a push breaking the plan
// does not leave the last good plan on the pull request: the comment step
// runs unless the run was cancelled or the plan never ran, and it posts
// the refused plan's Markdown, or a note when plan wrote none, while the
// plan step still fails the job. The two steps' scripts run in bash as
// Actions runs them, with a stub cldsync.
func TestActionCommentsFailedPlan(t *testing.T) {
	t.Parallel()
	var planStep, commentStep map[string]any
	for _, st := range steps(loadYAML(t, filepath.Join("..", "..", "action.yml")))[""] {
		run, _ := st["run"].(string)
		switch {
		case st["id"] == "plan":
			planStep = st
		case strings.Contains(run, "cldsync github-comment"):
			commentStep = st
		}
	}
	if planStep == nil || commentStep == nil {
		t.Fatalf("action.yml: found plan step %v and comment step %v, want both", planStep != nil, commentStep != nil)
	}
	cond, _ := commentStep["if"].(string)
	for _, want := range []string{"!cancelled()", "steps.plan.outcome != 'skipped'", "github.event_name == 'pull_request'"} {
		if !strings.Contains(cond, want) {
			t.Errorf("comment step if: %q lacks %q", cond, want)
		}
	}
	// always() would comment on a cancelled run; without a status function
	// Actions adds success(), and a failed plan would leave a stale comment.
	if strings.Contains(cond, "always()") || strings.Contains(cond, "success()") {
		t.Errorf("comment step if: %q, want !cancelled() rather than always() or success()", cond)
	}

	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	// The stub's plan prints $STUB_MD and exits $STUB_CODE; its
	// github-comment records its arguments and the file it is given.
	stubDir := t.TempDir()
	stub := `#!/bin/sh
case "$1" in
plan) printf '%s' "$STUB_MD"; exit "$STUB_CODE" ;;
github-comment) echo "$@" > "$STUB_LOG"; for f; do :; done; cat "$f" >> "$STUB_LOG" ;;
*) exit 9 ;;
esac
`
	if err := os.WriteFile(filepath.Join(stubDir, "cldsync"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	// runStep runs a step's script as `shell: bash` does, and returns its
	// exit code.
	runStep := func(t *testing.T, st map[string]any, env []string) int {
		t.Helper()
		run, _ := st["run"].(string)
		if strings.Contains(run, "${{") {
			t.Fatalf("script has an expression, which this test cannot run: %s", run)
		}
		script := filepath.Join(t.TempDir(), "step.sh")
		if err := os.WriteFile(script, []byte(run), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Env = append(os.Environ(), env...)
		cmd.Env = append(cmd.Env, "PATH="+stubDir+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &exit):
			return exit.ExitCode()
		}
		t.Fatalf("run %s: %v\n%s", st["name"], err, out)
		return -1
	}

	tests := []struct {
		name     string
		md       string // what plan writes to stdout
		code     string // plan's exit code
		wantStep int    // the plan step's exit code
		want     string // what github-comment is given, after its arguments
	}{
		{
			name: "refused plan", code: "1", wantStep: 1,
			md:   "**Plan refused: 1 object (see the error below); nothing will be applied.**\n",
			want: "**Plan refused: 1 object (see the error below); nothing will be applied.**\n",
		},
		{
			name: "plan could not run", code: "1", wantStep: 1,
			want: "**cldsync plan failed before it could make a plan**: see the [job log](https://github.test/acme/config/actions/runs/42).\n",
		},
		{
			name: "changes", code: "2", wantStep: 0,
			md:   "**Plan: 1 to add, 0 to change, 0 to destroy.**\n",
			want: "**Plan: 1 to add, 0 to change, 0 to destroy.**\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			log := filepath.Join(tmp, "comment.log")
			env := []string{
				"RUNNER_TEMP=" + tmp,
				"GITHUB_STEP_SUMMARY=" + filepath.Join(tmp, "summary.md"),
				"GITHUB_OUTPUT=" + filepath.Join(tmp, "output"),
				"CLDSYNC_PATH=.",
				"STUB_MD=" + tt.md, "STUB_CODE=" + tt.code, "STUB_LOG=" + log,
				"PR_NUMBER=7", "MARKER=cldsync-plan", "RUN_URL=https://github.test/acme/config/actions/runs/42",
			}
			if got := runStep(t, planStep, env); got != tt.wantStep {
				t.Errorf("plan step exited %d, want %d (it must still fail the job on a failed plan)", got, tt.wantStep)
			}
			if got := runStep(t, commentStep, env); got != 0 {
				t.Errorf("comment step exited %d, want 0", got)
			}
			got, err := os.ReadFile(log)
			if err != nil {
				t.Fatalf("github-comment was not called: %v", err)
			}
			wantArgs := "github-comment --pr 7 --marker cldsync-plan " + filepath.Join(tmp, "cldsync-plan.md") + "\n"
			if string(got) != wantArgs+tt.want {
				t.Errorf("github-comment got:\n%s\nwant:\n%s", got, wantArgs+tt.want)
			}
		})
	}
}
