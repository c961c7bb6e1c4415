package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/cldsync/cldsync/pkg/planner"
)

// TextOptions configures RenderText.
type TextOptions struct {
	// Color adds ANSI colours: green creates, yellow updates, red deletes.
	Color bool
	// ListUnmanaged names the objects left alone, under their count
	// (plan -v; the drift report always does).
	ListUnmanaged bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// actionSymbol is the Terraform-like prefix of a change line.
func actionSymbol(a planner.Action) string {
	switch a {
	case planner.Create:
		return "+"
	case planner.Update:
		return "~"
	case planner.Delete:
		return "-"
	case planner.Replace:
		return "-/+"
	}
	return "?"
}

func actionColor(a planner.Action) string {
	switch a {
	case planner.Create:
		return ansiGreen
	case planner.Update:
		return ansiYellow
	case planner.Delete, planner.Replace:
		return ansiRed
	}
	return ""
}

// changeHeader is "+ create environment acme-prod".
func changeHeader(c *planner.Change) string {
	if h, ok := renameHeader(c); ok { // rename.go
		return h
	}
	if c.IsRotation() {
		return actionSymbol(c.Action) + " rotate " + planner.Noun(c.Ref.Kind) + " " + c.Ref.Name
	}
	return actionSymbol(c.Action) + " " + c.Action.String() + " " + planner.Noun(c.Ref.Kind) + " " + c.Ref.Name
}

// fieldLine is `role: "admin" → "media_library_user"` for an update and
// `role: "admin"` for a create.
func fieldLine(f planner.FieldDiff, a planner.Action) string {
	if a == planner.Create {
		return f.Name + ": " + f.New
	}
	return f.Name + ": " + f.Old + " → " + f.New
}

// RenderText writes the plan for a terminal: one block per change with its
// field lines and notes (and, for deletes, why), then unmanaged counts,
// warnings, errors, and the summary line last; when the plan has errors,
// the refusal line follows it.
func RenderText(w io.Writer, p *planner.Plan, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := painter(opts.Color)
	if len(p.Changes) > 0 {
		fmt.Fprintln(bw, "cldsync will perform the following actions:")
	}
	for i := range p.Changes {
		writeChangeText(bw, &p.Changes[i], "", paint)
	}
	if len(p.Changes) > 0 {
		fmt.Fprintln(bw)
	}
	writeRefusedText(bw, p, paint)
	writeTextFooter(bw, p, accessHeading, p.SummaryLine(), opts.ListUnmanaged, paint)
	if r := p.RefusalLine("above"); r != "" {
		fmt.Fprintln(bw, paint(ansiRed+ansiBold, r))
	}
	return bw.Flush()
}

// writeRefusedText lists the changes the guards refused, marked, after
// the planned ones: what the plan would have done.
func writeRefusedText(bw *bufio.Writer, p *planner.Plan, paint func(color, s string) string) {
	refused := p.RefusedChanges()
	if len(refused) == 0 {
		return
	}
	fmt.Fprintln(bw, "Refused, will not be applied (see the errors below):")
	for i := range refused {
		writeChangeText(bw, &refused[i], " (refused)", paint)
	}
	fmt.Fprintln(bw)
}

// writeChangeText writes one change block: its header (with suffix), its
// field lines, why a delete is planned, and its notes.
func writeChangeText(bw *bufio.Writer, c *planner.Change, suffix string, paint func(color, s string) string) {
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, paint(actionColor(c.Action), changeHeader(c)+suffix))
	for _, f := range displayFields(c) { // rename.go
		fmt.Fprintln(bw, "    "+fieldLine(f, c.Action))
	}
	// A delete's reason is its justification, so it is always shown; for
	// creates and updates the fields already say why.
	if (c.Action == planner.Delete || c.Action == planner.Replace || c.RemovesExpired()) && c.Reason != "" {
		fmt.Fprintln(bw, "    # "+c.Reason)
	}
	for _, n := range c.Notes {
		fmt.Fprintln(bw, "    # "+n)
	}
}

// writeTextFooter writes what follows the changes in the text plan and the
// text drift report alike: the access section, unmanaged counts, warnings,
// errors and the summary line.
func writeTextFooter(w *bufio.Writer, p *planner.Plan, heading, summary string, list bool, paint func(color, s string) string) {
	writeAccessText(w, p, heading, paint) // access_render.go
	if u := unmanagedPhrase(p); u != "" {
		fmt.Fprintf(w, "Left alone, not in the configuration: %s.\n", u)
		if list {
			for _, line := range unmanagedLines(p) {
				fmt.Fprintln(w, "  "+line)
			}
		}
		fmt.Fprintln(w)
	}
	for _, warn := range p.Warnings {
		fmt.Fprintln(w, paint(ansiYellow, "Warning: ")+warn)
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w)
	}
	// One error per reason, naming its objects (position first when the
	// configuration writes them).
	for _, g := range p.ErrorGroups() {
		fmt.Fprintln(w, paint(ansiRed, "Error: ")+g.Headline())
		if len(g.Errors) > 1 {
			for _, e := range g.Errors {
				fmt.Fprintln(w, "  - "+e.Object())
			}
		}
	}
	if len(p.Errors) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, paint(ansiBold, summary))
}

// painter colours a string with an ANSI code when colour is on, and leaves
// it alone otherwise (or when the code is empty).
func painter(on bool) func(color, s string) string {
	return func(color, s string) string {
		if !on || color == "" {
			return s
		}
		return color + s + ansiReset
	}
}

// countPhrase is "2 to add, 1 to destroy": each non-zero count of s with
// its word, in add, change, destroy order; "" when all are zero.
func countPhrase(s planner.Summary, add, change, destroy string) string {
	var parts []string
	for _, x := range []struct {
		n    int
		word string
	}{{s.Add, add}, {s.Change, change}, {s.Destroy, destroy}} {
		if x.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", x.n, x.word))
		}
	}
	return strings.Join(parts, ", ")
}

// unmanagedPhrase is "3 users, 1 group", in kind order, or "".
func unmanagedPhrase(p *planner.Plan) string {
	var parts []string
	for _, k := range planner.Kinds(p.Unmanaged) {
		n := p.Unmanaged[k]
		word := strings.ReplaceAll(string(k), "_", " ") // access_keys: "3 access keys"
		if n == 1 {
			word = planner.Noun(k)
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, word))
	}
	return strings.Join(parts, ", ")
}
