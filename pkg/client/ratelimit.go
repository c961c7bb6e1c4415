package client

// Client-side rate limiting. One limiter belongs to each Client and is
// shared by every goroutine using it, so that the workers of a parallel
// read or apply pace as one caller, which is what the server counts.
//
// Two mechanisms:
//
//   - A fixed ceiling (WithRateLimit): a token bucket of perSecond tokens a
//     second holding up to burst, for a quota known in advance. Every
//     request takes a token; it applies to all operations.
//   - Adaptation to the server (WithAdaptiveRateLimit; the CLI turns it
//     on, the library leaves it off so that callers see the server as it
//     is unless they ask), for
//     the operations the server rate-limits (NOTES.md 6.2: the spec lists
//     420/429 on every provisioning operation and on no permissions one;
//     any operation answered 420/429 or carrying the headers joins them):
//     1. A 420/429 with Retry-After (or X-FeatureRateLimit-Reset) pauses
//     every such request until then, not only the one being retried.
//     2. X-FeatureRateLimit-Limit/-Remaining/-Reset on any answer: while
//     the server says fewer than half of Limit remain (less the requests
//     in flight), requests are spaced so that what remains lasts until
//     Reset: interval = (Reset + 1s − now) / remaining. The extra second
//     is the HTTP date's precision. Against a token bucket (the emulator,
//     most gateways), Reset is when the bucket is full again, so this
//     settles at the bucket's refill rate with the bucket about half
//     full: never empty (no 429s) and never full (no unused capacity).
//     Against a fixed window (an hourly quota), it spreads the last half
//     of the quota over the rest of the window.
//
// Waits use the client's Clock and end with the context; their total is
// Stats.Throttled.

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// resetPrecision is how much later than X-FeatureRateLimit-Reset the reset
// may really be: an HTTP date has whole seconds.
const resetPrecision = time.Second

// defaultMaxPoll is how often a paced request re-checks the pace.
const defaultMaxPoll = 100 * time.Millisecond

// WithRateLimit caps the client at perSecond requests a second, with bursts
// of up to burst requests (0 means 1), across all goroutines sharing the
// client. Use it when the quota is known in advance; the adaptive limiter
// (WithAdaptiveRateLimit) learns it from the server's headers otherwise.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) error {
		if perSecond <= 0 || math.IsInf(perSecond, 0) || math.IsNaN(perSecond) {
			return fmt.Errorf("WithRateLimit: %v requests per second is not a positive number", perSecond)
		}
		if burst < 0 {
			return fmt.Errorf("WithRateLimit: burst %d is negative", burst)
		}
		s.ratePerSecond, s.rateBurst = perSecond, max(burst, 1)
		return nil
	}
}

// WithAdaptiveRateLimit makes every goroutine sharing the client pace by
// the server's X-FeatureRateLimit-* headers and wait out a Retry-After
// any of them was given (see ratelimit.go). Without it, only the request
// that was answered 420/429 waits before its retry.
//
// The pacing takes X-FeatureRateLimit-Reset as an absolute time, so it
// assumes the client's clock agrees with the server's within a second or
// so.
func WithAdaptiveRateLimit() Option {
	return func(s *settings) error {
		s.adaptive = true
		return nil
	}
}

// RateLimitState is what the client last heard of the server's rate
// limit, from the X-FeatureRateLimit-* headers.
type RateLimitState struct {
	Known     bool      // false until an answer carried the headers
	Limit     int       // X-FeatureRateLimit-Limit (0 if absent)
	Remaining int       // X-FeatureRateLimit-Remaining
	Reset     time.Time // X-FeatureRateLimit-Reset
	// Rate is the sustained rate the headers imply, in requests a second;
	// 0 while unknown. Two kinds of limit send these headers: a bucket
	// refilled continuously, whose Reset is when it is full again, so the
	// rate is (Limit − Remaining) ÷ (Reset − now), averaged over the
	// answers; and a fixed window
	// (Cloudinary's hourly quotas), whose Reset jumps by the window when a
	// new one starts, so the rate is Limit ÷ that jump. A jump, once
	// seen, wins.
	Rate float64
}

