package planner

// Access tests as a guard (spec.AccessTest, pkg/access): each test is
// evaluated on both sides of the plan's Transition, check by check. A
// check that holds in the live account and fails on the account the plan
// leaves refuses the plan, like any guard: the plan is what breaks it. A
// check that already fails in the live account is a warning (and drift's
// report of it): the plan does not break it, and refusing it would also
// refuse the changes that repair it.

import (
	"fmt"

	"github.com/cldsync/cldsync/pkg/access"
	"github.com/cldsync/cldsync/pkg/spec"
)

// accessTestKind is the kind of the refs of access test refusals.
const accessTestKind spec.Kind = "access_tests"

// guardAccessTests evaluates the configuration's access tests before and
// after the plan.
func (d *differ) guardAccessTests(desired *spec.Config, transition func() *Transition) {
	if len(desired.AccessTests) == 0 {
		return
	}
	t := transition()
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
		if !was.Pass() {
			d.plan.FailingAccessTests++
		}
		// Check by check: a test failing live for one check still refuses
		// a plan that breaks another of its checks.
		for j, c := range now.Checks {
			switch {
			case !was.Checks[j].Pass:
				verb := "and the plan leaves it failing"
				if c.Pass {
					verb = "and the plan repairs it"
				}
				one := was
				one.Checks = was.Checks[j : j+1]
				for _, l := range access.FailureLines([]access.TestResult{one}) {
					d.warnf("%s in the live account, %s", l, verb)
				}
			case !c.Pass:
				d.plan.Errors = append(d.plan.Errors, PlanError{Ref: Ref{accessTestKind, test.Name}, Pos: c.Pos,
					Message: fmt.Sprintf("refusing the plan: it breaks this access test, which holds in the live account: %s", c.Line())})
			}
		}
	}
}
