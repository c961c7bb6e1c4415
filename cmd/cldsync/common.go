package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// planFlags are shared by the commands that compute a plan. The commands
// set prune_effect (cli.go): what --prune does to the extra live objects.
type planFlags struct {
	Path        string      `arg:"" optional:"" default:"." help:"Configuration file, or directory whose *.yaml and *.yml files are merged. Default: . (the current directory)."`
	Prune       []spec.Kind `help:"Make a kind authoritative for this run (${prune_kinds}): live objects of it that the configuration does not list ${prune_effect}. Repeatable; adds to the configuration's prune:." placeholder:"KIND"`
	Parallelism int         `default:"10" help:"Maximum concurrent API requests."`
	Progress    bool        `help:"Show how far reading the live account is (requests sent of about how many it needs, objects so far) even when stderr is not a terminal, as a plain line every 5 seconds and one at the end. On a terminal it is always shown, on one line erased when the read ends, so it never stays in a log."`
	Verbose     bool        `short:"v" help:"Also name the objects left alone in the text plan (JSON, Markdown and drift always name them), and print to stderr how many API requests reading the live account sent, how long they took, how long requests waited on rate limits (summed over concurrent requests), and which way each part that the API lets us read two ways was read, with both estimates."`

	keyFlags // access_keys.go

	NoAccessDiff bool `help:"Leave out the effective-access diff: what the changes do to people's and keys' access (roles through groups, role contents, custom policies naming them), computed offline. With apply, also skips checking it afterwards through getEffectivePolicies."`

	varFlags // init.go
}

// deleteFlags lift the delete guards. plan and apply have them; drift
// plans as if both were given (drift.go).
type deleteFlags struct {
	AllowDeletes            bool `help:"Allow a plan that deletes more objects than the configuration's safety limits (safety.max_deletes, default 10; safety.max_delete_percent, default 25% of a kind with 20 or more objects). Never overrides protect: true or the master_admin lockout guard."`
	AllowEnvironmentDeletes bool `help:"Allow deleting product environments, which destroys every asset in them. Needed for any environment delete, on top of --allow-deletes when over the limits."`
}

// Validate refuses an unknown --prune kind before anything is read.
func (f *planFlags) Validate() error { return checkKinds("--prune", f.Prune, pruneKinds) }

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
// line (file:line:col first) so editors and CI annotators can jump to them,
// and its warnings to stderr.
func loadConfig(s streams, path string, vars varFlags) (*spec.Config, error) {
	cfg, err := readConfig(s, path, vars)
	if err != nil {
		return nil, err
	}
	printWarnings(s, cfg)
	return cfg, nil
}

// readConfig is loadConfig leaving the warnings to the caller: a plan
// shows them with its own (configWarnings).
func readConfig(s streams, path string, vars varFlags) (*spec.Config, error) {
	cfg, err := spec.LoadWith(path, vars.options())
	var errs spec.Errors
	if errors.As(err, &errs) {
		if !s.jsonErrors { // with --format json they go to stdout as diagnostics (diagnostics.go)
			fmt.Fprintln(s.Stderr, errs.Error())
		}
		return nil, &exitError{code: 1, err: &configErrors{msg: fmt.Sprintf("%s in %s", count(len(errs), "error", "errors"), path), errs: errs}}
	}
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	return cfg, nil
}

// configWarnings are the configuration's warnings as a plan's, position
// first: a plan says them in its text, Markdown and JSON, so that a pull
// request's comment shows a look-alike name, not only the job's stderr.
func configWarnings(cfg *spec.Config) []string {
	var out []string
	for _, w := range cfg.Warnings {
		out = append(out, fmt.Sprintf("%s: %s", w.Pos, w.Message))
	}
	return out
}

// configErrors is loadConfig's error: its message counts the errors, and
// it unwraps to them for the JSON diagnostics.
type configErrors struct {
	msg  string
	errs spec.Errors
}

func (e *configErrors) Error() string { return e.msg }
func (e *configErrors) Unwrap() error { return e.errs }

