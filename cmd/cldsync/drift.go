package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/render"
	"github.com/cldsync/cldsync/pkg/spec"
)

// driftCmd reports how the live account differs from the configuration: a
// plan framed from the configuration's side, for scheduled jobs and alerts.
// It changes nothing; `cldsync apply` is the repair.
//
// Drift plans as if --allow-deletes and --allow-environment-deletes were
// given: the delete guards protect an apply, and a drift report that
// refused (exit 1) when much had drifted would hide exactly the drift it
// exists to report. What still refuses (protect: true, the lockout guards,
// ambiguous objects) is an error of the configuration, and exits 1.
type driftCmd struct {
	planFlags
	outputFlags
	expiryFlags                 // expire.go
	FailOnUnmanaged []spec.Kind `help:"Also report drift (exit 2) when live objects of these kinds are not in the configuration, though not pruned: for security checks, such as a user created by hand (${prune_kinds}). The report names them." placeholder:"KIND"`
}

// Validate refuses an unknown kind before anything is read.
func (c *driftCmd) Validate() error {
	if err := checkKinds("--fail-on-unmanaged", c.FailOnUnmanaged, pruneKinds); err != nil {
		return err
	}
	return c.planFlags.Validate()
}

func (c *driftCmd) Run(ctx context.Context, s streams) error {
	s.jsonErrors = c.Format == "json"
	got, err := c.drifted(ctx, s)
	if err != nil {
		// Every error before the report, --remove-expired's too: a
		// program reading JSON gets diagnostics, never an empty stdout.
		return jsonDiagnosed(s, err)
	}
	p := got.plan
	// The summary line says what the exit status counts as drift.
	p.UnmanagedDrift = unmanagedOf(p, c.FailOnUnmanaged)
	p.StaleDrift = c.failsOnStale(got.cfg) && len(p.StaleInvitations) > 0
	switch c.Format {
	case "json":
		err = render.RenderDriftJSON(s.Stdout, p)
	case "markdown":
		err = render.RenderDriftMarkdown(s.Stdout, p, render.MarkdownOptions{MaxBytes: c.MarkdownLimit})
	default:
		err = render.RenderDriftText(s.Stdout, p, render.TextOptions{Color: useColor(s)})
	}
	if err != nil {
		return err
	}
	if err := planRefused(p); err != nil {
		return err
	}
	if p.HasChanges() || p.FailingAccessTests > 0 { // an access test failing in the live account is drift
		return &exitError{code: 2}
	}
	if p.StaleDrift {
		// As below: the summary line says it; JSON gets stderr too.
		if c.Format == "json" {
			return &exitError{code: 2, err: staleDriftErr(p)} // expire.go
		}
		return &exitError{code: 2}
	}
	if p.UnmanagedDrift != "" {
		// The report's summary line says it; JSON, read by a program,
		// gets a line on stderr for the job log too.
		if c.Format == "json" {
			return &exitError{code: 2, err: fmt.Errorf("--fail-on-unmanaged: not in the configuration: %s", p.UnmanagedDrift)}
		}
		return &exitError{code: 2}
	}
	return nil
}

// drifted is the plan the report shows: with --remove-expired, what is
// left after removing what expired.
func (c *driftCmd) drifted(ctx context.Context, s streams) (*computed, error) {
	allow := deleteFlags{AllowDeletes: true, AllowEnvironmentDeletes: true}
	got, err := computePlan(ctx, s, c.planFlags, allow)
	if err != nil || !c.RemoveExpired {
		return got, err
	}
	progress := s.Stdout
	if c.Format == "json" {
		progress = s.Stderr
	}
	n, err := removeExpired(ctx, progress, got, c.Parallelism)
	if err != nil {
		return nil, err
	}
	if n > 0 { // report the drift that is left
		return computePlan(ctx, s, c.planFlags, allow)
	}
	return got, nil
}

// unmanagedOf is "1 user (mallory@evil.test)" for the objects of kinds
// that the plan leaves alone, or "".
func unmanagedOf(p *planner.Plan, kinds []spec.Kind) string {
	var parts []string
	for _, k := range planner.Kinds(p.Unmanaged) {
		if !slices.Contains(kinds, k) {
			continue
		}
		names := p.UnmanagedOf(k)
		shown := names[:min(len(names), 10)]
		more := ""
		if len(names) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(names)-len(shown))
		}
		parts = append(parts, fmt.Sprintf("%s (%s%s)", count(len(names), planner.Noun(k), strings.ReplaceAll(string(k), "_", " ")), strings.Join(shown, ", "), more))
	}
	return strings.Join(parts, "; ")
}
