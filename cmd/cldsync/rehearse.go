package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/rehearse"
)

// rehearse runs apply --rehearse's rehearsal of plan (pkg/rehearse) when
// the flag is set and the plan has changes, and says how it went. A failed
// rehearsal is the command's error: nothing has been written then.
func (c *applyCmd) rehearse(ctx context.Context, human io.Writer, got *computed, plan *planner.Plan) error {
	if !c.Rehearse || !plan.HasChanges() {
		return nil
	}
	fmt.Fprintf(human, "\nRehearsing: applying the plan to a copy of the account in an in-process emulator...\n")
	planOpts := got.planOpts
	planOpts.NoAccessDiff = true // the re-plan is only counted
	res, err := rehearse.Run(ctx, got.cfg, got.live, plan, rehearse.Options{Read: got.readOpts, Plan: planOpts, Parallelism: c.Parallelism})
	var re *rehearse.Error
	switch {
	case errors.As(err, &re):
		return &exitError{code: 1, err: fmt.Errorf("rehearsal failed (%s); nothing was applied to the account: %s", re.Stage, re.Reason)}
	case err != nil:
		return &exitError{code: 1, err: fmt.Errorf("rehearsal: %w", err)}
	}
	fmt.Fprintf(human, "Rehearsal passed: %s applied to the copy (%s), and planning the copy again finds no changes.\n",
		count(len(res.Report.Entries), "change", "changes"), count(res.Requests, "request", "requests"))
	return nil
}
