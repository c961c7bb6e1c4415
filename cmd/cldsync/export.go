package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cldsync/cldsync/pkg/export"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// exportCmd writes the live account as configuration: how an existing
// account adopts cldsync.
type exportCmd struct {
	Kinds       []spec.Kind `help:"Kinds to export (default: all): environments, users, groups, roles, policies, assignments. Policies name users, groups and environments, and assignments name roles: export those kinds too for a configuration that validates on its own." placeholder:"KIND,..."`
	Out         string      `help:"Directory to write one file per kind into (created if missing). Without it, one document goes to stdout." placeholder:"DIR"`
	Parallelism int         `default:"10" help:"Maximum concurrent API requests."`
}

func (c *exportCmd) Run(ctx context.Context, s streams) error {
	api, err := newClient(s)
	if err != nil {
		return err
	}
	live, err := export.Read(ctx, state.FromClient(api), c.Parallelism)
	if err != nil {
		return fmt.Errorf("read the live account: %w", err)
	}
	if c.Out == "" {
		doc, err := export.Single(live, c.Kinds)
		if err != nil {
			return err
		}
		_, err = s.Stdout.Write(doc)
		return err
	}
	files, err := export.Files(live, c.Kinds)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, f := range files {
		path := filepath.Join(c.Out, f.Name)
		if err := os.WriteFile(path, f.Content, 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(s.Stdout, "wrote %s\n", path)
	}
	return nil
}
