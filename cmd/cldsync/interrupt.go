package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cldsync/cldsync/pkg/apply"
)

// interruptGrace is how long the requests in flight may run on after the
// first Ctrl-C before they are cancelled.
var interruptGrace = 30 * time.Second

// onInterrupt handles Ctrl-C. It returns ctx, which the first interrupt
// cancels. Until the command calls startWriting(ctx) (apply, just before
// its first change), nothing needs to finish: the first interrupt cancels
// everything at once and restores the default handling, so that a second
// one kills a process stuck where no context reaches (a read that never
// returns). Once writing, it goes in two steps: the first interrupt stops
// new work (apply schedules no new change, and prints its report); ctx
// carries (apply.WithWork) a work context that outlives it, under which
// requests already sent finish. The work context is cancelled by a second
// interrupt, or grace after the first. After the second interrupt restore
// is called, so that a third one kills the process the default way.
// release stops the handling. What it prints says which of these happens.
//
// SIGTERM, sent on sigs as well (cli.go), is handled the same way, so that
// a cancelled CI job drains too.
func onInterrupt(parent context.Context, sigs <-chan os.Signal, stderr io.Writer, grace time.Duration, restore func()) (ctx context.Context, release func()) {
	stop, cancelStop := context.WithCancel(parent)
	work, cancelWork := context.WithCancel(context.WithoutCancel(parent))
	writing := new(atomic.Bool)
	done := make(chan struct{})
	go func() {
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-done:
			return
		}
		what, again := "interrupted", "Ctrl-C again"
		if sig == syscall.SIGTERM {
			what, again = "terminated (SIGTERM)", "a second signal"
		}
		if !writing.Load() {
			fmt.Fprintf(stderr, "\ncldsync: %s: stopping now; nothing was being written (%s kills it at once)\n", what, again)
			restore()
			cancelStop()
			cancelWork()
			return
		}
		fmt.Fprintf(stderr, "\ncldsync: %s: starting nothing new; requests in flight have %s to finish (%s to abort them)\n", what, grace, again)
		cancelStop()
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "cldsync: aborting the requests in flight")
			restore()
		case <-t.C:
			fmt.Fprintln(stderr, "cldsync: grace period over: aborting the requests in flight")
		case <-done:
			return
		}
		cancelWork()
	}()
	var once sync.Once
	ctx = context.WithValue(apply.WithWork(stop, work), writingKey{}, writing)
	return ctx, func() {
		once.Do(func() {
			close(done)
			cancelStop()
			cancelWork()
		})
	}
}

type writingKey struct{}

// startWriting tells the interrupt handling of ctx (onInterrupt) that
// requests that change the account are about to be sent: from now on an
// interrupt lets those in flight finish.
func startWriting(ctx context.Context) {
	if w, ok := ctx.Value(writingKey{}).(*atomic.Bool); ok {
		w.Store(true)
	}
}
