package main

import (
	"strings"

	"github.com/alecthomas/kong"
)

// singleDashLong rewrites Terraform's single-dash long flags
// (-auto-approve, -out=plan.json, -var x=y, -no-color) into the double-dash
// form cldsync's parser reads, for the flags cldsync has. Without it kong
// reads -auto-approve as the short flags -a -u -t ... and answers "unknown
// flag -a", which says nothing to someone with Terraform's habits. Words
// after "--" are left alone, as are single letters (-v) and names that are
// no flag of cldsync's.
func singleDashLong(app *kong.Application, args []string) []string {
	long := map[string]bool{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			long[f.Name] = true
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
		if len(name) > 1 && long[name] {
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
