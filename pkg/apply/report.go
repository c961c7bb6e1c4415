package apply

import (
	"fmt"
	"io"

	"github.com/cldsync/cldsync/pkg/planner"
)

// SummaryLine is the report's closing line: "Apply complete: 5 applied, 0
// failed, 0 skipped." or "Apply failed: …".
func (r *Report) SummaryLine() string {
	verdict := "Apply complete"
	if r.Failed() {
		verdict = "Apply failed"
	}
	return fmt.Sprintf("%s: %d applied, %d failed, %d skipped.", verdict, r.Count(Applied), r.Count(Failed), r.Count(Skipped))
}

// Describe names a change for people: "create user raj@acme.test",
// "rename group designers → brand", "rotate access key acme-prod/ci".
func Describe(c planner.Change) string { return changeName(c) }

// ProgressWriter is Hooks that prints one line per finished change.
type ProgressWriter struct{ W io.Writer }

// Started implements Hooks.
func (p ProgressWriter) Started(planner.Change) {}

// Finished implements Hooks.
func (p ProgressWriter) Finished(e Entry) {
	switch e.Outcome {
	case Applied:
		fmt.Fprintf(p.W, "%s: done\n", Describe(e.Change))
	case Failed:
		fmt.Fprintf(p.W, "%s: failed: %v\n", Describe(e.Change), e.Err)
	case Skipped:
		fmt.Fprintf(p.W, "%s: skipped: %s\n", Describe(e.Change), e.Reason)
	}
}
