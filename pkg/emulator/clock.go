package emulator

import (
	"sync"
	"time"
)

// The settable clock: tests of key rotation move the account through
// simulated time, so that access keys get their created_at from it and a
// tool run with the same time (cldsync's CLDSYNC_NOW) sees them as old as
// the test says. Only timestamps use it; the rate limiter keeps real time.

// clock is the emulator's simulated time, unset by default.
type clock struct {
	mu  sync.Mutex
	set bool
	t   time.Time
}

func (e *Emulator) clock() *clock { return &e.clk }

// SetClock makes the account's timestamps (created_at, updated_at of what
// is created or changed from now on) read t, until SetClock is called
// again; the zero time goes back to Options.Now.
func (e *Emulator) SetClock(t time.Time) {
	c := e.clock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set, c.t = !t.IsZero(), t.UTC()
}

// Clock returns the time SetClock set, and false when the account keeps
// real time.
func (e *Emulator) Clock() (time.Time, bool) { return e.simulated() }

// simulated returns the set time, if any.
func (e *Emulator) simulated() (time.Time, bool) {
	c := e.clock()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t, c.set
}

// IssuedSecrets returns every api_secret the emulator has generated for an
// access key, deleted keys' included, for tests that prove no output
// holds one.
func (e *Emulator) IssuedSecrets() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.prov.issued...)
}
