package spec

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadFileByFile: files are decoded as they are parsed until one
// declares or uses variables; from there on they wait for every
// declaration. A reference to a variable a later file declares is
// expanded, $${ in a file without variables is unescaped, and the
// duplicates say "first defined at" the file that comes first by name.
func TestLoadFileByFile(t *testing.T) {
	files := map[string]string{
		"a.yaml": "version: 1\nusers:\n  - email: ana@acme.test\n    name: \"Price $${x}\"\n",
		"b.yaml": "users:\n  - email: bob@acme.test\n    name: ${var:team} lead\n",
		"c.yaml": "users:\n  - email: bob@acme.test\n  - email: ana@acme.test\n",
		"d.yaml": "vars:\n  team: Design\ngroups:\n  - name: g\n",
		"e.yaml": "users:\n  - email: bob@acme.test\n",
	}
	_, err := loadFiles(t, files, ".", LoadOptions{})
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load returned %v, want Errors", err)
	}
	want := []string{
		`c.yaml:2:12: users[0].email: duplicate user "bob@acme.test"; first defined at b.yaml:2:12`,
		`c.yaml:3:12: users[1].email: duplicate user "ana@acme.test"; first defined at a.yaml:3:12`,
		`e.yaml:2:12: users[0].email: duplicate user "bob@acme.test"; first defined at b.yaml:2:12`,
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	delete(files, "c.yaml")
	delete(files, "e.yaml")
	cfg, err := loadFiles(t, files, ".", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range cfg.Users {
		names = append(names, *u.Name)
	}
	if diff := cmp.Diff([]string{"Price ${x}", "Design lead"}, names); diff != "" {
		t.Errorf("user names (-want +got):\n%s", diff)
	}
}

// TestUsesVars: a file waits for the variables only when expansion could
// change it, which is when varRefRE matches one of its scalars.
func TestUsesVars(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		want bool
	}{
		{"users: [{email: a@b.co}]", false},
		{"policies: [{statement: 'principal == ${user:a@b.co}'}]", false},
		{"x: ${var:slug}", true},
		{"x: [a, 'b $${var:slug}']", true},
		{"x: {k: '$${user}'}", true},
		{"vars: {}", true},
		{"x: ${var:unclosed", true}, // conservative: it holds ${var:
	} {
		f := (&loader{}).parseYAML(source{name: "f.yaml", data: []byte(tt.yaml)})
		if f.root == nil {
			t.Fatalf("%s does not parse", tt.yaml)
		}
		if got := usesVars(f); got != tt.want {
			t.Errorf("usesVars(%s) = %v, want %v", tt.yaml, got, tt.want)
		}
	}
}
