package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/planner"
)

func TestRenderDriftGolden(t *testing.T) {
	t.Parallel()
	plans := map[string]func(*testing.T) *planner.Plan{
		"sample":    samplePlan,
		"nochanges": noChangePlan,
	}
	renderers := map[string]func(*bytes.Buffer, *planner.Plan) error{
		"txt":  func(b *bytes.Buffer, p *planner.Plan) error { return RenderDriftText(b, p, TextOptions{}) },
		"json": func(b *bytes.Buffer, p *planner.Plan) error { return RenderDriftJSON(b, p) },
		"md":   func(b *bytes.Buffer, p *planner.Plan) error { return RenderDriftMarkdown(b, p, MarkdownOptions{}) },
		"cut.md": func(b *bytes.Buffer, p *planner.Plan) error {
			return RenderDriftMarkdown(b, p, MarkdownOptions{MaxBytes: 1500})
		},
	}
	for planName, mk := range plans {
		for ext, render := range renderers {
			name := "drift/" + planName + "." + ext
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

func TestDriftSummaryLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		plan func(*testing.T) *planner.Plan
		want string
	}{
		{"drift", samplePlan, "Drift: 5 missing, 2 changed, 3 extra. Run `cldsync apply` to repair it."},
		{"clean", noChangePlan, "No drift. The live account matches the configuration."},
		// drift --fail-on-unmanaged: never "No drift" on the way to exit 2.
		{"unmanaged", func(t *testing.T) *planner.Plan {
			p := noChangePlan(t)
			p.UnmanagedDrift = "1 user (mallory@evil.test)"
			return p
		}, "Drift: left alone, which --fail-on-unmanaged counts as drift: 1 user (mallory@evil.test)."},
		// drift --fail-on-stale-invitations: the same.
		{"stale", func(t *testing.T) *planner.Plan {
			p := noChangePlan(t)
			p.StaleInvitations = []planner.StaleInvitation{{Email: "raj@acme.test"}}
			p.StaleDrift = true
			return p
		}, "Drift: 1 stale invitation (see the warnings), which drift fails on."},
		{"stale, not failed on", func(t *testing.T) *planner.Plan {
			p := noChangePlan(t)
			p.StaleInvitations = []planner.StaleInvitation{{Email: "raj@acme.test"}}
			return p
		}, "No drift. The live account matches the configuration."},
		{"drift and unmanaged", func(t *testing.T) *planner.Plan {
			p := samplePlan(t)
			p.UnmanagedDrift = "1 user (mallory@evil.test)"
			return p
		}, "Drift: 5 missing, 2 changed, 3 extra. Run `cldsync apply` to repair it. Left alone, which --fail-on-unmanaged counts as drift: 1 user (mallory@evil.test)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DriftSummaryLine(tt.plan(t)); got != tt.want {
				t.Errorf("DriftSummaryLine() = %q, want %q", got, tt.want)
			}
			var b bytes.Buffer
			if err := RenderDriftMarkdown(&b, tt.plan(t), MarkdownOptions{}); err != nil {
				t.Fatalf("RenderDriftMarkdown returned error %v, want nil", err)
			}
			if !strings.HasPrefix(b.String(), "**"+tt.want+"**\n") {
				t.Errorf("RenderDriftMarkdown does not start with the summary line:\n%s", b.String())
			}
		})
	}
}

func TestDriftOfExhaustive(t *testing.T) {
	t.Parallel()
	seen := map[Drift]bool{}
	for _, a := range planner.Actions {
		d := DriftOf(a)
		if a == planner.Replace { // repairs a changed object, by delete and create
			if d != DriftChanged {
				t.Errorf("DriftOf(Replace) = %q, want %q", d, DriftChanged)
			}
			continue
		}
		if d == "" || seen[d] {
			t.Errorf("DriftOf(%v) = %q, want a distinct drift kind", a, d)
		}
		seen[d] = true
	}
}

// TestRenderDriftAccessJSON pins the drift report's access section in JSON
// (golden testdata/drift/access.json; the text and Markdown goldens are
// made by TestAccessRender), checks it against the schema, and that a
// drift report without access changes has no access key.
func TestRenderDriftAccessJSON(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := RenderDriftJSON(&b, accessPlan(t)); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "drift/access.json", b.Bytes())
	validateJSON(t, planSchema(t, "driftReport"), b.Bytes())
	if !strings.Contains(b.String(), `"text": "key acme-prod/ci loses Media Library User on acme-prod"`) {
		t.Errorf("the access section lacks a loss the text report shows:\n%s", b.String())
	}
	b.Reset()
	if err := RenderDriftJSON(&b, noChangePlan(t)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `"access"`) {
		t.Errorf("a drift report without access changes renders an access key:\n%s", b.String())
	}
}

// TestActionSymbolExhaustive: every action has a symbol in the text plan.
func TestActionSymbolExhaustive(t *testing.T) {
	t.Parallel()
	for _, a := range planner.Actions {
		if actionSymbol(a) == "?" {
			t.Errorf("actionSymbol(%s) has no symbol", a)
		}
	}
}
