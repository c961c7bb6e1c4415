package apply

import (
	"fmt"
	"io"
	"strings"

	"github.com/cldsync/cldsync/pkg/planner"
)

// RenderReport writes the report for people: every failure with the API's
// answer, every skipped change with its reason, and a closing count line:
// "Apply complete: 5 applied, 0 failed, 0 skipped." (or "Apply failed: …").
func RenderReport(w io.Writer, r *Report) error {
	var b strings.Builder
	for _, o := range []Outcome{Failed, Skipped} {
		var lines []string
		for _, e := range r.Entries {
			if e.Outcome != o {
				continue
			}
			detail := e.Reason
			if e.Err != nil {
				detail = e.Err.Error()
			}
			lines = append(lines, fmt.Sprintf("  %s: %s", describe(e.Change), detail))
		}
		if len(lines) > 0 {
			fmt.Fprintf(&b, "%s:\n%s\n", strings.ToUpper(o.String()[:1])+o.String()[1:], strings.Join(lines, "\n"))
		}
	}
	verdict := "Apply complete"
	if r.Failed() {
		verdict = "Apply failed"
	}
	fmt.Fprintf(&b, "%s: %d applied, %d failed, %d skipped.\n", verdict, r.Count(Applied), r.Count(Failed), r.Count(Skipped))
	_, err := io.WriteString(w, b.String())
	return err
}

// describe names a change for people: "create user raj@acme.test".
func describe(c planner.Change) string { return changeName(c) }

// ProgressWriter is Hooks that prints one line per finished change.
type ProgressWriter struct{ W io.Writer }

// Started implements Hooks.
func (p ProgressWriter) Started(planner.Change) {}

// Finished implements Hooks.
func (p ProgressWriter) Finished(e Entry) {
	switch e.Outcome {
	case Applied:
		fmt.Fprintf(p.W, "%s: done\n", describe(e.Change))
	case Failed:
		fmt.Fprintf(p.W, "%s: failed: %v\n", describe(e.Change), e.Err)
	case Skipped:
		fmt.Fprintf(p.W, "%s: skipped: %s\n", describe(e.Change), e.Reason)
	}
}