// printWarnings prints the configuration's warnings (names that look
// alike) to stderr, one a line, file:line:col first like errors.
func printWarnings(s streams, cfg *spec.Config) {
	for _, w := range cfg.Warnings {
		fmt.Fprintf(s.Stderr, "%s: warning: %s\n", w.Pos, w.Message)
	}
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
func computePlan(ctx context.Context, s streams, f planFlags, allow deleteFlags) (*computed, error) {
	cfg, err := readConfig(s, f.Path, f.varFlags)
	if err != nil {
		return nil, err
	}
	api, err := newClient(s)
	if err != nil {
		return nil, err
	}
	readOpts := state.Options{Parallelism: f.Parallelism,
		Permissions: !cfg.PermissionsOff(), APIKeyEnvironments: cfg.APIKeyEnvironments()}
	var strategies []string // plan --verbose says how each part was read, and why
	readOpts.Explain = func(c state.Choice) { strategies = append(strategies, c.String()) }
	opts := planner.Options{AllowDeletes: allow.AllowDeletes, AllowEnvironmentDeletes: allow.AllowEnvironmentDeletes}
	if err := applyKeyOptions(s, cfg, f.keyFlags, &readOpts, &opts); err != nil { // access_keys.go
		return nil, &exitError{code: 1, err: err}
	}
	var rp *readProgress
	if onTerminal := s.terminal(s.Stderr); onTerminal || f.Progress {
		rp = startReadProgress(s.Stderr, onTerminal, func() int64 { return api.Stats().Requests })
		readOpts.Progress = rp.Update
	}
	start := time.Now()
	readDone := oneProcWhileReading() // procs.go
	live, err := state.Read(ctx, state.FromClient(api), readOpts)
	readDone()
	if rp != nil {
		rp.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("read the live account: %w", err)
	}
	readStats := api.Stats() // the read alone, before policy validation
	readTime := time.Since(start)
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
	p.LocateErrors(cfg) // file:line:col for the rendered errors
	p.Warnings = append(configWarnings(cfg), p.Warnings...)
	if f.Verbose {
		fmt.Fprintln(s.Stderr, readSummary(readStats, readTime))
		for _, line := range strategies {
			fmt.Fprintln(s.Stderr, "  "+line)
		}
	}
	return &computed{cfg: cfg, live: live, plan: p, api: api, readOpts: readOpts, planOpts: opts}, nil
}

// readSummary is plan --verbose's line about reading the live account.
// The client's wait is summed over the requests that waited, which run
// concurrently, so it can exceed the read's wall-clock time: both are
// shown when there was any wait.
func readSummary(st client.Stats, elapsed time.Duration) string {
	if st.WaitedOnRateLimit+st.Throttled == 0 {
		return "Read the live account: " + st.String()
	}
	return fmt.Sprintf("Read the live account in %s: %s", elapsed.Round(time.Millisecond), st)
}

// planRefused is the exit of a plan with errors that was just rendered:
// status 1 and nothing more, since the rendered plan already shows every
// error once, with its position, and the refusal line (one stream, no
// second copy on stderr).
func planRefused(p *planner.Plan) error {
	if len(p.Errors) == 0 {
		return nil
	}
	return &exitError{code: 1}
}

// planErrors turns the errors of a plan that was not rendered (a saved
// plan given to apply) into a command error: one line per reason, its
// objects below it, position first when known.
func planErrors(p *planner.Plan) error {
	if len(p.Errors) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the plan refuses %s", count(p.RefusedObjects(), "object", "objects"))
	if n := p.RefusedObjects(); n != len(p.Errors) {
		fmt.Fprintf(&b, " (%s)", count(len(p.Errors), "error", "errors"))
	}
	b.WriteString(":")
	for _, g := range p.ErrorGroups() {
		b.WriteString("\n  " + g.Headline())
		if len(g.Errors) > 1 {
			for _, e := range g.Errors {
				b.WriteString("\n    - " + e.Object())
			}
		}
	}
	return &exitError{code: 1, err: errors.New(b.String())}
}

// isTerminal reports whether f is a terminal. /dev/null is a character
// device but not a terminal, so the file mode is not enough.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// useColor: colour only on a terminal, never with NO_COLOR.
func useColor(s streams) bool { return s.Getenv("NO_COLOR") == "" && s.terminal(s.Stdout) }
