package spec

import (
	"strings"
	"testing"
)

// TestVarEscape: $${ is a literal ${ that starts no reference, so that a
// name holding ${var:x} (as a live one may) can be written.
func TestVarEscape(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`version: 1
vars: {x: acme}
groups:
  - name: $${var:x}
  - name: "$$${var:x}"
  - name: "${var:x}-$${group:a}"
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range cfg.Groups {
		got = append(got, g.Name)
	}
	want := []string{"${var:x}", "$${var:x}", "acme-${group:a}"}
	if len(got) != len(want) {
		t.Fatalf("groups %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("group %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// FuzzCedarRefText: any name written by CedarRefText, inside any text, is
// read back by CedarRefs as that name, at that place.
func FuzzCedarRefText(f *testing.F) {
	for _, s := range []string{"a}b", `back\slash}`, "${var:x}", `\`, `\\}`, "}", "${group:a}", "", "a\\"} {
		f.Add("permit(principal in Cloudinary::Group::\"", s)
	}
	f.Fuzz(func(t *testing.T, before, name string) {
		if strings.Contains(before, "${") {
			return // the prefix must not hold or start a reference itself
		}
		ref := CedarRefText(RefGroup, name)
		refs := CedarRefs(before + ref + `"`)
		if len(refs) != 1 {
			t.Fatalf("CedarRefs(%q) = %+v, want one reference", before+ref, refs)
		}
		if r := refs[0]; r.Name != name || r.Start != len(before) || r.End != len(before)+len(ref) || r.String() != ref {
			t.Errorf("CedarRefs(%q) = %+v, want name %q at %d", before+ref, r, name, len(before))
		}
	})
}
