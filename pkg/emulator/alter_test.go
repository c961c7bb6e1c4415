package emulator

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAlterResponse covers Fault.Rewrite: the request is handled as usual,
// only the answer changes, once, for the matching operation, and the
// account keeps what was sent.
func TestAlterResponse(t *testing.T) {
	e := New(Options{Bare: true})
	groups := "/v1_1/provisioning/accounts/acc/user_groups"
	decode := func(t *testing.T, body string) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		return m
	}

	e.AlterResponse("createUserGroup", map[string]any{"name": "Designers", "extra": []any{1, "x"}})
	// Another operation neither matches nor spends it.
	if w := do(t, e, "GET", groups, "", true); w.Code != 200 {
		t.Fatalf("list groups: %d %s", w.Code, w.Body)
	}
	w := do(t, e, "POST", groups, `{"name":"designers"}`, true)
	if w.Code != 200 {
		t.Fatalf("create group: %d %s", w.Code, w.Body)
	}
	got := decode(t, w.Body.String())
	if got["name"] != "Designers" || !cmp.Equal(got["extra"], []any{1.0, "x"}) || got["id"] == "" {
		t.Errorf("altered answer = %v, want name Designers, extra [1 x] and the real id", got)
	}
	id, _ := got["id"].(string)
	// The account stored what was sent.
	if w := do(t, e, "GET", groups+"/"+id, "", true); decode(t, w.Body.String())["name"] != "designers" {
		t.Errorf("stored group = %s, want the name sent", w.Body)
	}
	// Used once: the next create answers as usual.
	if w := do(t, e, "POST", groups, `{"name":"writers"}`, true); decode(t, w.Body.String())["name"] != "writers" {
		t.Errorf("second create answered %s, want it unaltered", w.Body)
	}

	// A nil value removes the field.
	e.AlterResponse("getUserGroup", map[string]any{"name": nil})
	if w := do(t, e, "GET", groups+"/"+id, "", true); w.Code != 200 {
		t.Fatalf("get group: %d", w.Code)
	} else if m := decode(t, w.Body.String()); m["id"] != id || len(m) != 1 {
		t.Errorf("answer without name = %v, want only the id", m)
	}

	if len(e.Writes()) != 2 {
		t.Errorf("Writes() = %+v, want the two creates", e.Writes())
	}
	if v := e.Violations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
}

// TestAlterResponseEnvelope: /v2 answers wrapped as {"data": {...}} are
// altered inside data; list envelopes ({"data": [...]}) at the top level.
func TestAlterResponseEnvelope(t *testing.T) {
	p := newPermFixture(t)
	q := permBase + "/policies/effective?scope_type=prodenv&scope_id=" + envDev

	p.e.AlterResponse("getEffectivePolicies", map[string]any{"principals": []any{}})
	got := p.expect("GET", q, "", 200, "")
	if diff := cmp.Diff(map[string]any{"data": map[string]any{"principals": []any{}, "custom_policies": []any{}}}, got); diff != "" {
		t.Errorf("altered effective policies (-want +got):\n%s", diff)
	}

	// A create's answer: the field inside data; the role is stored as sent.
	p.e.AlterResponse("createRole", map[string]any{"name": "Upload boss"})
	if got := p.expect("POST", permBase+"/roles", createGlobalRoleExample, 201, ""); field(t, got, "data", "name") != "Upload boss" {
		t.Errorf("altered create answered %v", got)
	}
	if got := p.expect("GET", permBase+"/roles/upload_manager_12334565", "", 200, ""); field(t, got, "data", "name") != "Upload manager" {
		t.Errorf("stored role %v, want the name sent", got)
	}
	// An answer with no body stays without one.
	p.e.AlterResponse("", map[string]any{"name": "x"})
	p.expect("DELETE", permBase+"/roles/upload_manager_12334565", "", 204, "")

	p.e.AlterResponse("getCustomPolicies", map[string]any{"next_cursor": "abc"})
	got = p.expect("GET", permBase+"/policies/custom", "", 200, "")
	if diff := cmp.Diff(map[string]any{"data": []any{}, "next_cursor": "abc"}, got); diff != "" {
		t.Errorf("altered list (-want +got):\n%s", diff)
	}

	// The knob's answers are not the emulator breaking the spec, even when
	// the altered answer does (the fixture checks Violations at the end).
	p.e.AlterResponse("getCustomPolicies", map[string]any{"data": nil})
	if w := do(t, p.e, "GET", permBase+"/policies/custom", "", true); w.Code != 200 || w.Body.String() != "{}" {
		t.Errorf("answer with data removed = %d %s, want 200 {}", w.Code, w.Body)
	}
}
