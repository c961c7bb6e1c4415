package spec

import "strings"

// suggest returns the candidate closest to word when it is close enough to
// be a likely typo ("enabeld" → "enabled", "Name" → "name",
// "cloudname" → "cloud_name"), or "" when none is, or when two candidates
// are equally close. Candidates are few (a mapping's keys, an enum), so
// the quadratic edit distance is cheap.
func suggest(word string, candidates []string) string {
	if word == "" {
		return ""
	}
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	}
	best, bestDist, tie := "", -1, false
	for _, c := range candidates {
		if c == word {
			return ""
		}
		d := editDistance(strings.ToLower(word), strings.ToLower(c))
		limit := max(1, len([]rune(c))/3)
		switch lw, lc := strings.ToLower(word), strings.ToLower(c); {
		case norm(word) == norm(c):
			d = 0 // differs only in case or separators
		case d > limit && len(lw) >= 3 && (strings.HasPrefix(lc, lw) || strings.HasPrefix(lw, lc)):
			d = limit // cut short, or run on: "base_env"; closer typos win
		}
		if d > limit {
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

// Suggest returns the candidate word is most likely a typo of, or "" when
// none is close or two are equally close. The CLI uses it for flag values
// (--prune, --kinds), so that they get the same suggestions as the YAML.
func Suggest(word string, candidates []string) string { return suggest(word, candidates) }

// didYouMean is ` (did you mean "x"?)` for a close candidate, else "".
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return ` (did you mean "` + s + `"?)`
	}
	return ""
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent characters
// each cost 1.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	prev2 := make([]int, len(t)+1)
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
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(t)]
}
