package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/secrets"
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
	envs, err := api.ProductEnvironments.List(ctx, nil)
	if err != nil {
		return fmt.Errorf("list product environments: %w", err)
	}
	ids := map[string]string{}
	for _, e := range envs {
		ids[e.CloudName] = e.ID
	}
	delivered, failed := 0, 0
	for _, e := range cfg.Environments {
		if len(e.AccessKeys) == 0 {
			continue
		}
		id, ok := ids[e.CloudName]
		if !ok {
			return fmt.Errorf("environment %s is not in the account", e.CloudName)
		}
		keys, err := state.FromClient(api).ListAccessKeys(ctx, id)
		if err != nil {
			return fmt.Errorf("list access keys of %s: %w", e.CloudName, err)
		}
		for i := range e.AccessKeys {
			dk := &e.AccessKeys[i]
			name := spec.AccessKeyName(e.CloudName, dk.Name)
			if len(c.Keys) > 0 && !slices.Contains(c.Keys, name) {
				continue
			}
			sink := dk.Secret
			if sink == nil && c.SecretsDir != "" {
				sink = &spec.SecretSink{File: planner.DefaultSecretFile(c.SecretsDir, e.CloudName, dk.Name)}
			}
			if sink == nil {
				fmt.Fprintf(s.Stderr, "%s: skipped: no secret: sink and no --secrets-dir\n", name)
				continue
			}
			idx := slices.IndexFunc(keys, func(k client.AccessKey) bool { return k.Name == dk.Name })
			if idx < 0 {
				fmt.Fprintf(s.Stderr, "%s: not in the account (apply creates it)\n", name)
				failed++
				continue
			}
			k := keys[idx]
			err := secrets.Deliver(ctx, secrets.Sink{File: sink.File, Command: sink.Command, Overwrite: sink.Overwrite},
				secrets.Key{CloudName: e.CloudName, Name: dk.Name, APIKey: k.APIKey, Secret: k.APISecret.Reveal()})
			if err != nil {
				fmt.Fprintf(s.Stderr, "%s: %v\n", name, err)
				failed++
				continue
			}
			fmt.Fprintf(s.Stdout, "%s (api_key %s): delivered to %s\n", name, k.APIKey, planner.SinkString(sink))
			delivered++
		}
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d delivered, %d failed", delivered, failed)}
	}
	return nil
}
