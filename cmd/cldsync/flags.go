package main

import (
	"strings"
	"unicode"

	"github.com/alecthomas/kong"
)

// singleDashLong rewrites Terraform's single-dash long flags
// (-auto-approve, -out=plan.json, -var x=y, -no-color) into the double-dash
// form cldsync's parser reads, for the flags cldsync has. Without it kong
// reads -auto-approve as the short flags -a -u -t ... and answers "unknown
// flag -a", which says nothing to someone with Terraform's habits. A
// misspelt one (-auto-aprove) or a Terraform flag cldsync lacks (-target)
// is rewritten too, so that the error names the whole word and suggests
// the flag meant ("unknown flag --auto-aprove, did you mean
// "--auto-approve"?"), unless it starts with one of cldsync's short flags
// (-v, -cPATH) or a digit (a negative number). Words after "--" are left
// alone, as are single letters (-v).
func singleDashLong(app *kong.Application, args []string) []string {
	long := map[string]bool{}
	short := map[rune]bool{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			long[f.Name] = true
			if f.Short != 0 {
				short[f.Short] = true
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(app.Node)
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if len(name) < 2 {
			continue
		}
		first := rune(name[0])
		if long[name] || !short[first] && !unicode.IsDigit(first) {
			out[i] = "-" + a
		}
	}
	return out
}

// noColorEnv is getenv with NO_COLOR set, for --no-color: everything that
// decides on colour reads NO_COLOR through streams.Getenv.
func noColorEnv(getenv func(string) string) func(string) string {
	return func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return getenv(k)
	}
}
