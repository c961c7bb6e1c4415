package planner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

var keyNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func keyEnv(keys ...spec.AccessKey) spec.Environment {
	if keys == nil {
		keys = []spec.AccessKey{}
	}
	return spec.Environment{CloudName: "acme-prod", Name: "Acme", AccessKeys: keys}
}

func keysLive(keys ...model.AccessKey) model.Account {
	for i := range keys {
		keys[i].Environment = "acme-prod"
		if keys[i].CreatedAt.IsZero() {
			keys[i].CreatedAt = keyNow.Add(-24 * time.Hour)
		}
	}
	return model.Account{
		Environments:   []model.Environment{{ID: "env1", CloudName: "acme-prod", Name: "Acme", Enabled: true}},
		AccessKeys:     keys,
		AccessKeysRead: []string{"acme-prod"},
	}
}

var fileSink = &spec.SecretSink{File: "secrets/ci.env"}

func TestDiffAccessKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		desired spec.Config
		live    model.Account
		opts    Options
		want    string
	}{{
		name:    "create with a file sink",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Secret: fileSink})}},
		live:    keysLive(model.AccessKey{Name: "main", Key: "100000000000001", Enabled: true}),
		want: `create access_keys/acme-prod/ci
  enabled: true
  secret: file secrets/ci.env
  note: the new secret is delivered to file secrets/ci.env, never shown
unmanaged access_keys: 1
warning: access keys: 1 not in the configuration, left alone: acme-prod/main
`,
	}, {
		name:    "no change",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci"})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}),
		want:    "",
	}, {
		name:    "the secrets dir is the default sink; the environment is created first",
		desired: spec.Config{Environments: []spec.Environment{{CloudName: "acme-new", Name: "New", AccessKeys: []spec.AccessKey{{Name: "ci", DedicatedFor: "webhooks"}}}}},
		opts:    Options{SecretsDir: "out/"},
		want: `create environments/acme-new
  name: "New"
  enabled: true
create access_keys/acme-new/ci after environments/acme-new
  enabled: true
  dedicated_for: "webhooks"
  secret: file out/acme-new-ci.env
  note: the new secret is delivered to file out/acme-new-ci.env, never shown
`,
	}, {
		name:    "no sink refuses the create",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci"})}},
		live:    keysLive(),
		want:    "error: access_keys/acme-prod/ci: nowhere to deliver the new key's secret: set secret: {file: PATH} or {command: [...]}, or pass --secrets-dir DIR\n",
	}, {
		name:    "disable, with another enabled key left",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Enabled: ptr(false)}, spec.AccessKey{Name: "main"})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}, model.AccessKey{Name: "main", Key: "100000000000002", Enabled: true}),
		want: `update access_keys/acme-prod/ci
  enabled: true → false
  note: api_key 100000000000001
  note: the live answer did not carry dedicated_for, and this PUT resets it unless the configuration sets it
`,
	}, {
		name:    "disabling the last enabled key is refused",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Enabled: ptr(false)})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}, model.AccessKey{Name: "old", Key: "100000000000002"}),
		want: `unmanaged access_keys: 1
warning: access keys: 1 not in the configuration, left alone: acme-prod/old
error: access_keys/acme-prod/ci: refusing to disable or delete the last enabled access key of environment acme-prod: every application using its API would stop; re-run with --allow-key-removal to allow it
`,
	}, {
		name:    "deleting the last enabled key is refused",
		desired: spec.Config{Prune: []spec.Kind{spec.KindAccessKey}, Environments: []spec.Environment{keyEnv()}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}),
		want:    "error: access_keys/acme-prod/ci: refusing to disable or delete the last enabled access key of environment acme-prod: every application using its API would stop; re-run with --allow-key-removal to allow it\n",
	}, {
		name:    "--allow-key-removal",
		desired: spec.Config{Prune: []spec.Kind{spec.KindAccessKey}, Environments: []spec.Environment{keyEnv()}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}),
		opts:    Options{AllowKeyRemoval: true},
		want: `delete access_keys/acme-prod/ci
  reason: not in the configuration, and access keys are pruned
  note: api_key 100000000000001
`,
	}, {
		name:    "rename keeps the key",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "deploy", Previously: []spec.Previous{{Name: "ci"}}})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}),
		want: `update access_keys/acme-prod/deploy
  name: "ci" → "deploy"
  note: api_key 100000000000001
  note: the live answer did not carry dedicated_for, and this PUT resets it unless the configuration sets it
`,
	}, {
		name:    "rotation by age",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", MaxAge: 90 * 24 * time.Hour, Secret: fileSink})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true, CreatedAt: keyNow.Add(-100 * 24 * time.Hour)}),
		want: `create access_keys/acme-prod/ci
  enabled: true
  secret: file secrets/ci.env
  note: rotation: the key is 100 days old, older than max_age 90d
  note: step 1: generate a new key (named "ci (new 2026-12-01)" until step 3) and deliver its secret to file secrets/ci.env
  note: step 2: only once the secret is delivered, disable the old key 100000000000001 and rename it "ci (retired 2026-12-01)"
  note: step 3: name the new key "ci"; assignments naming acme-prod/ci move to it
  note: next: the old key is deleted by a run on or after 2026-12-08 (retire_after 1w)
`,
	}, {
		name:    "a protected key is not rotated for its age",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Protect: true, Pos: spec.Pos{File: "keys.yaml", Line: 7, Col: 9}, MaxAge: 90 * 24 * time.Hour, Secret: fileSink})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true, CreatedAt: keyNow.Add(-100 * 24 * time.Hour)}),
		want:    "error: access_keys/acme-prod/ci: refusing to rotate it: a rotation disables this key at once and deletes it after retire_after, and it is protected (protect: true at keys.yaml:7:9); remove protect first to allow it\n",
	}, {
		name:    "a protected key is not rotated by --rotate",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Protect: true, Pos: spec.Pos{File: "keys.yaml", Line: 7, Col: 9}, Secret: fileSink})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}),
		opts:    Options{Rotate: []string{"acme-prod/ci"}},
		want:    "error: access_keys/acme-prod/ci: refusing to rotate it: a rotation disables this key at once and deletes it after retire_after, and it is protected (protect: true at keys.yaml:7:9); remove protect first to allow it\n",
	}, {
		name:    "a disabled key is not rotated for its age",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Enabled: ptr(false), MaxAge: 90 * 24 * time.Hour, Secret: fileSink}, spec.AccessKey{Name: "main"})}},
		live: keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", CreatedAt: keyNow.Add(-100 * 24 * time.Hour)},
			model.AccessKey{Name: "main", Key: "100000000000002", Enabled: true}),
		want: "",
	}, {
		name:    "two new keys cannot share a secrets file",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "a", Secret: fileSink}, spec.AccessKey{Name: "b", Secret: &spec.SecretSink{File: "secrets/./ci.env"}})}},
		live:    keysLive(model.AccessKey{Name: "main", Key: "100000000000001", Enabled: true}),
		want: `unmanaged access_keys: 1
warning: access keys: 1 not in the configuration, left alone: acme-prod/main
error: access_keys/acme-prod/a: secret: secrets/ci.env also receives the secret of acme-prod/b; give each key its own file
error: access_keys/acme-prod/b: secret: secrets/ci.env also receives the secret of acme-prod/a; give each key its own file
`,
	}, {
		name:    "young key: the next rotation is announced",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", MaxAge: 90 * 24 * time.Hour, Secret: fileSink})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true, CreatedAt: keyNow.Add(-10 * 24 * time.Hour)}),
		want:    "warning: access key acme-prod/ci: next rotation due on 2027-02-19 (max_age 90d)\n",
	}, {
		name:    "--rotate",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Secret: fileSink, RetireAfter: 24 * time.Hour})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}),
		opts:    Options{Rotate: []string{"acme-prod/ci"}},
		want: `create access_keys/acme-prod/ci
  enabled: true
  secret: file secrets/ci.env
  note: rotation asked for with --rotate
  note: step 1: generate a new key (named "ci (new 2026-12-01)" until step 3) and deliver its secret to file secrets/ci.env
  note: step 2: only once the secret is delivered, disable the old key 100000000000001 and rename it "ci (retired 2026-12-01)"
  note: step 3: name the new key "ci"; assignments naming acme-prod/ci move to it
  note: next: the old key is deleted by a run on or after 2026-12-02 (retire_after 1d)
`,
	}, {
		name:    "a second rotation the same day numbers the names",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Secret: fileSink})}},
		live: keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true},
			model.AccessKey{Name: "ci (retired 2026-12-01)", Key: "100000000000002"}),
		opts: Options{Rotate: []string{"acme-prod/ci"}},
		want: `create access_keys/acme-prod/ci
  enabled: true
  secret: file secrets/ci.env
  note: rotation asked for with --rotate
  note: step 1: generate a new key (named "ci (new 2026-12-01 2)" until step 3) and deliver its secret to file secrets/ci.env
  note: step 2: only once the secret is delivered, disable the old key 100000000000001 and rename it "ci (retired 2026-12-01 2)"
  note: step 3: name the new key "ci"; assignments naming acme-prod/ci move to it
  note: next: the old key is deleted by a run on or after 2026-12-08 (retire_after 1w)
warning: access key acme-prod/ci (retired 2026-12-01): retired, deleted by a run on or after 2026-12-08 (retire_after 1w)
`,
	}, {
		name:    "retired keys: deleted once due, even without prune",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci"})}},
		live: keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true},
			model.AccessKey{Name: "ci (retired 2026-11-20)", Key: "100000000000002"},
			model.AccessKey{Name: "ci (retired 2026-11-28)", Key: "100000000000003"},
			model.AccessKey{Name: "ci (retired 2026-11-01)", Key: "100000000000004", Enabled: true}),
		want: `delete access_keys/acme-prod/ci (retired 2026-11-20)
  reason: retired on 2026-11-20 and disabled since; retire_after 1w has passed
  note: api_key 100000000000002
unmanaged access_keys: 1
warning: access key acme-prod/ci (retired 2026-11-28): retired, deleted by a run on or after 2026-12-05 (retire_after 1w)
warning: access keys: 1 not in the configuration, left alone: acme-prod/ci (retired 2026-11-01)
`,
	}, {
		name:    "ambiguous names are refused",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Enabled: ptr(false)})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}, model.AccessKey{Name: "ci", Key: "100000000000002", Enabled: true}),
		want:    "error: access_keys/acme-prod/ci: 2 live access keys have this name; refusing to plan it until all but one are renamed or deleted\n",
	}, {
		name:    "keys not read are refused",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci"})}},
		live:    model.Account{Environments: []model.Environment{{ID: "env1", CloudName: "acme-prod", Name: "Acme", Enabled: true}}},
		want:    "error: environments/acme-prod: access_keys: the environment's live access keys were not read; refusing to plan them\n",
	}, {
		name:    "ignored keys are left out",
		desired: spec.Config{Prune: []spec.Kind{spec.KindAccessKey}, Ignore: spec.Ignore{spec.KindAccessKey: {{Pattern: "acme-prod/legacy*"}}}, Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "ci"})}},
		live:    keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true}, model.AccessKey{Name: "legacy", Key: "100000000000002", Enabled: true}),
		want:    "",
	}, {
		name:    "dedicated_for known and equal: no change",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "hooks", DedicatedFor: "webhooks"})}},
		live:    keysLive(model.AccessKey{Name: "hooks", Key: "100000000000001", Enabled: true, DedicatedFor: "webhooks", DedicatedForKnown: true}),
		want:    "",
	}, {
		name:    "dedicated_for unknown (the spec's answer): not compared",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "hooks", DedicatedFor: "webhooks"})}},
		live:    keysLive(model.AccessKey{Name: "hooks", Key: "100000000000001", Enabled: true}),
		want:    "",
	}, {
		name:    "dedicated_for known, the configuration sets none: reset",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "hooks"})}},
		live:    keysLive(model.AccessKey{Name: "hooks", Key: "100000000000001", Enabled: true, DedicatedFor: "webhooks", DedicatedForKnown: true}),
		want: `update access_keys/acme-prod/hooks
  dedicated_for: "webhooks" → ""
  note: api_key 100000000000001
`,
	}, {
		name:    "dedicated_for known as none, the configuration sets it",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "hooks", DedicatedFor: "webhooks"})}},
		live:    keysLive(model.AccessKey{Name: "hooks", Key: "100000000000001", Enabled: true, DedicatedForKnown: true}),
		want: `update access_keys/acme-prod/hooks
  dedicated_for: "" → "webhooks"
  note: api_key 100000000000001
`,
	}, {
		name:    "dedicated_for known and equal, sent along with a disable",
		desired: spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "hooks", DedicatedFor: "webhooks", Enabled: ptr(false)}, spec.AccessKey{Name: "main"})}},
		live: keysLive(model.AccessKey{Name: "hooks", Key: "100000000000001", Enabled: true, DedicatedFor: "webhooks", DedicatedForKnown: true},
			model.AccessKey{Name: "main", Key: "100000000000002", Enabled: true}),
		want: `update access_keys/acme-prod/hooks
  enabled: true → false
  note: api_key 100000000000001
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Now = keyNow
			tt.opts.NoAccessDiff = true
			p, err := Diff(&tt.desired, &tt.live, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := dump(p)
			// The ignore rules' warning is not this test's business.
			var lines []string
			for _, l := range strings.SplitAfter(got, "\n") {
				if !strings.Contains(l, "ignore rules") {
					lines = append(lines, l)
				}
			}
			if diff := cmp.Diff(tt.want, strings.Join(lines, "")); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAccessKeyAssignmentsFollow: an assignment naming a key follows its
// rename (no change), and after a rotation is planned for the new key,
// waiting for it; the old key's assignment is known by its retired name.
func TestAccessKeyAssignmentsFollow(t *testing.T) {
	t.Parallel()
	const role = "cld::role::prodenv::ml_user"
	for _, tt := range []struct {
		name    string
		key     spec.AccessKey
		opts    Options
		want    string
		holders []string
	}{{
		name:    "rename",
		holders: []string{"acme-prod/deploy"},
		key:     spec.AccessKey{Name: "deploy", Previously: []spec.Previous{{Name: "ci"}}},
		want: `update access_keys/acme-prod/deploy
  name: "ci" → "deploy"
