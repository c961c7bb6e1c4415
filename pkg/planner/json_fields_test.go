package planner

import (
	"testing"
)

// Field diffs are JSON values in the JSON plan, and a saved plan read back
// shows the same display literals.
func TestFieldValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lit, json string
	}{
		{"role", `"technical_admin"`, `"technical_admin"`},
		{"name", `"Ana \"the\" Admin é"`, `"Ana \"the\" Admin é"`},
		{"name", ``, `null`},
		{"enabled", `false`, `false`},
		{"environments", `all`, `"all"`},
		{"environments", `["acme-prod", "acme-staging"]`, `["acme-prod","acme-staging"]`},
		{"environments", `[]`, `[]`},
		{"custom_attributes", `{"team":"web"}`, `{"team":"web"}`},
		{"secret", `file secrets/ci.env`, `"file secrets/ci.env"`},
	}
	for _, tt := range tests {
		got := fieldValue(tt.lit)
		if string(got) != tt.json {
			t.Errorf("fieldValue(%q) = %s, want %s", tt.lit, got, tt.json)
		}
		// Bare words (all, a secret sink) come back bare: apply --plan
		// shows the saved plan as plan showed it.
		back := fieldLiteral(tt.name, got)
		if back != tt.lit {
			t.Errorf("fieldLiteral(%s, %s) = %q, want %q", tt.name, got, back, tt.lit)
		}
		if again := fieldValue(back); string(again) != tt.json {
			t.Errorf("round trip of %q: %s, want %s", tt.lit, again, tt.json)
		}
	}
}
