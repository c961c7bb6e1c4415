//go:build unix

package spec

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLoadNotRegular: a named pipe or a device among the configuration's
// files is refused without being opened for reading (a pipe without a
// writer would block the read forever, /dev/zero never ends), and a
// directory named like a file is skipped as directories are.
func TestLoadNotRegular(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", "version: 1\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "f.yaml"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "sub.yaml"), filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	load := func(path string) error {
		t.Helper()
		done := make(chan error, 1)
		go func() { _, err := Load(path); done <- err }()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatalf("Load(%q) still blocked after 10s", path)
			return nil
		}
	}
	err := load(dir)
	want := Errors{
		{Pos: Pos{File: filepath.Join(dir, "f.yaml")}, Message: "is a named pipe (FIFO), not a regular file: cldsync reads only regular files"},
		{Pos: Pos{File: filepath.Join(dir, "zero.yaml")}, Message: "is a device, not a regular file: cldsync reads only regular files"},
	}
	if diff := cmp.Diff(want, err); diff != "" {
		t.Errorf("Load(dir) errors mismatch (-want +got):\n%s", diff)
	}
	fifo := filepath.Join(dir, "f.yaml")
	if diff := cmp.Diff(Errors{want[0]}, load(fifo)); diff != "" {
		t.Errorf("Load(fifo) errors mismatch (-want +got):\n%s", diff)
	}
	// A template or a --var-file that is a pipe is refused the same way.
	write("c.yaml", "version: 1\ntenants:\n  - template: f.yaml\n")
	if err := os.Remove(filepath.Join(dir, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	_, err = LoadWith("c.yaml", LoadOptions{VarFiles: []string{"f.yaml"}})
	got := err.Error()
	for _, w := range []string{"c.yaml:3:15: tenants[0].template: read template: f.yaml is a named pipe", "f.yaml: read variables file: f.yaml is a named pipe"} {
		if !strings.Contains(got, w) {
			t.Errorf("LoadWith error %q does not say %q", got, w)
		}
	}
}
