package access

import (
	"fmt"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
)

// TestResult is the outcome of one access test.
type TestResult struct {
	Name   string
	Pos    spec.Pos
	Who    spec.Principal
	In     string
	Checks []CheckResult
}

// Pass reports whether every check of the test holds.
func (r *TestResult) Pass() bool {
	for _, c := range r.Checks {
		if !c.Pass {
			return false
		}
	}
	return true
}

// CheckResult is one item of a test's can or cannot.
type CheckResult struct {
	// Expect is "can" or "cannot"; Item is the item as written.
	Expect string
	Item   string
	Pos    spec.Pos
	Pass   bool
	// Has says whether the principal has it: holds the role, or is
	// allowed the request.
	Has bool
	// Via are the paths that give it (or, for a denied request, the
	// forbids that deny it), worded.
	Via []string
	// Resource is the resource decided, for requests.
	Resource string
	// Maybe are the permits that may allow a denied request (their
	// conditions need attributes the request does not give), worded; a
	// cannot item fails on them.
	Maybe []string
}

// Why words the result: "holds it via group admins → role Master
// Admin", "allowed on Folder::"f1" via policy ci-writes (acme-prod)",
// "not allowed: no policy permits it".
func (c CheckResult) Why() string {
	role := !strings.Contains(c.Item, " on ")
	switch {
	case role && c.Has:
		return "holds it " + strings.Join(c.Via, "; ")
	case role:
		return "does not hold it"
	case c.Has:
		return "allowed on " + c.Resource + " " + strings.Join(c.Via, "; ")
	case len(c.Maybe) > 0:
		return "may be allowed on " + c.Resource + " " + strings.Join(c.Maybe, "; ") +
			" (a condition reads attributes this request does not give, so it cannot be ruled out)"
	case len(c.Via) > 0:
		return "denied " + strings.Join(c.Via, "; ")
	}
	return "not allowed: no policy permits it"
}

// RunTests evaluates tests against the account.
func (a *Account) RunTests(tests []spec.AccessTest) []TestResult {
	out := make([]TestResult, 0, len(tests))
	for i := range tests {
		out = append(out, a.RunTest(&tests[i]))
	}
	return out
}

// RunTest evaluates one test.
func (a *Account) RunTest(t *spec.AccessTest) TestResult {
	r := TestResult{Name: t.Name, Pos: t.Pos, Who: t.Who, In: t.In}
	var ev *evaluator // built on the first request
	for _, list := range []struct {
		expect string
		checks []spec.AccessCheck
	}{{"can", t.Can}, {"cannot", t.Cannot}} {
		for _, c := range list.checks {
			cr := CheckResult{Expect: list.expect, Item: c.String(), Pos: c.Pos}
			if c.Role != "" {
				for _, h := range a.HoldsRole(t.Who, c.Role, t.In) {
					cr.Has = true
					cr.Via = append(cr.Via, a.Describe(Path{Group: h.Group, Role: h.Role, Folder: h.FolderID, Coll: h.CollectionID}))
				}
			} else {
				req, err := ParseRequest(c.Action, c.Resource, c.Context)
				if err != nil { // the configuration's checks refuse these
					cr.Via = []string{err.Error()}
					r.Checks = append(r.Checks, cr)
					continue
				}
				if ev == nil {
					ev = a.evaluator(t.Who, t.In)
				}
				d := ev.decide(req)
				cr.Has, cr.Resource = d.Allowed, ShortEntity(d.Resource)
				for _, p := range d.Paths {
					cr.Via = append(cr.Via, a.Describe(p))
				}
				if d.Undecided() {
					for _, p := range d.Maybe {
						cr.Maybe = append(cr.Maybe, a.Describe(p))
					}
				}
			}
			// A can must be allowed for sure; a cannot fails on what may
			// be allowed too: a cannot that passes for want of attributes
			// would pass for ever.
			cr.Pass = cr.Has == (list.expect == "can") && (list.expect == "can" || len(cr.Maybe) == 0)
			r.Checks = append(r.Checks, cr)
		}
	}
	return r
}

// Failed counts the failed tests.
func Failed(results []TestResult) int {
	n := 0
	for i := range results {
		if !results[i].Pass() {
			n++
		}
	}
	return n
}

// FailureLines words each failed check of the failed tests, one a line,
// for a guard's or drift's report: `access test "NAME" (FILE:L:C):
// cannot cld::role::…: holds it via group admins → role Master Admin`.
func FailureLines(results []TestResult) []string {
	var out []string
	for _, r := range results {
		for _, c := range r.Checks {
			if !c.Pass {
				out = append(out, fmt.Sprintf("access test %q (%s): %s", r.Name, c.Pos, c.Line()))
			}
		}
	}
	return out
}

// Failures words the failed checks of one result, each as Line does.
func (r *TestResult) Failures() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.Pass {
			out = append(out, c.Line())
		}
	}
	return out
}

// Line is "cannot cld::role::…: holds it via group admins → role Master
// Admin".
func (c CheckResult) Line() string { return c.Expect + " " + c.Item + ": " + c.Why() }
