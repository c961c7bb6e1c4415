package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/render"
)

// planCmd shows what apply would change. It never changes anything.
type planCmd struct {
	planFlags
	deleteFlags
	outputFlags
	DetailedExitcode bool   `help:"Exit 0 when there are no changes, 1 on error, 2 when there are changes."`
	Out              string `placeholder:"FILE" help:"Also save the plan to FILE, for apply --plan FILE to apply exactly it. The file holds no secrets."`
}

// outputFlags choose how a plan or drift report is written.
type outputFlags struct {
	Format        string `enum:"text,json,markdown" default:"text" help:"Output format: ${enum}. text is coloured on a terminal unless NO_COLOR is set; json is described by the JSON Schema schema/plan.schema.json in the cldsync source repository; markdown is made for a pull-request comment."`
	MarkdownLimit int    `default:"60000" placeholder:"BYTES" help:"With --format markdown, cut the output to this many bytes (GitHub comments hold 65,536 characters), with a note; 0: no limit. Default: ${default}."`
}

func (c *planCmd) Run(ctx context.Context, s streams) error {
	s.jsonErrors = c.Format == "json"
	got, err := computePlan(ctx, s, c.planFlags, c.deleteFlags)
	if err != nil {
		return jsonDiagnosed(s, err)
	}
	if err := renderPlan(s, got.plan, c.outputFlags, c.Verbose); err != nil {
		return err
	}
	if err := planRefused(got.plan); err != nil {
		return err
	}
	if c.Out != "" {
		if err := savePlan(c.Out, got, c.planFlags, c.deleteFlags); err != nil {
			return err
		}
		fmt.Fprintf(s.Stderr, "Saved the plan to %s. Apply exactly it with: cldsync apply --plan %s\n", c.Out, c.Out)
	}
	if c.DetailedExitcode && got.plan.HasChanges() {
		return &exitError{code: 2}
	}
	return nil
}

// renderPlan writes p to stdout in the chosen format.
// renderPlan writes the plan in f's format; verbose names, in text, the
// objects left alone (JSON and Markdown always do).
func renderPlan(s streams, p *planner.Plan, f outputFlags, verbose bool) error {
	switch f.Format {
	case "json":
		return render.RenderJSON(s.Stdout, p)
	case "markdown":
		return render.RenderMarkdown(s.Stdout, p, render.MarkdownOptions{MaxBytes: f.MarkdownLimit})
	}
	return render.RenderText(s.Stdout, p, render.TextOptions{Color: useColor(s), ListUnmanaged: verbose})
}

// savePlan writes the plan with what it was computed from (the account,
// the normalised configuration, the flags), through a temporary file so
// that a failed write never leaves half a plan.
func savePlan(path string, got *computed, f planFlags, allow deleteFlags) error {
	model, hash, err := planner.NormalizeConfig(got.cfg)
	if err != nil {
		return err
	}
	// Absolute, so that apply --plan finds the configuration from any
	// directory.
	configPath, err := filepath.Abs(f.Path)
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	var b bytes.Buffer
	if err := planner.WriteSaved(&b, &planner.Saved{
		CldsyncVersion: version,
		Account:        got.api.AccountID(),
		ConfigPath:     configPath,
		Model:          model,
		ConfigHash:     hash,
		Options:        savedOptions(f, allow),
		Plan:           got.plan,
	}); err != nil {
		return err
	}
	return writeFileAtomic(path, b.Bytes())
}

// savedOptions are the flags that shape a plan, as a saved plan pins them.
func savedOptions(f planFlags, allow deleteFlags) planner.SavedOptions {
	return planner.SavedOptions{
		Prune: f.Prune, AllowDeletes: allow.AllowDeletes, AllowEnvironmentDeletes: allow.AllowEnvironmentDeletes,
		AllowKeyRemoval: f.AllowKeyRemoval, Rotate: f.Rotate, SecretsDir: f.SecretsDir, Vars: f.Var, VarFiles: f.VarFile,
	}
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, bytes.NewReader(data)); err != nil {
		tmp.Close()
		return fmt.Errorf("save plan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}
