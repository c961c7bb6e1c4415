package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/render"
)

// applyCmd plans, shows the plan, asks for confirmation and applies it; or,
// with --plan, applies a saved plan exactly once it has checked that the
// plan still holds.
type applyCmd struct {
	planFlags
	deleteFlags
	AutoApprove bool   `help:"Apply without asking for confirmation (needed without a terminal). Ctrl-C or SIGTERM at the question cancels apply (exit status 1); while it applies, the first one starts nothing new and gives requests in flight 30s to finish, and the second aborts them."`
	Plan        string `placeholder:"FILE" help:"Apply exactly this plan, saved by plan --out, and nothing else. Refused when the file was edited, on another account, with other flags than it was planned with (named), when the configuration means something else now, when an object the plan touches changed in the live account since (named), or when a guard refuses a change it would run against the live account now. A reviewed plan is applied without asking. The configuration is read from PATH when given, else from where plan read it (plan --out records its absolute path)."`
	Format      string `enum:"text,json" default:"text" help:"Format of the final report: ${enum}. With json, stdout holds only the report (or, when an error or a refusal stops it before applying, JSON diagnostics), and the plan and progress go to stderr."`
	Rehearse    bool   `help:"Before applying, rehearse: copy the live account's shape (ids, names, relationships; no secrets) into an in-process emulator, apply the plan there and plan again. A change that fails there or a plan that is not empty afterwards stops apply with the reason, before anything is written to the account and before asking for confirmation."`
}

// Validate rejects flags that would make a saved plan mean something else.
func (c *applyCmd) Validate() error {
	if c.Plan != "" && len(c.Prune) > 0 {
		return errors.New("--prune cannot be used with --plan: the saved plan already fixes what is pruned")
	}
	return c.planFlags.Validate()
}

func (c *applyCmd) Run(ctx context.Context, kctx *kong.Context, s streams) error {
	// With --format json, stdout is the report alone (or diagnostics);
	// people read stderr.
	human := s.Stdout
	if c.Format == "json" {
		human = s.Stderr
	}
	s.jsonErrors = c.Format == "json"
	var (
		got  *computed
		plan *planner.Plan
		err  error
	)
	if c.Plan != "" {
		got, plan, err = c.checkSaved(ctx, kctx, s, human)
	} else {
		got, plan, err = c.fresh(ctx, s, human)
	}
	if err != nil {
		return jsonDiagnosed(s, err) // diagnostics.go
	}
	var rep *apply.Report
	if plan.HasChanges() {
		fmt.Fprintln(human)
		prog := newProgress(human, len(plan.Changes), isTerminal(human))
		startWriting(ctx) // interrupt.go: let requests in flight finish
		rep = apply.Apply(ctx, apply.FromClient(got.api), plan, got.live, apply.Options{Parallelism: c.Parallelism, Hooks: prog,
			VerifyAccess: !c.NoAccessDiff}) // verify.go
		prog.Close()
		fmt.Fprintln(human)
	} else {
		rep = &apply.Report{}
	}
	if c.Format == "json" {
		err = render.RenderReportJSON(s.Stdout, rep)
	} else if plan.HasChanges() {
		err = render.RenderReport(s.Stdout, rep)
	}
	if err != nil {
		return err
	}
	if rep.Failed() {
		return &exitError{code: 1}
	}
	return nil
}

// fresh plans now, shows the plan and asks for confirmation.
func (c *applyCmd) fresh(ctx context.Context, s streams, human io.Writer) (*computed, *planner.Plan, error) {
	f := c.planFlags
	if f.Path == "" {
		f.Path = "."
	}
	got, err := computePlan(ctx, s, f, c.deleteFlags)
	if err != nil {
		return nil, nil, err
	}
	if err := render.RenderText(human, got.plan, render.TextOptions{Color: useColor(s) && c.Format != "json", ListUnmanaged: c.Verbose}); err != nil {
		return nil, nil, err
	}
	if len(got.plan.Errors) > 0 {
		return nil, nil, &refusedError{errs: got.plan.Errors} // diagnostics.go
	}
	if err := guardApplied(got, got.plan, "the plan"); err != nil {
		return nil, nil, err
	}
	printEstimate(human, got, got.plan, c.Parallelism)
	if err := c.rehearse(ctx, human, got, got.plan); err != nil { // rehearse.go
		return nil, nil, err
	}
	if !got.plan.HasChanges() || c.AutoApprove {
		return got, got.plan, nil
	}
	if !s.terminal(s.Stdin) {
		return nil, nil, &exitError{code: 1, err: errors.New("apply needs confirmation: run it on a terminal, or pass --auto-approve")}
	}
	fmt.Fprint(human, "\nDo you want to perform these actions? Only 'yes' will be accepted: ")
	if !confirmed(ctx, s.Stdin) {
		return nil, nil, &exitError{code: 1, err: errors.New("apply cancelled")}
	}
	return got, got.plan, nil
}

