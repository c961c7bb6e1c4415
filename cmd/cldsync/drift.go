package main

import (
	"context"

	"github.com/cldsync/cldsync/pkg/render"
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
	expiryFlags // expire.go
}

func (c *driftCmd) Run(ctx context.Context, s streams) error {
	allow := deleteFlags{AllowDeletes: true, AllowEnvironmentDeletes: true}
	got, err := computePlan(ctx, s, c.planFlags, allow)
	if err != nil {
		return err
	}
	if c.RemoveExpired {
		n, err := removeExpired(ctx, s, got, c.Parallelism)
		if err != nil {
			return err
		}
		if n > 0 { // report the drift that is left
			if got, err = computePlan(ctx, s, c.planFlags, allow); err != nil {
				return err
			}
		}
	}
	p := got.plan
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
	if err := c.staleDrift(got.cfg, p); err != nil { // expire.go
		return err
	}
	return nil
}
