package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

// jsonDiagnostics is what plan, drift and apply --format json write to
// stdout when they cannot make a plan (apply: or it is refused), in the shape of `terraform validate
// -json`: a program reading stdout gets JSON on error too, with positions.
type jsonDiagnostics struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

type jsonDiagnostic struct {
	Severity string             `json:"severity"`
	Summary  string             `json:"summary"`
	Range    *planner.JSONRange `json:"range,omitempty"`
}

// writeDiagnostics writes err as JSON diagnostics: one per configuration
// error, at its position, or one for any other error (explained as on
// stderr).
func writeDiagnostics(w io.Writer, s streams, err error) error {
	out := jsonDiagnostics{FormatVersion: planner.FormatVersion}
	var errs spec.Errors
	var refused *refusedError
	switch {
	case errors.As(err, &errs):
		for _, e := range errs {
			out.Diagnostics = append(out.Diagnostics, jsonDiagnostic{Severity: "error", Summary: e.Message, Range: planner.ToJSONRange(e.Pos)})
		}
	case errors.As(err, &refused):
		for _, e := range refused.errs {
			summary := e.Line()
			if e.Pos.Line > 0 { // the range says where
				summary = strings.TrimPrefix(summary, e.Pos.String()+": ")
			}
			out.Diagnostics = append(out.Diagnostics, jsonDiagnostic{Severity: "error", Summary: summary, Range: planner.ToJSONRange(e.Pos)})
		}
	default:
		out.Diagnostics = []jsonDiagnostic{{Severity: "error", Summary: explain(s, err).Error()}}
	}
	out.ErrorCount = len(out.Diagnostics)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// jsonDiagnosed writes err to stdout as JSON diagnostics when the command's
// output is JSON, and returns it: stderr still gets its one-line summary
// for a human reading the job log.
func jsonDiagnosed(s streams, err error) error {
	if s.jsonErrors {
		if werr := writeDiagnostics(s.Stdout, s, err); werr != nil {
			return werr
		}
	}
	var refused *refusedError
	if errors.As(err, &refused) { // the plan's text said it
		return &exitError{code: 1}
	}
	return err
}

// refusedError is a plan the guards or the planner refused, for a command
// whose JSON output is not the plan (apply): its diagnostics are the
// plan's errors, each at its position. The plan's text has said them
// already, so it adds no line to stderr.
type refusedError struct{ errs []planner.PlanError }

func (e *refusedError) Error() string {
	return fmt.Sprintf("the plan refuses %s", count(len(e.errs), "object", "objects"))
}
