package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

// expiryFlags are drift's: the scheduled job removes what expired (the
// only writes drift makes, and only when asked), and may fail on stale
// invitations.
type expiryFlags struct {
	FailOnStaleInvitations bool `help:"Exit 2 (drift) when users invited longer ago than safety.stale_invitation_after (default 30d) never accepted; safety.fail_on_stale_invitations: true does the same. They are listed as warnings either way."`
	RemoveExpired          bool `help:"Before reporting, apply the plan's removals of what expired (expires: on users, group members and assignments: memberships and assignments deleted, users disabled, or deleted when users are pruned), and nothing else; needs credentials that may write. Without it drift writes nothing."`
}

// expiredOnly is the part of a plan that removes what expired.
func expiredOnly(p *planner.Plan) *planner.Plan {
	sub := &planner.Plan{FormatVersion: p.FormatVersion}
	for _, c := range p.Changes {
		if c.RemovesExpired() {
			sub.Changes = append(sub.Changes, c)
		}
	}
	return sub
}

// removeExpired applies the removals of what expired in got's plan and
// reports each to w (stderr when stdout holds only the JSON report); it
// returns how many were applied.
func removeExpired(ctx context.Context, w io.Writer, got *computed, parallelism int) (int, error) {
	sub := expiredOnly(got.plan)
	if !sub.HasChanges() {
		return 0, nil
	}
	if len(got.plan.Errors) > 0 { // a guard refused it: say so, or the job seems to have forgotten
		fmt.Fprintf(w, "Not removing what expired (%s): the plan is refused (see the errors).\n\n", count(len(sub.Changes), "change", "changes"))
		return 0, nil
	}
	// The guards judged the whole plan; this runs a part of it, which can
	// break what the rest would have kept (an access test): judge the part.
	if err := guardApplied(got, sub, "what expired"); err != nil { // apply.go
		return 0, err
	}
	startWriting(ctx) // interrupt.go
	rep := apply.Apply(ctx, apply.FromClient(got.api), sub, got.live, apply.Options{Parallelism: parallelism})
	for _, e := range rep.Entries {
		line := fmt.Sprintf("%s %s %s (%s): %s", e.Change.Action, planner.Noun(e.Change.Ref.Kind), e.Change.Ref.Name, e.Change.Reason, e.Outcome)
		if e.Err != nil {
			line += ": " + e.Err.Error()
		}
		fmt.Fprintln(w, line)
	}
	if rep.Failed() {
		return 0, &exitError{code: 1, err: fmt.Errorf("removing what expired: %d of %d changes did not apply", len(rep.Entries)-rep.Count(apply.Applied), len(rep.Entries))}
	}
	fmt.Fprintf(w, "Removed what expired: %s.\n\n", count(len(sub.Changes), "change", "changes"))
	return len(sub.Changes), nil
}

// failsOnStale is whether drift fails (exit 2) on stale invitations, by
// flag or setting.
func (f expiryFlags) failsOnStale(cfg *spec.Config) bool {
	return f.FailOnStaleInvitations || (cfg.Safety.FailOnStaleInvitations != nil && *cfg.Safety.FailOnStaleInvitations)
}

// staleDriftErr is the line a program reading drift's JSON gets on stderr
// for the job log; the report's summary line says it too.
func staleDriftErr(p *planner.Plan) error {
	return fmt.Errorf("%s, and drift fails on them (--fail-on-stale-invitations or safety.fail_on_stale_invitations)", p.StaleInvitationsLine())
}
