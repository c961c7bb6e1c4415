package spec

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// A file that cannot be read hides what it defines, so the other files are
// checked only against what could be read: the syntax error is reported,
// not "missing required key version" or unknown references to objects and
// variables the broken file may define. Checks that need nothing from
// other files still run.
func TestUnreadableFileDoesNotCascade(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		// version, vars, the environment, the group and the role are all
		// in the broken file.
		"00-base.yaml": "version: 1\nvars: {domain: acme.test}\nenvironments:\n  - {cloud_name: acme-prod, name: Prod\ngroups: [{name: designers}]\n",
		"10-users.yaml": `users:
  - {email: "ana@${var:domain}", name: Ana, role: admin, environments: [acme-prod]}
  - {email: not-an-email, name: Bad, role: admin}
assignments:
  - {principal: {group: designers}, role: reviewer, scope: acme-prod}
policies:
  - name: read
    scope: acme-prod
    statement: 'permit(principal == Cloudinary::Group::"${group:designers}", action == Cloudinary::Action::"read", resource);'
`,
	}
	errs := loadDir(t, files)
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	joined := strings.Join(got, "\n")
	if len(errs) != 2 || !strings.Contains(got[0], "00-base.yaml:") || !strings.Contains(got[0], "invalid YAML") ||
		!strings.Contains(got[1], `invalid email address "not-an-email"`) {
		t.Errorf("errors:\n%s\nwant the syntax error of 00-base.yaml and the invalid email only", joined)
	}

	// With the file fixed but without what it defined, the references
	// are reported: the suppression is only for an unreadable file.
	files["00-base.yaml"] = "vars: {other: x}\n"
	joined = ""
	for _, e := range loadDir(t, files) {
		joined += e.Error() + "\n"
	}
	for _, want := range []string{`missing required key "version"`, `unknown environment "acme-prod"`, `unknown variable "domain"`,
		`unknown group "designers"`, `unknown role "reviewer"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors:\n%swant %q", joined, want)
		}
	}
}

func loadDir(t *testing.T, files map[string]string) Errors {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := writeFile(filepath.Join(dir, name), body); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Load(dir)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load = %v, want Errors", err)
	}
	return errs
}
