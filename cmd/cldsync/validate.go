package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
)

// validateCmd checks a configuration offline: schema, unique keys and
// references. It needs no credentials, so it suits pre-commit hooks and CI.
type validateCmd struct {
	Path string `arg:"" optional:"" default:"." help:"Configuration file, or directory whose *.yaml and *.yml files are merged; or a template file, checked on its own (with --var values, and defaults or examples for the rest). Default: . (the current directory)."`
	varFlags
}

func (c *validateCmd) Run(s streams) error {
	cfg, err := spec.LoadWith(c.Path, c.options())
	var errs spec.Errors
	if errors.As(err, &errs) {
		// One error a line, file:line:col first, so editors and CI
		// annotators can jump to each.
		if _, werr := fmt.Fprintln(s.Stderr, errs.Error()); werr != nil {
			return werr
		}
		return &exitError{code: 1, err: fmt.Errorf("%s in %s", count(len(errs), "error", "errors"), c.Path)}
	}
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	printWarnings(s, cfg)
	perms := ""
	if n := len(cfg.Roles) + len(cfg.Policies) + len(cfg.Assignments); n > 0 {
		perms = fmt.Sprintf(", %s, %s, %s", count(len(cfg.Roles), "role", "roles"),
			count(len(cfg.Policies), "policy", "policies"), count(len(cfg.Assignments), "assignment", "assignments"))
	}
	where := c.Path
	if n := len(cfg.Tenants); n > 0 {
		where += ", " + count(n, "tenant", "tenants")
	}
	if t := cfg.Template; t != nil {
		where += fmt.Sprintf(", a template with %s, counted for one instantiation", count(len(t.Params), "parameter", "parameters"))
		if n := len(t.Placeholders); n > 0 {
			where += fmt.Sprintf("; %s %s no value, default or example, so the values made with %s were checked for their type only",
				strings.Join(t.Placeholders, ", "), map[bool]string{true: "has", false: "have"}[n == 1], map[bool]string{true: "it", false: "them"}[n == 1])
		}
	}
	_, err = fmt.Fprintf(s.Stdout, "OK: %s, %s, %s%s (%s)\n",
		count(len(cfg.Environments), "environment", "environments"),
		count(len(cfg.Users), "user", "users"),
		count(len(cfg.Groups), "group", "groups"),
		perms, where)
	return err
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
