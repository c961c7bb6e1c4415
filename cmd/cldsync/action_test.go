package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The action's scripts run here in bash, as Actions runs them (`shell:
// bash` is bash --noprofile --norc -eo pipefail), with a stub cldsync (and
// gh) first on PATH. Expressions reach the scripts only through env:, so
// each test gives the env: values an Actions run would.

// actionStep returns the step of action.yml whose id or name is key.
func actionStep(t *testing.T, key string) map[string]any {
	t.Helper()
	for _, st := range steps(loadYAML(t, filepath.Join("..", "..", "action.yml")))[""] {
		if st["id"] == key || st["name"] == key {
			return st
		}
	}
	t.Fatalf("action.yml has no step %q", key)
	return nil
}

// stubCLI writes the stub cldsync and gh into a directory for PATH. The
// stub cldsync records its arguments, one a line, in $STUB_ARGS; its plan
// and drift print $STUB_MD, its apply prints "applied", and each exits
// $STUB_CODE; its github-comment records its arguments and the file it is
// given in $STUB_LOG. gh prints $STUB_PR.
func stubCLI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cldsync := `#!/bin/sh
case "$1" in
github-comment) echo "$@" > "$STUB_LOG"; for f; do :; done; cat "$f" >> "$STUB_LOG"; exit 0 ;;
esac
printf '%s\n' "$@" > "$STUB_ARGS"
case "$1" in
plan|drift) printf '%s' "$STUB_MD" ;;
apply) echo applied; echo "apply's stderr" >&2 ;;
*) exit 9 ;;
esac
exit "${STUB_CODE:-0}"
`
	gh := "#!/bin/sh\necho \"$@\" > \"$STUB_GH\"\nprintf '%s' \"$STUB_PR\"\n"
	for name, body := range map[string]string{"cldsync": cldsync, "gh": gh} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runStep runs a step's script as `shell: bash` does, with env and the
// stubs of stubDir first on PATH, and returns its exit code.
func runStep(t *testing.T, st map[string]any, stubDir string, env []string) int {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
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

// actionEnv is the environment of an Actions run in tmp, plus more.
func actionEnv(tmp string, more ...string) []string {
	return append([]string{
		"RUNNER_TEMP=" + tmp,
		"GITHUB_STEP_SUMMARY=" + filepath.Join(tmp, "summary.md"),
		"GITHUB_OUTPUT=" + filepath.Join(tmp, "output"),
		"GITHUB_REPOSITORY=acme/config",
		"STUB_ARGS=" + filepath.Join(tmp, "args"),
		"STUB_LOG=" + filepath.Join(tmp, "comment.log"),
		"STUB_GH=" + filepath.Join(tmp, "gh.log"),
		"CLDSYNC_PATH=cloudinary/",
	}, more...)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestActionCommentsFailedPlan checks that the action's pull-request
// comment follows a plan that failed, so that a push breaking the plan
// does not leave the last good plan on the pull request: the comment step
// runs unless the run was cancelled or the plan never ran, and it posts
// the refused plan's Markdown, or a note when plan wrote none, while the
// plan step still fails the job. The comment names the configuration's
// path and the commit planned.
func TestActionCommentsFailedPlan(t *testing.T) {
	t.Parallel()
	planStep, commentStep := actionStep(t, "plan"), actionStep(t, "Comment the plan on the pull request")
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
	stubs := stubCLI(t)

	const header = "cldsync plan of `cloudinary/` at commit 0123abc ([run](https://github.test/acme/config/actions/runs/42))\n\n"
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
			want: header + "**Plan refused: 1 object (see the error below); nothing will be applied.**\n",
		},
		{
			name: "plan could not run", code: "1", wantStep: 1,
			want: header + "**cldsync plan failed before it could make a plan**: see the [job log](https://github.test/acme/config/actions/runs/42).\n",
		},
		{
			name: "changes", code: "2", wantStep: 0,
			md:   "**Plan: 1 to add, 0 to change, 0 to destroy.**\n",
			want: header + "**Plan: 1 to add, 0 to change, 0 to destroy.**\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			env := actionEnv(tmp, "STUB_MD="+tt.md, "STUB_CODE="+tt.code,
				"PR_NUMBER=7", "HEAD_SHA=0123abc", "MARKER=cldsync-plan", "RUN_URL=https://github.test/acme/config/actions/runs/42")
			if got := runStep(t, planStep, stubs, env); got != tt.wantStep {
				t.Errorf("plan step exited %d, want %d (it must still fail the job on a failed plan)", got, tt.wantStep)
			}
			if got := runStep(t, commentStep, stubs, env); got != 0 {
				t.Errorf("comment step exited %d, want 0", got)
			}
			got, err := os.ReadFile(filepath.Join(tmp, "comment.log"))
			if err != nil {
				t.Fatalf("github-comment was not called: %v", err)
			}
			wantArgs := "github-comment --pr 7 --marker cldsync-plan " + filepath.Join(tmp, "cldsync-plan-comment.md") + "\n"
			if string(got) != wantArgs+tt.want {
				t.Errorf("github-comment got:\n%s\nwant:\n%s", got, wantArgs+tt.want)
			}
		})
	}
}

