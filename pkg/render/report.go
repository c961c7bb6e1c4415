package render

// The apply report: what became of each change, for people and for
// machines (schema/plan.schema.json, $defs/applyReport).

import (
	"fmt"
	"io"
	"strings"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/planner"
)

// RenderReport writes the report for people: every failure with the API's
// answer, every skipped change with its reason, and a closing count line:
// "Apply complete: 5 applied, 0 failed, 0 skipped." (or "Apply failed: …").
func RenderReport(w io.Writer, r *apply.Report) error {
	var b strings.Builder
	for _, o := range []apply.Outcome{apply.Failed, apply.Skipped} {
		var lines []string
		for _, e := range r.Entries {
			if e.Outcome != o {
				continue
			}
			detail := e.Reason
			if e.Err != nil {
				detail = e.Err.Error()
			}
			lines = append(lines, fmt.Sprintf("  %s: %s", apply.Describe(e.Change), detail))
		}
		if len(lines) > 0 {
			fmt.Fprintf(&b, "%s:\n%s\n", strings.ToUpper(o.String()[:1])+o.String()[1:], strings.Join(lines, "\n"))
		}
	}
	if len(r.Warnings) > 0 { // postcheck.go, verify.go
		b.WriteString("Warnings:\n  " + strings.Join(r.Warnings, "\n  ") + "\n")
	}
	if line := r.AccessLine(); line != "" {
		b.WriteString(line + "\n")
	}
	b.WriteString(r.SummaryLine() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// ReportFormatVersion is the version of RenderReportJSON's shape.
const ReportFormatVersion = "1.0"

// The JSON types of the report, mapped explicitly like the plan's.
type jsonReport struct {
	FormatVersion string            `json:"format_version"`
	Summary       map[string]int    `json:"summary"`
	SummaryLine   string            `json:"summary_line"`
	Changes       []jsonReportEntry `json:"changes"`
	// Warnings is left out when there are none.
	Warnings []string `json:"warnings,omitempty"`
	// AccessChecks is left out when getEffectivePolicies was not asked.
	AccessChecks int `json:"access_checks,omitempty"`
}

type jsonReportEntry struct {
	Action  string `json:"action"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// RenderReportJSON writes the report as one JSON document for machines:
// format_version, counts by outcome, the summary line, and every change of
// the plan in plan order with its outcome, the error of a failure and the
// reason of a skip.
func RenderReportJSON(w io.Writer, r *apply.Report) error {
	out := jsonReport{
		FormatVersion: ReportFormatVersion,
		Summary:       map[string]int{"applied": r.Count(apply.Applied), "failed": r.Count(apply.Failed), "skipped": r.Count(apply.Skipped)},
		SummaryLine:   r.SummaryLine(),
		Changes:       make([]jsonReportEntry, 0, len(r.Entries)),
		Warnings:      r.Warnings,
		AccessChecks:  r.AccessChecks,
	}
	for _, e := range r.Entries {
		je := jsonReportEntry{
			Action:  e.Change.Action.String(),
			Kind:    string(e.Change.Ref.Kind),
			Name:    e.Change.Ref.Name,
			Outcome: e.Outcome.String(),
			Reason:  e.Reason,
		}
		if e.Err != nil {
			je.Error = e.Err.Error()
		}
		out.Changes = append(out.Changes, je)
	}
	return planner.EncodeJSON(w, out)
}
