package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/planner"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/internal/plantest"
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
		t.Fatalf("read golden file: %v\nrun `go test ./pkg/render -run %s -update` to create it", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s\nrun `go test ./pkg/render -run %s -update` if the change is intended", path, diff, t.Name())
	}
}

// samplePlan is a plan with every sort of entry: creates with dependencies
// and notes, updates, deletes of several kinds, membership changes,
// unmanaged counts, warnings and an error.
func samplePlan(t *testing.T) *planner.Plan {
	t.Helper()
	p, err := planner.Diff(plantest.SampleConfig(), plantest.SampleLive(), planner.Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	return p
}

func noChangePlan(t *testing.T) *planner.Plan {
	t.Helper()
	p, err := planner.Diff(&spec.Config{}, &state.Account{
		Groups: []state.Group{{ID: "g1", Name: "ops", Members: []string{"a@x.test"}}},
	}, planner.Options{})
	if err != nil {
		t.Fatalf("Diff returned error %v, want nil", err)
	}
	return p
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	plans := map[string]func(*testing.T) *planner.Plan{
		"sample":    samplePlan,
		"nochanges": noChangePlan,
	}
	renderers := map[string]func(*bytes.Buffer, *planner.Plan) error{
		"txt": func(b *bytes.Buffer, p *planner.Plan) error { return RenderText(b, p, TextOptions{}) },
		"color.txt": func(b *bytes.Buffer, p *planner.Plan) error {
			return RenderText(b, p, TextOptions{Color: true})
		},
		"json": func(b *bytes.Buffer, p *planner.Plan) error { return RenderJSON(b, p) },
		"md":   func(b *bytes.Buffer, p *planner.Plan) error { return RenderMarkdown(b, p, MarkdownOptions{}) },
		"cut.md": func(b *bytes.Buffer, p *planner.Plan) error {
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
func refusedPlan(*testing.T) *planner.Plan {
	ref := planner.Ref{Kind: spec.KindPolicy, Name: "account/readers"}
	return &planner.Plan{FormatVersion: planner.FormatVersion, Errors: []planner.PlanError{
		{Ref: ref, Message: "cfg.yaml:6:7: the API rejects the statement: invalid_resource"},
		{Ref: ref, Message: "cfg.yaml:6:9: the API rejects the statement: unknown type"},
	}}
}

// createPlan creates one group and refuses nothing.
func createPlan(t *testing.T) *planner.Plan {
	t.Helper()
	p, err := planner.Diff(&spec.Config{Groups: []spec.Group{{Name: "ops"}}}, &state.Account{}, planner.Options{})
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
		plan func(*testing.T) *planner.Plan
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
		plan func(*testing.T) *planner.Plan
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
	if !strings.HasPrefix(b.String(), "{\n  \"format_version\": \""+planner.FormatVersion+"\",") {
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
	p := &planner.Plan{FormatVersion: planner.FormatVersion, Changes: []planner.Change{{Ref: planner.Ref{Kind: spec.KindGroup, Name: "x"}}}}
	if err := RenderJSON(&bytes.Buffer{}, p); err == nil {
		t.Errorf("RenderJSON of a change with the zero Action returned nil, want an error")
	}
}

func TestRenderMarkdownCap(t *testing.T) {
	t.Parallel()
	desired, live := plantest.LargeInputs(300, 40, 3)
	p, err := planner.Diff(desired, live, planner.Options{})
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

// accessPlan is a plan that changes access in every way the renderers
// show: a role through a group, a role's content, a key's policy and role,
// and a conditional rule.
func accessPlan(t *testing.T) *planner.Plan {
	t.Helper()
	cfg := plantest.AccessConfig()
	cfg.Groups[0].Members = append(cfg.Groups[0].Members, "raj@acme.test")
	cfg.Roles[0].SystemPolicies = append(cfg.Roles[0].SystemPolicies, "cld::policy::global::folder_and_asset_management::view")
	cfg.Policies = append(cfg.Policies[:1], spec.Policy{Name: "no-deletes", Scope: "acme-prod",
		Statement: "forbid(principal == Cloudinary::User::\"${user:raj@acme.test}\", action == Cloudinary::Action::\"delete\", resource) unless { context.approved };"})
	cfg.Assignments = cfg.Assignments[:1]
	p, err := planner.Diff(cfg, plantest.AccessLive(), planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAccessRender pins the access section in every format (goldens
// testdata/access.*), checks the JSON against the schema, and that a saved
// plan keeps it.
func TestAccessRender(t *testing.T) {
	p := accessPlan(t)
	for _, r := range []struct {
		golden string
		render func(b *bytes.Buffer) error
	}{
		{"access.txt", func(b *bytes.Buffer) error { return RenderText(b, p, TextOptions{}) }},
		{"access.color.txt", func(b *bytes.Buffer) error { return RenderText(b, p, TextOptions{Color: true}) }},
		{"access.json", func(b *bytes.Buffer) error { return RenderJSON(b, p) }},
		{"access.md", func(b *bytes.Buffer) error { return RenderMarkdown(b, p, MarkdownOptions{}) }},
		{"access.cut.md", func(b *bytes.Buffer) error { return RenderMarkdown(b, p, MarkdownOptions{MaxBytes: 1200}) }},
		{"drift/access.txt", func(b *bytes.Buffer) error { return RenderDriftText(b, p, TextOptions{}) }},
		{"drift/access.md", func(b *bytes.Buffer) error { return RenderDriftMarkdown(b, p, MarkdownOptions{}) }},
	} {
		var b bytes.Buffer
		if err := r.render(&b); err != nil {
			t.Fatalf("%s: %v", r.golden, err)
		}
		assertGolden(t, r.golden, b.Bytes())
		if r.golden == "access.json" {
			validateJSON(t, planSchema(t, ""), b.Bytes())
		}
	}
	var saved bytes.Buffer
	if err := planner.WriteSaved(&saved, &planner.Saved{CldsyncVersion: "test", ConfigPath: ".", ConfigHash: "sha256:" + strings.Repeat("ab", 32), Plan: p}); err != nil {
		t.Fatal(err)
	}
	validateJSON(t, planSchema(t, "savedPlan"), saved.Bytes())
	back, err := planner.ReadSaved(&saved)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p.Access, back.Plan.Access); diff != "" {
		t.Errorf("saved plan access (-want +got):\n%s", diff)
	}
	// No access changes: the JSON has no access key.
	var b bytes.Buffer
	if err := RenderJSON(&b, &planner.Plan{FormatVersion: planner.FormatVersion}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `"access"`) {
		t.Errorf("a plan without access changes renders an access key:\n%s", b.String())
	}
}

// TestAccessMarkdownCap: a change that reaches many people lists the
// first maxAccessListed of them in Markdown and counts the rest.
func TestAccessMarkdownCap(t *testing.T) {
	p := &planner.Plan{FormatVersion: planner.FormatVersion}
	for i := range maxAccessListed + 50 {
		p.Access = append(p.Access, planner.AccessChange{Principal: spec.Principal{Kind: spec.PrincipalUser, Name: strings.Repeat("u", 1+i%3) + "@acme.test"}, Verb: planner.Gains, What: "Viewer", Scope: "acme-prod"})
	}
	var b bytes.Buffer
	if err := RenderMarkdown(&b, p, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(b.String(), "\n+ u"); got != maxAccessListed {
		t.Errorf("%d access lines, want %d", got, maxAccessListed)
	}
	if !strings.Contains(b.String(), "\n# … and 50 more: run `cldsync plan` to see them all\n```\n") {
		t.Errorf("no count of the rest:\n%s", b.String())
	}
}

func TestRenderReplace(t *testing.T) {
	t.Parallel()
	ref := planner.Ref{Kind: spec.KindPolicy, Name: "acme-staging/upload"}
	p := &planner.Plan{FormatVersion: planner.FormatVersion, Changes: []planner.Change{{
		Action: planner.Replace, Ref: ref,
		Before: planner.PolicyValue{ID: "p1", Name: "upload", Scope: "acme-staging", Statement: "permit(principal, action, resource);", Enabled: true},
		After:  planner.PolicyValue{Name: "upload", Scope: "acme-staging", Description: "new", Statement: "permit(principal, action, resource);", Enabled: true},
		Fields: []planner.FieldDiff{{Name: "description", Old: `""`, New: `"new"`}},
		Reason: "the API refuses (409) an update that keeps the policy statement unchanged",
	}}}
	var b bytes.Buffer
	if err := RenderText(&b, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"-/+ replace policy acme-staging/upload\n",
		"# the API refuses (409) an update that keeps the policy statement unchanged\n",
		"Plan: 1 to add, 0 to change, 1 to destroy.",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("RenderText lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := RenderJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"action": "replace"`) {
		t.Errorf("RenderJSON lacks the replace action:\n%s", b.String())
	}
}

// TestRenderRename: a rename's header shows the key change, which its
// field lines then leave out.
func TestRenderRename(t *testing.T) {
	t.Parallel()
	p := &planner.Plan{FormatVersion: planner.FormatVersion, Changes: []planner.Change{
		{
			Action: planner.Update, Ref: planner.Ref{Kind: spec.KindEnvironment, Name: "acme-production"},
			Before: planner.EnvironmentValue{ID: "e1", CloudName: "acme-prod", Enabled: true},
			After:  planner.EnvironmentValue{ID: "e1", CloudName: "acme-production", Name: "Acme Production", Enabled: true},
			Fields: []planner.FieldDiff{{Name: "cloud_name", Old: `"acme-prod"`, New: `"acme-production"`}, {Name: "name", Old: `""`, New: `"Acme Production"`}},
		},
		{
			Action: planner.Update, Ref: planner.Ref{Kind: spec.KindGroup, Name: "brand"},
			Before: planner.GroupValue{ID: "g1", Name: "designers"},
			After:  planner.GroupValue{ID: "g1", Name: "brand"},
			Fields: []planner.FieldDiff{{Name: "name", Old: `"designers"`, New: `"brand"`}},
		},
	}}
	var text bytes.Buffer
	if err := RenderText(&text, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"~ rename environment acme-prod → acme-production\n    name: \"\" → \"Acme Production\"\n\n",
		"~ rename group designers → brand\n\n",
		"Plan: 0 to add, 2 to change, 0 to destroy.",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("RenderText output lacks %q:\n%s", want, text.String())
		}
	}
	var md bytes.Buffer
	if err := RenderMarkdown(&md, p, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "~ rename group designers → brand\n") {
		t.Errorf("RenderMarkdown output lacks the rename header:\n%s", md.String())
	}
}
