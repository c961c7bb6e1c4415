package planner

// Display literals for field diffs, and small normalising helpers.

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// normEmails lower-cases, sorts and de-duplicates emails.
func normEmails(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = normEmail(s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func cloneAttrs(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func quote(s string) string { return strconv.Quote(s) }

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func formatAccess(all bool, list []string) string {
	if all {
		return "all"
	}
	return quoteList(list)
}

// formatAttrs renders custom attributes as compact JSON (keys sorted by
// encoding/json), falling back to fmt, which also sorts map keys.
func formatAttrs(m map[string]any) string {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Sprintf("%v", m)
	}
	return string(b)
}

// Plural is one when n is 1, else many: "1 object", "2 objects".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
