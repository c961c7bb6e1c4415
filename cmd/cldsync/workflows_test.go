package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
	"gopkg.in/yaml.v3"
)

// The GitHub Action and the example workflows call cldsync from shell
// scripts that no Go compiler sees. These tests parse every such call with
// the real command line parser, so renaming a command or flag breaks the
// build here rather than in someone's CI; and they check the safety rules
// of the examples. actionlint (make lint-actions) checks the rest.

// ciFiles are the YAML files that call cldsync.
func ciFiles(t *testing.T) []string {
	t.Helper()
	examples, err := filepath.Glob(filepath.Join("..", "..", "examples", "github", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) < 2 {
		t.Fatalf("found %d example workflows, want the PR review and the drift ones", len(examples))
	}
	return append([]string{filepath.Join("..", "..", "action.yml")}, examples...)
}

func loadYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

// steps returns every step of a workflow's jobs or a composite action,
// with the job's name ("" for the action).
func steps(doc map[string]any) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	add := func(job string, list any) {
		for _, s := range asList(list) {
			if m, ok := s.(map[string]any); ok {
				out[job] = append(out[job], m)
			}
		}
	}
	if runs, ok := doc["runs"].(map[string]any); ok {
		add("", runs["steps"])
	}
	jobs, _ := doc["jobs"].(map[string]any)
	for name, j := range jobs {
		if m, ok := j.(map[string]any); ok {
			add(name, m["steps"])
		}
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

// cldsyncCall finds `cldsync ARGS` in a shell line: at the start of a
// command (line start, or after ; && || | or `$(`).
var cldsyncCall = regexp.MustCompile(`(?:^|[;&|(]\s*)cldsync\s+(.*)$`)

// shellWords splits a simple shell command into words, honouring quotes,
// expanding $VAR and ${VAR} with expand, and stopping at a redirection or
// the end of the command.
func shellWords(s string, expand func(string) string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	flush := func() {
		if inWord {
			words = append(words, os.Expand(cur.String(), expand))
		}
		cur.Reset()
		inWord = false
	}
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			flush()
		case strings.ContainsRune(";&|><)#", r):
			if (r == '>' || r == '<') && inWord && isDigits(cur.String()) {
				return words, nil // 2>&1: the 2 is a file descriptor, no word
			}
			flush()
			return words, nil
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	flush()
	return words, nil
}

// parseCommandLine parses args with cldsync's own kong model, without
// running anything.
func parseCommandLine(args []string) (*kong.Context, error) {
	var c cli
	parser, err := kong.New(&c, kong.Name("cldsync"), kongVars(), kong.Exit(func(int) { panic("kong tried to exit") }))
	if err != nil {
		return nil, err
	}
	return parser.Parse(args)
}

// arrayWord stands for the expansion of a bash array ("${args[@]}"),
// which is no word at all when the array is empty.
const arrayWord = "\x00array"

// TestCIUsesRealCommands parses every cldsync call in action.yml and the
// example workflows with cldsync's own kong model.
func TestCIUsesRealCommands(t *testing.T) {
	// github-comment reads --repo from GITHUB_REPOSITORY, as in Actions.
	t.Setenv("GITHUB_REPOSITORY", "acme/config")
	existing := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(existing, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Shell variables stand for numbers or for paths that exist.
	expand := func(name string) string {
		if strings.HasSuffix(name, "[@]") {
			return arrayWord // "${args[@]}": the action's args input, none here
		}
		if strings.Contains(name, "NUMBER") || strings.Contains(name, "ISSUE") || name == "pr" {
			return "7"
		}
		if name == "MARKER" {
			return "cldsync-plan"
		}
		if name == "RUNNER_TEMP" {
			return filepath.Dir(existing)
		}
		return existing
	}
	calls := map[string]int{}
	for _, path := range ciFiles(t) {
		for job, list := range steps(loadYAML(t, path)) {
			for i, st := range list {
				run, _ := st["run"].(string)
				for line := range strings.SplitSeq(run, "\n") {
					m := cldsyncCall.FindStringSubmatch(strings.TrimSpace(line))
					if m == nil {
						continue
					}
					where := fmt.Sprintf("%s: job %q step %d: %s", filepath.Base(path), job, i+1, strings.TrimSpace(line))
					// Expressions are expanded by Actions before the shell runs;
					// the examples keep them out of scripts (env: instead).
					if strings.Contains(m[1], "${{") {
						t.Errorf("%s: pass expressions through env:, not into the script", where)
						continue
					}
					args, err := shellWords(m[1], expand)
					if err != nil {
						t.Errorf("%s: %v", where, err)
						continue
					}
					// RUNNER_TEMP files the earlier steps write.
					for j, a := range args {
						if strings.HasPrefix(a, filepath.Dir(existing)+"/") {
							args[j] = existing
						}
					}
					args = slices.DeleteFunc(args, func(a string) bool { return a == arrayWord })
					kctx, err := parseCommandLine(args)
					if err != nil {
						t.Errorf("%s: cldsync rejects the call: %v", where, err)
						continue
					}
					calls[kctx.Command()]++
				}
			}
		}
	}
	// The examples exercise the commands CI needs; a regexp that stopped
	// matching would otherwise pass vacuously.
	for _, cmd := range []string{"plan <path>", "apply <path>", "drift <path>", "github-comment <file>"} {
		if calls[cmd] == 0 {
			t.Errorf("no call of cldsync %s found; calls: %v", cmd, calls)
		}
	}
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func TestShellWords(t *testing.T) {
	t.Parallel()
	for _, line := range []string{`plan --out "$D/p.json" 'a b' x > out.md`, `plan --out "$D/p.json" 'a b' x 2>&1 | tee out`} {
		got, err := shellWords(line, func(string) string { return "/t" })
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"plan", "--out", "/t/p.json", "a b", "x"}; !slices.Equal(got, want) {
			t.Errorf("shellWords(%q) = %q, want %q", line, got, want)
		}
	}
}

// TestExampleWorkflowsSafety checks the rules the examples promise: no
// pull_request_target, and every job that applies runs in the one
// cldsync-apply concurrency group without cancelling a run in progress.
func TestExampleWorkflowsSafety(t *testing.T) {
	t.Parallel()
	appliers := 0
	for _, path := range ciFiles(t)[1:] {
		doc := loadYAML(t, path)
		on, _ := doc["on"].(map[string]any)
		if on == nil {
			t.Errorf("%s: no on: triggers (as a map)", path)
		}
		if _, ok := on["pull_request_target"]; ok {
			t.Errorf("%s uses pull_request_target, which hands secrets to code from forks", path)
		}
		jobs, _ := doc["jobs"].(map[string]any)
		for name, j := range jobs {
			job, _ := j.(map[string]any)
			applies := false
			for _, st := range asList(job["steps"]) {
				m, _ := st.(map[string]any)
				with, _ := m["with"].(map[string]any)
				uses, _ := m["uses"].(string)
				run, _ := m["run"].(string)
				args, _ := with["args"].(string)
				writes := with["command"] == "apply" || (with["command"] == "drift" && strings.Contains(args, "--remove-expired"))
				if (strings.HasPrefix(uses, "cldsync/cldsync") && writes) || strings.Contains(run, "cldsync apply") {
					applies = true
				}
			}
			if !applies {
				continue
			}
			appliers++
			conc, _ := job["concurrency"].(map[string]any)
			// One account's jobs share cldsync-apply; a matrix over
			// accounts has one group per account.
			group := "cldsync-apply"
			if strategy, _ := job["strategy"].(map[string]any); strategy["matrix"] != nil {
				group = "cldsync-apply-${{ matrix.account }}"
			}
			if conc["group"] != group || conc["cancel-in-progress"] != false {
				t.Errorf("%s: job %s applies outside concurrency group %s (cancel-in-progress: false): %v", path, name, group, conc)
			}
			if job["environment"] == nil {
				t.Errorf("%s: job %s applies without a protected environment holding the write credentials", path, name)
			}
		}
	}
	if appliers < 3 {
		t.Errorf("found %d applying jobs, want the apply on merge, the drift repair and the accounts matrix", appliers)
	}
}

// TestActionInputs checks that every ${{ inputs.X }} in action.yml is a
// declared input.
func TestActionInputs(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "action.yml")
	doc := loadYAML(t, path)
	inputs, _ := doc["inputs"].(map[string]any)
	data, _ := os.ReadFile(path)
	for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(string(data), -1) {
		if _, ok := inputs[m[1]]; !ok {
			t.Errorf("action.yml uses inputs.%s, which it does not declare", m[1])
		}
	}
	if runs, _ := doc["runs"].(map[string]any); runs["using"] != "composite" {
		t.Errorf("action.yml runs.using = %v, want composite", runs["using"])
	}
}
