package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// planFlags are shared by the commands that compute a plan.
type planFlags struct {
	Path        string      `arg:"" optional:"" default:"." help:"Configuration file, or directory whose *.yaml and *.yml files are merged."`
	Prune       []spec.Kind `help:"Make a kind authoritative for this run: live objects of it that the configuration does not list are deleted (${prune_kinds}). Repeatable; adds to the configuration's prune:." placeholder:"KIND"`
	Parallelism int         `default:"10" help:"Maximum concurrent API requests."`
	Verbose     bool        `short:"v" help:"Also print to stderr how many API requests reading the live account sent and how long they waited on rate limits."`

	AllowDeletes            bool `help:"Allow a plan that deletes more objects than the configuration's safety limits (safety.max_deletes, default 10; safety.max_delete_percent, default 25% of a kind with 20 or more objects). Never overrides protect: true or the master_admin lockout guard."`
	AllowEnvironmentDeletes bool `help:"Allow deleting product environments, which destroys every asset in them. Needed for any environment delete, on top of --allow-deletes when over the limits."`

	NoAccessDiff bool `help:"Leave out the effective-access diff: what the changes do to people's and keys' access (roles through groups, role contents, custom policies naming them), computed offline. With apply, also skips checking it afterwards through getEffectivePolicies."`

	varFlags // init.go
}

// computed is a plan with what it was computed from.
type computed struct {
	cfg  *spec.Config
	live *state.Account
	plan *planner.Plan
	api  *client.Client
	// readOpts and planOpts are how live was read and plan made, for a
	// rehearsal (rehearse.go) to do the same.
	readOpts state.Options
	planOpts planner.Options
}

// loadConfig loads the configuration, printing configuration errors one a
// line (file:line:col first) so editors and CI annotators can jump to them.
func loadConfig(s streams, path string, vars varFlags) (*spec.Config, error) {
	cfg, err := spec.LoadWith(path, vars.options())
	var errs spec.Errors
	if errors.As(err, &errs) {
		fmt.Fprintln(s.Stderr, errs.Error())
		return nil, &exitError{code: 1, err: fmt.Errorf("%s in %s", count(len(errs), "error", "errors"), path)}
	}
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	return cfg, nil
}

// newClient builds the API client from the environment
// (CLOUDINARY_ACCOUNT_URL or the CLOUDINARY_* variables, CLDSYNC_API_URL).
func newClient(s streams) (*client.Client, error) {
	c, err := client.NewFromEnv(s.Getenv, client.WithVersion(version), client.WithDebugWriter(s.Stderr),
		client.WithAdaptiveRateLimit())
	if err != nil {
		return nil, fmt.Errorf("configure the API client: %w", err)
	}
	return c, nil
}

// computePlan loads the configuration, reads the live account and diffs.
func computePlan(ctx context.Context, s streams, f planFlags) (*computed, error) {
	cfg, err := loadConfig(s, f.Path, f.varFlags)
	if err != nil {
		return nil, err
	}
	api, err := newClient(s)
	if err != nil {
		return nil, err
	}
	readOpts := state.Options{Parallelism: f.Parallelism,
		Permissions: !cfg.PermissionsOff(), APIKeyEnvironments: cfg.APIKeyEnvironments()}
	live, err := state.Read(ctx, state.FromClient(api), readOpts)
	if err != nil {
		return nil, fmt.Errorf("read the live account: %w", err)
	}
	readStats := api.Stats() // the read alone, before policy validation
	opts := planner.Options{AllowDeletes: f.AllowDeletes, AllowEnvironmentDeletes: f.AllowEnvironmentDeletes}
	opts.NoAccessDiff = f.NoAccessDiff
	if len(f.Prune) > 0 {
		opts.Prune = append(append([]spec.Kind{}, cfg.Prune...), f.Prune...)
	}
	p, err := planner.Diff(cfg, live, opts)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	// The service judges new and changed Cedar statements (public/validate).
	if err := planner.ValidatePolicies(ctx, p, cfg, live, state.CedarValidator(state.FromClient(api))); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	if f.Verbose {
		fmt.Fprintf(s.Stderr, "Read the live account: %s\n", readStats)
	}
	return &computed{cfg: cfg, live: live, plan: p, api: api, readOpts: readOpts, planOpts: opts}, nil
}

// planErrors turns objects the planner refused into a command error.
func planErrors(p *planner.Plan) error {
	if len(p.Errors) == 0 {
		return nil
	}
	msgs := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		msgs[i] = e.Error()
	}
	return &exitError{code: 1, err: fmt.Errorf("the plan refuses %s:\n  %s", count(len(p.Errors), "object", "objects"), strings.Join(msgs, "\n  "))}
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	fi, err := file.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// useColor: colour only on a terminal, never with NO_COLOR.
func useColor(s streams) bool { return s.Getenv("NO_COLOR") == "" && isTerminal(s.Stdout) }
