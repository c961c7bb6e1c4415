package export

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// referenced returns, by kind, the objects that the exported objects refer
// to but kinds leave out: environments by cloud name, users by lower-cased
// email, groups by name, custom roles by id. Exporting them too makes the
// export of some kinds a configuration that validates on its own (users
// name environments; policies name users, groups and environments;
// assignments name them and roles). Only those objects are added, not
// their whole kind: the configuration manages what the user asked for and
// what it cannot do without.
func referenced(acc *state.Account, kinds []spec.Kind) map[spec.Kind]map[string]bool {
	need := map[spec.Kind]map[string]bool{}
	add := func(k spec.Kind, name string) {
		if slices.Contains(kinds, k) || name == "" {
			return
		}
		if need[k] == nil {
			need[k] = map[string]bool{}
		}
		need[k][name] = true
	}
	addEnv := func(scope string) {
		if scope != spec.ScopeAccount && scope != spec.ScopeAll {
			add(spec.KindEnvironment, scope)
		}
	}
	addPrincipal := func(p spec.Principal) {
		switch p.Kind {
		case spec.PrincipalUser:
			add(spec.KindUser, strings.ToLower(p.Name))
		case spec.PrincipalGroup:
			add(spec.KindGroup, p.Name)
		case spec.PrincipalAPIKey:
			env, _ := spec.SplitAPIKey(p.Name)
			add(spec.KindEnvironment, env)
		}
	}
	if p := acc.Permissions; p != nil && p.Unavailable == "" {
		if slices.Contains(kinds, spec.KindPolicy) {
			names := acc.IDNames() // one table for every statement
			for _, l := range p.Policies {
				addEnv(l.Scope)
				for _, r := range spec.CedarRefs(model.UnresolveNames(names, l.Statement)) {
					switch r.Kind {
					case spec.RefUser:
						add(spec.KindUser, r.Name)
					case spec.RefGroup:
						add(spec.KindGroup, r.Name)
					case spec.RefEnvironment:
						add(spec.KindEnvironment, r.Name)
					case spec.RefAPIKey:
						env, _ := spec.SplitAPIKey(r.Name)
						add(spec.KindEnvironment, env)
					}
				}
			}
		}
		if slices.Contains(kinds, spec.KindAssignment) {
			for _, a := range p.Assignments {
				addPrincipal(a.Principal)
				addEnv(a.Scope)
				if !strings.HasPrefix(a.Role, "cld::") {
					add(spec.KindRole, a.Role)
				}
			}
		}
	}
	// Users, exported or referenced, name the environments they access.
	for _, u := range acc.Users {
		if !slices.Contains(kinds, spec.KindUser) && !need[spec.KindUser][strings.ToLower(u.Email)] {
			continue
		}
		if u.Role != "master_admin" && !u.AllEnvironments {
			for _, e := range u.Environments {
				add(spec.KindEnvironment, e)
			}
		}
	}
	return need
}

// withReferenced is kinds and the kinds need adds, in Kinds order.
func withReferenced(kinds []spec.Kind, need map[spec.Kind]map[string]bool) []spec.Kind {
	var out []spec.Kind
	for _, k := range Kinds {
		if slices.Contains(kinds, k) || len(need[k]) > 0 {
			out = append(out, k)
		}
	}
	return out
}

// keepReferenced drops, from the kinds of doc that need names, the objects
// not referenced, and says so in a note.
func keepReferenced(doc *document, need map[spec.Kind]map[string]bool) []string {
	var notes []string
	for _, k := range slices.Sorted(maps.Keys(need)) {
		names := need[k]
		switch k {
		case spec.KindEnvironment:
			doc.Environments = slices.DeleteFunc(doc.Environments, func(e environment) bool { return !names[e.CloudName] })
		case spec.KindUser:
			doc.Users = slices.DeleteFunc(doc.Users, func(u user) bool { return !names[strings.ToLower(u.Email)] })
		case spec.KindGroup:
			doc.Groups = slices.DeleteFunc(doc.Groups, func(g group) bool { return !names[g.Name] })
		case spec.KindRole:
			doc.Roles = slices.DeleteFunc(doc.Roles, func(r role) bool { return !names[r.ID] })
		}
		notes = append(notes, fmt.Sprintf("%s: only those the exported objects refer to (export --kinds %s for all)", k, k))
	}
	return notes
}