// TestActionArgs: the args input reaches cldsync plan, apply and drift as
// the words a shell would split it into (quotes group), before the
// action's own flags; it is never expanded or run. Every file the action
// writes is an output.
func TestActionArgs(t *testing.T) {
	t.Parallel()
	stubs := stubCLI(t)
	const args = `--allow-deletes --prune users --var "display=Acme Prod" --var-file 'vars/acme prod.yaml' -v $HOME $(touch pwned)`
	user := []string{"--allow-deletes", "--prune", "users", "--var", "display=Acme Prod", "--var-file", "vars/acme prod.yaml", "-v", "$HOME", "$(touch", "pwned)"}
	tests := []struct {
		step, planFile string
		own            []string // the action's own arguments, after args
		outputs        []string // lines GITHUB_OUTPUT must hold (with TMP for the temp dir)
	}{
		{step: "plan", own: []string{"--detailed-exitcode", "--format", "markdown", "--out", "TMP/cldsync-plan.json", "cloudinary/"},
			outputs: []string{"exitcode=0", "plan-file=TMP/cldsync-plan.json", "plan-markdown=TMP/cldsync-plan.md"}},
		{step: "apply", own: []string{"--auto-approve", "cloudinary/"},
			outputs: []string{"exitcode=0", "apply-report=TMP/cldsync-apply.md"}},
		{step: "apply", planFile: "saved.json", own: []string{"--plan", "saved.json", "cloudinary/"},
			outputs: []string{"exitcode=0", "apply-report=TMP/cldsync-apply.md"}},
		{step: "drift", own: []string{"--format", "markdown", "cloudinary/"},
			outputs: []string{"exitcode=0", "drift-markdown=TMP/cldsync-drift.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.step+tt.planFile, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			env := actionEnv(tmp, "CLDSYNC_ARGS="+args, "PLAN_FILE="+tt.planFile, "COMMIT_SHA=0123abc",
				"FAIL_ON_DRIFT=true", "STUB_MD=**No changes.**\n")
			if got := runStep(t, actionStep(t, tt.step), stubs, env); got != 0 {
				t.Fatalf("%s step exited %d", tt.step, got)
			}
			want := strings.Join(append(append([]string{tt.step}, user...), tt.own...), "\n")
			want = strings.ReplaceAll(want, "TMP", tmp) + "\n"
			if got := readFile(t, filepath.Join(tmp, "args")); got != want {
				t.Errorf("cldsync got the arguments:\n%s\nwant:\n%s", got, want)
			}
			outputs := readFile(t, filepath.Join(tmp, "output"))
			for _, o := range tt.outputs {
				if o = strings.ReplaceAll(o, "TMP", tmp); !strings.Contains(outputs, o+"\n") {
					t.Errorf("GITHUB_OUTPUT lacks %q:\n%s", o, outputs)
				}
				if _, path, ok := strings.Cut(o, "="); ok && strings.HasPrefix(path, tmp) && tt.step != "plan" {
					if _, err := os.Stat(path); err != nil {
						t.Errorf("output %s names no file: %v", o, err)
					}
				}
			}
		})
	}
	// An unmatched quote fails the step before cldsync runs.
	for _, step := range []string{"plan", "apply", "drift"} {
		tmp := t.TempDir()
		if got := runStep(t, actionStep(t, step), stubs, actionEnv(tmp, `CLDSYNC_ARGS=--var "name=Acme`, "FAIL_ON_DRIFT=true")); got != 1 {
			t.Errorf("%s step with an unmatched quote in args exited %d, want 1", step, got)
		}
		if _, err := os.Stat(filepath.Join(tmp, "args")); err == nil {
			t.Errorf("%s step ran cldsync with an unmatched quote in args", step)
		}
	}
	// Without args, no empty word reaches cldsync.
	tmp := t.TempDir()
	if got := runStep(t, actionStep(t, "drift"), stubs, actionEnv(tmp, "CLDSYNC_ARGS=", "FAIL_ON_DRIFT=true")); got != 0 {
		t.Fatalf("drift step exited %d", got)
	}
	if got, want := readFile(t, filepath.Join(tmp, "args")), "drift\n--format\nmarkdown\ncloudinary/\n"; got != want {
		t.Errorf("without args cldsync got:\n%q\nwant %q", got, want)
	}
}

