package planner

import (
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestLookalikeCreates: an object the plan creates whose name looks like
// a live one's of the same kind ("rn" for "m", composed and decomposed
// accents, a Cyrillic letter, a full-width letter) is planned, with a warning naming
// both; a name that only differs in case from a live group is its rename,
// not a look-alike, and a distinct name warns of nothing.
func TestLookalikeCreates(t *testing.T) {
	live := &model.Account{
		Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod", Name: "Prod", Enabled: true}},
		Users:        []model.User{{ID: "u1", Email: "ana@acme.test", Name: "Ana", Role: "admin", Enabled: true}},
		Groups:       []model.Group{{ID: "g1", Name: "caf\u00e9"}, {ID: "g2", Name: "designers"}, {ID: "g3", Name: "ops"}},
	}
	cfg, err := spec.Parse("c.yaml", []byte(`version: 1
environments:
  - {cloud_name: acrne-prod, name: Prod}
users:
  - {email: "\u0430na@acme.test", name: Ana, role: admin}
groups:
  - name: "cafe\u0301"
  - name: "\uff44esigners"
  - name: OPS
  - name: writers
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Diff(cfg, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.Warnings, "\n")
	for _, want := range []string{
		`environment "acrne-prod" is created, but looks like the live environment "acme-prod"`,
		`user "аna@acme.test" is created, but looks like the live user "ana@acme.test"`,
		"group \"cafe\u0301\" is created, but looks like the live group \"caf\u00e9\": they are the same text, one written composed and the other decomposed (Unicode NFC and NFD)",
		`group "ｄesigners" is created, but looks like the live group "designers"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings do not say\n  %s\ngot:\n%s", want, got)
		}
	}
	for _, not := range []string{`"OPS"`, `"writers"`} {
		if strings.Contains(got, not) {
			t.Errorf("warnings name %s, which looks like no other live group:\n%s", not, got)
		}
	}
}
