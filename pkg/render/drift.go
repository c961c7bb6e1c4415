package render

// Drift reports are plans seen from the other side: the configuration is
// the reference and the live account is what moved. Each change is framed
// by what is wrong with the live account, and the action apply would take
// is the repair:
//
//	create → missing: in the configuration, not in the live account
//	update → changed: differs from the configuration
//	delete → extra:   in the live account, not in the configuration (pruned)

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cldsync/cldsync/pkg/planner"
)

// Drift is the kind of difference a change repairs.
type Drift string

// The drift kinds, one per Action.
const (
	DriftMissing Drift = "missing"
	DriftChanged Drift = "changed"
	DriftExtra   Drift = "extra"
)

// DriftOf is the drift a change repairs; "" for an invalid action.
func DriftOf(a planner.Action) Drift {
	switch a {
	case planner.Create:
		return DriftMissing
	case planner.Update:
		return DriftChanged
	case planner.Delete:
		return DriftExtra
	case planner.Replace:
		return DriftChanged
	}
	return ""
}

// DriftSummaryLine is a drift report's last line of text: "Drift: N
// missing, N changed, N extra. Run `cldsync apply` to repair it." or "No
// drift. The live account matches the configuration."
//
// Access tests that fail in the live account are drift too, counted in
// the line ("Drift: 1 access test fails in the live account (see the
// warnings)."), as are stale invitations when drift fails on them
// (Plan.StaleDrift) and the objects left alone that drift
// --fail-on-unmanaged counts (Plan.UnmanagedDrift).
func DriftSummaryLine(p *planner.Plan) string {
	s := driftSummary(p)
	tests := ""
	if n := p.FailingAccessTests; n > 0 {
		tests = fmt.Sprintf("%d access %s in the live account (see the warnings)", n, planner.Plural(n, "test fails", "tests fail"))
	}
	also := func(s string) {
		if tests == "" {
			tests = s
		} else {
			tests += "; " + s
		}
	}
	if p.StaleDrift && len(p.StaleInvitations) > 0 {
		also(p.StaleInvitationsLine() + ", which drift fails on")
	}
	if p.UnmanagedDrift != "" {
		also("left alone, which --fail-on-unmanaged counts as drift: " + p.UnmanagedDrift)
	}
	switch {
	case s.Total() == 0 && tests == "":
		return "No drift. The live account matches the configuration."
	case s.Total() == 0:
		return "Drift: " + tests + "."
	case tests != "":
		tests = " " + strings.ToUpper(tests[:1]) + tests[1:] + "."
	}
	return fmt.Sprintf("Drift: %d missing, %d changed, %d extra. Run `cldsync apply` to repair it.%s", s.Add, s.Change, s.Destroy, tests)
}

// driftHeader is "~ user raj@acme.test: changed in the live account".
func driftHeader(c *planner.Change) string {
	what := ""
	switch {
	case c.RemovesExpired():
		// Still configured, with an expires: that has passed: neither
		// changed live nor left out of the configuration.
		what = "in the live account, expired in the configuration"
	case c.Action == planner.Create:
		what = "missing from the live account"
	case c.Action == planner.Update:
		what = "changed in the live account"
	case c.Action == planner.Delete:
		what = "in the live account, not in the configuration"
	case c.Action == planner.Replace:
		what = "changed in the live account (replaced to repair)"
	}
	return actionSymbol(c.Action) + " " + planner.Noun(c.Ref.Kind) + " " + c.Ref.Name + ": " + what
}

// driftFieldLine is `role: live "reports", configured "admin"` for a
// changed object and `role: "admin"` (the configured value) for a missing
// one.
func driftFieldLine(f planner.FieldDiff, a planner.Action) string {
	if a == planner.Create {
		return f.Name + ": " + f.New
	}
	return f.Name + ": live " + f.Old + ", configured " + f.New
}

func driftLines(c *planner.Change) []string {
	lines := []string{driftHeader(c)}
	for _, f := range c.Fields {
		lines = append(lines, "    "+driftFieldLine(f, c.Action))
	}
	if (c.Action == planner.Delete || c.RemovesExpired()) && c.Reason != "" {
		lines = append(lines, "    # "+c.Reason)
	}
	return lines
}

// RenderDriftText writes the plan as a drift report for a terminal: what
// differs in the live account, then unmanaged counts, warnings and errors,
// and DriftSummaryLine last.
func RenderDriftText(w io.Writer, p *planner.Plan, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := painter(opts.Color)
	if len(p.Changes) > 0 {
		fmt.Fprintln(bw, "The live account has drifted from the configuration:")
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		fmt.Fprintln(bw)
		for j, line := range driftLines(c) {
			if j == 0 {
				line = paint(actionColor(c.Action), line)
			}
			fmt.Fprintln(bw, line)
		}
	}
	if len(p.Changes) > 0 {
		fmt.Fprintln(bw)
	}
	writeTextFooter(bw, p, driftAccessHeading, DriftSummaryLine(p), true, paint) // drift always names what it leaves alone
	return bw.Flush()
}

