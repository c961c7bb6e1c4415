package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/internal/plantest"
	"github.com/cldsync/cldsync/pkg/planner"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// ignoredPlan is a plan whose ignore rules keep two users and an
// environment out.
func ignoredPlan(t *testing.T) *planner.Plan {
	t.Helper()
	desired := &spec.Config{
		Users: []spec.User{{Email: "ana@acme.test", Name: plantest.Ptr("Ana B")}},
		Prune: []spec.Kind{spec.KindUser},
		Ignore: spec.Ignore{
			spec.KindUser:        {{Pattern: "svc-*@acme.test"}},
			spec.KindEnvironment: {{Pattern: "other-team"}},
		},
	}
	live := &state.Account{
		Environments: []state.Environment{{ID: "e1", CloudName: "other-team", Name: "Other", Enabled: true}},
		Users: []state.User{
			plantest.Root(),
			{ID: "u1", Email: "ana@acme.test", Name: "Ana", Role: "admin", Enabled: true, AllEnvironments: true},
			{ID: "u2", Email: "svc-ci@acme.test", Name: "CI", Role: "admin", Enabled: true, AllEnvironments: true},
			{ID: "u3", Email: "svc-cd@acme.test", Name: "CD", Role: "admin", Enabled: true, AllEnvironments: true},
		},
	}
	p, err := planner.Diff(desired, live, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestJSONIgnored: the JSON plan counts ignored objects per kind under
// "ignored", which the schema accepts, a saved plan keeps, and a plan
// without ignore rules leaves out; text shows it as a warning.
func TestJSONIgnored(t *testing.T) {
	t.Parallel()
	p := ignoredPlan(t)
	var b bytes.Buffer
	if err := RenderJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	validateJSON(t, planSchema(t, ""), b.Bytes())
	var got struct {
		Ignored   map[string]int `json:"ignored"`
		Unmanaged map[string]int `json:"unmanaged"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"environments": 1, "users": 2}, got.Ignored); diff != "" {
		t.Errorf("ignored mismatch (-want +got):\n%s", diff)
	}

	// A saved plan reads it back.
	var saved bytes.Buffer
	if err := planner.WriteSaved(&saved, &planner.Saved{CldsyncVersion: "test", ConfigPath: ".", ConfigHash: "sha256:" + strings.Repeat("ab", 32), Plan: p}); err != nil {
		t.Fatal(err)
	}
	validateJSON(t, planSchema(t, "savedPlan"), saved.Bytes())
	back, err := planner.ReadSaved(&saved)
	if err != nil {
		t.Fatalf("ReadSaved returned error %v, want nil", err)
	}
	if diff := cmp.Diff(p.Ignored, back.Plan.Ignored); diff != "" {
		t.Errorf("saved plan's Ignored (-want +got):\n%s", diff)
	}

	// Text and Markdown say it in the warning.
	var text, md strings.Builder
	if err := RenderText(&text, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := RenderMarkdown(&md, p, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	const warning = "ignore: 1 environment, 2 users match ignore rules and are left out of this plan"
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if !strings.Contains(out, warning) {
			t.Errorf("%s output does not hold %q:\n%s", name, warning, out)
		}
	}

	// Without ignore rules the key is absent.
	b.Reset()
	if err := RenderJSON(&b, noChangePlan(t)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `"ignored"`) {
		t.Errorf("a plan without ignore rules renders an ignored key:\n%s", b.String())
	}
}