`,
	}, {
		name:    "rotation",
		holders: []string{"acme-prod/ci", "acme-prod/ci (retired 2026-12-01)"},
		key:     spec.AccessKey{Name: "ci", Secret: fileSink},
		opts:    Options{Rotate: []string{"acme-prod/ci"}},
		want: `create access_keys/acme-prod/ci
create assignments/api_key:acme-prod/ci / ` + role + ` / acme-prod after access_keys/acme-prod/ci
unmanaged assignments: 1
`,
	}, {
		// The assignment for the new key depends on the refused rotation:
		// it is not planned alone, and the key keeps its assignment.
		name:    "a protected key's rotation is refused with what depends on it",
		holders: []string{"acme-prod/ci"},
		key:     spec.AccessKey{Name: "ci", Secret: fileSink, Protect: true, Pos: spec.Pos{File: "keys.yaml", Line: 3, Col: 7}},
		opts:    Options{Rotate: []string{"acme-prod/ci"}},
		want: `unmanaged assignments: 1
error: access_keys/acme-prod/ci: refusing to rotate it: a rotation disables this key at once and deletes it after retire_after, and it is protected (protect: true at keys.yaml:3:7); remove protect first to allow it
error: assignments/api_key:acme-prod/ci / cld::role::prodenv::ml_user / acme-prod: depends on access_keys/acme-prod/ci, which this plan refuses
`,
	}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := spec.AccessKeyName("acme-prod", tt.key.Name)
			desired := spec.Config{
				Environments: []spec.Environment{keyEnv(tt.key)},
				Assignments:  []spec.Assignment{{Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: name}, Role: role, Scope: "acme-prod"}},
			}
			live := keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true})
			live.Permissions = &model.Permissions{
				APIKeys: []model.APIKey{{Environment: "acme-prod", Name: "ci", Key: "100000000000001"}},
				Assignments: []model.Assignment{{PrincipalType: "apiKey", PrincipalID: "100000000000001",
					Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}, Role: role, Scope: "acme-prod", ScopeID: "env1"}},
			}
			tt.opts.Now, tt.opts.NoAccessDiff = keyNow, true
			p, err := Diff(&desired, &live, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, c := range p.Changes {
				b.WriteString(c.Action.String() + " " + c.Ref.String())
				if len(c.DependsOn) > 0 {
					b.WriteString(" after " + c.DependsOn[0].String())
				}
				b.WriteString("\n")
				if c.Ref.Kind == spec.KindAccessKey && c.Action == Update {
					b.WriteString("  " + c.Fields[0].Name + ": " + c.Fields[0].Old + " → " + c.Fields[0].New + "\n")
				}
			}
			for _, k := range Kinds(p.Unmanaged) {
				b.WriteString("unmanaged " + string(k) + ": " + strings.TrimSpace(strings.Repeat("1", p.Unmanaged[k])) + "\n")
			}
			for _, e := range p.Errors {
				b.WriteString("error: " + e.Error() + "\n")
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			if live.Permissions.Assignments[0].Principal.Name != "acme-prod/ci" {
				t.Error("Diff modified the live account")
			}
			// The projection keeps the live assignment with its key's value:
			// under the new name, or the retired one after a rotation.
			var holders []string
			for _, a := range Project(&live, p).Permissions.Assignments {
				holders = append(holders, a.Principal.Name)
			}
			if !cmp.Equal(holders, tt.holders) {
				t.Errorf("projected assignments held by %q, want %q", holders, tt.holders)
			}
		})
	}
}

// TestAccessKeysOfRenamedEnvironment: the keys of an environment renamed
// with previously: were read under its live name, and are its keys.
func TestAccessKeysOfRenamedEnvironment(t *testing.T) {
	t.Parallel()
	env := keyEnv(spec.AccessKey{Name: "ci"})
	env.CloudName, env.Previously = "acme-main", []spec.Previous{{Name: "acme-prod"}}
	desired := spec.Config{Environments: []spec.Environment{env}}
	live := keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true})
	p, err := Diff(&desired, &live, Options{Now: keyNow, NoAccessDiff: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) > 0 || len(p.Changes) != 1 || p.Changes[0].Ref.Kind != spec.KindEnvironment {
		t.Errorf("plan:\n%s\nwant only the environment's rename", dump(p))
	}
}

// TestAccessKeyDeletesThresholds: pruning more than max_delete_percent of
// 20 or more live keys needs --allow-deletes, as for every kind.
func TestAccessKeyDeletesThresholds(t *testing.T) {
	t.Parallel()
	var keys []model.AccessKey
	for i := range 20 {
		keys = append(keys, model.AccessKey{Name: fmt.Sprintf("k%02d", i), Key: fmt.Sprintf("1000000000000%02d", i), Enabled: true})
	}
	max := 100
	desired := spec.Config{Prune: []spec.Kind{spec.KindAccessKey}, Safety: spec.Safety{MaxDeletes: &max},
		Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "k00"})}}
	live := keysLive(keys...)
	for _, allow := range []bool{false, true} {
		p, err := Diff(&desired, &live, Options{Now: keyNow, NoAccessDiff: true, AllowDeletes: allow})
		if err != nil {
			t.Fatal(err)
		}
		if allow && (len(p.Changes) != 19 || len(p.Errors) != 0) || !allow && (len(p.Changes) != 0 || len(p.Errors) != 19 ||
			!strings.Contains(p.Errors[0].Message, "max_delete_percent")) {
			t.Errorf("AllowDeletes %v: %d changes, errors %v", allow, len(p.Changes), p.Errors)
		}
	}
}

// TestAccessKeyPoliciesFollow: a custom policy naming a key by
// ${api_key:ENV/NAME} follows its rename: the renamed key resolves to the
// same api_key, so the policy needs no change. After a rotation it is
// updated to the new key, once the rotation is done.
func TestAccessKeyPoliciesFollow(t *testing.T) {
	t.Parallel()
	const stmt = `permit(principal == Cloudinary::APIKey::"%s", action == Cloudinary::Action::"read", resource);`
	desired := spec.Config{
		Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "deploy", Previously: []spec.Previous{{Name: "ci"}}})},
		Policies:     []spec.Policy{{Name: "ci-reads", Scope: "acme-prod", Statement: fmt.Sprintf(stmt, "${api_key:acme-prod/deploy}")}},
	}
	live := keysLive(model.AccessKey{Name: "ci", Key: "100000000000001", Enabled: true})
	live.Permissions = &model.Permissions{
		APIKeys:  []model.APIKey{{Environment: "acme-prod", Name: "ci", Key: "100000000000001"}},
		Policies: []model.Policy{{ID: "p1", Name: "ci-reads", Scope: "acme-prod", ScopeID: "env1", Enabled: true, Statement: fmt.Sprintf(stmt, "100000000000001")}},
	}
	p, err := Diff(&desired, &live, Options{Now: keyNow, NoAccessDiff: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `update access_keys/acme-prod/deploy
  name: "ci" → "deploy"
  note: api_key 100000000000001
  note: the live answer did not carry dedicated_for, and this PUT resets it unless the configuration sets it
