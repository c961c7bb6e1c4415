package render

import (
	"io"

	"github.com/cldsync/cldsync/pkg/planner"
)

// RenderJSON writes the plan's published JSON (planner.WriteJSON): one
// indented document with format_version first, documented by
// schema/plan.schema.json. Saved plans embed the same shape, which is why
// the plan model owns it.
func RenderJSON(w io.Writer, p *planner.Plan) error { return planner.WriteJSON(w, p) }
