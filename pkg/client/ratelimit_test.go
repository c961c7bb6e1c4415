package client

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSpecRateLimitedMatchesSpec: the operations paced by the server's
// headers are exactly those whose spec lists 420 or 429.
func TestSpecRateLimitedMatchesSpec(t *testing.T) {
	t.Parallel()
	for path, item := range loadSpec(t)["paths"].(map[string]any) {
		for method, v := range item.(map[string]any) {
			op, ok := v.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			id := op["operationId"].(string)
			resps := op["responses"].(map[string]any)
			_, has420 := resps["420"]
			_, has429 := resps["429"]
			if got, want := specRateLimited(id), has420 || has429; got != want {
				t.Errorf("specRateLimited(%s %s %s) = %v, want %v", id, strings.ToUpper(method), path, got, want)
			}
		}
	}
}

func TestWithRateLimitValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rate  float64
		burst int
	}{{0, 1}, {-1, 1}, {10, -1}} {
		if _, err := New(WithRateLimit(tc.rate, tc.burst)); err == nil {
			t.Errorf("New(WithRateLimit(%v, %d)) returned no error", tc.rate, tc.burst)
		}
	}
	if _, err := New(WithRateLimit(2.5, 0)); err != nil {
		t.Errorf("New(WithRateLimit(2.5, 0)) returned %v", err)
	}
}

