//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

// TestInterruptWhileReadingExits interrupts a real `cldsync plan` while it
// waits for the account's answers (a server that never answers): it stops
// at once and says so, instead of promising requests "30s to finish".
func TestInterruptWhileReadingExits(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("cldsync") // installed on PATH by TestMain (testscript)
	if err != nil {
		t.Fatal(err)
	}
	asked := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case asked <- struct{}{}:
		default:
		}
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(srv.Close)
	cfg := filepath.Join(t.TempDir(), "cldsync.yaml")
	if err := os.WriteFile(cfg, []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "plan", cfg)
	cmd.Env = append(os.Environ(), "CLDSYNC_API_URL="+srv.URL, "CLOUDINARY_ACCOUNT_URL=account://key:secret@acc", "NO_COLOR=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-asked:
	case <-ctx.Done():
		t.Fatal("plan sent no request")
	}
	sent := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("plan still running 30s after the interrupt; stderr:\n%s", stderr.String())
	}
	if took := time.Since(sent); took > 10*time.Second {
		t.Errorf("plan took %s to stop after the interrupt", took)
	}
	if err == nil {
		t.Error("an interrupted plan exited 0")
	}
	out := stderr.String()
	if !strings.Contains(out, "cldsync: interrupted: stopping now") || strings.Contains(out, "to finish") {
		t.Errorf("stderr does not say it stops now (or promises time to finish):\n%s", out)
	}
}
