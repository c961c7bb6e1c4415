package doctor

import (
	"slices"
	"testing"
)

// TestCompareShape: each verdict of the shape check, from field names
// alone: the spec's fields, the live table's extra fields, a field neither
// predicts, and a top-level field the spec requires that is missing.
func TestCompareShape(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, op, body, want string
		live, unexpected     []string
		missing              []string
	}{
		{name: "spec", op: "getAccessKeys", body: `{"access_keys":[{"name":"a","api_key":"1","enabled":true}],"total":1}`, want: "spec"},
		{name: "live field", op: "getAccessKeys", body: `{"access_keys":[{"name":"a","api_key":"1","root":true}],"total":1}`, want: "live", live: []string{"root"}},
		{name: "unknown field", op: "getUserGroups", body: `{"user_groups":[{"id":"g","name":"n","colour":"red"}]}`, want: "neither", unexpected: []string{"colour"}},
		{name: "unknown top-level field", op: "getUserGroups", body: `{"user_groups":[],"page":2}`, want: "neither", unexpected: []string{"page"}},
		{name: "missing top-level field", op: "getAccessKeys", body: `{"access_keys":[{"name":"a"}]}`, want: "neither", missing: []string{"total"}},
		{name: "next_cursor may be absent", op: "getCustomPolicies", body: `{"data":[{"id":"p","name":"n"}]}`, want: "spec"},
		{name: "not JSON", op: "getUsers", body: `<html>`, want: "not read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := compareShape(tc.op, []byte(tc.body))
			if s.Matches != tc.want || !slices.Equal(s.LiveFields, tc.live) || !slices.Equal(s.Unexpected, tc.unexpected) || !slices.Equal(s.Missing, tc.missing) {
				t.Errorf("got %s (live %v, unexpected %v, missing %v), want %s (live %v, unexpected %v, missing %v)",
					s.Matches, s.LiveFields, s.Unexpected, s.Missing, tc.want, tc.live, tc.unexpected, tc.missing)
			}
		})
	}
}
