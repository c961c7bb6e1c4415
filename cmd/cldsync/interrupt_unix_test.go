//go:build unix

package main

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestSIGTERMDrains sends a real SIGTERM to a cldsync process, as a CI
// system cancelling a job does: it is handled like Ctrl-C (the process
// winds down and exits by itself) rather than killing the process. The
// process is `cldsync emulator`, which serves until interrupted and
// prints its base URL once its signal handling is in place.
func TestSIGTERMDrains(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("cldsync") // installed on PATH by TestMain (testscript)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "emulator", "--listen", "127.0.0.1:0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewReader(stdout)
	if line, err := out.ReadString('\n'); err != nil || !strings.HasPrefix(line, "http://") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("first line of stdout %q, %v; want the base URL", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, out)
	err = cmd.Wait()
	if err != nil {
		t.Fatalf("cldsync emulator after SIGTERM: %v (want a clean exit, status 0); stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "cldsync: terminated (SIGTERM): stopping now") {
		t.Errorf("stderr %q does not say it was terminated", stderr.String())
	}
}