// TestFixedRateLimit: a burst of 2 at 10/s lets two requests through at
// once and spaces the rest 100ms apart, on every operation.
func TestFixedRateLimit(t *testing.T) {
	t.Parallel()
	c, mux, clk := setup(t, WithRateLimit(10, 2))
	mux.Handle("/", &recorder{})
	for range 4 {
		if _, err := c.Users.Get(t.Context(), "u1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Roles.Get(t.Context(), "r1", nil); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
	if diff := cmp.Diff(want, clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if got := c.Stats().Throttled; got != 300*time.Millisecond {
		t.Errorf("Stats().Throttled = %v, want 300ms", got)
	}
}

// TestRetryAfterPausesEveryRequest: after a 429 with Retry-After, the next
// request of any goroutine waits out the pause, not only the retried one;
// operations the server does not rate-limit are not held.
func TestRetryAfterPausesEveryRequest(t *testing.T) {
	t.Parallel()
	c, mux, clk := setup(t, WithAdaptiveRateLimit())
	rec := &recorder{answers: []answer{{status: 429, header: map[string]string{"Retry-After": "2"}}, ok(`{}`)}}
	mux.Handle("/", rec)
	c.retry = RetryPolicy{MaxAttempts: 1}
	if _, err := c.Users.Get(t.Context(), "u1"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("Get returned %v, want ErrRateLimited", err)
	}
	if _, err := c.Roles.Get(t.Context(), "r1", nil); err != nil {
		t.Fatal(err)
	}
	if n := len(clk.Waits()); n != 0 {
		t.Fatalf("a permissions read waited %v; the spec lists no 429 for it", clk.Waits())
	}
	if _, err := c.Users.Get(t.Context(), "u2"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{2 * time.Second}, clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if n := len(rec.requests()); n != 3 {
		t.Errorf("server saw %d requests, want 3", n)
	}
	if got := c.Stats().Throttled; got != 2*time.Second {
		t.Errorf("Stats().Throttled = %v, want 2s", got)
	}
}

// TestHeaderPacing: once fewer than half of X-FeatureRateLimit-Limit
// remain, requests are spaced so the rest lasts until the reset (plus the
// HTTP date's second of precision).
func TestHeaderPacing(t *testing.T) {
	t.Parallel()
	low := map[string]string{
		"X-FeatureRateLimit-Limit":     "20",
		"X-FeatureRateLimit-Remaining": "4",
		"X-FeatureRateLimit-Reset":     testEpoch.Add(time.Second).Format(http.TimeFormat),
	}
	high := map[string]string{
		"X-FeatureRateLimit-Limit":     "20",
		"X-FeatureRateLimit-Remaining": "15",
		"X-FeatureRateLimit-Reset":     testEpoch.Add(time.Second).Format(http.TimeFormat),
	}
	c, mux, clk := setup(t, WithAdaptiveRateLimit())
	mux.Handle("/", &recorder{answers: []answer{
		{status: 200, body: `{}`, header: high}, // then unpaced
		{status: 200, body: `{}`, header: low},  // then paced
		{status: 200, body: `{}`, header: low},
		{status: 200, body: `{}`, header: low},
		{status: 200, body: `{}`, header: low},
	}})
	c.limiter.maxPoll = time.Hour // one wait per request, for exact waits
	for range 5 {
		if _, err := c.Users.Get(t.Context(), "u1"); err != nil {
			t.Fatal(err)
		}
	}
	// Request 3 is the first paced one: (reset + 1s − now) / remaining =
	// 2s/4 after request 2. Request 4 goes 1.5s/4 after request 3, and
	// request 5 1.125s/4 after request 4.
	want := []time.Duration{500 * time.Millisecond, 375 * time.Millisecond, 281250 * time.Microsecond}
	if diff := cmp.Diff(want, clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	st := c.RateLimitState()
	if !st.Known || st.Limit != 20 || st.Remaining != 4 || !st.Reset.Equal(testEpoch.Add(time.Second)) {
		t.Errorf("RateLimitState() = %+v", st)
	}
}

func TestPacingInterval(t *testing.T) {
	t.Parallel()
	now := testEpoch
	tests := []struct {
		name                      string
		known                     bool
		limit, remaining, flights int
		reset                     time.Time
		want                      time.Duration
	}{
		{name: "nothing heard", want: 0},
		{name: "half or more left", known: true, limit: 20, remaining: 10, reset: now, want: 0},
		{name: "in-flight requests count", known: true, limit: 20, remaining: 10, flights: 2, reset: now, want: time.Second / 8},
		{name: "spread what is left", known: true, limit: 20, remaining: 5, reset: now.Add(time.Second), want: 400 * time.Millisecond},
		{name: "nothing left waits for the reset", known: true, limit: 20, remaining: 0, reset: now.Add(time.Second), want: 2 * time.Second},
		{name: "stale after the reset", known: true, limit: 20, remaining: 0, reset: now.Add(-2 * time.Second), want: 0},
		{name: "no limit header paces always", known: true, remaining: 100, reset: now.Add(99 * time.Second), want: time.Second},
		{name: "hourly quota", known: true, limit: 5000, remaining: 1000, reset: now.Add(time.Hour - time.Second), want: 3600 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := &limiter{known: tc.known, limit: tc.limit, remaining: tc.remaining, inflight: tc.flights, reset: tc.reset}
			if got := l.interval(now); got != tc.want {
				t.Errorf("interval = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestAdaptiveRateLimitIsOptIn: by default neither the headers nor
// another request's Retry-After hold a request back, but the headers are
// still reported.
func TestAdaptiveRateLimitIsOptIn(t *testing.T) {
	t.Parallel()
	c, mux, clk := setup(t)
	rec := &recorder{answers: []answer{
		{status: 429, header: map[string]string{"Retry-After": "2"}},
		{status: 200, body: `{}`, header: map[string]string{"X-FeatureRateLimit-Limit": "20", "X-FeatureRateLimit-Remaining": "0", "X-FeatureRateLimit-Reset": testEpoch.Add(time.Hour).Format(http.TimeFormat)}},
	}}
	mux.Handle("/", rec)
	c.retry = RetryPolicy{MaxAttempts: 1}
	_, _ = c.Users.Get(t.Context(), "u1")
	for range 3 {
		if _, err := c.Users.Get(t.Context(), "u1"); err != nil {
			t.Fatal(err)
		}
	}
	if w := clk.Waits(); len(w) != 0 {
		t.Errorf("waits %v, want none without the adaptive limiter", w)
	}
	if st := c.RateLimitState(); !st.Known || st.Remaining != 0 || st.Limit != 20 {
		t.Errorf("RateLimitState() = %+v, want the last headers", st)
	}
}

// TestLimiterSharedAndCancellable: concurrent callers share one limiter
// without races, and a wait ends with the context.
func TestLimiterSharedAndCancellable(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithRateLimit(1000, 1))
	mux.Handle("/", &recorder{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := c.Users.Get(t.Context(), "u1")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := c.Stats().Requests; got != 16 {
		t.Errorf("Stats().Requests = %d, want 16", got)
	}

	clk := newFakeClock()
	clk.block = true
	l := newLimiter(clk, 1, 1, true)
	if _, _, err := l.acquire(t.Context(), "getUser"); err != nil {
		t.Fatal(err) // the burst
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := l.acquire(ctx, "getUser"); !errors.Is(err, context.Canceled) {
		t.Errorf("acquire with a cancelled context returned %v, want context.Canceled", err)
	}
}

func TestStatsString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    Stats
		want string
	}{
		{Stats{}, "0 requests; no wait on rate limits"},
		{Stats{Requests: 1}, "1 request; no wait on rate limits"},
		{Stats{Requests: 812, Retries: 3, RateLimited: 2, WaitedOnRateLimit: time.Second, Throttled: 500 * time.Millisecond},
			"812 requests (3 retried, 2 answered 420/429); requests waited 1.5s on rate limits, summed over concurrent requests (1s after 420/429, 500ms paced)"},
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// TestLearnedRate: the sustained rate the headers imply, for a bucket
// refilled continuously (Limit − Remaining over the time to Reset, plus
// half a second for the HTTP date's precision, averaged over answers) and
// for a fixed window (Limit over the jump of Reset when a window starts).
func TestLearnedRate(t *testing.T) {
	t.Parallel()
	hdr := func(limit, remaining int, reset time.Time) map[string]string {
		return map[string]string{
			"X-FeatureRateLimit-Limit":     strconv.Itoa(limit),
			"X-FeatureRateLimit-Remaining": strconv.Itoa(remaining),
			"X-FeatureRateLimit-Reset":     reset.Format(http.TimeFormat),
		}
	}
	t.Run("bucket", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t)
		mux.Handle("/", &recorder{answers: []answer{
			{status: 200, body: `{}`, header: hdr(20, 20, testEpoch)},                 // full: nothing to learn
			{status: 200, body: `{}`, header: hdr(20, 5, testEpoch.Add(time.Second))}, // 15 short, 1.5s
			{status: 200, body: `{}`, header: hdr(20, 0, testEpoch.Add(time.Second))}, // 20 short, 1.5s
		}})
		for range 3 {
			if _, err := c.Users.Get(t.Context(), "u1"); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := c.RateLimitState().Rate, 35/3.0; math.Abs(got-want) > 1e-9 {
			t.Errorf("Rate = %v, want %v", got, want)
		}
	})
	t.Run("window", func(t *testing.T) {
		t.Parallel()
		c, mux, clk := setup(t)
		end := testEpoch.Add(10 * time.Minute)
		mux.Handle("/", &recorder{answers: []answer{
			{status: 200, body: `{}`, header: hdr(500, 3, end)},
			{status: 200, body: `{}`, header: hdr(500, 499, end.Add(time.Hour))}, // a new hour
			{status: 200, body: `{}`, header: hdr(500, 498, end.Add(time.Hour))},
		}})
		if _, err := c.Users.Get(t.Context(), "u1"); err != nil {
			t.Fatal(err)
		}
		clk.After(10 * time.Minute) // the window ends
		for range 2 {
			if _, err := c.Users.Get(t.Context(), "u1"); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := c.RateLimitState().Rate, 500/3600.0; math.Abs(got-want) > 1e-9 {
			t.Errorf("Rate = %v, want %v (500 an hour)", got, want)
		}
	})
}