// RenderDriftMarkdown writes the plan as a drift report for an issue or
// an alert, shaped like RenderMarkdown: the summary line first, the extra
// objects a repair would destroy called out, then one collapsed section
// per kind, cut to opts.MaxBytes with a note.
func RenderDriftMarkdown(w io.Writer, p *planner.Plan, opts MarkdownOptions) error {
	return writeMarkdown(w, p, opts, mdFrame{
		summary: DriftSummaryLine(p),
		access:  "Repairing it changes access",
		destroys: func(n int) string {
			return fmt.Sprintf("Repairing this drift with `cldsync apply` destroys %d %s:", n, planner.Plural(n, "object", "objects"))
		},
		change: func(c *planner.Change) string {
			var s string
			for _, l := range driftLines(c) {
				s += l + "\n"
			}
			return s
		},
		section: func(cs []*planner.Change) string {
			var s planner.Summary
			for _, c := range cs {
				switch c.Action {
				case planner.Create:
					s.Add++
				case planner.Update:
					s.Change++
				case planner.Delete:
					s.Destroy++
				case planner.Replace:
					s.Change++
				}
			}
			return countPhrase(s, "missing", "changed", "extra")
		},
		cut: func(shown, total int) string {
			return fmt.Sprintf("\n_The report is too long for this comment: %d of %d differences are shown. Run `cldsync drift` to see all of it._\n", shown, total)
		},
	})
}

// The drift report's JSON: published like the plan's (same format_version,
// documented in schema/plan.schema.json under $defs/driftReport), and
// built from the plan's published JSON (planner.ToJSON), so that the two
// name refs, errors and access alike.

type jsonDriftReport struct {
	FormatVersion string              `json:"format_version"`
	Report        string              `json:"report"`
	Summary       jsonDriftSummary    `json:"summary"`
	SummaryLine   string              `json:"summary_line"`
	Differences   []jsonDriftedObject `json:"differences"`
	Unmanaged     map[string]int      `json:"unmanaged"`
	// UnmanagedObjects names them, as in the plan's JSON.
	UnmanagedObjects map[string][]string `json:"unmanaged_objects,omitempty"`
	// Access is what repairing the drift does to people's and keys'
	// access, as in the plan's JSON; left out when it changes no one's.
	Access   []planner.JSONAccess `json:"access,omitempty"`
	Warnings []string             `json:"warnings"`
	Errors   []planner.JSONError  `json:"errors"`
}

type jsonDriftSummary struct {
	Missing int `json:"missing"`
	Changed int `json:"changed"`
	Extra   int `json:"extra"`
}

type jsonDriftedObject struct {
	Drift  string           `json:"drift"`
	Ref    planner.JSONRef  `json:"ref"`
	Fields []jsonDriftField `json:"fields"`
	Reason string           `json:"reason"`
	Repair string           `json:"repair"`
}

// jsonDriftField is one field that drifted; Live and Configured are JSON
// values (null when absent), as in the plan's field diffs.
type jsonDriftField struct {
	Name       string          `json:"name"`
	Live       json.RawMessage `json:"live"`
	Configured json.RawMessage `json:"configured"`
}

// RenderDriftJSON writes the plan as a drift report in JSON: a summary by
// drift kind and one entry per difference, in plan order, with the action
// apply would take to repair it, and what the repair does to access.
func RenderDriftJSON(w io.Writer, p *planner.Plan) error {
	jp, err := planner.ToJSON(p)
	if err != nil {
		return err
	}
	s := driftSummary(p)
	out := jsonDriftReport{
		FormatVersion:    jp.FormatVersion,
		Report:           "drift",
		Summary:          jsonDriftSummary{Missing: s.Add, Changed: s.Change, Extra: s.Destroy},
		SummaryLine:      DriftSummaryLine(p),
		Differences:      make([]jsonDriftedObject, 0, len(jp.Changes)),
		Unmanaged:        jp.Unmanaged,
		UnmanagedObjects: jp.UnmanagedObjects,
		Access:           jp.Access,
		Warnings:         jp.Warnings,
		Errors:           jp.Errors,
	}
	for i, jc := range jp.Changes {
		d := jsonDriftedObject{
			Drift:  string(DriftOf(p.Changes[i].Action)),
			Ref:    jc.Ref,
			Fields: make([]jsonDriftField, 0, len(jc.Fields)),
			Reason: jc.Reason,
			Repair: jc.Action,
		}
		for _, f := range jc.Fields {
			d.Fields = append(d.Fields, jsonDriftField{Name: f.Name, Live: f.Old, Configured: f.New})
		}
		out.Differences = append(out.Differences, d)
	}
	return planner.EncodeJSON(w, out)
}

// driftSummary counts changes as drift: a replace repairs one changed
// object, where the plan's summary counts it as an add and a destroy.
func driftSummary(p *planner.Plan) planner.Summary {
	s := p.Summary()
	for _, c := range p.Changes {
		if c.Action == planner.Replace {
			s.Add--
			s.Destroy--
			s.Change++
		}
	}
	return s
}
