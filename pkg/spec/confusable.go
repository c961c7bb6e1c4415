package spec

// Look-alike names: two objects of one kind whose names differ but look
// the same (Cyrillic "а" for Latin "a", full-width letters, "rn" for "m",
// the same accented letter composed or decomposed) are distinct objects to
// the service and the same to a reader. Each such pair is a warning naming
// both positions: the names may be meant, so it does not stop a load.
//
// Two names look alike when their UTS #39 skeletons are equal, computed by
// go.mau.fi/util/confusable from Unicode's confusables.txt after NFKC
// (the skeleton works on the NFD form, so composed and decomposed
// spellings are alike too); for kinds the service compares case-insensitively (group names,
// emails) on the case-folded names. Names that the service takes as the
// same are duplicates, reported as errors elsewhere.

import (
	"fmt"

	"go.mau.fi/util/confusable"
	"golang.org/x/text/unicode/norm"
)

// named is one object's name, for the look-alike check.
type named struct {
	what string // "group", "user" ...
	name string
	fold bool // the service compares the names case-insensitively
	pos  Pos
}

// checkLookalikes adds a warning for each name that looks like an earlier
// name of the same kind.
func (l *loader) checkLookalikes() {
	c := &l.cfg
	var groups [][]named
	envs, users, grps := make([]named, 0, len(c.Environments)), make([]named, 0, len(c.Users)), make([]named, 0, len(c.Groups))
	roles, pols := make([]named, 0, len(c.Roles)), make([]named, 0, len(c.Policies))
	for _, e := range c.Environments {
		envs = append(envs, named{"environment", e.CloudName, false, e.Pos})
	}
	for _, u := range c.Users {
		users = append(users, named{"user", u.Email, false, u.Pos})
	}
	for _, g := range c.Groups {
		grps = append(grps, named{"group", g.Name, true, g.Pos})
	}
	for _, r := range c.Roles {
		roles = append(roles, named{"role", r.Name, false, r.Pos})
	}
	for _, p := range c.Policies {
		pols = append(pols, named{"policy", p.Key(), false, p.Pos})
	}
	groups = append(groups, envs, users, grps, roles, pols)
	for _, list := range groups {
		seen := make(map[string]named, len(list))
		for _, n := range list {
			if n.name == "" {
				continue
			}
			sk := skeleton(n)
			prev, ok := seen[sk]
			if !ok {
				seen[sk] = n
				continue
			}
			if prev.name == n.name || n.fold && FoldName(prev.name) == FoldName(n.name) {
				continue // a duplicate: an error already
			}
			l.cfg.Warnings = append(l.cfg.Warnings, Error{Pos: n.pos, Message: fmt.Sprintf(
				"%s %q looks like %s %q (at %s): %s; the service keeps them apart", n.what, n.name, prev.what, prev.name, prev.pos, howDiffer(n.name, prev.name))})
		}
	}
}

// LookalikeKey is the key under which two names of one kind look alike,
// as the load's warnings compare them; fold is set for kinds the service
// compares case-insensitively (group names, emails). The planner compares
// the names it creates with the live ones under it.
func LookalikeKey(name string, fold bool) string { return skeleton(named{name: name, fold: fold}) }

// HowDiffer says where two look-alike names first differ.
func HowDiffer(a, b string) string { return howDiffer(a, b) }

// skeleton is the key under which look-alike names are equal: the UTS #39
// skeleton of the name case-folded where the service folds it, after NFKC,
// which maps compatibility characters (full-width letters, ligatures) to
// the ones they stand for.
func skeleton(n named) string {
	s := norm.NFKC.String(n.name)
	if n.fold {
		s = FoldName(s)
	}
	return confusable.Skeleton(s)
}

// howDiffer says where two look-alike names first differ.
func howDiffer(a, b string) string {
	if norm.NFC.String(a) == norm.NFC.String(b) {
		return "they are the same text, one written composed and the other decomposed (Unicode NFC and NFD)"
	}
	ra, rb := []rune(norm.NFC.String(a)), []rune(norm.NFC.String(b))
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ra[i] != rb[i] {
			return fmt.Sprintf("this one has %s where the other has %s", describeRune(ra[i]), describeRune(rb[i]))
		}
	}
	return "they differ in characters that look alike"
}
