package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
)

// pruneKinds are the kinds --prune (and the configuration's prune:) name.
var pruneKinds = []spec.Kind{spec.KindEnvironment, spec.KindUser, spec.KindGroup, spec.KindMembership,
	spec.KindRole, spec.KindPolicy, spec.KindAssignment}

// checkKinds refuses a kind flag value that is not one of known, with the
// closest known kind as a suggestion ("user" → "users").
func checkKinds(flag string, got []spec.Kind, known []spec.Kind) error {
	for _, k := range got {
		if slices.Contains(known, k) {
			continue
		}
		names := make([]string, len(known))
		for i, k := range known {
			names[i] = string(k)
		}
		hint := ""
		if s := closestKind(string(k), names); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fmt.Errorf("%s: unknown kind %q%s; want one of %s", flag, k, hint, strings.Join(names, ", "))
	}
	return nil
}

// closestKind returns the candidate word is a likely typo of (a singular,
// a misspelt plural, a prefix), or "" when none is close or two are
// equally close.
func closestKind(word string, candidates []string) string {
	w := strings.ToLower(strings.TrimSpace(word))
	if w == "" {
		return ""
	}
	best, bestDist, tie := "", -1, false
	for _, c := range candidates {
		d := editDistance(w, c)
		if len(w) >= 3 && strings.HasPrefix(c, w) {
			d = min(d, 1) // cut short: "env", "perm"
		}
		if d > max(2, len(c)/3) {
			continue
		}
		switch {
		case bestDist < 0 || d < bestDist:
			best, bestDist, tie = c, d, false
		case d == bestDist:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	prev := make([]int, len(t)+1)
	cur := make([]int, len(t)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(s); i++ {
		cur[0] = i
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(t)]
}
