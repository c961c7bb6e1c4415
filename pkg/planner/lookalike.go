package planner

import (
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// warnLookalikes warns about each environment, user or group the plan
// creates whose name looks like a live one's of the same kind (Cyrillic
// for Latin letters, full-width letters, composed and decomposed accents):
// the service keeps them apart, so the plan makes a second object where
// the reader sees one. The load warns about such names within the
// configuration (spec.LookalikeKey); this is the same check against the
// account. Live names are keyed only for the kinds the plan creates, so
// a plan without creates costs nothing.
func (d *differ) warnLookalikes(live *model.Account) {
	created := map[spec.Kind][]string{}
	for _, c := range d.plan.Changes {
		switch k := c.Ref.Kind; k {
		case spec.KindEnvironment, spec.KindUser, spec.KindGroup:
			if c.Action == Create {
				created[k] = append(created[k], c.Ref.Name)
			}
		}
	}
	var warnings []string
	check := func(k spec.Kind, what string, fold bool, liveNames func(yield func(string))) {
		names := created[k]
		if len(names) == 0 {
			return
		}
		// The keys of the created names, and for each the last live name
		// with that key: a map of the few creates, not of the account.
		type liveName struct {
			name string
			seen bool
		}
		nameKeys := make([]string, len(names))
		keys := make(map[string]liveName, len(names))
		for i, n := range names {
			nameKeys[i] = lookalikeKey(n, fold)
			keys[nameKeys[i]] = liveName{}
		}
		var buf []byte
		liveNames(func(n string) {
			buf = appendLookalikeKey(buf[:0], n, fold)
			if _, ok := keys[string(buf)]; ok {
				keys[string(buf)] = liveName{n, true}
			}
		})
		for i, n := range names {
			if l := keys[nameKeys[i]]; l.seen && l.name != n {
				warnings = append(warnings, fmt.Sprintf("%s %q is created, but looks like the live %s %q: %s; the service keeps them apart (write the live name to manage that one)",
					what, n, what, l.name, spec.HowDiffer(n, l.name)))
			}
		}
	}
	check(spec.KindEnvironment, "environment", false, func(yield func(string)) {
		for _, e := range live.Environments {
			yield(e.CloudName)
		}
	})
	check(spec.KindUser, "user", true, func(yield func(string)) {
		for _, u := range live.Users {
			yield(u.Email)
		}
	})
	check(spec.KindGroup, "group", true, func(yield func(string)) {
		for _, g := range live.Groups {
			yield(g.Name)
		}
	})
	slices.Sort(warnings)
	d.plan.Warnings = append(d.plan.Warnings, warnings...)
}

// lookalikeKey is spec.LookalikeKey, by table for ASCII names, which are
// most names: every live name of a kind the plan creates is keyed. An
// ASCII name's key is its characters' keys end to end: NFKC and NFD leave
// ASCII as it is, case folding and the skeleton's mapping go character by
// character, and the final NFD leaves the keys as they are when none holds
// a combining mark, which asciiLookalikeKeys checks.
func lookalikeKey(name string, fold bool) string {
	return string(appendLookalikeKey(make([]byte, 0, len(name)+8), name, fold))
}

// appendLookalikeKey appends lookalikeKey(name, fold) to b: keying a
// large account's names into one buffer allocates nothing for the ASCII
// ones.
func appendLookalikeKey(b []byte, name string, fold bool) []byte {
	table := asciiLookalikeKeys[0]()
	if fold {
		table = asciiLookalikeKeys[1]()
	}
	if table == nil {
		return append(b, spec.LookalikeKey(name, fold)...)
	}
	start := len(b)
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return append(b[:start], spec.LookalikeKey(name, fold)...)
		}
		b = append(b, table[name[i]]...)
	}
	return b
}

// asciiLookalikeKeys are the keys of the ASCII characters, unfolded and
// folded; nil if one holds a combining mark, or is not in NFD, so that
// keys would not simply join.
var asciiLookalikeKeys = [2]func() *[utf8.RuneSelf]string{
	sync.OnceValue(func() *[utf8.RuneSelf]string { return asciiKeys(false) }),
	sync.OnceValue(func() *[utf8.RuneSelf]string { return asciiKeys(true) }),
}

func asciiKeys(fold bool) *[utf8.RuneSelf]string {
	var t [utf8.RuneSelf]string
	for c := range utf8.RuneSelf {
		k := spec.LookalikeKey(string(rune(c)), fold)
		if !norm.NFD.IsNormalString(k) {
			return nil
		}
		for _, r := range k {
			if norm.NFD.PropertiesString(string(r)).CCC() != 0 {
				return nil
			}
		}
		t[c] = k
	}
	return &t
}
