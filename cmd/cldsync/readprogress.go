package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cldsync/cldsync/pkg/state"
)

// readProgress shows how far reading the live account is: requests sent
// of about how many the read needs, and the objects read so far. On a
// terminal it is one line rewritten in place (eraseLine, as apply's
// counter) every tick and erased when the read ends, so nothing of it
// stays on screen or in a log; asked for with --progress elsewhere (a CI
// log), it prints a plain line every few seconds instead.
type readProgress struct {
	w        io.Writer
	live     bool
	requests func() int64 // sent so far, from the client

	mu   sync.Mutex
	cur  state.Progress
	last string // the line last printed

	stop chan struct{}
	done chan struct{}
}

// readProgressTick is how often the line is refreshed on a terminal;
// readProgressLogTick how often a plain line is printed elsewhere.
const (
	readProgressTick    = 200 * time.Millisecond
	readProgressLogTick = 5 * time.Second
)

// startReadProgress starts showing progress on w (a terminal if live) until
// Close. requests returns the requests sent so far.
func startReadProgress(w io.Writer, live bool, requests func() int64) *readProgress {
	p := &readProgress{w: w, live: live, requests: requests, stop: make(chan struct{}), done: make(chan struct{})}
	tick := readProgressLogTick
	if live {
		tick = readProgressTick
	}
	go func() {
		defer close(p.done)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.show()
			}
		}
	}()
	return p
}

// Update records what state.Read says (it fits state.Options.Progress).
func (p *readProgress) Update(pr state.Progress) {
	p.mu.Lock()
	p.cur = pr
	p.mu.Unlock()
}

// show prints the current line, unless it says what the last one did.
func (p *readProgress) show() {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := progressLine(p.requests(), p.cur)
	if line == p.last {
		return
	}
	p.last = line
	if p.live {
		fmt.Fprint(p.w, eraseLine+line)
		return
	}
	fmt.Fprintln(p.w, line)
}

// Close stops the updates and, on a terminal, erases the line; elsewhere
// it prints the last one, so that a log ends with the whole read.
func (p *readProgress) Close() {
	close(p.stop)
	<-p.done
	if p.live {
		fmt.Fprint(p.w, eraseLine)
		return
	}
	p.show()
}

// progressLine reads "Reading the live account: 1200 of about 6650
// requests; 20000 users, 500 groups, 210 roles, 3000 assignments so far".
func progressLine(sent int64, pr state.Progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Reading the live account: %d", sent)
	if pr.Estimated > 0 {
		fmt.Fprintf(&b, " of about %d", max(int64(pr.Estimated), sent))
	}
	b.WriteString(" requests")
	var objs []string
	for _, o := range []struct {
		n         int
		one, many string
	}{{pr.Environments, "environment", "environments"}, {pr.Users, "user", "users"}, {pr.Groups, "group", "groups"},
		{pr.Roles, "custom role", "custom roles"}, {pr.Policies, "policy", "policies"}, {pr.Assignments, "assignment", "assignments"}} {
		switch {
		case o.n == 1:
			objs = append(objs, "1 "+o.one)
		case o.n > 1:
			objs = append(objs, fmt.Sprintf("%d %s", o.n, o.many))
		}
	}
	if len(objs) > 0 {
		b.WriteString("; " + strings.Join(objs, ", ") + " so far")
	}
	return b.String()
}
