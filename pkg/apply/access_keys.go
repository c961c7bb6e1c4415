package apply

// Access keys (planner/access_keys.go). A create generates the key and
// delivers its secret (pkg/secrets) before it counts as done; the secret
// lives only in this function's variables and the sink. A rotation is one
// change, in steps that stop at the first failure:
//
//  1. generate the new key under a temporary name (names are unique in an
//     environment, and the old key still has the name) and deliver its
//     secret; if delivery fails, delete the new key again and stop: the
//     old key is untouched;
//  2. disable the old key and rename it "NAME (retired DATE)";
//  3. give the new key its name.
//
// The assignments of the plan that name the key wait for the change, and
// are sent for the new key.

import (
	"context"
	"errors"
	"fmt"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/secrets"
	"github.com/cldsync/cldsync/pkg/spec"
)

// runAccessKey applies an access-key change; ok is false for other kinds.
func (x *executor) runAccessKey(ctx context.Context, ch planner.Change) (ok bool, err error) {
	if ch.Ref.Kind != spec.KindAccessKey {
		return false, nil
	}
	after, _ := ch.After.(planner.AccessKeyValue)
	before, _ := ch.Before.(planner.AccessKeyValue)
	switch {
	case ch.IsRotation():
		return true, x.rotateKey(ctx, before, after)
	case ch.Action == planner.Create:
		return true, x.createKey(ctx, after)
	case ch.Action == planner.Update:
		return true, x.updateKey(ctx, before, after)
	case ch.Action == planner.Delete:
		envID, err := x.ids.idOr(before.EnvironmentID, spec.KindEnvironment, before.Environment)
		if err != nil {
			return true, err
		}
		return true, deleteOnce(ctx, func(ctx context.Context) error { return x.c.AccessKeys.Delete(ctx, envID, before.Key) },
			x.keyExists(envID, before.Key))
	}
	return true, errUnknownChange
}

// generate creates a key named name as v says, sends dedicated_for, and
// delivers its secret. On a delivery failure the key is deleted again
// when cleanup is set (a rotation); otherwise it stays, for `cldsync
// secrets deliver`.
func (x *executor) generate(ctx context.Context, envID, name string, v planner.AccessKeyValue, cleanup bool) (*client.AccessKey, error) {
	enabled := v.Enabled
	k, err := createOnce(ctx, func(ctx context.Context) (*client.AccessKey, error) {
		return x.c.AccessKeys.Create(ctx, envID, client.CreateAccessKeyRequest{Name: name, Enabled: &enabled})
	}, x.findKey(envID, name))
	if err != nil {
		return nil, err
	}
	if v.DedicatedFor != "" {
		d := v.DedicatedFor
		if err := idempotent(ctx, func(ctx context.Context) error {
			// The PUT resets what it is not sent (NOTES.md P1).
			_, err := x.c.AccessKeys.Update(ctx, envID, k.APIKey, client.UpdateAccessKeyRequest{Name: &name, Enabled: &enabled, DedicatedFor: &d})
			return err
		}); err != nil {
			return k, fmt.Errorf("key %s created; set dedicated_for: %w", k.APIKey, err)
		}
	}
	if x.noDelivery {
		return k, nil
	}
	if v.Secret == nil {
		return k, fmt.Errorf("key %s created, but the plan names no place for its secret", k.APIKey)
	}
	derr := secrets.Deliver(ctx, secrets.Sink{File: v.Secret.File, Command: v.Secret.Command, Overwrite: v.Secret.Overwrite},
		secrets.Key{CloudName: v.Environment, Name: v.Name, APIKey: k.APIKey, Secret: k.APISecret.Reveal()})
	if derr == nil {
		return k, nil
	}
	if !cleanup {
		return k, fmt.Errorf("key %s created, but its secret was not delivered (cldsync secrets deliver retries): %w", k.APIKey, derr)
	}
	if err := x.c.AccessKeys.Delete(ctx, envID, k.APIKey); err != nil {
		return nil, fmt.Errorf("%w; the undelivered new key %s could not be deleted either: %v", derr, k.APIKey, err)
	}
	return nil, derr
}