// confirmed reads the answer to the prompt: true only for "yes". Ctrl-C
// (or SIGTERM) while it waits cancels ctx, which answers false at once, so
// one Ctrl-C cancels apply, with exit status 1 like any other answer than
// "yes" (a terminal's read would otherwise go on blocking). The read goes
// on in the background until the process exits; nothing reads its answer.
func confirmed(ctx context.Context, stdin io.Reader) bool {
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		return false
	case line := <-answer:
		// An interrupt may have come with the answer: it wins.
		return ctx.Err() == nil && strings.TrimSpace(line) == "yes"
	}
}

// checkSaved reads the saved plan and refuses it unless the configuration
// hashes the same and a fresh read of the live account gives exactly the
// same change for every object the plan touches. It returns the saved plan
// with the fresh read, whose ids apply uses.
func (c *applyCmd) checkSaved(ctx context.Context, kctx *kong.Context, s streams, human io.Writer) (*computed, *planner.Plan, error) {
	fh, err := os.Open(c.Plan)
	if err != nil {
		return nil, nil, &exitError{code: 1, err: err}
	}
	saved, err := planner.ReadSaved(fh)
	fh.Close()
	if err != nil {
		return nil, nil, &exitError{code: 1, err: fmt.Errorf("%s: %w", c.Plan, err)}
	}
	if len(saved.Plan.Errors) > 0 {
		return nil, nil, planErrors(saved.Plan)
	}
	if err := c.sameAccount(s, saved); err != nil {
		return nil, nil, err
	}
	f := c.planFlags
	f.Prune = saved.Options.Prune
	if diffs := flagDiffs(saved.Options, savedOptions(f, c.deleteFlags)); len(diffs) > 0 {
		return nil, nil, &exitError{code: 1, err: fmt.Errorf("refusing %s: it was planned with other flags, which would plan other changes:\n  %s",
			c.Plan, strings.Join(diffs, "\n  "))}
	}
	if !pathGiven(kctx) {
		f.Path = saved.ConfigPath
		if f.Path == "" {
			f.Path = "."
		}
		if _, err := os.Stat(f.Path); err != nil {
			return nil, nil, &exitError{code: 1, err: fmt.Errorf("%s was planned from the configuration %s, which is not there (%v); give the configuration's path: cldsync apply --plan %s PATH",
				c.Plan, saved.ConfigPath, errors.Unwrap(err), c.Plan)}
		}
		f.Path = displayPath(f.Path)
	}
	got, err := computePlan(ctx, s, f, c.deleteFlags)
	if err != nil {
		return nil, nil, err
	}
	_, hash, err := planner.NormalizeConfig(got.cfg)
	if err != nil {
		return nil, nil, err
	}
	stale, err := saved.Compare(got.plan)
	if err != nil {
		return nil, nil, err
	}
	untouched := saved.Untouched(got.plan)
	if hash != saved.ConfigHash {
		var names []string
		for _, st := range stale {
			names = append(names, planner.Noun(st.Ref.Kind)+" "+st.Ref.Name)
		}
		for _, r := range untouched {
			names = append(names, planner.Noun(r.Kind)+" "+r.Name)
		}
		msg := fmt.Sprintf("refusing %s: the configuration in %s changed since the plan was saved", c.Plan, f.Path)
		if vars := varDiffs(saved.Options, c.varFlags); len(vars) > 0 {
			msg += " or is read with other variables (" + strings.Join(vars, "; ") + ")"
		}
		if len(names) > 0 {
			msg += "; the change planned for these objects is now different:\n  " + strings.Join(names, "\n  ")
		}
		return nil, nil, &exitError{code: 1, err: errors.New(msg + "\nrun cldsync plan again and review the new plan")}
	}
	if len(stale) > 0 {
		lines := make([]string, len(stale))
		for i, st := range stale {
			lines[i] = st.String()
		}
		return nil, nil, &exitError{code: 1, err: fmt.Errorf("refusing %s: %s the plan touches changed in the live account since it was saved:\n  %s\nrun cldsync plan again and review the new plan",
			c.Plan, count(len(stale), "object", "objects"), strings.Join(lines, "\n  "))}
	}
	if err := guardApplied(got, saved.Plan, c.Plan); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(human, "Applying the saved plan %s (configuration %s unchanged, live account unchanged for every object it touches).\n\n", c.Plan, f.Path)
	if err := render.RenderText(human, saved.Plan, render.TextOptions{Color: useColor(s) && c.Format != "json", ListUnmanaged: c.Verbose}); err != nil {
		return nil, nil, err
	}
	if len(untouched) > 0 {
		names := make([]string, len(untouched))
		for i, r := range untouched {
			names[i] = planner.Noun(r.Kind) + " " + r.Name
		}
		fmt.Fprintf(human, "\nNote: %s changed in the live account since the plan was saved; the saved plan does not touch %s, so %s left alone: %s.\n",
			count(len(untouched), "object", "objects"), map[bool]string{true: "it", false: "them"}[len(untouched) == 1],
			map[bool]string{true: "it is", false: "they are"}[len(untouched) == 1], strings.Join(names, ", "))
	}
	printEstimate(human, got, saved.Plan, c.Parallelism)
	if err := c.rehearse(ctx, human, got, saved.Plan); err != nil { // rehearse.go
		return nil, nil, err
	}
	return got, saved.Plan, nil
}

