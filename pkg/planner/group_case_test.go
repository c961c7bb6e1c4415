package planner

import (
	"testing"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestGroupCaseBothWays: the live group matches the configured one whose
// name differs only in case whichever of the two is capitalised (and by
// Unicode case folding, not only ASCII): one rename in place, no create,
// which the service would refuse with a 409 on every apply.
func TestGroupCaseBothWays(t *testing.T) {
	for _, tc := range []struct{ live, configured string }{
		{"designers", "Designers"},
		{"Designers", "designers"},
		{"ÉQUIPE", "équipe"},
	} {
		t.Run(tc.live+"→"+tc.configured, func(t *testing.T) {
			live := &model.Account{Groups: []model.Group{{ID: "g1", Name: tc.live}}}
			cfg, err := spec.Parse("c.yaml", []byte("version: 1\ngroups:\n  - name: "+tc.configured+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Diff(cfg, live, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Changes) != 1 || p.Changes[0].Action != Update || p.Changes[0].Ref != (Ref{Kind: spec.KindGroup, Name: tc.configured}) {
				t.Fatalf("plan of %q for live %q = %+v, want one update (the rename) of group/%s", tc.configured, tc.live, p.Changes, tc.configured)
			}
		})
	}
}
