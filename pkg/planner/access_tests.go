package planner

// Access tests as a guard (spec.AccessTest, pkg/access): each test is
// evaluated on both sides of the plan's Transition. A test that holds in
// the live account and fails on the account the plan leaves refuses the
// plan, like any guard: the plan is what breaks it. A test that already
// fails in the live account is a warning (and drift's report of it): the
// plan does not break it, and refusing it would also refuse the changes
// that repair it.

import (
	"fmt"

	"github.com/cldsync/cldsync/pkg/access"
	"github.com/cldsync/cldsync/pkg/spec"
)

// accessTestKind is the kind of the refs of access test refusals.
const accessTestKind spec.Kind = "access_tests"

// guardAccessTests evaluates the configuration's access tests before and
// after the plan.
func (d *differ) guardAccessTests(desired *spec.Config, t *Transition) {
	if len(desired.AccessTests) == 0 {
		return
	}
	why := ""
	switch lp := t.Before.Permissions; {
	case desired.PermissionsOff():
		why = "the permissions half is off (permissions: false)"
	case lp == nil:
		why = "the permissions half was not read"
	case lp.Unavailable != "":
		why = "the account has no Permissions API (" + lp.Unavailable + ")"
	}
	if why != "" { // roles and policies unknown: a cannot would pass for nothing
		d.warnf("%s not evaluated on the live or planned account: %s", nounCount(len(desired.AccessTests), "access test", "access tests"), why)
		return
	}
	before, after := access.FromState(t.Before), access.FromState(t.After)
	for i := range desired.AccessTests {
		test := &desired.AccessTests[i]
		was, now := before.RunTest(test), after.RunTest(test)
		switch {
		case !was.Pass():
			d.plan.FailingAccessTests++
			for _, l := range access.FailureLines([]access.TestResult{was}) {
				verb := "and the plan leaves it failing"
				if now.Pass() {
					verb = "and the plan repairs it"
				}
				d.warnf("%s in the live account, %s", l, verb)
			}
		case !now.Pass():
			for _, c := range now.Checks {
				if !c.Pass {
					d.plan.Errors = append(d.plan.Errors, PlanError{Ref: Ref{accessTestKind, test.Name}, Pos: c.Pos,
						Message: fmt.Sprintf("refusing the plan: it breaks this access test, which holds in the live account: %s", c.Line())})
				}
			}
		}
	}
}
