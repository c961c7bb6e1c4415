package export

import (
	"fmt"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
)

// A live name the configuration refuses (a newline or another invisible
// character, only spaces, longer than the limit) cannot be exported: the
// configuration written would not load, or would name another object.
// Export refuses before writing anything, naming each such object, so
// that it can be renamed in Cloudinary first.

// unloadable lists the objects of doc whose names the loader refuses, as
// `group "a\nb": why`.
func (doc *document) unloadable() []string {
	var out []string
	check := func(what, name string) {
		if name == "" {
			return
		}
		if why := spec.NameProblem(name); why != "" {
			out = append(out, fmt.Sprintf("%s %q: %s", what, name, why))
		}
	}
	for _, e := range doc.Environments {
		check("name of environment "+e.CloudName, e.Name)
		for _, k := range e.AccessKeys {
			check("access key of environment "+e.CloudName, k.Name)
		}
	}
	for _, u := range doc.Users {
		check("name of user "+u.Email, u.Name)
	}
	for _, g := range doc.Groups {
		check("group", g.Name)
	}
	for _, r := range doc.Roles {
		check("name of role "+r.ID, r.Name)
	}
	for _, p := range doc.Policies {
		check("policy", p.Name)
	}
	return out
}

// unloadableError refuses an export with the names listed.
func unloadableError(names []string) error {
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("export: live names that would not load back as configuration; rename them in Cloudinary, then export again:\n  %s",
		strings.Join(names, "\n  "))
}
