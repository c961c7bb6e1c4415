package export_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cldsync/cldsync/internal/bench"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/export"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// TestSplitFilesLoadAgain: a kind larger than MaxFileSize is written over
// several files, each under it, with the notes in the first; the
// directory loads and plans as "no changes" against the same account.
// (Not parallel: it lowers MaxFileSize.)
func TestSplitFilesLoadAgain(t *testing.T) {
	defer func(n int) { export.MaxFileSize = n }(export.MaxFileSize)
	export.MaxFileSize = 16 << 10
	f := bench.Serve(t, emulator.GenerateOptions{Users: 600, Groups: 30, Environments: 6, Roles: 8, Policies: 40, Assignments: 500, Seed: 4}, emulator.Options{})
	acc, err := export.Read(t.Context(), state.FromClient(f.Client), 4)
	if err != nil {
		t.Fatal(err)
	}
	files, err := export.Files(acc, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	parts := map[spec.Kind]int{}
	for _, fl := range files {
		if len(fl.Content) > export.MaxFileSize {
			t.Errorf("%s: %d bytes, over %d", fl.Name, len(fl.Content), export.MaxFileSize)
		}
		for _, k := range export.Kinds {
			if export.IsPart(fl.Name, k) {
				parts[k]++
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fl.Name), fl.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if parts[spec.KindUser] < 2 || parts[spec.KindAssignment] < 2 {
		t.Fatalf("parts per kind %v: users and assignments should not fit in one %d-byte file", parts, export.MaxFileSize)
	}
	cfg, err := spec.Load(dir)
	if err != nil {
		t.Fatalf("the split export does not load: %v", err)
	}
	if len(cfg.Users) != len(acc.Users) {
		t.Errorf("loaded %d users, exported %d", len(cfg.Users), len(acc.Users))
	}
	if p, text := planOf(t, f.Client, cfg); p.HasChanges() || len(p.Errors) > 0 || len(p.Unmanaged) > 0 {
		t.Errorf("plan of the split export is not empty:\n%s", text)
	}
}

// TestPartNames: the first part keeps the kind's file name; IsPart knows
// every part and nothing else, and its number.
func TestPartNames(t *testing.T) {
	if got := export.PartName(spec.KindUser, 1); got != "users.yaml" {
		t.Errorf("PartName(users, 1) = %q", got)
	}
	if got := export.PartName(spec.KindUser, 3); got != "users.3.yaml" {
		t.Errorf("PartName(users, 3) = %q", got)
	}
	for name, want := range map[string]bool{
		"users.yaml": true, "users.2.yaml": true, "users.12.yaml": true,
		"users.1.yaml": false, "users.02.yaml": false, "users.x.yaml": false, "users.2.yml": false,
		"groups.2.yaml": false, "myusers.yaml": false, "users-2.yaml": false,
	} {
		if got := export.IsPart(name, spec.KindUser); got != want {
			t.Errorf("IsPart(%q, users) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]int{"users.yaml": 1, "users.2.yaml": 2, "users.12.yaml": 12, "users.02.yaml": 0, "groups.yaml": 0} {
		if got := export.PartNumber(name, spec.KindUser); got != want {
			t.Errorf("PartNumber(%q, users) = %d, want %d", name, got, want)
		}
	}
}