// TestActionApplyReport: apply's output (stdout and stderr) goes to the job
// summary as a report naming the path and commit; the step fails when apply
// does; and the report is commented on the pull request merged as the
// commit, found through the GitHub API, or on none.
func TestActionApplyReport(t *testing.T) {
	t.Parallel()
	stubs := stubCLI(t)
	for _, tt := range []struct {
		name, code, pr string
		wantStep       int
		verdict        string
	}{
		{name: "applied, merged PR", code: "0", pr: "7", verdict: "applied"},
		{name: "failed, merged PR", code: "1", pr: "7", wantStep: 1, verdict: "**failed** (exit status 1)"},
		{name: "direct push", code: "0", pr: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			env := actionEnv(tmp, "STUB_CODE="+tt.code, "STUB_PR="+tt.pr, "COMMIT_SHA=0123abc", "MARKER=cldsync-plan")
			if got := runStep(t, actionStep(t, "apply"), stubs, env); got != tt.wantStep {
				t.Errorf("apply step exited %d, want %d", got, tt.wantStep)
			}
			summary := readFile(t, filepath.Join(tmp, "summary.md"))
			if tt.verdict != "" {
				want := "### cldsync apply of `cloudinary/` at commit 0123abc: " + tt.verdict + "\n\n```\napplied\napply's stderr\n```\n"
				if summary != want {
					t.Errorf("job summary:\n%s\nwant:\n%s", summary, want)
				}
			}
			comment := actionStep(t, "Comment the apply report on the pull request")
			if cond, _ := comment["if"].(string); !strings.Contains(cond, "!cancelled()") || !strings.Contains(cond, "steps.apply.outcome != 'skipped'") {
				t.Errorf("apply comment step if: %q, want it also after a failed apply", cond)
			}
			if got := runStep(t, comment, stubs, env); got != 0 {
				t.Fatalf("apply comment step exited %d", got)
			}
			if got := readFile(t, filepath.Join(tmp, "gh.log")); got != "api repos/acme/config/commits/0123abc/pulls --jq .[0].number // empty\n" {
				t.Errorf("gh got %q", got)
			}
			log, err := os.ReadFile(filepath.Join(tmp, "comment.log"))
			if tt.pr == "" {
				if err == nil {
					t.Errorf("commented without a pull request: %s", log)
				}
				return
			}
			want := "github-comment --pr 7 --marker cldsync-plan-apply " + filepath.Join(tmp, "cldsync-apply.md") + "\n" + summary
			if string(log) != want {
				t.Errorf("github-comment got:\n%s\nwant:\n%s", log, want)
			}
		})
	}
}
