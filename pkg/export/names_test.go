package export_test

import (
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/export"
	"github.com/cldsync/cldsync/pkg/spec"
)

// TestUnloadableNames: a live name that the loader refuses (a newline,
// a right-to-left override, only spaces, longer than 255 characters) is
// not written into a configuration that would not load: export refuses,
// naming each object, whether it writes files or one document. Kinds
// left out of the export do not stop it.
func TestUnloadableNames(t *testing.T) {
	long := strings.Repeat("g", 256)
	acc, _, _ := read(t, `
environments:
  - {cloud_name: acme-prod, name: "Acme \u202eProd"}
users:
  - {email: ana@acme.test, name: "   ", role: admin}
groups:
  - {name: "new\nline"}
  - {name: `+long+`}
  - {name: fine}
`)
	want := []string{
		`name of environment acme-prod "Acme \u202eProd": contains U+202E (RIGHT-TO-LEFT OVERRIDE)`,
		`name of user ana@acme.test "   ": a name must not be blank`,
		`group "new\nline": contains U+000A`,
		`group "` + long + `": is 256 characters long; the limit is 255`,
	}
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s exported names that do not load", what)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error does not name %s:\n%v", what, w, err)
			}
		}
	}
	files, err := export.Files(acc, nil)
	check("Files", err)
	if files != nil {
		t.Errorf("Files returned files with the error: %v", files)
	}
	doc, err := export.Single(acc, nil)
	check("Single", err)
	if doc != nil {
		t.Errorf("Single returned a document with the error:\n%s", doc)
	}
	// Only the kinds exported count: the roles alone export.
	if _, err := export.Files(acc, []spec.Kind{spec.KindRole}); err != nil {
		t.Errorf("export of roles refused for names of other kinds: %v", err)
	}
}