func (x *executor) createKey(ctx context.Context, v planner.AccessKeyValue) error {
	envID, err := x.ids.idOr(v.EnvironmentID, spec.KindEnvironment, v.Environment)
	if err != nil {
		return err
	}
	k, err := x.generate(ctx, envID, v.Name, v, false)
	if k != nil {
		x.setAPIKey(spec.AccessKeyName(v.Environment, v.Name), k.APIKey)
	}
	return err
}

// errRotationStopped marks a rotation stopped before the old key was
// touched.
var errRotationStopped = errors.New("rotation stopped before the old key was touched")

func (x *executor) rotateKey(ctx context.Context, old, v planner.AccessKeyValue) error {
	envID, err := x.ids.idOr(v.EnvironmentID, spec.KindEnvironment, v.Environment)
	if err != nil {
		return err
	}
	k, err := x.generate(ctx, envID, v.TempName(), v, true)
	if err != nil {
		return fmt.Errorf("%w: %w", errRotationStopped, err)
	}
	disabled := false
	retired := v.RetiredName
	if err := idempotent(ctx, func(ctx context.Context) error {
		_, err := x.c.AccessKeys.Update(ctx, envID, old.Key, client.UpdateAccessKeyRequest{Name: &retired, Enabled: &disabled})
		return err
	}); err != nil {
		return fmt.Errorf("new key %s delivered; retiring the old key %s: %w", k.APIKey, old.Key, err)
	}
	x.setAPIKey(spec.AccessKeyName(v.Environment, retired), old.Key)
	name, enabled := v.Name, v.Enabled
	body := client.UpdateAccessKeyRequest{Name: &name, Enabled: &enabled} // the PUT resets what it is not sent
	if v.DedicatedFor != "" {
		body.DedicatedFor = &v.DedicatedFor
	}
	if err := idempotent(ctx, func(ctx context.Context) error {
		_, err := x.c.AccessKeys.Update(ctx, envID, k.APIKey, body)
		return err
	}); err != nil {
		return fmt.Errorf("new key %s delivered and the old one retired; naming the new key %q: %w", k.APIKey, name, err)
	}
	x.setAPIKey(spec.AccessKeyName(v.Environment, v.Name), k.APIKey)
	return nil
}

func (x *executor) updateKey(ctx context.Context, before, v planner.AccessKeyValue) error {
	envID, err := x.ids.idOr(v.EnvironmentID, spec.KindEnvironment, v.Environment)
	if err != nil {
		return err
	}
	body := client.UpdateAccessKeyRequest{Name: &v.Name, Enabled: &v.Enabled}
	if v.DedicatedFor != "" {
		body.DedicatedFor = &v.DedicatedFor
	}
	err = idempotent(ctx, func(ctx context.Context) error {
		_, err := x.c.AccessKeys.Update(ctx, envID, before.Key, body)
		return err
	})
	if err == nil {
		x.setAPIKey(spec.AccessKeyName(v.Environment, v.Name), before.Key) // a rename: known by its new name
	}
	return err
}

// findKey finds an environment's key by name, after a create whose answer
// was lost.
func (x *executor) findKey(envID, name string) func(context.Context) (*client.AccessKey, bool, error) {
	return func(ctx context.Context) (*client.AccessKey, bool, error) {
		for k, err := range x.c.AccessKeys.ListIter(ctx, envID, nil) {
			if err != nil {
				return nil, false, err
			}
			if k.Name == name {
				return &k, true, nil
			}
		}
		return nil, false, nil
	}
}

func (x *executor) keyExists(envID, apiKey string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		for k, err := range x.c.AccessKeys.ListIter(ctx, envID, nil) {
			if err != nil {
				return false, err
			}
			if k.APIKey == apiKey {
				return true, nil
			}
		}
		return false, nil
	}
}

// apiKey returns the key value of "cloud_name/name"; setAPIKey records a
// created one. Changes run concurrently, hence the lock.
func (x *executor) apiKey(name string) (string, bool) {
	x.ids.mu.Lock()
	defer x.ids.mu.Unlock()
	k, ok := x.perm.apiKeys[name]
	return k, ok
}

func (x *executor) setAPIKey(name, key string) {
	x.ids.mu.Lock()
	defer x.ids.mu.Unlock()
	x.perm.apiKeys[name] = key
}
