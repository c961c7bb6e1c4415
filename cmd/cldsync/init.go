package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
)

// varFlags set the configuration's variables (${var:NAME}), or a
// template's parameters for init and for validate of a template. Every
// command that loads a configuration embeds them.
type varFlags struct {
	Var     []string `sep:"none" placeholder:"NAME=VALUE" help:"Set the variable NAME (written ${var:NAME} in the configuration) to VALUE, over vars: and --var-file. Repeatable."`
	VarFile []string `sep:"none" placeholder:"FILE" help:"Read variables from a YAML file of NAME: VALUE, over the configuration's vars:. Repeatable; later files win."`
}

func (v varFlags) options() spec.LoadOptions {
	return spec.LoadOptions{Vars: v.Var, VarFiles: v.VarFile}
}

// initCmd writes the configuration of a new tenant that is a whole
// account: a template instantiated once, expanded, ready for plan.
type initCmd struct {
	Template string `required:"" placeholder:"FILE" help:"The template to instantiate: a YAML file with a template: block declaring its parameters."`
	varFlags
	Out   string `default:"." placeholder:"DIR" help:"Directory to write cldsync.yaml into (created if missing). Default: . (the current directory)."`
	Force bool   `help:"Overwrite DIR/cldsync.yaml when it exists."`
}

// initFile is the name of the file init writes.
const initFile = "cldsync.yaml"

func (c *initCmd) Run(s streams) error {
	cfg, data, err := spec.Instantiate(c.Template, c.options())
	var errs spec.Errors
	if errors.As(err, &errs) {
		fmt.Fprintln(s.Stderr, errs.Error())
		return &exitError{code: 1, err: fmt.Errorf("%s in %s", count(len(errs), "error", "errors"), c.Template)}
	}
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	path := filepath.Join(c.Out, initFile)
	if _, err := os.Stat(path); err == nil && !c.Force {
		return &exitError{code: 1, err: fmt.Errorf("%s exists; refusing to overwrite it (--force to replace it)", path)}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("init: %w", err)
	}
	var b strings.Builder
	b.WriteString("# yaml-language-server: $schema=https://raw.githubusercontent.com/cldsync/cldsync/main/schema/cldsync.schema.json\n")
	fmt.Fprintf(&b, "# Written by cldsync init from %s", filepath.ToSlash(c.Template))
	if vars := cfg.Template.Vars; len(vars) > 0 {
		pairs := make([]string, 0, len(vars))
		for _, name := range slices.Sorted(maps.Keys(vars)) {
			pairs = append(pairs, name+"="+vars[name])
		}
		fmt.Fprintf(&b, " with %s", strings.Join(pairs, ", "))
	}
	b.WriteString(".\n")
	b.Write(data)
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	perms := ""
	if n := len(cfg.Roles) + len(cfg.Policies) + len(cfg.Assignments); n > 0 {
		perms = fmt.Sprintf(", %s, %s, %s", count(len(cfg.Roles), "role", "roles"),
			count(len(cfg.Policies), "policy", "policies"), count(len(cfg.Assignments), "assignment", "assignments"))
	}
	_, err = fmt.Fprintf(s.Stdout, "Wrote %s: %s, %s, %s%s.\nNext: review it, then run cldsync plan %s and cldsync apply %s.\n",
		path, count(len(cfg.Environments), "environment", "environments"), count(len(cfg.Users), "user", "users"),
		count(len(cfg.Groups), "group", "groups"), perms, c.Out, c.Out)
	return err
}
