package main

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cldsync/cldsync/pkg/apply"
)

// lockedBuffer is a bytes.Buffer safe for the handler's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// probeWork is the context apply would run requests under.
var probeWork = apply.WorkOf

func TestInterruptTwice(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	var stderr lockedBuffer
	restored := make(chan struct{})
	ctx, release := onInterrupt(t.Context(), sigs, &stderr, time.Hour, func() { close(restored) })
	defer release()
	work := probeWork(ctx)
	startWriting(ctx)

	sigs <- os.Interrupt
	<-ctx.Done()
	if work.Err() != nil {
		t.Fatal("the first interrupt cancelled the work context; requests in flight must finish")
	}
	sigs <- os.Interrupt
	<-work.Done()
	<-restored
	out := stderr.String()
	for _, want := range []string{"interrupted: starting nothing new", "Ctrl-C again to abort", "aborting the requests in flight"} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr %q does not say %q", out, want)
		}
	}
}

func TestInterruptGrace(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	var stderr lockedBuffer
	ctx, release := onInterrupt(t.Context(), sigs, &stderr, time.Millisecond, func() {})
	defer release()
	work := probeWork(ctx)
	startWriting(ctx)
	sigs <- os.Interrupt
	<-work.Done() // the grace period ends it without a second interrupt
	if ctx.Err() == nil {
		t.Error("ctx not cancelled by the interrupt")
	}
	if out := stderr.String(); !strings.Contains(out, "grace period over") {
		t.Errorf("stderr %q does not say the grace period is over", out)
	}
}

// TestInterruptWhileReading: before anything is written, the first
// interrupt stops everything at once, says so (not "30s to finish"), and
// restores the default handling so that a second one kills the process.
func TestInterruptWhileReading(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	var stderr lockedBuffer
	restored := make(chan struct{})
	ctx, release := onInterrupt(t.Context(), sigs, &stderr, time.Hour, func() { close(restored) })
	defer release()
	work := probeWork(ctx)
	sigs <- os.Interrupt
	<-restored
	<-ctx.Done()
	<-work.Done() // at once, not after the hour of grace
	out := stderr.String()
	if !strings.Contains(out, "interrupted: stopping now") || !strings.Contains(out, "Ctrl-C again kills it at once") {
		t.Errorf("stderr %q does not say it stops now", out)
	}
	if strings.Contains(out, "to finish") {
		t.Errorf("stderr %q promises requests time to finish while nothing is written", out)
	}
}

func TestInterruptRelease(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	ctx, release := onInterrupt(t.Context(), sigs, &lockedBuffer{}, time.Hour, func() {})
	work := probeWork(ctx)
	if ctx.Err() != nil || work.Err() != nil {
		t.Fatal("contexts done before any interrupt")
	}
	release()
	release() // idempotent
	<-ctx.Done()
	<-work.Done()
}
