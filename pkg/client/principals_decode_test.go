package client

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func decodePrincipalsJSON(b []byte) ([]RolePrincipal, error) {
	var out struct {
		Data []RolePrincipal `json:"data"`
	}
	err := json.Unmarshal(b, &out)
	return out.Data, err
}

// principalsPage is a role's n principals as getRolePrincipals?verbose=true
// answers them.
func principalsPage(n int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		params := ""
		if i%3 == 0 {
			params = `,"policy_parameters":{"folder_id":"f1","collection_id":"c` + fmt.Sprint(i) + `"}`
		}
		fmt.Fprintf(&sb, `{"created_at":1796172058,"id":"%030x","role_id":"custom-role-0000","scope_type":"prodenv","scope_id":"e%d","type":"user","updated_at":1796172058%s}`, i, i%7, params)
	}
	sb.WriteString(`]}`)
	return []byte(sb.String())
}

// TestDecodePrincipalsTakesServiceAnswers: the answers the service sends
// take the fast decode, and it finds what encoding/json finds.
func TestDecodePrincipalsTakesServiceAnswers(t *testing.T) {
	for name, page := range map[string]string{
		"spec":   specExample(t, "GetRolePrincipalsExample"),
		"large":  string(principalsPage(50)),
		"empty":  `{"data":[]}`,
		"params": `{"data":[{"id":"u1","type":"user","policy_parameters":{}},{"id":"g1","type":"group","policy_parameters":{"a":"1","a":"2"}}]}`,
	} {
		if !matchesJSON(t, []byte(page), decodePrincipals, decodePrincipalsJSON) {
			t.Errorf("%s: the fast decode declined the answer", name)
		}
	}
}

// FuzzDecodePrincipals: whatever the fast decode accepts, encoding/json
// accepts too and decodes alike.
func FuzzDecodePrincipals(f *testing.F) {
	for _, s := range []string{
		string(principalsPage(3)),
		`{"data":[{"id":"a","policy_parameters":{"x":"1"},"policy_parameters":{"y":"2"}}]}`,
		`{"data":[{"policy_parameters":null}]}`, `{"data":[{"policy_parameters":{"x":null}}]}`, `{"data":[{"policy_parameters":{"x":1}}]}`,
		`{"data":[{"policy_parameters":{"X":"1","\u0078":"2"}}]}`, `{"data":[{"created_at":1.5,"updated_at":"1"}]}`,
		`{"data":[{"created_at":01}]}`, `{"data":[{"created_at":null}]}`, `{"data":[{"Type":"user"}]}`, `{"Data":[]}`,
		`{"data":[{"type":"us\u0065r","scope_type":"all","scope_id":null}]}`, `{"data":null}`, `{"data":[{}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		matchesJSON(t, []byte(body), decodePrincipals, decodePrincipalsJSON)
	})
}

// BenchmarkRolePrincipalsFast: the fast decode of 500 principals; compare
// with BenchmarkRolePrincipalsDecode (encoding/json).
func BenchmarkRolePrincipalsFast(b *testing.B) {
	page := principalsPage(500)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, ok := decodePrincipals(page); !ok {
			b.Fatal("declined")
		}
	}
}
