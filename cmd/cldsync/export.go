package main

import (
	"cmp"
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
	Out         string      `help:"Directory to write one file per kind into (created if missing): environments.yaml, users.yaml and so on; a kind too large for one file continues in users.2.yaml and so on, each under 2 MiB, and parts left by an earlier export are removed. Without it, one document goes to stdout." placeholder:"DIR"`
	Force       bool        `help:"With --out, overwrite the files of DIR that export writes when they exist."`
	Parallelism int         `default:"10" help:"Maximum concurrent API requests."`
}

// Validate refuses an unknown kind before anything is read.
func (c *exportCmd) Validate() error { return checkKinds("--kinds", c.Kinds, export.Kinds) }

func (c *exportCmd) Run(ctx context.Context, s streams) error {
	if c.Out != "" && !c.Force {
		var kinds []spec.Kind
		for _, k := range export.Kinds {
			if len(c.Kinds) == 0 || slices.Contains(c.Kinds, k) {
				kinds = append(kinds, k)
			}
		}
		if err := c.refuseOverwrite(kinds); err != nil {
			return err
		}
	}
	api, err := newClient(s)
	if err != nil {
		return err
	}
	readDone := oneProcWhileReading() // procs.go
	live, err := export.Read(ctx, state.FromClient(api), c.Parallelism)
	readDone()
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
	// The kinds written: the chosen ones and those they refer to.
	var kinds []spec.Kind
	written := map[string]bool{}
	for _, f := range files {
		written[f.Name] = true
		for _, k := range export.Kinds {
			if export.IsPart(f.Name, k) && !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	if !c.Force {
		if err := c.refuseOverwrite(kinds); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	// Parts of an earlier, larger export (users.3.yaml when users now
	// fit in two) would define their objects twice: they go.
	stale, err := c.existingParts(kinds)
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(c.Out, f.Name)
		if err := os.WriteFile(path, f.Content, 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(s.Stdout, "wrote %s\n", path)
	}
	for _, path := range stale {
		if written[filepath.Base(path)] {
			continue
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(s.Stdout, "removed %s\n", path)
	}
	return nil
}

// existingParts lists the files of --out that export writes kinds into
// (users.yaml, users.2.yaml, …; export.IsPart), in the order export
// writes them: by kind as export.Kinds orders them, then by part number.
func (c *exportCmd) existingParts(kinds []spec.Kind) ([]string, error) {
	entries, err := os.ReadDir(c.Out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	type part struct {
		kind, n int
		path    string
	}
	var parts []part
	for _, e := range entries {
		for _, k := range kinds {
			if n := export.PartNumber(e.Name(), k); n > 0 {
				parts = append(parts, part{slices.Index(export.Kinds, k), n, filepath.Join(c.Out, e.Name())})
			}
		}
	}
	slices.SortFunc(parts, func(a, b part) int { return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.n, b.n)) })
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.path
	}
	return out, nil
}

// refuseOverwrite refuses when a file export writes for one of kinds
// exists in --out, as init does: before anything is read for the chosen
// kinds, and again for the kinds they turn out to refer to.
func (c *exportCmd) refuseOverwrite(kinds []spec.Kind) error {
	exist, err := c.existingParts(kinds)
	if err != nil {
		return err
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
