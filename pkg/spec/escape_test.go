package spec

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// TestLookalikes: names of one kind that look alike (a Cyrillic letter, a
// full-width one, "rn" for "m", composed and decomposed accents) load, each
// with a warning naming both positions; unrelated kinds are not compared.
func TestLookalikes(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`version: 1
environments:
  - {cloud_name: acme-m, name: M}
  - {cloud_name: acme-rn, name: RN}
users:
  - email: ana@acme.test
  - email: "\u0430na@acme.test"
groups:
  - name: designers
  - name: "\uff44esigners"
  - name: "Caf\u00e9"
  - name: "Cafe\u0301"
  - name: ana@acme.test
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`c.yaml:4:5: environment "acme-rn" looks like environment "acme-m" (at c.yaml:3:5): this one has U+0072 (LATIN SMALL LETTER R) where the other has U+006D (LATIN SMALL LETTER M); the service keeps them apart`,
		`c.yaml:7:5: user "аna@acme.test" looks like user "ana@acme.test" (at c.yaml:6:5): this one has U+0430 (CYRILLIC SMALL LETTER A) where the other has U+0061 (LATIN SMALL LETTER A); the service keeps them apart`,
		`c.yaml:10:5: group "ｄesigners" looks like group "designers" (at c.yaml:9:5): this one has U+FF44 (FULLWIDTH LATIN SMALL LETTER D) where the other has U+0064 (LATIN SMALL LETTER D); the service keeps them apart`,
		"c.yaml:12:5: group \"Cafe\u0301\" looks like group \"Caf\u00e9\" (at c.yaml:11:5): they are the same text, one written composed and the other decomposed (Unicode NFC and NFD); the service keeps them apart",
	}
	var got []string
	for _, w := range cfg.Warnings {
		got = append(got, w.Error())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestHostileNamesFixture: the fixture (also a seed of FuzzParse) loads
// its escaped names as themselves, and warns about its look-alikes.
func TestHostileNamesFixture(t *testing.T) {
	cfg, err := Load(specTestdata + "/ok/hostile_names.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var groups, refs []string
	for _, g := range cfg.Groups {
		groups = append(groups, g.Name)
	}
	for _, r := range CedarRefs(cfg.Policies[0].Statement) {
		refs = append(refs, r.Name)
	}
	if diff := cmp.Diff([]string{"${var:x}", "a}b", "designers", "\uff44esigners"}, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a}b", "${var:x}"}, refs); diff != "" {
		t.Errorf("statement references (-want +got):\n%s", diff)
	}
	if len(cfg.Warnings) != 2 {
		t.Errorf("warnings %v, want 2 (the look-alike group and user)", cfg.Warnings)
	}
}

// TestInstantiateKeepsEscapes: a template's literal ${ (written $${) is
// written $${ again by Instantiate, so that the configuration it makes
// loads back with the same values; Cedar references stay references.
func TestInstantiateKeepsEscapes(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/t.yaml"
	tmpl := `template:
  params:
    slug: {type: string}
groups:
  - name: $${var:x}
  - name: ${var:slug}-designers
policies:
  - name: p
    scope: account
    statement: 'permit(principal in Cloudinary::Group::"${group:${var:slug}-designers}", action, resource) when { principal in Cloudinary::Group::"${group:$${var:x\}}" };'
`
	if err := os.WriteFile(path, []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, err := Instantiate(path, LoadOptions{Vars: []string{"slug=acme"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("out.yaml", out)
	if err != nil {
		t.Fatalf("the instantiated configuration does not load: %v\n%s", err, out)
	}
	var groups, refs []string
	for _, g := range cfg.Groups {
		groups = append(groups, g.Name)
	}
	for _, r := range CedarRefs(cfg.Policies[0].Statement) {
		refs = append(refs, r.Name)
	}
	if diff := cmp.Diff([]string{"${var:x}", "acme-designers"}, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s\n%s", diff, out)
	}
	if diff := cmp.Diff([]string{"acme-designers", "${var:x}"}, refs); diff != "" {
		t.Errorf("statement references (-want +got):\n%s\n%s", diff, out)
	}
}
