package main

import (
	"fmt"
	"io"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/planner"
)

// progress is apply's view of a run: one line as each change starts and
// one as it ends, in the order they happen. On a terminal a counter line
// stays at the bottom ("Applying: 3 of 10 done, 2 running"), rewritten in
// place after every event and erased by Close, so logs never contain it.
// apply calls the hooks one at a time; skipped changes end without
// starting.
type progress struct {
	w       io.Writer
	live    bool
	total   int
	running int
	ended   int
}

var _ apply.Hooks = (*progress)(nil)

func newProgress(w io.Writer, total int, terminal bool) *progress {
	return &progress{w: w, total: total, live: terminal}
}

// eraseLine returns the cursor to the start of the line and clears it.
const eraseLine = "\r\x1b[2K"

func changeTitle(c planner.Change) string { return apply.ChangeName(c) }

// Started implements apply.Hooks.
func (p *progress) Started(c planner.Change) {
	p.running++
	p.line(changeTitle(c) + ": started")
}

// Finished implements apply.Hooks.
func (p *progress) Finished(e apply.Entry) {
	p.ended++
	switch e.Outcome {
	case apply.Applied:
		p.running--
		p.line(changeTitle(e.Change) + ": done")
	case apply.Failed:
		p.running--
		p.line(fmt.Sprintf("%s: failed: %v", changeTitle(e.Change), e.Err))
	case apply.Skipped:
		p.line(changeTitle(e.Change) + ": skipped: " + e.Reason)
	}
}

func (p *progress) line(s string) {
	if p.live {
		fmt.Fprint(p.w, eraseLine)
	}
	fmt.Fprintln(p.w, s)
	if p.live {
		fmt.Fprintf(p.w, "Applying: %d of %d done, %d running", p.ended, p.total, p.running)
	}
}

// Close erases the counter line.
func (p *progress) Close() {
	if p.live {
		fmt.Fprint(p.w, eraseLine)
	}
}
