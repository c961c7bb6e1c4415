package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/planner"
)

// TestFlagDiffs: every flag that shapes a saved plan is named when it
// differs at apply, in both directions, each repeatable value on its own.
func TestFlagDiffs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		saved, now planner.SavedOptions
		want       []string
	}{
		{"the same", planner.SavedOptions{AllowDeletes: true, Rotate: []string{"prod/ci"}}, planner.SavedOptions{AllowDeletes: true, Rotate: []string{"prod/ci"}}, nil},
		{"--allow-deletes missing", planner.SavedOptions{AllowDeletes: true}, planner.SavedOptions{}, []string{"saved with --allow-deletes; pass it again"}},
		{"--allow-environment-deletes added", planner.SavedOptions{}, planner.SavedOptions{AllowEnvironmentDeletes: true}, []string{"saved without --allow-environment-deletes; leave it out"}},
		{"--allow-key-removal missing", planner.SavedOptions{AllowKeyRemoval: true}, planner.SavedOptions{}, []string{"saved with --allow-key-removal; pass it again"}},
		{"--rotate", planner.SavedOptions{Rotate: []string{"prod/ci", "prod/web"}}, planner.SavedOptions{Rotate: []string{"prod/web", "dev/ci"}},
			[]string{"saved with --rotate prod/ci; pass it again", "saved without --rotate dev/ci; leave it out"}},
		{"--secrets-dir", planner.SavedOptions{SecretsDir: "/run/s"}, planner.SavedOptions{}, []string{"saved with --secrets-dir /run/s; pass it again"}},
	} {
		if diff := cmp.Diff(tt.want, flagDiffs(tt.saved, tt.now)); diff != "" {
			t.Errorf("%s: flagDiffs (-want +got):\n%s", tt.name, diff)
		}
	}
}
