package render

import (
	"fmt"

	"github.com/cldsync/cldsync/pkg/planner"
)

// maxUnmanagedListed caps the names listed per kind in text and Markdown:
// an account of 5,000 users the configuration does not list should not
// bury the plan. JSON lists them all.
const maxUnmanagedListed = 50

// unmanagedLines are the objects left alone, one a line ("user
// mallory@evil.test"), kind by kind, names sorted, at most
// maxUnmanagedListed per kind and then how many more.
func unmanagedLines(p *planner.Plan) []string {
	var out []string
	for _, k := range planner.Kinds(p.Unmanaged) {
		names := p.UnmanagedOf(k)
		for i, name := range names {
			if i == maxUnmanagedListed {
				out = append(out, fmt.Sprintf("… and %d more %s (--format json lists them all)", len(names)-i, k))
				break
			}
			out = append(out, planner.Noun(k)+" "+name)
		}
	}
	return out
}
