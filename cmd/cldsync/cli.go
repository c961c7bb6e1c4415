package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// cli is the whole command line. Each command is a struct with a Run method
// in its own file; dependencies are bound in Main, never read from globals.
type cli struct {
	VersionFlag kong.VersionFlag `name:"version" help:"Print the cldsync version and exit."`
	NoColor     bool             `name:"no-color" help:"Print no colour, as NO_COLOR=1 does (colour is used only on a terminal). Flags also take Terraform's single dash: -auto-approve, -no-color, -out=FILE."`

	Plan     planCmd     `cmd:"" set:"prune_effect=are deleted" help:"Show what apply would change in the live account. Changes nothing."`
	Apply    applyCmd    `cmd:"" set:"prune_effect=are deleted" help:"Plan, confirm, then make the live account match the configuration; or apply exactly a plan saved by plan --out (--plan FILE)."`
	Export   exportCmd   `cmd:"" help:"Write the live account as configuration that plan reports as no changes."`
	Init     initCmd     `cmd:"" help:"Write the configuration of a new tenant that is a whole account, from a template: cldsync init --template FILE --var NAME=VALUE ... [--out DIR]; plan and apply then create it."`
	Version  versionCmd  `cmd:"" help:"Print the cldsync version."`
	Emulator emulatorCmd `cmd:"" help:"Serve an in-memory emulator of Cloudinary's Account Provisioning and Permissions APIs. Prints its base URL as the first line of stdout, then serves until interrupted."`
	Validate validateCmd `cmd:"" help:"Check a configuration file or directory offline, printing every error as file:line:col."`
	Access   accessCmd   `cmd:"" help:"Ask who may do what, from the configuration or (--live) the live account: access who-can ACTION [on RESOURCE] in ENV; access of PRINCIPAL."`
	Test     testCmd     `cmd:"" help:"Run the configuration's access tests (access_tests:) against the desired account, offline: prints PASS or FAIL with each test's file:line:col; exits 0 when all pass, 1 when any fails."`
	Doctor   doctorCmd   `cmd:"" help:"Probe the live account read-only and print a short report to paste into a bug report: credentials and region, which API halves answer, rate-limit headers, page sizes, and whether each answer has the spec's shape or the live service's (docs/live-api.md). Needs the Account API credentials; sends only GET requests; shows no secret."`
	Secrets  secretsCmd  `cmd:"" help:"Deliver access keys' secrets to their sinks (cldsync secrets deliver)."`
	Drift    driftCmd    `cmd:"" set:"prune_effect=are reported as extra (drift deletes nothing)" help:"Report how the live account differs from the configuration. Changes nothing (unless --remove-expired); delete limits are off (a large drift is reported, not refused); exits 0 when clean, 2 on drift, 1 on error or when protect or a lockout guard refuses."`

	GithubComment githubCommentCmd `cmd:"" name:"github-comment" help:"Post a Markdown file (such as plan --format markdown) as a pull-request comment, updating the one posted before. For CI; reads GITHUB_TOKEN."`
}

// exitError carries a specific exit code out of a command's Run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// streams are the standard streams of one invocation, bound into every Run.
type streams struct {
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader
	Getenv func(string) string
	// jsonErrors is set by the commands whose --format json also carries
	// their errors, to stdout (diagnostics.go): configuration errors are
	// not printed to Stderr then.
	jsonErrors bool
	// Terminal reports whether a stream is a terminal; nil means
	// isTerminal. Tests set it to drive apply's confirmation prompt
	// through a pipe.
	Terminal func(any) bool
}

// terminal reports whether f is a terminal, through s.Terminal if set.
func (s streams) terminal(f any) bool {
	if s.Terminal != nil {
		return s.Terminal(f)
	}
	return isTerminal(f)
}

// interruptSignals are handled as Ctrl-C is (interrupt.go): SIGTERM too,
// which is how CI systems cancel a job, so that a cancelled apply drains
// and reports rather than dying half way.
var interruptSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// Main runs cldsync with args (without the program name) and returns the
// process exit code. Tests and testscript call it directly.
func Main(args []string, stdout, stderr io.Writer) int {
	return run(context.Background(), args, streams{Stdout: stdout, Stderr: stderr, Stdin: os.Stdin, Getenv: os.Getenv})
}

func run(ctx context.Context, args []string, s streams) (code int) {
	var c cli
	exited := false
	parser, err := kong.New(&c,
		kong.Name("cldsync"),
		kong.Description(description),
		kong.UsageOnError(),
		kong.Writers(s.Stdout, s.Stderr),
		kong.Exit(func(c int) { exited = true; code = c; panic(kongExit{}) }),
		kongVars(),
	)
	if err != nil {
		fmt.Fprintf(s.Stderr, "cldsync: %v\n", err)
		return 1
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(kongExit); ok && exited {
				return
			}
			panic(r)
		}
	}()
	kctx, err := parser.Parse(singleDashLong(parser.Model, args)) // flags.go
	if err != nil {
		parser.Errorf("%s", err)
		return 1
	}
	// The first Ctrl-C (or SIGTERM) stops new work and lets requests in
	// flight finish; the second aborts them (interrupt.go).
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, interruptSignals...)
	defer signal.Stop(sigs)
	ctx, release := onInterrupt(ctx, sigs, s.Stderr, interruptGrace, func() { signal.Stop(sigs) })
	defer release()
	if c.NoColor {
		s.Getenv = noColorEnv(s.Getenv)
	}
	kctx.BindTo(ctx, (*context.Context)(nil))
	kctx.Bind(s)
	if err := kctx.Run(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintf(s.Stderr, "cldsync: %v\n", explain(s, ee.err))
			}
			return ee.code
		}
		fmt.Fprintf(s.Stderr, "cldsync: %v\n", explain(s, err))
		return 1
	}
	return 0
}

// explain adds to a command's error what the user can do about it
// (credentials.go).
func explain(s streams, err error) error {
	return explainPermission(os.Getuid(), explainUnauthorized(s.Getenv, err))
}

// description is the top-level help text: what cldsync is, and the
// environment it reads (pkg/client's EnvAccountURL and friends).
const description = `Manage a Cloudinary account (product environments, users, groups, roles and policies) as code.

Environment: plan, apply, drift and export read the account's credentials from CLOUDINARY_ACCOUNT_URL=account://KEY:SECRET@ACCOUNT_ID (percent-encode characters such as / ? # % in the secret), or from CLOUDINARY_ACCOUNT_ID, CLOUDINARY_PROVISIONING_API_KEY and CLOUDINARY_PROVISIONING_API_SECRET, which win over the URL. CLOUDINARY_REGION picks the API host (api, api-eu or api-ap); CLDSYNC_API_URL replaces the API base URL (such as the emulator's); CLDSYNC_DEBUG=1 logs every request to stderr, credentials redacted; NO_COLOR (or --no-color) turns colour off.`

// kongVars are the variables interpolated into help text; tests that parse
// command lines use them too. version is what --version prints.
func kongVars() kong.Vars {
	return kong.Vars{"version": "cldsync " + version, "prune_kinds": "environments, users, groups, memberships, access_keys, roles, policies, assignments",
		"prune_effect": "are deleted"}
}

// kongExit unwinds kong's exit hook (help, usage errors) back into run.
type kongExit struct{}
