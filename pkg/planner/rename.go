package planner

// Renames keep ids. A configured environment, user or group whose key is
// not live, but one of whose `previously:` keys is, is that live object
// renamed: one Update that changes its cloud_name, email or name in place,
// so that its id, and with it memberships, environment access, role
// assignments and the Cedar statements naming it, survive.
//
// Matching: a live object under the current key always wins (the previous
// key's object, if any, is then planned like any other live object, and a
// warning says it was not renamed); otherwise the first previous key with
// a live object is taken. A previous key shared by several live objects is
// refused like any ambiguous key.
//
// The rest of the planner never sees the old names: renameLive gives it a
// view of the live account in which the renamed objects already carry
// their new keys, and every reference to them (user access lists, group
// members, assignment principals and scopes, policy scopes, API key
// environments) is rewritten. Ids are unchanged, so the view is exactly the
// account as it will be once the renames are applied. planRenames then
// turns each rename into its change (or folds it into the Update the
// object gets anyway), and makes the changes that name a renamed object
// depend on its rename.

import (
	"iter"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// RenamedFrom returns the live key that an Update renames the object from,
// and whether the change is a rename. A rename's Before carries the old
// key and its After (and Ref) the new one.
func (c *Change) RenamedFrom() (string, bool) {
	if c.Action != Update || c.Before == nil || c.After == nil {
		return "", false
	}
	switch c.Ref.Kind {
	case spec.KindEnvironment, spec.KindUser, spec.KindGroup, spec.KindAccessKey:
	default:
		return "", false
	}
	from := c.Before.Ref().Name
	if from == c.After.Ref().Name {
		return "", false
	}
	return from, true
}

// KeyField is the YAML name of a kind's natural key: the field a
// rename changes.
func KeyField(k spec.Kind) string {
	switch k {
	case spec.KindEnvironment:
		return "cloud_name"
	case spec.KindUser:
		return "email"
	}
	return "name"
}

// renameCandidate is a configured object with previous keys.
type renameCandidate struct {
	key        string
	previously []spec.Previous
}

// matchRenames matches configured objects of kind k to live objects by a
// previous key, and returns old key → new key. live lists each live
// object's key and id (a key listed more than once is ambiguous). Only
// the keys that candidates with previous keys name are indexed, so a
// configuration without `previously:` costs one pass over cands.
func (d *differ) matchRenames(k spec.Kind, cands []renameCandidate, live iter.Seq2[string, string]) map[string]string {
	need := map[string]bool{}
	for _, c := range cands {
		if len(c.previously) > 0 {
			need[c.key] = true
			for _, p := range c.previously {
				need[p.Name] = true
			}
		}
	}
	if len(need) == 0 {
		return map[string]string{}
	}
	byKey := map[string][]string{}
	for key, id := range live {
		if need[key] {
			byKey[key] = append(byKey[key], id)
		}
	}
	desiredCount := map[string]int{}
	for _, c := range cands {
		if need[c.key] {
			desiredCount[c.key]++
		}
	}
	out := map[string]string{}
	for _, c := range cands {
		if len(c.previously) == 0 || desiredCount[c.key] > 1 {
			continue // duplicates are refused by index
		}
		ref := Ref{k, c.key}
		if len(byKey[c.key]) > 0 {
			for _, p := range c.previously {
				if len(byKey[p.Name]) > 0 {
					d.warnf("%s %s: previously lists %s, but %s exists too: %s is not renamed, and is planned like any live %s the configuration does not list",
						Noun(k), c.key, p.Name, c.key, p.Name, Noun(k))
				}
			}
			continue
		}
		for _, p := range c.previously {
			found := slices.Clone(byKey[p.Name])
			switch {
			case len(found) == 0:
				continue
			case len(found) > 1:
				slices.Sort(found)
				d.refused[ref] = true
				d.errorf(ref, "previously lists %s, which %d live %s have (ids %s); refusing to plan it until all but one are renamed or deleted",
					p.Name, len(found), k, strings.Join(found, ", "))
			case desiredCount[p.Name] > 0:
				// spec.Load refuses this; a Config built in code may not.
				d.refused[ref] = true
				d.errorf(ref, "previously lists %s, which the configuration also lists; refusing to plan it", p.Name)
			case out[p.Name] != "":
				d.refused[ref] = true
				d.errorf(ref, "previously lists %s, which %s %s also lists; refusing to plan it", p.Name, Noun(k), out[p.Name])
			default:
				if _, ignored := d.ignore.Match(k, p.Name); ignored {
					d.warnf("%s %s: previously lists %s, which the ignore rules keep out of the plan: it is not renamed", Noun(k), c.key, p.Name)
					break
				}
				out[p.Name] = c.key
				d.renames[ref] = p.Name
			}
			break
		}
	}
	return out
}

// renameLive matches renames and returns the view of live in which they
// are done (see the file comment). live itself is not modified; without
// renames it is returned as is.
func (d *differ) renameLive(desired *spec.Config, live *model.Account) *model.Account {
	d.renames = map[Ref]string{}

	cands := make([]renameCandidate, 0, len(desired.Environments))
	for _, e := range desired.Environments {
		cands = append(cands, renameCandidate{e.CloudName, e.Previously})
	}
	envs := d.matchRenames(spec.KindEnvironment, cands, func(yield func(string, string) bool) {
		for _, e := range live.Environments {
			if !yield(e.CloudName, e.ID) {
				return
			}
		}
	})

	// Without previously: no user is renamed: no candidate list of every
	// user to find none.
	cands = nil
	if slices.ContainsFunc(desired.Users, func(u spec.User) bool { return len(u.Previously) > 0 }) {
		cands = make([]renameCandidate, 0, len(desired.Users))
		for _, u := range desired.Users {
			cands = append(cands, renameCandidate{normEmail(u.Email), u.Previously})
		}
	}
	users := d.matchRenames(spec.KindUser, cands, func(yield func(string, string) bool) {
		for _, u := range live.Users {
			if !yield(normEmail(u.Email), u.ID) {
				return
			}
		}
	})

	caseOnly := caseRenames(desired.Groups, live.Groups)
	cands = make([]renameCandidate, 0, len(desired.Groups))
	for _, g := range desired.Groups {
		cands = append(cands, renameCandidate{g.Name, append(slices.Clip(g.Previously), caseOnly[g.Name]...)})
	}
	groups := d.matchRenames(spec.KindGroup, cands, func(yield func(string, string) bool) {
		for _, g := range live.Groups {
			if !yield(g.Name, g.ID) {
				return
			}
		}
	})

	if len(envs)+len(users)+len(groups) == 0 {
		return live
	}
	return renamedView(live, envs, users, groups)
}

// caseRenames returns, for each configured group that no live group has
// exactly the name of, the one live group whose name differs only in case
// (and that no configured group names exactly), as a previous name: the
// service compares group names case-insensitively, so "Designers" is the
// live "designers", renamed in place, not a create that the service
// refuses. Several live names equal in case are left alone (ambiguous).
func caseRenames(desired []spec.Group, live []model.Group) map[string][]spec.Previous {
	exact := make(map[string]bool, len(live))
	for _, g := range live {
		exact[g.Name] = true
	}
	// Only the folded names of configured groups not live as written can
	// match: fold the live names only when there are some.
	want := map[string]bool{}
	for _, g := range desired {
		if !exact[g.Name] {
			want[foldName(g.Name)] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	folded := map[string][]string{}
	for _, g := range live {
		if k := foldName(g.Name); want[k] {
			folded[k] = append(folded[k], g.Name)
		}
	}
	configured := make(map[string]bool, len(desired))
	for _, g := range desired {
		configured[g.Name] = true
	}
	out := map[string][]spec.Previous{}
	for _, g := range desired {
		if exact[g.Name] {
			continue
		}
		if same := folded[foldName(g.Name)]; len(same) == 1 && !configured[same[0]] {
			out[g.Name] = []spec.Previous{{Name: same[0], Pos: g.Pos}}
		}
	}
	return out
}

// foldName is spec.FoldName, with a fast path for ASCII names, whose
// case folding is lower-casing A-Z.
func foldName(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return spec.FoldName(s)
		}
	}
	return strings.ToLower(s)
}

// renamedView copies live with the renames done; each map is old key →
// new key.
func renamedView(live *model.Account, envs, users, groups map[string]string) *model.Account {
	rn := func(m map[string]string, key string) string {
		if to, ok := m[key]; ok {
			return to
		}
		return key
	}
	rnList := func(m map[string]string, list []string) []string {
		if list == nil {
			return nil
		}
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = rn(m, s)
		}
		slices.Sort(out)
		return out
	}
	v := *live
	v.Environments = slices.Clone(live.Environments)
	for i := range v.Environments {
		v.Environments[i].CloudName = rn(envs, v.Environments[i].CloudName)
	}
	slices.SortFunc(v.Environments, func(a, b model.Environment) int { return strings.Compare(a.CloudName, b.CloudName) })
	v.Users = slices.Clone(live.Users)
	for i := range v.Users {
		u := &v.Users[i]
		if to, ok := users[normEmail(u.Email)]; ok {
			u.Email = to
		}
		u.Environments = rnList(envs, u.Environments)
	}
	slices.SortFunc(v.Users, func(a, b model.User) int {
		return cmpJoin(strings.Compare(a.Email, b.Email), strings.Compare(a.ID, b.ID))
	})
	v.Groups = slices.Clone(live.Groups)
	for i := range v.Groups {
		g := &v.Groups[i]
		g.Name = rn(groups, g.Name)
		members := make([]string, len(g.Members))
		for j, m := range g.Members {
			members[j] = rn(users, normEmail(m))
		}
		slices.Sort(members)
		g.Members = members
	}
	slices.SortFunc(v.Groups, func(a, b model.Group) int {
		return cmpJoin(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	if live.Permissions == nil {
		return &v
	}
	p := *live.Permissions
	v.Permissions = &p
	p.Policies = slices.Clone(p.Policies)
	for i := range p.Policies {
		p.Policies[i].Scope = rn(envs, p.Policies[i].Scope)
	}
	p.APIKeys = slices.Clone(p.APIKeys)
	for i := range p.APIKeys {
		p.APIKeys[i].Environment = rn(envs, p.APIKeys[i].Environment)
	}
	p.Assignments = slices.Clone(p.Assignments)
	for i := range p.Assignments {
		a := &p.Assignments[i]
		a.Scope = rn(envs, a.Scope)
		switch a.Principal.Kind {
		case spec.PrincipalUser:
			a.Principal.Name = rn(users, normEmail(a.Principal.Name))
		case spec.PrincipalGroup:
			a.Principal.Name = rn(groups, a.Principal.Name)
		case spec.PrincipalAPIKey:
			env, key := spec.SplitAPIKey(a.Principal.Name)
			a.Principal.Name = rn(envs, env) + "/" + key
		}
	}
	return &v
}

func cmpJoin(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// planRenames makes each matched rename a change, or part of the Update
// the object gets anyway, and then orders the changes that name renamed
// objects after the renames. It runs once every kind is planned.
func (d *differ) planRenames(desired *spec.Config) {
	if len(d.renames) == 0 {
		return
	}
	failed := map[Ref]bool{}
	for _, e := range d.plan.Errors {
		failed[e.Ref] = true
	}
	at := map[Ref]int{}
	for i, c := range d.plan.Changes {
		if c.Action == Update {
			at[c.Ref] = i
		}
	}
	refs := slices.SortedFunc(maps.Keys(d.renames), compareRefs)
	for _, ref := range refs {
		from := d.renames[ref]
		if failed[ref] || d.refused[ref] {
			continue
		}
		i, ok := at[ref]
		if !ok {
			c, ok := d.renameOnly(ref, desired)
			if !ok {
				continue
			}
			d.add(c)
			i = len(d.plan.Changes) - 1
		}
		c := &d.plan.Changes[i]
		switch v := c.Before.(type) {
		case EnvironmentValue:
			v.CloudName = from
			c.Before = v
			c.Notes = append(c.Notes, "the cloud_name is in every delivery URL of the environment's assets, which change with it; the API refuses it for environments with 1000 or more images")
		case UserValue:
			v.Email = from
			c.Before = v
			c.Notes = append(c.Notes, "the user signs in with the new email; id, groups and role assignments are kept")
		case GroupValue:
			v.Name = from
			c.Before = v
		}
		c.Fields = append([]FieldDiff{{Name: KeyField(ref.Kind), Old: quote(from), New: quote(ref.Name)}}, c.Fields...)
		c.Reason = "renamed: " + from + " is listed under previously"
	}
	d.renameDeps()
}

// renameOnly is the change for a rename with nothing else to update; its
// key fields are set by planRenames.
func (d *differ) renameOnly(ref Ref, desired *spec.Config) (Change, bool) {
	c := Change{Action: Update, Ref: ref}
	switch ref.Kind {
	case spec.KindEnvironment:
		l := d.lEnvs[ref.Name]
		if l == nil {
			return c, false
		}
		before := liveEnvironment(l)
		after := before
		if e := d.dEnvs[ref.Name]; e != nil && e.CustomAttributes != nil {
			after.CustomAttributes = cloneAttrs(e.CustomAttributes)
			c.Notes = append(c.Notes, "custom_attributes is sent again: the API never returns it, so it is not compared")
		}
		c.Before, c.After = before, after
	case spec.KindUser:
		l := d.lUsers[ref.Name]
		if l == nil {
			return c, false
		}
		c.Before, c.After = liveUser(l), liveUser(l)
	case spec.KindGroup:
		l := d.lGroups[ref.Name]
		if l == nil {
			return c, false
		}
		c.Before = GroupValue{ID: l.ID, Name: l.Name, Members: normEmails(l.Members)}
		c.After = GroupValue{ID: l.ID, Name: l.Name}
	default:
		return c, false
	}
	return c, true
}

// refWords are the kinds' words in ${kind:name} references.
var refWords = map[spec.Kind]string{spec.KindEnvironment: "environment", spec.KindUser: "user", spec.KindGroup: "group"}

// renameDeps makes every change that names a renamed object by its new
// key (a membership, a user's access, an assignment's principal or scope,
// a policy's scope or statement) depend on the rename: if the rename
// fails, they are skipped rather than applied against an account that
// still has the old name.
func (d *differ) renameDeps() {
	// renamed holds the renames the plan holds (a refused one has none).
	renamed := map[Ref]bool{}
	for i := range d.plan.Changes {
		if _, ok := d.plan.Changes[i].RenamedFrom(); ok {
			renamed[d.plan.Changes[i].Ref] = true
		}
	}
	for i := range d.plan.Changes {
		c := &d.plan.Changes[i]
		if c.Action == Delete {
			continue
		}
		var named []Ref
		env := func(cn string) { named = append(named, Ref{spec.KindEnvironment, cn}) }
		switch v := c.After.(type) {
		case EnvironmentValue:
			if v.BaseEnvironment != "" {
				env(v.BaseEnvironment)
			}
		case UserValue:
			for _, cn := range v.Environments {
				env(cn)
			}
		case MembershipValue:
			named = append(named, Ref{spec.KindGroup, v.Group}, Ref{spec.KindUser, normEmail(v.User)})
		case AssignmentValue:
			env(v.Scope)
			switch v.PrincipalType {
			case "user":
				named = append(named, Ref{spec.KindUser, normEmail(v.Principal)})
			case "group":
				named = append(named, Ref{spec.KindGroup, v.Principal})
			case "apiKey":
				if cn, _, ok := strings.Cut(v.Principal, "/"); ok {
					env(cn)
				}
			}
		case PolicyValue:
			env(v.Scope)
			for _, ref := range slices.SortedFunc(maps.Keys(renamed), compareRefs) {
				word := refWords[ref.Kind]
				if strings.Contains(v.Statement, "${"+word+":"+ref.Name+"}") ||
					ref.Kind == spec.KindEnvironment && strings.Contains(v.Statement, "${api_key:"+ref.Name+"/") {
					named = append(named, ref)
				}
			}
		}
		added := false
		for _, ref := range named {
			if ref != c.Ref && renamed[ref] && !slices.Contains(c.DependsOn, ref) {
				c.DependsOn = append(c.DependsOn, ref)
				added = true
			}
		}
		if added {
			slices.SortFunc(c.DependsOn, compareRefs)
		}
	}
}