// sameAccount refuses a plan saved against another account, before
// anything is read.
func (c *applyCmd) sameAccount(s streams, saved *planner.Saved) error {
	api, err := newClient(s)
	if err != nil {
		return err
	}
	if saved.Account != api.AccountID() {
		return &exitError{code: 1, err: fmt.Errorf("refusing %s: it was saved for account %s, this is %s; plan against this account with cldsync plan --out",
			c.Plan, saved.Account, api.AccountID())}
	}
	return nil
}

// flagDiffs names the flags that shape a plan and differ between the
// saved plan and this run: "saved with --allow-deletes; pass it again".
func flagDiffs(saved, now planner.SavedOptions) []string {
	var out []string
	for _, b := range []struct {
		flag       string
		saved, now bool
	}{
		{"--allow-deletes", saved.AllowDeletes, now.AllowDeletes},
		{"--allow-environment-deletes", saved.AllowEnvironmentDeletes, now.AllowEnvironmentDeletes},
		{"--allow-key-removal", saved.AllowKeyRemoval, now.AllowKeyRemoval},
	} {
		switch {
		case b.saved && !b.now:
			out = append(out, "saved with "+b.flag+"; pass it again")
		case !b.saved && b.now:
			out = append(out, "saved without "+b.flag+"; leave it out")
		}
	}
	out = append(out, listDiffs("--rotate", saved.Rotate, now.Rotate)...)
	// --secrets-dir says where new secrets go: another one (or none) would
	// deliver them elsewhere than the reviewed plan says.
	switch {
	case saved.SecretsDir != "" && saved.SecretsDir != now.SecretsDir:
		out = append(out, "saved with --secrets-dir "+saved.SecretsDir+"; pass it again")
	case saved.SecretsDir == "" && now.SecretsDir != "":
		out = append(out, "saved without --secrets-dir; leave it out")
	}
	return out
}

// varDiffs names the --var flags that differ from the saved plan's: they
// may be why the configuration means something else now.
func varDiffs(saved planner.SavedOptions, now varFlags) []string {
	return append(listDiffs("--var", saved.Vars, now.Var), listDiffs("--var-file", saved.VarFiles, now.VarFile)...)
}

// listDiffs names the values of a repeatable flag given at one time and
// not the other.
func listDiffs(flag string, saved, now []string) []string {
	var out []string
	for _, v := range saved {
		if !slices.Contains(now, v) {
			out = append(out, "saved with "+flag+" "+v+"; pass it again")
		}
	}
	for _, v := range now {
		if !slices.Contains(saved, v) {
			out = append(out, "saved without "+flag+" "+v+"; leave it out")
		}
	}
	return out
}

// guardApplied runs every guard on exactly the changes apply is about to
// run, against the live account just read, and refuses the whole apply
// when one is refused or depends on a change that is not there, before
// anything is written. The plan keeps the dependencies the guards add.
func guardApplied(got *computed, plan *planner.Plan, what string) error {
	runnable, unmet := planner.Unmet(plan.Changes)
	kept, refused := planner.Check(got.cfg, got.live, &planner.Plan{Changes: runnable}, got.planOpts)
	var lines []string
	for _, c := range unmet {
		lines = append(lines, planner.Noun(c.Ref.Kind)+" "+c.Ref.Name+": it depends on a change that is not in the plan")
	}
	for _, e := range refused {
		lines = append(lines, e.Line())
	}
	if len(lines) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("refusing to apply %s: the guards refuse %d of the changes it would run, judged against the live account now:\n  %s\nnothing was applied; run cldsync plan again and review the new plan",
			what, len(lines), strings.Join(lines, "\n  "))}
	}
	plan.Changes = kept
	return nil
}

// printEstimate says, before anything is applied, how many requests
// applying plan sends and about how long it takes, from the latency and
// rate-limit headers the client saw while reading the live account.
func printEstimate(w io.Writer, got *computed, plan *planner.Plan, parallelism int) {
	if !plan.HasChanges() {
		return
	}
	est := apply.EstimatePlan(plan, apply.EstimateOptionsFrom(got.api, parallelism, time.Now()))
	fmt.Fprintf(w, "\nApplying sends %s.\n", est)
}

// displayPath is path relative to the working directory when it is under
// it ("cfg" rather than "/home/ana/acme/cfg"), else path.
func displayPath(path string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(path) {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}

// pathGiven reports whether PATH was given on the command line rather than
// defaulted.
func pathGiven(kctx *kong.Context) bool {
	if kctx == nil {
		return false
	}
	for _, p := range kctx.Path {
		if p.Positional != nil && p.Positional.Name == "path" {
			return true
		}
	}
	return false
}
