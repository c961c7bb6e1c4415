package apply

// Renames (planner/rename.go) are Updates whose Before carries the old key
// and After the new one. Users and groups need nothing special: a user's
// PUT sends the email when it changes, a group's always sends the name. An environment's PUT sends cloud_name
// only for a rename, because the API refuses a cloud_name change for
// environments with 1000 or more images even when it is unchanged
// (NOTES.md section 9).
//
// Other changes of the plan name a renamed object by its new key, so the
// new key's id is known from the start (the id does not change), and an
// API key named "old-cloud/key" is known as "new-cloud/key" too.

import (
	"context"
	"maps"
	"strings"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

// learnRenames registers the new keys of the plan's renames.
func (x *executor) learnRenames(plan *planner.Plan) {
	for i := range plan.Changes {
		ch := &plan.Changes[i]
		from, ok := ch.RenamedFrom()
		if !ok {
			continue
		}
		switch b := ch.Before.(type) {
		case planner.EnvironmentValue:
			x.ids.set(spec.KindEnvironment, ch.Ref.Name, b.ID)
			moved := map[string]string{}
			for name, key := range x.perm.apiKeys {
				if env, keyName, ok := strings.Cut(name, "/"); ok && env == from {
					moved[ch.Ref.Name+"/"+keyName] = key
				}
			}
			maps.Copy(x.perm.apiKeys, moved)
		case planner.UserValue:
			x.ids.set(spec.KindUser, ch.Ref.Name, b.ID)
		case planner.GroupValue:
			x.ids.set(spec.KindGroup, ch.Ref.Name, b.ID)
		}
	}
}

// runRename applies an environment rename; ok is false for other changes.
func (x *executor) runRename(ctx context.Context, ch planner.Change) (ok bool, err error) {
	if _, renamed := ch.RenamedFrom(); !renamed {
		return false, nil
	}
	v, isEnv := ch.After.(planner.EnvironmentValue)
	if !isEnv {
		return false, nil
	}
	id, err := x.ids.idOr(v.ID, spec.KindEnvironment, v.CloudName)
	if err != nil {
		return true, err
	}
	// The full body, cloud_name included (NOTES P1). custom_attributes is
	// nil when the configuration does not set it: the API never returns
	// it, so its live value cannot be sent back, and the plan warns that
	// this PUT resets it (planner.noteCustomAttributesReset).
	body := client.UpdateProductEnvironmentRequest{
		Name: &v.Name, CloudName: &v.CloudName, Enabled: &v.Enabled, CustomAttributes: v.CustomAttributes,
	}
	var got *client.ProductEnvironment
	err = idempotent(ctx, func(ctx context.Context) (err error) {
		got, err = x.c.ProductEnvironments.Update(ctx, id, body)
		return err
	})
	if err == nil {
		// A rename is a write like any other: its answer must show the new
		// cloud_name was stored.
		fields := checkEnvironment(v, false, got)
		if got != nil {
			fields = append(fields, stored{field: "cloud_name", sent: quote(v.CloudName), got: quote(got.CloudName)})
		}
		x.postcheck(ch.Ref, fields)
	}
	return true, err
}
