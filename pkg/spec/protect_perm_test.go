package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseProtectPermissions: roles, policies and assignments take
// protect: true like the other kinds, and the schema refuses a
// non-boolean.
func TestParseProtectPermissions(t *testing.T) {
	cfg, err := Parse("in.yaml", []byte(`version: 1
groups:
  - {name: designers}
roles:
  - {id: reviewer, name: Reviewer, permission_type: global, scope_type: prodenv, protect: true}
  - {id: other, name: Other, permission_type: global, scope_type: prodenv}
policies:
  - {name: p, scope: account, statement: 'permit(principal, action, resource);', protect: true}
assignments:
  - {principal: {group: designers}, role: reviewer, scope: all, protect: true}
  - {principal: {group: designers}, role: other, scope: all, protect: false}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := []bool{cfg.Roles[0].Protect, cfg.Roles[1].Protect, cfg.Policies[0].Protect, cfg.Assignments[0].Protect, cfg.Assignments[1].Protect}
	if diff := cmp.Diff([]bool{true, false, true, true, false}, got); diff != "" {
		t.Errorf("Protect mismatch (-want +got):\n%s", diff)
	}

	_, err = Parse("in.yaml", []byte(`version: 1
roles:
  - {id: reviewer, name: Reviewer, permission_type: global, scope_type: prodenv, protect: yes please}
`))
	if err == nil || !strings.Contains(err.Error(), "in.yaml:3:") || !strings.Contains(err.Error(), "roles[0].protect") {
		t.Errorf("Parse of a non-boolean protect returned %v, want an error at roles[0].protect", err)
	}
}
