package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/export"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// exportCmd writes the live account as configuration: how an existing
// account adopts cldsync.
type exportCmd struct {
	Kinds       []spec.Kind `help:"Kinds to export (default: all): environments (with their access keys by name and status, never a secret), users, groups, roles, policies, assignments. The objects they refer to are exported too, and only those (the environments users access; the users, groups, environments and roles that policies and assignments name), so that the configuration validates on its own." placeholder:"KIND"`
	Out         string      `help:"Directory to write one file per kind into (created if missing): environments.yaml, users.yaml and so on. Without it, one document goes to stdout." placeholder:"DIR"`
	Force       bool        `help:"With --out, overwrite the files of DIR that export writes when they exist."`
	Parallelism int         `default:"10" help:"Maximum concurrent API requests."`
}

// Validate refuses an unknown kind before anything is read.
func (c *exportCmd) Validate() error { return checkKinds("--kinds", c.Kinds, export.Kinds) }

func (c *exportCmd) Run(ctx context.Context, s streams) error {
	if c.Out != "" && !c.Force {
		var names []string
		for _, k := range export.Kinds {
			if len(c.Kinds) == 0 || slices.Contains(c.Kinds, k) {
				names = append(names, export.FileName(k))
			}
		}
		if err := c.refuseOverwrite(names); err != nil {
			return err
		}
	}
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
	if !c.Force {
		// The files of the kinds the chosen ones refer to, known now.
		var names []string
		for _, f := range files {
			names = append(names, f.Name)
		}
		if err := c.refuseOverwrite(names); err != nil {
			return err
		}
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

// refuseOverwrite refuses when one of the named files exists in --out, as
// init does: before anything is read for the chosen kinds, and again for
// the kinds they turn out to refer to.
func (c *exportCmd) refuseOverwrite(names []string) error {
	var exist []string
	for _, name := range names {
		path := filepath.Join(c.Out, name)
		if _, err := os.Lstat(path); err == nil {
			exist = append(exist, path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("export: %w", err)
		}
	}
	if len(exist) == 0 {
		return nil
	}
	verb := "exist"
	if len(exist) == 1 {
		verb = "exists"
	}
	return &exitError{code: 1, err: fmt.Errorf("%s %s; refusing to overwrite (--force to replace)", strings.Join(exist, ", "), verb)}
}
