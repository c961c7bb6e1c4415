package planner

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// TextOptions configures RenderText.
type TextOptions struct {
	// Color adds ANSI colours: green creates, yellow updates, red deletes.
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// SummaryLine counts the plan's changes, and scripts may match it:
// "Plan: N to add, N to change, N to destroy." or, when there is nothing to
// do, "No changes. The account matches the configuration." It is the last
// line of the text of a plan without errors. A plan with errors never says
// "No changes" (the refused objects do differ), and its text ends with
// RefusalLine after this line.
func (p *Plan) SummaryLine() string {
	s := p.Summary()
	if s.Total() == 0 && len(p.Errors) == 0 {
		return "No changes. The account matches the configuration."
	}
	return fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", s.Add, s.Change, s.Destroy)
}

// RefusalLine is the last line of the text of a plan with errors: "Plan
// refused: 2 objects (see the errors above); nothing will be applied."
// where is where the errors are ("above", "below"). It is "" for a plan
// without errors.
func (p *Plan) RefusalLine(where string) string {
	if len(p.Errors) == 0 {
		return ""
	}
	return fmt.Sprintf("Plan refused: %s (see the %s %s); nothing will be applied.",
		nounCount(p.RefusedObjects(), "object", "objects"), plural(len(p.Errors), "error", "errors"), where)
}

// RefusedObjects is how many objects the plan refused: its errors counted
// once per object.
func (p *Plan) RefusedObjects() int {
	seen := map[Ref]bool{}
	for _, e := range p.Errors {
		seen[e.Ref] = true
	}
	return len(seen)
}

// nounCount is "1 object" or "2 objects".
func nounCount(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }

// actionSymbol is the Terraform-like prefix of a change line.
func actionSymbol(a Action) string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Delete:
		return "-"
	case Replace:
		return "-/+"
	}
	return "?"
}

func actionColor(a Action) string {
	switch a {
	case Create:
		return ansiGreen
	case Update:
		return ansiYellow
	case Delete, Replace:
		return ansiRed
	}
	return ""
}

// changeHeader is "+ create environment acme-prod".
func changeHeader(c *Change) string {
	if h, ok := renameHeader(c); ok { // rename.go
		return h
	}
	return actionSymbol(c.Action) + " " + c.Action.String() + " " + Noun(c.Ref.Kind) + " " + c.Ref.Name
}

// fieldLine is `role: "admin" → "media_library_user"` for an update and
// `role: "admin"` for a create.
func fieldLine(f FieldDiff, a Action) string {
	if a == Create {
		return f.Name + ": " + f.New
	}
	return f.Name + ": " + f.Old + " → " + f.New
}

// RenderText writes the plan for a terminal: one block per change with its
// field lines and notes (and, for deletes, why), then unmanaged counts,
// warnings, errors, and the summary line last; when the plan has errors,
// the refusal line follows it.
func RenderText(w io.Writer, p *Plan, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(color, s string) string {
		if !opts.Color || color == "" {
			return s
		}
		return color + s + ansiReset
	}
	if len(p.Changes) > 0 {
		fmt.Fprintln(bw, "cldsync will perform the following actions:")
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, paint(actionColor(c.Action), changeHeader(c)))
		for _, f := range displayFields(c) { // rename.go
			fmt.Fprintln(bw, "    "+fieldLine(f, c.Action))
		}
		// A delete's reason is its justification, so it is always shown; for
		// creates and updates the fields already say why.
		if (c.Action == Delete || c.Action == Replace) && c.Reason != "" {
			fmt.Fprintln(bw, "    # "+c.Reason)
		}
		for _, n := range c.Notes {
			fmt.Fprintln(bw, "    # "+n)
		}
	}
	if len(p.Changes) > 0 {
		fmt.Fprintln(bw)
	}
	writeTextFooter(bw, p, accessHeading, p.SummaryLine(), paint)
	if r := p.RefusalLine("above"); r != "" {
		fmt.Fprintln(bw, paint(ansiRed+ansiBold, r))
	}
	return bw.Flush()
}

// writeTextFooter writes what follows the changes in the text plan and the
// text drift report alike: the access section, unmanaged counts, warnings,
// errors and the summary line.
func writeTextFooter(w *bufio.Writer, p *Plan, heading, summary string, paint func(color, s string) string) {
	writeAccessText(w, p, heading, paint) // access_render.go
	if u := unmanagedPhrase(p); u != "" {
		fmt.Fprintf(w, "Left alone, not in the configuration: %s.\n\n", u)
	}
	for _, warn := range p.Warnings {
		fmt.Fprintln(w, paint(ansiYellow, "Warning: ")+warn)
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w)
	}
	for _, e := range p.Errors {
		fmt.Fprintln(w, paint(ansiRed, "Error: ")+Noun(e.Ref.Kind)+" "+e.Ref.Name+": "+e.Message)
	}
	if len(p.Errors) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, paint(ansiBold, summary))
}

// unmanagedPhrase is "3 users, 1 group", in kind order, or "".
func unmanagedPhrase(p *Plan) string {
	var parts []string
	for _, k := range Kinds(p.Unmanaged) {
		n := p.Unmanaged[k]
		word := string(k)
		if n == 1 {
			word = Noun(k)
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, word))
	}
	return strings.Join(parts, ", ")
}
