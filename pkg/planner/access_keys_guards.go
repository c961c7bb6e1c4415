package planner

// The access keys' guards (access_keys.go): the last enabled key of an
// environment, new keys sharing a secrets file, and protect.

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// refuseSharedFiles refuses new keys whose secrets would go to the same
// file: the second would overwrite the first's secret.
func (k *keyDiffer) refuseSharedFiles() {
	byFile := map[string][]int{}
	for i, c := range k.plan.Changes {
		if v, ok := c.After.(AccessKeyValue); ok && c.Action == Create && v.Secret != nil && v.Secret.File != "" {
			byFile[filepath.Clean(v.Secret.File)] = append(byFile[filepath.Clean(v.Secret.File)], i)
		}
	}
	drop := map[int]bool{}
	for file, idx := range byFile {
		if len(idx) < 2 {
			continue
		}
		var names []string
		for _, i := range idx {
			names = append(names, k.plan.Changes[i].Ref.Name)
		}
		for _, i := range idx {
			drop[i] = true
			k.errorf(k.plan.Changes[i].Ref, "secret: %s also receives the secret of %s; give each key its own file", file, strings.Join(slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == k.plan.Changes[i].Ref.Name }), ", "))
			k.refused[k.plan.Changes[i].Ref] = true
		}
	}
	if len(drop) == 0 {
		return
	}
	kept := k.plan.Changes[:0]
	for i, c := range k.plan.Changes {
		if !drop[i] {
			kept = append(kept, c)
		}
	}
	k.plan.Changes = kept
}

// guardLastKey refuses the changes that would leave an environment whose
// keys are managed without an enabled key, unless Options.AllowKeyRemoval:
// every app using the environment's API would stop. It is an invariant
// over the transition (project.go): an environment with an enabled key
// before the plan must have one after it. Like the other guards it
// refuses transitions, so an environment with no enabled key can still be
// planned; the changes refused are those that disable or delete an
// enabled key of such an environment.
func (d *differ) guardLastKey(live *model.Account, opts Options) {
	if opts.AllowKeyRemoval || d.keys == nil || !slices.ContainsFunc(d.plan.Changes, func(c Change) bool { return c.Ref.Kind == spec.KindAccessKey }) {
		return // no key changes, no key removed
	}
	t := d.transition(live)
	enabled := func(acc *model.Account) map[string]int {
		n := map[string]int{}
		for _, k := range acc.AccessKeys {
			if k.Enabled {
				n[k.Environment]++
			}
		}
		return n
	}
	before, after := enabled(t.Before), enabled(t.After)
	drop := map[int]bool{}
	for i, c := range d.plan.Changes {
		b, ok := c.Before.(AccessKeyValue)
		if c.Ref.Kind != spec.KindAccessKey || !ok || !b.Enabled || c.IsRotation() {
			continue
		}
		if a, ok := c.After.(AccessKeyValue); ok && a.Enabled {
			continue
		}
		env := b.Environment
		if before[env] == 0 || after[env] > 0 {
			continue
		}
		drop[i] = true
		d.errorf(c.Ref, "refusing to disable or delete the last enabled access key of environment %s: every application using its API would stop; re-run with --allow-key-removal to allow it", env)
	}
	if len(drop) == 0 {
		return
	}
	kept := d.plan.Changes[:0]
	for i, c := range d.plan.Changes {
		if !drop[i] {
			kept = append(kept, c)
		}
	}
	d.plan.Changes = kept
}

// protectedKeys adds the access keys marked protect: true to out.
func protectedKeys(desired *spec.Config, out map[Ref]spec.Pos) {
	for _, e := range desired.Environments {
		for _, k := range e.AccessKeys {
			if k.Protect {
				out[Ref{spec.KindAccessKey, spec.AccessKeyName(e.CloudName, k.Name)}] = k.Pos
			}
		}
	}
}
