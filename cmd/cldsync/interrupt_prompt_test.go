package main

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cldsync/cldsync/pkg/emulator"
)

// promptWatcher is apply's stdout; it calls atPrompt once when the
// confirmation question is written, the moment a person would press
// Ctrl-C or type their answer.
type promptWatcher struct {
	lockedBuffer
	once     sync.Once
	atPrompt func()
}

func (w *promptWatcher) Write(p []byte) (int, error) {
	n, err := w.lockedBuffer.Write(p)
	if strings.Contains(string(p), "Only 'yes' will be accepted") {
		w.once.Do(w.atPrompt)
	}
	return n, err
}

// TestApplyPromptInterrupt drives apply's confirmation through a pipe on a
// (faked) terminal: Ctrl-C at the question cancels apply at once, even
// with "yes" typed in the same instant; "yes" alone applies.
func TestApplyPromptInterrupt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// atPrompt is what happens at the question; cancel is the first
		// Ctrl-C, type writes to stdin.
		atPrompt func(cancel func(), typ func(string))
		code     int
		applied  bool
	}{
		{name: "Ctrl-C with nothing typed", atPrompt: func(cancel func(), _ func(string)) { cancel() }, code: 1},
		{name: "Ctrl-C, then yes", atPrompt: func(cancel func(), typ func(string)) { cancel(); typ("yes\n") }, code: 1},
		{name: "no", atPrompt: func(_ func(), typ func(string)) { typ("no\n") }, code: 1},
		{name: "yes", atPrompt: func(_ func(), typ func(string)) { typ("yes\n") }, code: 0, applied: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := emulator.New(emulator.Options{AccountID: "acc", APIKey: "key", APISecret: "secret", Bare: true})
			if err := emu.LoadSeed(strings.NewReader(schemaSeed)); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(emu)
			t.Cleanup(srv.Close)
			env := map[string]string{"CLDSYNC_API_URL": srv.URL, "CLOUDINARY_ACCOUNT_URL": "account://key:secret@acc", "NO_COLOR": "1"}
			cfg := filepath.Join(t.TempDir(), "cldsync.yaml")
			if err := os.WriteFile(cfg, []byte(schemaConfig), 0o644); err != nil {
				t.Fatal(err)
			}

			stdin, typing := io.Pipe()
			t.Cleanup(func() { typing.Close() }) // ends the background read
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			typ := func(s string) {
				// The answer arrives while apply reads it; the write
				// returns once apply's reader has taken it, or when the
				// pipe is closed after the test.
				go io.WriteString(typing, s)
			}
			stdout := &promptWatcher{atPrompt: func() { tt.atPrompt(cancel, typ) }}
			var stderr lockedBuffer
			code := run(ctx, []string{"apply", cfg}, streams{
				Stdout: stdout, Stderr: &stderr, Stdin: stdin,
				Getenv:   func(k string) string { return env[k] },
				Terminal: func(f any) bool { return f == stdin },
			})
			if code != tt.code {
				t.Errorf("apply exited %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), "Do you want to perform these actions?") {
				t.Fatalf("apply did not ask; stdout:\n%s", stdout.String())
			}
			writes := len(emu.Writes())
			if tt.applied {
				if writes == 0 {
					t.Error("apply answered yes wrote nothing")
				}
				return
			}
			if writes != 0 {
				t.Errorf("apply cancelled at the prompt sent %d writes, want 0", writes)
			}
			if !strings.Contains(stderr.String(), "cldsync: apply cancelled") {
				t.Errorf("stderr %q does not say apply cancelled", stderr.String())
			}
		})
	}
}

// TestInterruptSIGTERM: SIGTERM is handled like Ctrl-C, and says which it was.
func TestInterruptSIGTERM(t *testing.T) {
	if !slices.Contains(interruptSignals, os.Signal(syscall.SIGTERM)) || !slices.Contains(interruptSignals, os.Interrupt) {
		t.Fatalf("interruptSignals = %v, want Interrupt and SIGTERM", interruptSignals)
	}
	sigs := make(chan os.Signal, 2)
	var stderr lockedBuffer
	restored := make(chan struct{})
	ctx, release := onInterrupt(t.Context(), sigs, &stderr, time.Hour, func() { close(restored) })
	defer release()
	work := probeWork(ctx)
	startWriting(ctx)
	sigs <- syscall.SIGTERM
	<-ctx.Done()
	if work.Err() != nil {
		t.Fatal("the first SIGTERM cancelled the work context; requests in flight must finish")
	}
	sigs <- syscall.SIGTERM
	<-work.Done()
	<-restored
	if out := stderr.String(); !strings.Contains(out, "cldsync: terminated (SIGTERM): starting nothing new") || !strings.Contains(out, "a second signal to abort them") {
		t.Errorf("stderr %q does not name SIGTERM and the second signal", out)
	}
}
