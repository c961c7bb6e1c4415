package render

// Rendering the effective-access diff (access.go) in the plan's three
// formats. The renderers call these; each writes nothing when the plan has
// no access changes, so plans without any keep their shape.

import (
	"bufio"
	"fmt"

	"github.com/cldsync/cldsync/pkg/planner"
)

// accessHeading and driftAccessHeading introduce the access lines of a
// plan's and a drift report's text.
const (
	accessHeading      = "Effective access changes (computed offline; conditions are not evaluated):"
	driftAccessHeading = "Repairing it changes access (computed offline; conditions are not evaluated):"
)

// accessSymbol prefixes an access line like a change: + gains, - loses.
func accessSymbol(v planner.AccessVerb) string {
	if v == planner.Gains {
		return "+"
	}
	return "-"
}

// accessColor is green for gains and red for losses; yellow for what a
// forbid or a condition qualifies, which may mean the opposite.
func accessColor(a planner.AccessChange) string {
	switch {
	case a.Conditional:
		return ansiYellow
	case a.Verb == planner.Gains:
		return ansiGreen
	}
	return ansiRed
}

// accessLine is "+ raj@acme.test gains Asset reviewer on acme-staging (via
// group designers)".
func accessLine(a planner.AccessChange) string { return accessSymbol(a.Verb) + " " + a.String() }

// writeAccessText writes the access section of a plan's text, followed by
// a blank line; nothing when there is none.
func writeAccessText(bw *bufio.Writer, p *planner.Plan, heading string, paint func(color, s string) string) {
	if len(p.Access) == 0 {
		return
	}
	fmt.Fprintln(bw, heading)
	for _, a := range p.Access {
		fmt.Fprintln(bw, "  "+paint(accessColor(a), accessLine(a)))
	}
	fmt.Fprintln(bw)
}

// maxAccessListed caps the access lines of a Markdown plan, so that a
// change reaching many people leaves room for the changes themselves.
const maxAccessListed = 100

// writeAccessMarkdown writes the access section as a diff block, whose
// +/- lines GitHub colours; no line can close the fence, since each starts
// with its symbol. Under a cap, lines that do not fit are left out.
func writeAccessMarkdown(m *mdWriter, p *planner.Plan, heading string) {
	if len(p.Access) == 0 || heading == "" {
		return
	}
	if !m.open("\n**"+heading+"** ("+accessCount(p.Access)+"; computed offline, conditions not evaluated)\n\n```diff\n"+accessLine(p.Access[0])+"\n", "```\n") {
		return
	}
	for i, a := range p.Access[1:] {
		if i+1 == maxAccessListed {
			m.write(fmt.Sprintf("# … and %d more: run `cldsync plan` to see them all\n", len(p.Access)-i-1))
			break
		}
		if !m.write(accessLine(a) + "\n") {
			break
		}
	}
	m.close()
}

// accessCount is "2 gained, 1 lost".
func accessCount(as []planner.AccessChange) string {
	gained := 0
	for _, a := range as {
		if a.Verb == planner.Gains {
			gained++
		}
	}
	return fmt.Sprintf("%d gained, %d lost", gained, len(as)-gained)
}