`
	if diff := cmp.Diff(want, dump(p)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}

	desired.Environments = []spec.Environment{keyEnv(spec.AccessKey{Name: "ci", Secret: fileSink})}
	desired.Policies[0].Statement = fmt.Sprintf(stmt, "${api_key:acme-prod/ci}")
	p, err = Diff(&desired, &live, Options{Now: keyNow, NoAccessDiff: true, Rotate: []string{"acme-prod/ci"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Changes {
		got = append(got, fmt.Sprint(c.Action, " ", c.Ref, " after ", c.DependsOn))
	}
	if want := []string{"create access_keys/acme-prod/ci after []", "update policies/acme-prod/ci-reads after [access_keys/acme-prod/ci]"}; !cmp.Equal(got, want) {
		t.Errorf("rotation: changes %q, want %q", got, want)
	}
}

// TestAccessKeyUpdateSendsDedicatedFor: an update sends the configured
// dedicated_for whether or not the live value was known (the PUT resets
// what it is not sent).
func TestAccessKeyUpdateSendsDedicatedFor(t *testing.T) {
	t.Parallel()
	for _, known := range []bool{false, true} {
		desired := spec.Config{Environments: []spec.Environment{keyEnv(spec.AccessKey{Name: "hooks", DedicatedFor: "webhooks", Enabled: ptr(false)}, spec.AccessKey{Name: "main"})}}
		live := keysLive(model.AccessKey{Name: "hooks", Key: "100000000000001", Enabled: true, DedicatedFor: "webhooks", DedicatedForKnown: known},
			model.AccessKey{Name: "main", Key: "100000000000002", Enabled: true})
		p, err := Diff(&desired, &live, Options{Now: keyNow, NoAccessDiff: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Changes) != 1 {
			t.Fatalf("known=%v: %d changes, want 1:\n%s", known, len(p.Changes), dump(p))
		}
		if got := p.Changes[0].After.(AccessKeyValue).DedicatedFor; got != "webhooks" {
			t.Errorf("known=%v: After.DedicatedFor = %q, want webhooks", known, got)
		}
	}
}
