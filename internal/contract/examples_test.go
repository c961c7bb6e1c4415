package contract

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExamples checks every example of the spec against the schema it
// illustrates and the semantic checks, and holds KnownDefects to exactly
// the examples that fail.
func TestExamples(t *testing.T) {
	v := mustLoad(t)
	examples := v.Examples()
	if len(examples) < 250 {
		t.Fatalf("Examples returned %d examples, want the spec's 250 or more: the walk lost some", len(examples))
	}
	failing := map[string]bool{}
	for _, ex := range examples {
		if ex.Where == Unreferenced {
			t.Errorf("components.examples.%s is used nowhere: review it and give it a schema", ex.Name)
		}
		err := v.Check(ex)
		_, listed := KnownDefects[ex.Name]
		switch {
		case err != nil && !listed:
			t.Errorf("example %s (%s %s %d) fails its checks and is not in KnownDefects; review it:\n%v", ex.Name, ex.Where, ex.Op, ex.Status, err)
		case err != nil:
			failing[ex.Name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(KnownDefects)) {
		if !failing[name] {
			t.Errorf("KnownDefects lists %s (%s), but it passes every check or no longer exists: the list is stale", name, KnownDefects[name])
		}
	}
}

// TestCheckCatches pins that each kind of check rejects what it should, so
// that a check weakened by mistake cannot make KnownDefects look stale
// only by accident.
func TestCheckCatches(t *testing.T) {
	v := mustLoad(t)
	schema := func(op string, status int) Example {
		for _, ex := range v.Examples() {
			if ex.Op == op && ex.Status == status && (status != 0) == (ex.Where == InResponse) && ex.Where != InParameter {
				return ex
			}
		}
		t.Fatalf("no example for %s %d", op, status)
		return Example{}
	}
	tests := map[string]struct {
		base  Example
		value string
		ok    bool
	}{
		"good user":                   {schema("createUser", 0), `{"name":"a","email":"a@example.com","role":"admin"}`, true},
		"missing required email":      {schema("createUser", 0), `{"name":"a"}`, false},
		"role outside the enum":       {schema("createUser", 0), `{"name":"a","email":"a@example.com","role":"owner"}`, false},
		"undeclared property":         {schema("createUser", 0), `{"name":"a","email":"a@example.com","groups":[]}`, false},
		"free-form details":           {schema("getRole", 404), `{"error":{"category":"server_error","code":"ACCOUNTS_00003","message":"not found","details":{"anything":1}}}`, true},
		"policy id without policy":    {schema("createRole", 0), `{"name":"r","permission_type":"global","scope_type":"account","system_policy_ids":["cld::global::x"]}`, false},
		"broken Cedar":                {schema("createCustomPolicy", 0), `{"name":"p","scope_type":"account","policy_statement":"permit(principal, action, resource)"}`, false},
		"Cedar with unknown type":     {schema("createCustomPolicy", 0), `{"name":"p","scope_type":"account","policy_statement":"permit(principal == Cloudinary::user::\"1\", action, resource);"}`, false},
		"good Cedar":                  {schema("createCustomPolicy", 0), `{"name":"p","scope_type":"account","policy_statement":"permit(principal == Cloudinary::User::\"1\", action, resource);"}`, true},
		"placeholder in instance map": {schema("inspectMultiple", 0), `{"scope_type":"prodenv","scope_id":"x","principals":[{"type":"user","id":"u"}],"policy_parameters":{"folder_id":"<folder_id>"}}`, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ex := tc.base
			ex.Name = name
			if err := json.Unmarshal([]byte(tc.value), &ex.Value); err != nil {
				t.Fatal(err)
			}
			err := v.Check(ex)
			if got := err == nil; got != tc.ok {
				t.Errorf("Check(%s) returned %v, want ok=%v", tc.value, err, tc.ok)
			}
		})
	}
}

func TestFixture(t *testing.T) {
	v := mustLoad(t)
	tests := []struct {
		op     string
		status int
		want   string // the example's name; "" for none
	}{
		{"createUser", 0, "CreateUserExample"},
		// CreateAcctRoleExample is defective: the next one by key serves.
		{"createRole", 0, "CreateContentRoleExample"},
		{"getRoles", 200, ""}, // its only example is defective
		{"getUser", 401, "responses/401Unauthorized/example"},
	}
	for _, tc := range tests {
		raw, name, ok := v.Fixture(tc.op, tc.status)
		if diff := cmp.Diff(tc.want, name); diff != "" {
			t.Errorf("Fixture(%s, %d) name mismatch (-want +got):\n%s", tc.op, tc.status, diff)
		}
		if ok != (tc.want != "") || ok && !json.Valid(raw) {
			t.Errorf("Fixture(%s, %d) = %s, %v", tc.op, tc.status, raw, ok)
		}
		if _, bad := KnownDefects[name]; bad {
			t.Errorf("Fixture(%s, %d) returned defective example %s", tc.op, tc.status, name)
		}
	}
}

func mustLoad(t *testing.T) *Validator {
	t.Helper()
	v, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return v
}