// RateLimitState returns the server's rate-limit headers as last seen.
func (c *Client) RateLimitState() RateLimitState {
	c.limiter.mu.Lock()
	defer c.limiter.mu.Unlock()
	l := c.limiter
	return RateLimitState{Known: l.known, Limit: l.limit, Remaining: l.remaining, Reset: l.reset, Rate: l.learnedRate}
}

// limiter is the Client's shared rate limiter. The zero value (with a
// clock) limits nothing.
type limiter struct {
	clock    Clock
	adaptive bool

	mu sync.Mutex // guards everything below

	// The fixed ceiling; rate 0 means none.
	rate, burst, tokens float64
	last                time.Time

	// What the server said.
	pauseUntil time.Time
	known      bool
	limit      int
	remaining  int
	reset      time.Time
	// inflight counts rate-limited requests sent and not yet answered.
	inflight int
	// lastSent is when the latest rate-limited request was sent.
	lastSent time.Time
	// maxPoll bounds a paced wait between re-checks (defaultMaxPoll).
	maxPoll time.Duration
	// learned are operations found rate-limited beyond the spec's list.
	learned map[string]bool
	// learnedRate is RateLimitState.Rate; windowed says it came from a
	// window's reset jumping, not from a bucket's refill. deficit and
	// refill sum, over the answers, Limit − Remaining and the time until
	// Reset (in seconds): their ratio is a bucket's refill rate.
	learnedRate     float64
	windowed        bool
	deficit, refill float64
}

func newLimiter(clock Clock, rate float64, burst int, adaptive bool) *limiter {
	return &limiter{clock: clock, adaptive: adaptive, rate: rate, burst: float64(burst), tokens: float64(burst), last: clock.Now(),
		maxPoll: defaultMaxPoll, learned: map[string]bool{}}
}

// specRateLimited reports whether the spec lists 420 or 429 for an
// operation: every provisioning (/v1_1) operation, no permissions one.
func specRateLimited(op string) bool {
	return strings.HasPrefix(operations[op].Path, "/v1_1/")
}

// limited reports whether op is paced by what the server says. Must hold
// l.mu.
func (l *limiter) limited(op string) bool {
	return l.adaptive && (specRateLimited(op) || l.learned[op])
}

// acquire waits until op may be sent and returns the function to call
// when its answer (or failure) is in, and how long it waited.
//
// A waiting caller re-checks what the server said at least every
// l.maxPoll rather than reserving a slot: a slot reserved at a slow pace
// would be kept after the server's answers allow a faster one, and the
// capacity of the server's bucket would go unused.
func (l *limiter) acquire(ctx context.Context, op string) (release func(), waited time.Duration, err error) {
	for {
		l.mu.Lock()
		now := l.clock.Now()
		limited := l.limited(op)
		var d time.Duration
		switch {
		case limited && l.pauseUntil.After(now):
			// 1. A pause the server asked for.
			d = l.pauseUntil.Sub(now)
		case limited:
			// 2. Pacing by the headers: at least interval after the
			// previous request.
			if interval := l.interval(now); interval > 0 {
				if next := l.lastSent.Add(interval); next.After(now) {
					d = min(next.Sub(now), l.maxPoll)
				}
			}
		}
		if d > 0 {
			l.mu.Unlock()
			if err := l.sleep(ctx, d); err != nil {
				return nil, waited, err
			}
			waited += d
			continue
		}
		// 3. The fixed ceiling reserves its token now and waits for it,
		// so that concurrent callers queue up in order.
		if l.rate > 0 {
			if now.After(l.last) {
				l.tokens = math.Min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
				l.last = now
			}
			l.tokens--
			if l.tokens < 0 {
				d = time.Duration(-l.tokens / l.rate * float64(time.Second))
			}
		}
		if limited {
			l.inflight++
			l.lastSent = now.Add(d)
		}
		l.mu.Unlock()
		release = func() {
			if limited {
				l.mu.Lock()
				l.inflight--
				l.mu.Unlock()
			}
		}
		if d > 0 {
			if err := l.sleep(ctx, d); err != nil {
				release()
				return nil, waited, err
			}
			waited += d
		}
		return release, waited, nil
	}
}

