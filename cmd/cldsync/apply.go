package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/planner"
)

// applyCmd plans, shows the plan, asks for confirmation and applies it.
type applyCmd struct {
	planFlags
	AutoApprove bool `help:"Apply without asking for confirmation (needed without a terminal)."`
}

func (c *applyCmd) Run(ctx context.Context, s streams) error {
	got, err := computePlan(ctx, s, c.planFlags)
	if err != nil {
		return err
	}
	if err := planner.RenderText(s.Stdout, got.plan, planner.TextOptions{Color: useColor(s)}); err != nil {
		return err
	}
	if err := planErrors(got.plan); err != nil {
		return err
	}
	if !got.plan.HasChanges() {
		return nil
	}
	if !c.AutoApprove {
		if !isTerminal(s.Stdin) {
			return &exitError{code: 1, err: errors.New("apply needs confirmation: run it on a terminal, or pass --auto-approve")}
		}
		fmt.Fprint(s.Stdout, "\nDo you want to perform these actions? Only 'yes' will be accepted: ")
		answer, _ := bufio.NewReader(s.Stdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			return &exitError{code: 1, err: errors.New("apply cancelled")}
		}
	}
	fmt.Fprintln(s.Stdout)
	rep := apply.Apply(ctx, got.api, got.plan, got.live, apply.Options{
		Parallelism: c.Parallelism,
		Hooks:       apply.ProgressWriter{W: s.Stdout},
	})
	fmt.Fprintln(s.Stdout)
	if err := apply.RenderReport(s.Stdout, rep); err != nil {
		return err
	}
	if rep.Failed() {
		return &exitError{code: 1}
	}
	return nil
}
