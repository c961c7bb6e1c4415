package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// keyFlags are plan's and apply's access-key flags.
type keyFlags struct {
	SecretsDir      string   `name:"secrets-dir" placeholder:"DIR" help:"Deliver the secrets of new access keys whose configuration names no secret: sink to files in DIR (CLOUD_NAME-NAME.env, 0600)."`
	Rotate          []string `placeholder:"ENV/NAME" help:"Rotate these access keys whatever their age: generate a new key, deliver its secret, then disable and retire the old one. Repeatable."`
	AllowKeyRemoval bool     `help:"Allow disabling or deleting the last enabled access key of an environment, which stops every application using its API."`
}

// envNow is the hidden variable that sets cldsync's clock (RFC 3339), for
// tests that move through simulated time with the emulator's clock.
const envNow = "CLDSYNC_NOW"

// clock returns the time cldsync plans with: CLDSYNC_NOW when set, else
// the time.
func clock(getenv func(string) string) (time.Time, error) {
	v := strings.TrimSpace(getenv(envNow))
	if v == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: want an RFC 3339 time such as 2026-12-01T00:00:00Z: %w", envNow, err)
	}
	return t, nil
}

// applyKeyOptions sets the access-key options of a read and a plan.
func applyKeyOptions(s streams, cfg *spec.Config, f keyFlags, read *state.Options, opts *planner.Options) error {
	now, err := clock(s.Getenv)
	if err != nil {
		return err
	}
	read.AccessKeyEnvironments = cfg.ManagesAccessKeys()
	opts.Now = now
	opts.SecretsDir = f.SecretsDir
	opts.Rotate = f.Rotate
	opts.AllowKeyRemoval = f.AllowKeyRemoval
	for _, r := range f.Rotate {
		env, name := spec.SplitAPIKey(r)
		if !slices.ContainsFunc(cfg.Environments, func(e spec.Environment) bool {
			return e.CloudName == env && slices.ContainsFunc(e.AccessKeys, func(k spec.AccessKey) bool { return k.Name == name })
		}) {
			return fmt.Errorf("--rotate %s: no such access key in the configuration (want ENV/NAME of a key under access_keys:)", r)
		}
	}
	return nil
}

// secretsCmd groups the secret commands.
type secretsCmd struct {
	Deliver secretsDeliverCmd `cmd:"" help:"Deliver the current secrets of the configuration's access keys, read from the API, to their sinks again: for a new CI system or a lost file. Prints which keys went where, never a secret."`
}

type secretsDeliverCmd struct {
	Path       string   `arg:"" optional:"" default:"." help:"Configuration file or directory."`
	SecretsDir string   `name:"secrets-dir" placeholder:"DIR" help:"Deliver the secrets of keys whose configuration names no secret: sink to files in DIR."`
	Keys       []string `name:"key" placeholder:"ENV/NAME" help:"Deliver only these keys. Repeatable; default every configured key."`
	varFlags
}

func (c *secretsDeliverCmd) Run(ctx context.Context, s streams) error {
	cfg, err := loadConfig(s, c.Path, c.varFlags)
	if err != nil {
		return err
	}
	api, err := newClient(s)
	if err != nil {
		return err
	}
	ds, err := apply.Redeliver(ctx, api, cfg, apply.RedeliverOptions{SecretsDir: c.SecretsDir, Keys: c.Keys})
	delivered, failed := 0, 0
	for _, d := range ds {
		switch {
		case d.Skipped != "":
			fmt.Fprintf(s.Stderr, "%s: skipped: %s\n", d.Key, d.Skipped)
		case d.Err != nil:
			fmt.Fprintf(s.Stderr, "%s: %v\n", d.Key, d.Err)
			failed++
		default:
			fmt.Fprintf(s.Stdout, "%s (api_key %s): delivered to %s\n", d.Key, d.APIKey, d.Sink)
			delivered++
		}
	}
	if err != nil {
		return err
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d delivered, %d failed", delivered, failed)}
	}
	return nil
}
