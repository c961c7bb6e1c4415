package main

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

// jsonDiagnostics is what plan and drift --format json write to stdout
// when they cannot make a plan, in the shape of `terraform validate
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
	if errors.As(err, &errs) {
		for _, e := range errs {
			out.Diagnostics = append(out.Diagnostics, jsonDiagnostic{Severity: "error", Summary: e.Message, Range: planner.ToJSONRange(e.Pos)})
		}
	} else {
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
	if !s.jsonErrors {
		return err
	}
	if werr := writeDiagnostics(s.Stdout, s, err); werr != nil {
		return werr
	}
	return err
}
