package main

import (
	"context"

	"github.com/cldsync/cldsync/pkg/planner"
)

// planCmd shows what apply would change. It never changes anything.
type planCmd struct {
	planFlags
}

func (c *planCmd) Run(ctx context.Context, s streams) error {
	got, err := computePlan(ctx, s, c.planFlags)
	if err != nil {
		return err
	}
	if err := planner.RenderText(s.Stdout, got.plan, planner.TextOptions{Color: useColor(s)}); err != nil {
		return err
	}
	return planErrors(got.plan)
}
