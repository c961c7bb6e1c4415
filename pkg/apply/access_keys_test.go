package apply_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// TestRotateKey: a rotation sends, in order, the new key's create, then
// (its secret delivered) the old key's retirement, then the new key's
// name; when delivery fails, the new key is deleted and the old key is
// never written to.
func TestRotateKey(t *testing.T) {
	for _, tt := range []struct {
		name   string
		sink   func(dir string) *spec.SecretSink
		want   []string // the writes, as operationId and OLD or NEW key
		failed bool
		// dedicatedFor is set on the key; fault is injected before apply.
		dedicatedFor string
		fault        *emulator.Fault
		// keysLeft is how many keys a failed rotation leaves: the new key
		// stays when it was not delivered to anything (a re-run reuses it).
		keysLeft int
	}{{
		name: "delivered",
		sink: func(dir string) *spec.SecretSink { return &spec.SecretSink{File: filepath.Join(dir, "ci.env")} },
		want: []string{"generateAccessKey", "updateAccessKey OLD", "updateAccessKey NEW"},
	}, {
		name:     "delivery fails",
		sink:     func(string) *spec.SecretSink { return &spec.SecretSink{Command: []string{"false"}} },
		want:     []string{"generateAccessKey", "deleteAccessKey NEW"},
		failed:   true,
		keysLeft: 2,
	}, {
		// Any failure before the secret is delivered stops the rotation
		// before the old key is touched, not only the delivery's.
		name:         "setting dedicated_for fails",
		sink:         func(dir string) *spec.SecretSink { return &spec.SecretSink{File: filepath.Join(dir, "ci.env")} },
		dedicatedFor: "webhooks",
		fault:        &emulator.Fault{Op: "updateAccessKey", Status: 400},
		want:         []string{"generateAccessKey", "updateAccessKey NEW"},
		failed:       true,
		keysLeft:     3,
	}} {
		t.Run(tt.name, func(t *testing.T) {
			emu, c := setup(t, `
environments:
  - {cloud_name: acme-prod, name: Acme, access_keys: [{name: ci, api_key: "111111111111111"}, {name: main, api_key: "111111111111112"}]}
`)
			now := time.Date(2026, 4, 11, 0, 0, 0, 0, time.UTC)
			dir := t.TempDir()
			cfg := &spec.Config{Environments: []spec.Environment{{CloudName: "acme-prod", Name: "Acme", AccessKeys: []spec.AccessKey{
				{Name: "ci", Secret: tt.sink(dir), DedicatedFor: tt.dedicatedFor}, {Name: "main"},
			}}}}
			live, err := state.Read(t.Context(), state.FromClient(c), state.Options{AccessKeyEnvironments: cfg.ManagesAccessKeys()})
			if err != nil {
				t.Fatal(err)
			}
			p, err := planner.Diff(cfg, live, planner.Options{Now: now, Rotate: []string{"acme-prod/ci"}, NoAccessDiff: true})
			if err != nil || len(p.Changes) != 1 || !p.Changes[0].IsRotation() {
				t.Fatalf("plan %+v, %v; want one rotation", p, err)
			}
			if tt.fault != nil {
				emu.InjectFault(*tt.fault)
			}
			before := len(emu.Log())
			rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{})
			if rep.Failed() != tt.failed {
				t.Fatalf("apply failed = %v, want %v: %+v", rep.Failed(), tt.failed, rep.Entries)
			}
			var got []string
			for _, r := range emu.Log()[before:] {
				if !emulator.IsWrite(r.Op) {
					continue
				}
				w := r.Op
				switch last := r.Path[strings.LastIndexByte(r.Path, '/')+1:]; {
				case last == "111111111111111":
					w += " OLD"
				case last != "access_keys":
					w += " NEW"
				}
				got = append(got, w)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			after, err := state.Read(t.Context(), state.FromClient(c), state.Options{AccessKeyEnvironments: []string{"acme-prod"}})
			if err != nil {
				t.Fatal(err)
			}
			newKey := ""
			for _, k := range after.AccessKeys {
				if k.Key != "111111111111111" && k.Key != "111111111111112" {
					newKey = k.Key
				}
			}
			if tt.failed {
				if len(after.AccessKeys) != tt.keysLeft || after.AccessKeys[0].Name != "ci" || after.AccessKeys[0].Key != "111111111111111" || !after.AccessKeys[0].Enabled {
					t.Errorf("keys after a failed rotation: %+v, want %d with the old two untouched", after.AccessKeys, tt.keysLeft)
				}
				if _, err := os.Stat(filepath.Join(dir, "ci.env")); !os.IsNotExist(err) {
					t.Errorf("a failed rotation delivered a secret (%v)", err)
				}
				return
			}
			names := map[string]bool{}
			for _, k := range after.AccessKeys {
				names[k.Name+" "+map[bool]string{true: "enabled", false: "disabled"}[k.Enabled]] = true
			}
			for _, w := range []string{"ci enabled", "ci (retired 2026-04-11) disabled", "main enabled"} {
				if !names[w] {
					t.Errorf("keys after rotation %v, want %q", names, w)
				}
			}
			if b, err := os.ReadFile(filepath.Join(dir, "ci.env")); err != nil || !strings.Contains(string(b), "cloudinary://"+newKey+":") {
				t.Errorf("ci.env = %q, %v; want the new key %s", b, err, newKey)
			}
		})
	}
}
