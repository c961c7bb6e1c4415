package client

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// policiesFast and policiesJSON put a getCustomPolicies answer's decode in
// matchesJSON's shape: a one-page list.
func policiesFast(b []byte) ([]CustomPolicyPage, bool) {
	pols, next, ok := decodePolicies(b)
	if !ok {
		return nil, false
	}
	return []CustomPolicyPage{{Policies: pols, NextCursor: next}}, true
}

func policiesJSON(b []byte) ([]CustomPolicyPage, error) {
	var out struct {
		Data       []CustomPolicy `json:"data"`
		NextCursor string         `json:"next_cursor"`
	}
	err := json.Unmarshal(b, &out)
	return []CustomPolicyPage{{Policies: out.Data, NextCursor: out.NextCursor}}, err
}

// policiesPage is n custom policies as getCustomPolicies answers them.
func policiesPage(n int, next string) []byte {
	var sb strings.Builder
	sb.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"%030x","name":"Policy %d","description":"Generated policy","policy_statement":"permit(principal == Cloudinary::User::\"u%d\", action, resource in Cloudinary::Folder::\"f%d\");","scope_type":"prodenv","scope_id":"e%d","enabled":true,"created_at":1796172058,"updated_at":1796172058}`, i, i, i, i, i%7)
	}
	fmt.Fprintf(&sb, `],"next_cursor":%q}`, next)
	return []byte(sb.String())
}

// TestDecodePoliciesTakesServiceAnswers: the answers the service sends
// take the fast decode, and it finds what encoding/json finds.
func TestDecodePoliciesTakesServiceAnswers(t *testing.T) {
	for name, page := range map[string]string{
		"spec":     specExample(t, "CustomPoliciesExample"),
		"large":    string(policiesPage(50, "")),
		"cursor":   string(policiesPage(2, "abc")),
		"empty":    `{"data":[]}`,
		"no data":  `{"next_cursor":"x"}`,
		"unicode":  `{"data":[{"id":"p1","name":"Política é \u00e9","policy_statement":"permit(principal, action, resource);\n"}]}`,
		"repeated": `{"next_cursor":"a","data":[{"id":"p1","id":"p2"}],"next_cursor":"b"}`,
	} {
		if !matchesJSON(t, []byte(page), policiesFast, policiesJSON) {
			t.Errorf("%s: the fast decode declined the answer", name)
		}
	}
}

// FuzzDecodePolicies: whatever the fast decode accepts, encoding/json
// accepts too and decodes alike.
func FuzzDecodePolicies(f *testing.F) {
	for _, s := range []string{
		string(policiesPage(2, "c")),
		`{"data":[{"policy_statement":"a\"b\\c\u0041\ud83d\ude00\ud800"}]}`, "{\"data\":[{\"name\":\"\xff\xfe\"}]}",
		`{"data":[{"name":"\x"}]}`, `{"data":[{"name":"a\\"}]}`, `{"data":[{"name":"\"\\\/\b\f\n\r\t\u0000"}]}`, `{"data":[{"enabled":null}]}`, `{"next_cursor":null}`, `{"next_cursor":1}`,
		`{"Next_cursor":"a"}`, `{"data":[{"Name":"a"}]}`, `{"data":[{"created_at":1,"updated_at":-1}]}`, `{"data":[],"data":[]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		matchesJSON(t, []byte(body), policiesFast, policiesJSON)
	})
}

// BenchmarkPoliciesDecode: 100 custom policies, by the fast decode and
// by encoding/json.
func BenchmarkPoliciesDecode(b *testing.B) {
	page := policiesPage(100, "next")
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			if _, ok := policiesFast(page); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			if _, err := policiesJSON(page); err != nil {
				b.Fatal(err)
			}
		}
	})
}
