package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/doctor"
)

type doctorCmd struct {
	Format string `enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// Run probes the account read-only and prints the report; the logic is
// pkg/doctor's.
func (c *doctorCmd) Run(ctx context.Context, s streams) error {
	cfg, err := client.ConfigFromEnv(s.Getenv)
	if err != nil {
		return fmt.Errorf("configure the API client: %w", err)
	}
	r, err := doctor.Run(ctx, cfg, doctor.Options{Version: version})
	if r != nil {
		render := doctor.RenderText
		if c.Format == "json" {
			render = doctor.RenderJSON
		}
		if rerr := render(s.Stdout, r); rerr != nil {
			return rerr
		}
	}
	if errors.Is(err, doctor.ErrRefused) {
		return &exitError{code: 1, err: fmt.Errorf("doctor: %w; the credentials sent:\n%s", err, cfg.Describe())}
	}
	return err
}
