//go:build unix

package spec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// Bounds of one load of an error case, run in a child process so that a
// crash, a hang or a runaway allocation is seen instead of taking the test
// binary down: the child runs under GOMEMLIMIT, is killed past the time
// limit, and its peak resident memory is checked. The race detector's
// shadow memory is counted in that peak, so the bound leaves room for it.
const (
	boundedTime   = 20 * time.Second
	boundedMemory = 384 << 20 // bytes of peak RSS
	boundedEnv    = "CLDSYNC_BOUNDED_LOAD"
)

// TestErrorCorpusBounded loads every case of testdata/spec/err (the
// hostile inputs among them: alias cycles and bombs, variable bombs, deep
// nesting, unknown tags, oversized values) in a child process with a
// memory and a time limit, and checks that each ends in bounds with
// positioned errors.
func TestErrorCorpusBounded(t *testing.T) {
	if path := os.Getenv(boundedEnv); path != "" {
		boundedChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("starts a process per case")
	}
	dir, cases := errorCases(t)
	errorsLine := regexp.MustCompile(`(?m)^bounded: (\d+) errors$`)
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), boundedTime)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestErrorCorpusBounded$", "-test.count=1")
			cmd.Dir = dir
			// GORACE: under -race the child would sleep 1 s as it exits
			// (atexit_sleep_ms); a value already set comes after and wins.
			cmd.Env = append(os.Environ(), boundedEnv+"="+name, "GOMEMLIMIT=64MiB", "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
			start := time.Now()
			out, err := cmd.CombinedOutput()
			switch {
			case ctx.Err() != nil:
				t.Fatalf("still loading after %s", boundedTime)
			case err != nil:
				t.Fatalf("child failed (%v) after %s:\n%s", err, time.Since(start), out)
			}
			if m := errorsLine.FindSubmatch(out); m == nil || string(m[1]) == "0" {
				t.Errorf("loaded without errors:\n%s", out)
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				if peak := maxRSS(ru); peak > boundedMemory {
					t.Errorf("peak memory %d MiB, over the %d MiB bound", peak>>20, boundedMemory>>20)
				}
			}
		})
	}
}

// boundedChild is the child's side: load path as TestErrors does and say
// how many errors it got.
func boundedChild(t *testing.T, path string) {
	defer func(old int64) { maxFileSize = old }(maxFileSize)
	maxFileSize = 16 << 10 // as TestErrors: the too_big case stays small
	_, err := Load(path)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load(%q) = %v, want Errors", path, err)
	}
	fmt.Printf("bounded: %d errors\n", len(errs))
}
