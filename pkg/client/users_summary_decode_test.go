package client

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeSummariesJSON is the reference: encoding/json.
func decodeSummariesJSON(b []byte) ([]UserSummary, error) {
	var out struct {
		Users []UserSummary `json:"users"`
	}
	err := json.Unmarshal(b, &out)
	return out.Users, err
}

// TestDecodeSummariesTakesServicePages: the answers the service sends
// take the fast decode, and it finds what encoding/json finds.
func TestDecodeSummariesTakesServicePages(t *testing.T) {
	for name, page := range map[string]string{
		"spec":    specExample(t, "Users"),
		"large":   string(userPage(100)),
		"empty":   `{"users":[]}`,
		"spaced":  " {\n \"users\" : [ { \"id\" : \"u1\" , \"sub_account_count\" : 0 , \"x\" : [ 1.5e3 , {} ] } ] }\n",
		"no user": `{"total":0}`,
		"unicode": `{"users":[{"id":"u1","name":"Jos\u00e9 Martín","email":"jose@x.test"}]}`,
	} {
		if !matchesJSON(t, []byte(page), decodeSummaries, decodeSummariesJSON) {
			t.Errorf("%s: the fast decode declined the page", name)
		}
	}
}

// matchesJSON reports whether fast decodes b, and fails the test unless
// encoding/json (ref) then decodes it alike.
func matchesJSON[T any](t *testing.T, b []byte, fast func([]byte) ([]T, bool), ref func([]byte) ([]T, error)) bool {
	t.Helper()
	got, ok := fast(b)
	if !ok {
		return false
	}
	want, err := ref(b)
	if err != nil {
		t.Fatalf("the fast decode accepted %q, which encoding/json rejects: %v", b, err)
	}
	if diff := cmp.Diff(want, got); diff != "" || (want == nil) != (got == nil) {
		t.Fatalf("decoding %q (-encoding/json +fast):\n%s", b, diff)
	}
	return true
}

// FuzzDecodeSummaries: whatever the fast decode accepts, encoding/json
// accepts too and decodes alike; what it declines is left to
// encoding/json, so ListSummaries answers as encoding/json on any input.
func FuzzDecodeSummaries(f *testing.F) {
	for _, s := range []string{
		`{"users":[{"id":"a","name":"A","email":"a@x.test","role":"admin","root":false,"pending":true,"enabled":true,"all_sub_accounts":true,"sub_account_count":3,"created_at":"2016-09-27T08:00:16Z","providers":["google"],"email_preferences":{}}]}`,
		`{"users":[{"ID":"a"}]}`, `{"Users":[{"id":"a"}]}`, `{"users":[{"id":"a","id":"b","enabled":true,"enabled":false}]}`,
		`{"users":[{"id":"a"}],"users":[{"name":"b"}]}`, `{"users":null}`, `{"users":[null]}`, `{"users":[{"id":null}]}`,
		`{"users":[{"id":1}]}`, `{"users":[{"sub_account_count":1.5}]}`, `{"users":[{"sub_account_count":01}]}`,
		`{"users":[{"sub_account_count":-0}]}`, `{"users":[{"sub_account_count":99999999999999999999}]}`,
		`{"users":[{"created_at":"bad"}]}`, `{"users":[{"created_at":null}]}`, `{"users":[{"created_at":""}]}`,
		`{"users":[{"created_at":"2016-09-27T08:00:16+02:00"}]}`, `{"users":[{"name":"Jos\u00e9"}]}`, `{"users":[{"name":"José"}]}`,
		`{"users":[{"x":"\q","id":"a"}]}`, `{"users":[{"x":"\u00zz","id":"a"}]}`, "{\"users\":[{\"x\":\"\x01\",\"id\":\"a\"}]}",
		`{"users":[{"x":01,"id":"a"}]}`, `{"users":[{"x":1.,"id":"a"}]}`, `{"users":[{"x":-,"id":"a"}]}`, `{"users":[{"x":1e,"id":"a"}]}`,
		`{"users":[{"x":[1,],"id":"a"}]}`, `{"users":[{"x":{"a":1,},"id":"a"}]}`, `{"users":[{"root":"true"}]}`, `{"users":[{"root":tru}]}`,
		`{"users":[{"id":"a"}]} x`, `{"users":[{"id":"a"}]`, `[]`, `null`, ``, `{"users":{}}`, `{"users":[]}`,
		`{"us\u0065rs":[{"\u0069d":"x"}]}`, `{"users":[{"ſub_account_count":1}]}`, `{"users":[{"id":"a"},{}]}`,
		`{"x":` + strings.Repeat("[", 1200) + strings.Repeat("]", 1200) + `,"users":[]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		matchesJSON(t, []byte(body), decodeSummaries, decodeSummariesJSON)
	})
}

// BenchmarkUserPageSummaries: the fast decode of a 100-user page; compare
// with BenchmarkUserPageDecode.
func BenchmarkUserPageSummaries(b *testing.B) {
	page := userPage(100)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, ok := decodeSummaries(page); !ok {
			b.Fatal("declined")
		}
	}
}
