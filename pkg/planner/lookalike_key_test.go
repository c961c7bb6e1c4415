package planner

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// lookalikeKey's table for ASCII names gives spec.LookalikeKey's keys:
// every ASCII character alone and next to every other (combining
// sequences, the characters the skeleton maps to several, the ones it
// drops), random ASCII names, and non-ASCII names, which take
// spec.LookalikeKey's path.
func TestLookalikeKeyMatchesSpec(t *testing.T) {
	t.Parallel()
	for _, fold := range []bool{false, true} {
		if asciiLookalikeKeys[map[bool]int{false: 0, true: 1}[fold]]() == nil {
			t.Errorf("fold %v: no ASCII table: every name goes the slow way", fold)
		}
		var names []string
		for a := range 128 {
			names = append(names, string(rune(a)))
			for b := range 128 {
				names = append(names, string([]rune{rune(a), rune(b)}))
			}
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for range 2000 {
			n := make([]byte, rng.IntN(40))
			for i := range n {
				n[i] = byte(rng.IntN(128))
			}
			names = append(names, string(n))
		}
		names = append(names, "", "Ann@Acme.test", "rn@acme.test", "m@acme.test", "I1l|", "%\"`",
			"аnn@acme.test", "Ａｃｍｅ", "e\u0301", "é", "ﬁle", "Straße", "KELVIN \u212a", "a\u0301\u0300b")
		for _, n := range names {
			if got, want := lookalikeKey(n, fold), spec.LookalikeKey(n, fold); got != want {
				t.Errorf("lookalikeKey(%q, %v) = %q, spec.LookalikeKey = %q", n, fold, got, want)
			}
		}
	}
}

// Of several live names that look like a created one, the warning names
// the last in the account's order, as it always has.
func TestLookalikeNamesTheLastLiveName(t *testing.T) {
	t.Parallel()
	created := "rn@acmе.test" // Cyrillic е
	for _, tc := range []struct {
		live []string
		want string
	}{
		{[]string{"m@acme.test", "rn@acme.test"}, `looks like the live user "rn@acme.test"`},
		{[]string{"rn@acme.test", "m@acme.test"}, `looks like the live user "m@acme.test"`},
		{[]string{"other@acme.test"}, ""},
	} {
		live := &model.Account{}
		for i, e := range tc.live {
			live.Users = append(live.Users, model.User{ID: fmt.Sprint(i), Email: e})
		}
		d := &differ{plan: &Plan{Changes: []Change{{Action: Create, Ref: Ref{spec.KindUser, created}}}}}
		d.warnLookalikes(live)
		got := strings.Join(d.plan.Warnings, "\n")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("live %q: warnings %q, want one with %q", tc.live, got, tc.want)
		}
	}
}
