package state

// Access keys as a managed kind (issue 16): the keys of the environments
// whose configuration lists access_keys are read with their names, status,
// creation times and, where the answer carries it (the live service's,
// for a dedicated key), dedicated_for, one getAccessKeys request per environment (NOTES.md
// section 9: without a page the server answers every page at once; only
// an answer short of its total is walked page by page). The permissions
// half reads some environments' keys too, to name apiKey principals; an
// environment both need is asked once (listKeys).
//
// The secrets the API returns along (AccessKey.api_secret, and
// ProductEnvironment.api_access_keys[].secret, NOTES.md P20) are never
// kept: nothing in the Account holds one.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/spec"
)

// keyLists holds each environment's access-key listing, requested once per
// read whoever asks first.
type keyLists struct {
	mu    sync.Mutex
	lists map[string]*keyList // by environment id
}

type keyList struct {
	done chan struct{}
	keys []client.AccessKey
	err  error
}

// listKeys returns the access keys of environment envID, sending the
// request only for the first caller; the others wait for its answer.
func (rd *reader) listKeys(ctx context.Context, envID string) ([]client.AccessKey, error) {
	kl := rd.keys
	kl.mu.Lock()
	if kl.lists == nil {
		kl.lists = map[string]*keyList{}
	}
	l, ok := kl.lists[envID]
	if !ok {
		l = &keyList{done: make(chan struct{})}
		kl.lists[envID] = l
	}
	kl.mu.Unlock()
	if ok {
		select {
		case <-l.done:
			return l.keys, l.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	err := rd.do(ctx, perEnvironment, func(ctx context.Context) error {
		l.keys, l.err = rd.api.ListAccessKeys(ctx, envID)
		return nil
	})
	if err != nil {
		l.err = err
	}
	close(l.done)
	return l.keys, l.err
}

// readAccessKeys reads the access keys of the environments named in
// Options.AccessKeyEnvironments into acc.AccessKeys, once the environments
// are listed. An environment the account does not have has no keys to
// read. A listing that cannot be proven complete marks access_keys
// incomplete, so that no key is deleted.
func (rd *reader) readAccessKeys(ctx context.Context, acc *Account, awaitEnvs func(context.Context) error) error {
	if err := awaitEnvs(ctx); err != nil {
		return err
	}
	var mu sync.Mutex
	g := newGroup(ctx)
	for _, e := range acc.Environments {
		if !rd.opts.AllAccessKeys && !slices.Contains(rd.opts.AccessKeyEnvironments, e.CloudName) {
			continue
		}
		g.Go(func(ctx context.Context) error {
			keys, err := rd.listKeys(ctx, e.ID)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if !isIncomplete(err) {
					return fmt.Errorf("list access keys of product environment %s: %w", e.CloudName, err)
				}
				why := e.CloudName + ": " + err.Error()
				if prev, ok := acc.Incomplete[spec.KindAccessKey]; !ok || why < prev {
					acc.Incomplete[spec.KindAccessKey] = why
				}
			}
			for _, k := range keys {
				ak := AccessKey{Environment: e.CloudName, Name: k.Name, Key: k.APIKey, Enabled: k.Enabled, CreatedAt: k.CreatedAt.Time}
				if len(k.DedicatedFor) > 0 {
					// The API allows one value; the live service answers it as an array.
					ak.DedicatedFor, ak.DedicatedForKnown = strings.Join(k.DedicatedFor, ","), true
				}
				acc.AccessKeys = append(acc.AccessKeys, ak)
			}
			acc.AccessKeysRead = append(acc.AccessKeysRead, e.CloudName)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	slices.Sort(acc.AccessKeysRead)
	slices.SortFunc(acc.AccessKeys, func(a, b AccessKey) int {
		return cmpJoin(strings.Compare(a.Environment, b.Environment), cmpJoin(strings.Compare(a.Name, b.Name), strings.Compare(a.Key, b.Key)))
	})
	return nil
}

func isIncomplete(err error) bool { return errors.Is(err, client.ErrIncomplete) }
