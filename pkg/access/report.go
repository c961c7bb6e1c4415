package access

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteText reports test results for people: one line a test, its
// position first, and under a failed test each check that failed.
func WriteText(w io.Writer, results []TestResult) error {
	for _, r := range results {
		word := "PASS"
		if !r.Pass() {
			word = "FAIL"
		}
		if _, err := fmt.Fprintf(w, "%s %s: %s\n", word, r.Pos, r.Name); err != nil {
			return err
		}
		for _, c := range r.Checks {
			if c.Pass {
				continue
			}
			if _, err := fmt.Fprintf(w, "  %s: %s\n", c.Pos, c.Line()); err != nil {
				return err
			}
		}
	}
	failed, noun := Failed(results), "access tests"
	if len(results) == 1 {
		noun = "access test"
	}
	_, err := fmt.Fprintf(w, "\n%d %s: %d passed, %d failed.\n", len(results), noun, len(results)-failed, failed)
	return err
}

// jsonReport is the shape of `cldsync test --format json`.
type jsonReport struct {
	FormatVersion string     `json:"format_version"`
	Passed        int        `json:"passed"`
	Failed        int        `json:"failed"`
	Tests         []jsonTest `json:"tests"`
}

type jsonTest struct {
	Name     string      `json:"name"`
	Position string      `json:"position"`
	Who      string      `json:"who"`
	In       string      `json:"in"`
	Pass     bool        `json:"pass"`
	Checks   []jsonCheck `json:"checks"`
}

type jsonCheck struct {
	Expect   string   `json:"expect"`
	Item     string   `json:"item"`
	Position string   `json:"position"`
	Pass     bool     `json:"pass"`
	Has      bool     `json:"has"`
	Resource string   `json:"resource,omitempty"`
	Via      []string `json:"via,omitempty"`
	Maybe    []string `json:"maybe,omitempty"`
	Message  string   `json:"message"`
}

// WriteJSON reports test results as JSON.
func WriteJSON(w io.Writer, results []TestResult) error {
	rep := jsonReport{FormatVersion: "1.0", Tests: []jsonTest{}}
	for _, r := range results {
		t := jsonTest{Name: r.Name, Position: r.Pos.String(), Who: r.Who.String(), In: r.In, Pass: r.Pass(), Checks: []jsonCheck{}}
		for _, c := range r.Checks {
			t.Checks = append(t.Checks, jsonCheck{Expect: c.Expect, Item: c.Item, Position: c.Pos.String(), Pass: c.Pass,
				Has: c.Has, Resource: c.Resource, Via: c.Via, Maybe: c.Maybe, Message: c.Why()})
		}
		if t.Pass {
			rep.Passed++
		} else {
			rep.Failed++
		}
		rep.Tests = append(rep.Tests, t)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