// interval is the spacing of paced requests now, 0 for none. Must hold
// l.mu.
func (l *limiter) interval(now time.Time) time.Duration {
	if !l.known {
		return 0
	}
	left := l.reset.Add(resetPrecision).Sub(now)
	if left <= 0 {
		// The window has reset since: what we heard is stale.
		l.known = false
		return 0
	}
	remaining := l.remaining - l.inflight
	if l.limit > 0 && 2*remaining >= l.limit {
		return 0
	}
	if remaining < 1 {
		remaining = 1
	}
	return left / time.Duration(remaining)
}

func (l *limiter) sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-l.clock.After(d):
		return nil
	}
}

// observe learns from one answer: its rate-limit headers (kept for
// RateLimitState even when not adaptive), and a 420/429's requested wait
// (retryAfter, when hasWait). maxWait bounds the shared pause: a longer
// wait ends the retries anyway.
func (l *limiter) observe(op string, h http.Header, rateLimited bool, retryAfter time.Duration, hasWait bool, maxWait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if rateLimited {
		l.learned[op] = true
		if l.adaptive && hasWait && retryAfter <= maxWait {
			if until := now.Add(retryAfter); until.After(l.pauseUntil) {
				l.pauseUntil = until
			}
		}
	}
	if h == nil {
		return
	}
	rem, err1 := strconv.Atoi(strings.TrimSpace(h.Get("X-FeatureRateLimit-Remaining")))
	reset, err2 := http.ParseTime(strings.TrimSpace(h.Get("X-FeatureRateLimit-Reset")))
	if err1 != nil || err2 != nil {
		return
	}
	l.learned[op] = true
	prevKnown, prevRemaining, prevReset := l.known, l.remaining, l.reset
	l.known, l.remaining, l.reset = true, rem, reset
	if lim, err := strconv.Atoi(strings.TrimSpace(h.Get("X-FeatureRateLimit-Limit"))); err == nil && lim > 0 {
		l.limit = lim
	}
	l.learnRate(now, prevKnown, prevRemaining, prevReset)
}

// learnRate updates learnedRate from the headers just read (see
// RateLimitState.Rate) and those read before. Must hold l.mu.
func (l *limiter) learnRate(now time.Time, prevKnown bool, prevRemaining int, prevReset time.Time) {
	if l.limit <= 0 {
		return
	}
	// A new window: Reset moved on by (about) a window and the quota was
	// refilled. A bucket's Reset creeps by a request's worth at a time.
	if jump := l.reset.Sub(prevReset); prevKnown && l.remaining > prevRemaining && jump >= time.Second && !now.Before(prevReset) {
		l.learnedRate, l.windowed = float64(l.limit)/jump.Seconds(), true
		return
	}
	if l.windowed {
		return
	}
	// Reset is an HTTP date, to the second: the time left is up to a
	// second more than it says, half a second on average; summed over
	// many answers the error averages out.
	if left := l.reset.Sub(now) + resetPrecision/2; left > 0 && l.remaining < l.limit {
		l.deficit += float64(l.limit - l.remaining)
		l.refill += left.Seconds()
		l.learnedRate = l.deficit / l.refill
	}
}

// String summarises the counters for people, as `plan --verbose` prints
// them: "812 requests (3 retried, 2 answered 420/429); requests waited 1.5s
// on rate limits, summed over concurrent requests (1s after 420/429, 500ms
// paced)". The wait is a sum, not wall-clock time: ten requests waiting one
// second together count ten seconds.
func (s Stats) String() string {
	out := fmt.Sprintf("%d requests", s.Requests)
	if s.Requests == 1 {
		out = "1 request"
	}
	if s.Retries > 0 || s.RateLimited > 0 {
		out += fmt.Sprintf(" (%d retried, %d answered 420/429)", s.Retries, s.RateLimited)
	}
	waited := s.WaitedOnRateLimit + s.Throttled
	if waited == 0 {
		return out + "; no wait on rate limits"
	}
	return out + fmt.Sprintf("; requests waited %s on rate limits, summed over concurrent requests (%s after 420/429, %s paced)",
		waited.Round(time.Millisecond), s.WaitedOnRateLimit.Round(time.Millisecond), s.Throttled.Round(time.Millisecond))
}
