package planner

// Policy statements name principals by id. Turning the ids back into
// references (model.UnresolveNames) looks up only the string literals of
// the statements, so the table it is given needs only those ids, not the
// reference of every user of the account (model.IDNames): at 50,000
// users, a table of 50,000 references built for a thousand statements.

import (
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// statementLiterals is the set of the string literals of the statements
// of acc's custom policies, found as model.UnresolveNames finds them.
func statementLiterals(acc *model.Account) map[string]bool {
	want := map[string]bool{}
	if acc.Permissions == nil {
		return want
	}
	for _, p := range acc.Permissions.Policies {
		for lit := range model.Literals(p.Statement) {
			want[lit] = true
		}
	}
	return want
}

// idNamesFor is acc.IDNames() restricted to the ids in want: for each,
// the same reference, of the same object where several share an id.
func idNamesFor(acc *model.Account, want map[string]bool) map[string]string {
	names := map[string]string{}
	if len(want) == 0 {
		return names
	}
	for _, u := range acc.Users {
		if want[u.ID] {
			names[u.ID] = spec.CedarRefText(spec.RefUser, u.Email)
		}
	}
	for _, g := range acc.Groups {
		if want[g.ID] {
			names[g.ID] = spec.CedarRefText(spec.RefGroup, g.Name)
		}
	}
	for _, e := range acc.Environments {
		if want[e.ID] {
			names[e.ID] = spec.CedarRefText(spec.RefEnvironment, e.CloudName)
		}
	}
	if acc.Permissions != nil {
		for _, k := range acc.Permissions.APIKeys {
			if want[k.Key] {
				names[k.Key] = spec.CedarRefText(spec.RefAPIKey, k.Environment+"/"+k.Name)
			}
		}
	}
	delete(names, "")
	return names
}

// statementNames is the table UnresolveNames needs for the statements of
// acc's custom policies.
func statementNames(acc *model.Account) map[string]string {
	return idNamesFor(acc, statementLiterals(acc))
}
