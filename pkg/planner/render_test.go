package planner

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

var update = flag.Bool("update", false, "update golden files")

// assertGolden compares got with testdata/name, or rewrites the file when
// the test runs with -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v\nrun `go test ./pkg/planner -run %s -update` to create it", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s\nrun `go test ./pkg/planner -run %s -update` if the change is intended", path, diff, t.Name())
	}
}

// samplePlan is a plan with every sort of entry: creates with dependencies
// and notes, updates, deletes of several kinds, membership changes,
// unmanaged counts, warnings and an error.
func samplePlan(t *testing.T) *Plan {
	t.Helper()
	desired := spec.Config{
		Environments: []spec.Environment{
			{CloudName: "acme-prod", Name: "Acme Production", Enabled: ptr(true), CustomAttributes: map[string]any{"cost_center": "42"}},
			{CloudName: "acme-staging", Name: "Acme Staging", BaseEnvironment: "acme-prod", Enabled: ptr(false)},
		},
		Users: []spec.User{
			{Email: "ana@acme.test", Name: ptr("Ana Lima"), Role: ptr("admin"), Environments: &spec.EnvironmentAccess{CloudNames: []string{"acme-staging"}}},
			{Email: "raj@acme.test", Role: ptr("media_library_user"), Enabled: ptr(true)},
			{Email: "boss@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{"acme-prod"}}},
		},
		Groups: []spec.Group{
			{Name: "editors", Members: []string{"ana@acme.test", "Raj@acme.test"}, MembersManaged: true},
			{Name: "ops", Members: []string{"raj@acme.test"}, MembersManaged: true},
			{Name: "media <team>", Members: []string{"raj@acme.test"}, MembersManaged: true},
		},
		Prune: []spec.Kind{spec.KindUser, spec.KindGroup},
	}
	live := state.Account{
		Environments: []state.Environment{
			{ID: "e1", CloudName: "acme-prod", Name: "Acme Prod", Enabled: true},
			{ID: "e2", CloudName: "legacy", Name: "Legacy", Enabled: true},
		},
		Users: []state.User{
			{ID: "u0", Email: "owner@acme.test", Name: "Owner", Role: "master_admin", Root: true, AllEnvironments: true, Enabled: true},
			{ID: "u1", Email: "raj@acme.test", Name: "Raj", Role: "admin", Enabled: true, Environments: []string{"acme-prod"}},
			{ID: "u2", Email: "boss@acme.test", Name: "Boss", Role: "master_admin", Enabled: true, AllEnvironments: true},
			{ID: "u3", Email: "leaver@acme.test", Name: "Leaver", Role: "reports", Enabled: true, Environments: []string{"acme-prod"}},
		},
		Groups: []state.Group{
			{ID: "g1", Name: "ops", Members: []string{"boss@acme.test", "raj@acme.test"}},
			{ID: "g2", Name: "old", Members: []string{"leaver@acme.test", "raj@acme.test"}},
			{ID: "g3", Name: "media <team>"},
			{ID: "g4", Name: "media <team>"},
		},
	}
	p, err := Diff(&desired, &live, Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	return p
}

func noChangePlan(t *testing.T) *Plan {
	t.Helper()
	p, err := Diff(&spec.Config{}, &state.Account{
		Groups: []state.Group{{ID: "g1", Name: "ops", Members: []string{"a@x.test"}}},
	}, Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	return p
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	plans := map[string]func(*testing.T) *Plan{
		"sample":    samplePlan,
		"nochanges": noChangePlan,
	}
	renderers := map[string]func(*bytes.Buffer, *Plan) error{
		"txt": func(b *bytes.Buffer, p *Plan) error { return RenderText(b, p, TextOptions{}) },
		"color.txt": func(b *bytes.Buffer, p *Plan) error {
			return RenderText(b, p, TextOptions{Color: true})
		},
		"json": func(b *bytes.Buffer, p *Plan) error { return RenderJSON(b, p) },
		"md":   func(b *bytes.Buffer, p *Plan) error { return RenderMarkdown(b, p, MarkdownOptions{}) },
		"cut.md": func(b *bytes.Buffer, p *Plan) error {
			return RenderMarkdown(b, p, MarkdownOptions{MaxBytes: 1500})
		},
	}
	for planName, mk := range plans {
		for ext, render := range renderers {
			name := planName + "." + ext
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var b bytes.Buffer
				if err := render(&b, mk(t)); err != nil {
					t.Fatalf("render %s returned error %v, want nil", name, err)
				}
				assertGolden(t, name, b.Bytes())
			})
		}
	}
}

// refusedPlan has nothing to change but refuses one object, with two
// errors.
func refusedPlan(*testing.T) *Plan {
	ref := Ref{spec.KindPolicy, "account/readers"}
	return &Plan{FormatVersion: FormatVersion, Errors: []PlanError{
		{Ref: ref, Message: "cfg.yaml:6:7: the API rejects the statement: invalid_resource"},
		{Ref: ref, Message: "cfg.yaml:6:9: the API rejects the statement: unknown type"},
	}}
}

// createPlan creates one group and refuses nothing.
func createPlan(t *testing.T) *Plan {
	t.Helper()
	p, err := Diff(&spec.Config{Groups: []spec.Group{{Name: "ops"}}}, &state.Account{}, Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	return p
}

// TestRenderTextLastLine pins the lines scripts match: the summary line
// last, and for a plan with errors the refusal line after it, never "No
// changes" or a bare count.
func TestRenderTextLastLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		plan func(*testing.T) *Plan
		want []string // the last lines
	}{
		{"changes", createPlan, []string{"", "Plan: 1 to add, 0 to change, 0 to destroy."}},
		{"no changes", noChangePlan, []string{"", "No changes. The account matches the configuration."}},
		{"changes and an error", samplePlan, []string{
			"Plan: 5 to add, 2 to change, 3 to destroy.",
			"Plan refused: 1 object (see the error above); nothing will be applied.",
		}},
		{"only errors", refusedPlan, []string{
			"Plan: 0 to add, 0 to change, 0 to destroy.",
			"Plan refused: 1 object (see the errors above); nothing will be applied.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := RenderText(&b, tt.plan(t), TextOptions{}); err != nil {
				t.Fatalf("RenderText returned error %v, want nil", err)
			}
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if diff := cmp.Diff(tt.want, lines[len(lines)-len(tt.want):]); diff != "" {
				t.Errorf("RenderText last lines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRenderMarkdownRefused checks that a refused plan's comment says so
// first, then gives the summary line, and lists the errors.
func TestRenderMarkdownRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		plan func(*testing.T) *Plan
		head string
	}{
		{"changes", createPlan, "**Plan: 1 to add, 0 to change, 0 to destroy.**\n\n"},
		{"changes and an error", samplePlan,
			"**Plan refused: 1 object (see the error below); nothing will be applied.**\n\nPlan: 5 to add, 2 to change, 3 to destroy.\n\n"},
		{"only errors", refusedPlan,
			"**Plan refused: 1 object (see the errors below); nothing will be applied.**\n\nPlan: 0 to add, 0 to change, 0 to destroy.\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tt.plan(t)
			for _, max := range []int{0, 600} {
				var b bytes.Buffer
				if err := RenderMarkdown(&b, p, MarkdownOptions{MaxBytes: max}); err != nil {
					t.Fatalf("RenderMarkdown returned error %v, want nil", err)
				}
				out := b.String()
				if !strings.HasPrefix(out, tt.head) {
					t.Errorf("MaxBytes %d: RenderMarkdown starts %q, want %q", max, out[:min(len(out), len(tt.head)+20)], tt.head)
				}
				if refused := strings.Contains(out, "The planner refused these objects"); refused != (len(p.Errors) > 0) {
					t.Errorf("MaxBytes %d: error list present = %v, want %v", max, refused, len(p.Errors) > 0)
				}
			}
		})
	}
}

func TestRenderJSONShape(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := RenderJSON(&b, samplePlan(t)); err != nil {
		t.Fatalf("RenderJSON returned error %v, want nil", err)
	}
	if !strings.HasPrefix(b.String(), "{\n  \"format_version\": \""+FormatVersion+"\",") {
		t.Errorf("RenderJSON output starts %q, want format_version first", b.String()[:40])
	}
	var got struct {
		Summary map[string]int   `json:"summary"`
		Changes []map[string]any `json:"changes"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("RenderJSON output is not JSON: %v", err)
	}
	if diff := cmp.Diff(map[string]int{"add": 5, "change": 2, "destroy": 3}, got.Summary); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
	// Every change has every key, so that readers need no existence checks.
	keys := []string{"action", "ref", "before", "after", "fields", "depends_on", "reason", "notes"}
	for i, c := range got.Changes {
		for _, k := range keys {
			if _, ok := c[k]; !ok {
				t.Errorf("changes[%d] has no %q key", i, k)
			}
		}
	}
}

func TestRenderJSONInvalidAction(t *testing.T) {
	t.Parallel()
	p := &Plan{FormatVersion: FormatVersion, Changes: []Change{{Ref: Ref{spec.KindGroup, "x"}}}}
	if err := RenderJSON(&bytes.Buffer{}, p); err == nil {
		t.Errorf("RenderJSON of a change with the zero Action returned nil, want an error")
	}
}

// TestJSONValueExhaustive checks that every Value type has a JSON mapping.
func TestJSONValueExhaustive(t *testing.T) {
	t.Parallel()
	for _, v := range []Value{EnvironmentValue{}, UserValue{}, GroupValue{}, MembershipValue{}} {
		got, err := jsonValue(v)
		if err != nil || got == nil {
			t.Errorf("jsonValue(%T) = %v, %v, want a value and nil", v, got, err)
		}
	}
}

func TestRenderMarkdownCap(t *testing.T) {
	t.Parallel()
	desired, live := largeInputs(300, 40, 3)
	p, err := Diff(desired, live, Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	var full bytes.Buffer
	if err := RenderMarkdown(&full, p, MarkdownOptions{}); err != nil {
		t.Fatalf("RenderMarkdown returned error %v, want nil", err)
	}
	if strings.Contains(full.String(), "too long for this comment") {
		t.Errorf("uncapped RenderMarkdown output was cut")
	}
	for _, max := range []int{600, 1000, 4000, 20000, full.Len() - 1, full.Len()} {
		var b bytes.Buffer
		if err := RenderMarkdown(&b, p, MarkdownOptions{MaxBytes: max}); err != nil {
			t.Fatalf("RenderMarkdown returned error %v, want nil", err)
		}
		out := b.String()
		if b.Len() > max {
			t.Errorf("MaxBytes %d: output is %d bytes", max, b.Len())
		}
		if !strings.HasPrefix(out, "**"+p.SummaryLine()+"**\n") {
			t.Errorf("MaxBytes %d: output does not start with the summary line", max)
		}
		cut := strings.Contains(out, "too long for this comment")
		if cut != (max < full.Len()) {
			t.Errorf("MaxBytes %d (full %d): cut note present = %v, want %v", max, full.Len(), cut, max < full.Len())
		}
		if o, c := strings.Count(out, "<details>"), strings.Count(out, "</details>"); o != c {
			t.Errorf("MaxBytes %d: %d <details> but %d </details>", max, o, c)
		}
		if n := strings.Count(out, "```"); n%2 != 0 {
			t.Errorf("MaxBytes %d: %d code fences, want an even number", max, n)
		}
	}
}

func TestCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ops":   "`ops`",
		"a`b":   "`` a`b ``",
		"x``y`": "``` x``y` ```",
	} {
		if got := code(in); got != want {
			t.Errorf("code(%q) = %q, want %q", in, got, want)
		}
	}
}
