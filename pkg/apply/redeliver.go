package apply

import (
	"context"
	"fmt"
	"slices"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/secrets"
	"github.com/cldsync/cldsync/pkg/spec"
)

// RedeliverOptions tune Redeliver.
type RedeliverOptions struct {
	// SecretsDir is the sink of keys whose configuration names none.
	SecretsDir string
	// Keys limits the delivery to these keys ("cloud_name/name"); each must
	// be configured. Empty means every configured key.
	Keys []string
}

// Delivery is what Redeliver did with one key: delivered (Err nil,
// Skipped empty), skipped with the reason, or failed.
type Delivery struct {
	Key     string // "cloud_name/name"
	APIKey  string
	Sink    string // planner.SinkString
	Skipped string
	Err     error
}

// Redeliver sends the current secrets of the configuration's access keys,
// as the API returns them, to their sinks again: for a new CI system or a
// lost file (`cldsync secrets deliver`). It reads (one listing per
// environment) and writes nothing to the account. The error is for what
// stops it all (an unknown key asked for, a failed listing); each key's
// outcome is in its Delivery.
func Redeliver(ctx context.Context, c *client.Client, cfg *spec.Config, opts RedeliverOptions) ([]Delivery, error) {
	want := map[string]bool{}
	for _, k := range opts.Keys {
		want[k] = true
	}
	for _, e := range cfg.Environments {
		for _, k := range e.AccessKeys {
			delete(want, spec.AccessKeyName(e.CloudName, k.Name))
		}
	}
	for _, k := range opts.Keys {
		if want[k] {
			return nil, fmt.Errorf("access key %s is not in the configuration", k)
		}
	}
	envs, err := c.ProductEnvironments.List(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list product environments: %w", err)
	}
	var out []Delivery
	for _, e := range cfg.Environments {
		var keys []client.AccessKey
		listed := false
		for i := range e.AccessKeys {
			dk := &e.AccessKeys[i]
			d := Delivery{Key: spec.AccessKeyName(e.CloudName, dk.Name)}
			if len(opts.Keys) > 0 && !slices.Contains(opts.Keys, d.Key) {
				continue
			}
			sink := dk.Secret
			if sink == nil && opts.SecretsDir != "" {
				sink = &spec.SecretSink{File: planner.DefaultSecretFile(opts.SecretsDir, e.CloudName, dk.Name)}
			}
			if sink == nil {
				d.Skipped = "no secret: sink and no --secrets-dir"
				out = append(out, d)
				continue
			}
			d.Sink = planner.SinkString(sink)
			if !listed {
				i := slices.IndexFunc(envs, func(l client.ProductEnvironment) bool { return l.CloudName == e.CloudName })
				if i < 0 {
					return out, fmt.Errorf("environment %s is not in the account", e.CloudName)
				}
				for k, err := range c.AccessKeys.ListIter(ctx, envs[i].ID, nil) {
					if err != nil {
						return out, fmt.Errorf("list access keys of %s: %w", e.CloudName, err)
					}
					keys = append(keys, k)
				}
				listed = true
			}
			j := slices.IndexFunc(keys, func(k client.AccessKey) bool { return k.Name == dk.Name })
			if j < 0 {
				d.Err = fmt.Errorf("not in the account (apply creates it)")
				out = append(out, d)
				continue
			}
			d.APIKey = keys[j].APIKey
			d.Err = secrets.Deliver(ctx, secrets.Sink{File: sink.File, Command: sink.Command, Overwrite: sink.Overwrite},
				secrets.Key{CloudName: e.CloudName, Name: dk.Name, APIKey: keys[j].APIKey, Secret: keys[j].APISecret.Reveal()})
			out = append(out, d)
		}
	}
	return out, nil
}
