package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoPlainWhenPiped runs scripts/demo.sh with a stub cldsync: piped
// (as in CI or into a file) it prints no escape codes, and on a terminal
// (through script(1), when installed) its command lines are bold.
func TestDemoPlainWhenPiped(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	stub := filepath.Join(t.TempDir(), "cldsync")
	// The stub emulator prints a URL and waits to be killed; the other
	// commands print their name.
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nif [ \"$1\" = emulator ]; then echo http://127.0.0.1:1; exec sleep 30; fi\necho \"ran $1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	demo, err := filepath.Abs(filepath.Join("..", "..", "scripts", "demo.sh"))
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "CLDSYNC_BIN="+stub, "NO_COLOR=")
	cmd := exec.Command(bash, demo)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo.sh: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "$ "+stub+" plan examples/\nran plan") {
		t.Errorf("demo.sh output lacks the plan step:\n%s", out)
	}
	if strings.Contains(string(out), "\x1b") {
		t.Errorf("demo.sh piped printed escape codes:\n%q", out)
	}

	script, err := exec.LookPath("script")
	if err != nil {
		return
	}
	cmd = exec.Command(script, "-qec", bash+" "+demo, "/dev/null")
	cmd.Env = env
	out, err = cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo.sh on a terminal: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\x1b[1m$ "+stub+" plan examples/\x1b[0m") {
		t.Errorf("demo.sh on a terminal printed no bold command line:\n%q", out)
	}
}
