package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRetryWaits(t *testing.T) {
	t.Parallel()
	resetAt := testEpoch.Add(90 * time.Second).Format(http.TimeFormat)
	retryDate := testEpoch.Add(7 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name      string
		answers   []answer
		wantWaits []time.Duration
		wantErr   error // nil: success
		wantReqs  int
		wantStats Stats
	}{
		{name: "retry-after seconds",
			answers:   []answer{{status: 429, header: map[string]string{"Retry-After": "12"}}, ok(`{}`)},
			wantWaits: []time.Duration{12 * time.Second}, wantReqs: 2,
			wantStats: Stats{Requests: 2, Retries: 1, RateLimited: 1, WaitedOnRateLimit: 12 * time.Second}},
		{name: "retry-after date",
			answers:   []answer{{status: 420, header: map[string]string{"Retry-After": retryDate}}, ok(`{}`)},
			wantWaits: []time.Duration{7 * time.Second}, wantReqs: 2,
			wantStats: Stats{Requests: 2, Retries: 1, RateLimited: 1, WaitedOnRateLimit: 7 * time.Second}},
		{name: "feature rate limit reset",
			answers:   []answer{{status: 420, header: map[string]string{"X-FeatureRateLimit-Reset": resetAt}}, ok(`{}`)},
			wantWaits: []time.Duration{90 * time.Second}, wantReqs: 2,
			wantStats: Stats{Requests: 2, Retries: 1, RateLimited: 1, WaitedOnRateLimit: 90 * time.Second}},
		{name: "retry-after wins over reset",
			answers:   []answer{{status: 429, header: map[string]string{"Retry-After": "3", "X-FeatureRateLimit-Reset": resetAt}}, ok(`{}`)},
			wantWaits: []time.Duration{3 * time.Second}, wantReqs: 2,
			wantStats: Stats{Requests: 2, Retries: 1, RateLimited: 1, WaitedOnRateLimit: 3 * time.Second}},
		{name: "backoff then give up",
			answers:   []answer{{status: 503}},
			wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}, wantReqs: 5,
			wantErr: ErrServer, wantStats: Stats{Requests: 5, Retries: 4}},
		{name: "server wait too long ends retries",
			answers: []answer{{status: 429, header: map[string]string{"Retry-After": "3600"}}},
			wantErr: ErrRateLimited, wantReqs: 1,
			wantStats: Stats{Requests: 1, RateLimited: 1}},
		{name: "not retryable",
			answers: []answer{{status: 404}},
			wantErr: ErrNotFound, wantReqs: 1, wantStats: Stats{Requests: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, clk := setup(t, WithRetry(RetryPolicy{MaxAttempts: 5, BaseDelay: time.Second, MaxDelay: 4 * time.Second, MaxServerWait: 10 * time.Minute / 2}))
			rec := &recorder{answers: tc.answers}
			mux.Handle("/", rec)
			_, err := c.Users.Get(t.Context(), "u1")
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("Get returned %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.wantWaits, clk.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if n := len(rec.requests()); n != tc.wantReqs {
				t.Errorf("server saw %d requests, want %d", n, tc.wantReqs)
			}
			if diff := cmp.Diff(tc.wantStats, c.Stats()); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.Attempts != tc.wantReqs {
				t.Errorf("Attempts = %d, want %d", apiErr.Attempts, tc.wantReqs)
			}
		})
	}
}

func TestBackoffIsJitteredAndCapped(t *testing.T) {
	t.Parallel()
	c, rec, clk := serve(t, answer{status: 500})
	c.retry = RetryPolicy{MaxAttempts: 8, BaseDelay: time.Second, MaxDelay: 5 * time.Second}
	var ceilings []time.Duration
	c.jitter = func(n time.Duration) time.Duration { ceilings = append(ceilings, n); return n / 2 }
	if _, err := c.Users.Get(t.Context(), "u1"); !errors.Is(err, ErrServer) {
		t.Fatalf("Get returned %v", err)
	}
	wantCeil := []time.Duration{1, 2, 4, 5, 5, 5, 5}
	for i := range wantCeil {
		wantCeil[i] *= time.Second
	}
	if diff := cmp.Diff(wantCeil, ceilings); diff != "" {
		t.Errorf("jitter ceilings (-want +got):\n%s", diff)
	}
	for i, w := range clk.Waits() {
		if w != ceilings[i]/2 {
			t.Errorf("wait %d = %v, want the jittered %v", i, w, ceilings[i]/2)
		}
	}
	if n := len(rec.requests()); n != 8 {
		t.Errorf("server saw %d requests, want 8", n)
	}
	// The real jitter stays within [0, n].
	c2, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if d := c2.jitter(time.Second); d < 0 || d > time.Second {
			t.Fatalf("jitter(1s) = %v", d)
		}
	}
}

// TestRetrySafetyByOperation: a create is retried only when the server
// certainly did not act; a read is retried on anything retryable; a write
// in between.
func TestRetrySafetyByOperation(t *testing.T) {
	t.Parallel()
	createUser := func(ctx context.Context, c *Client) error {
		_, err := c.Users.Create(ctx, CreateUserRequest{Name: "n", Email: "e@example.com"})
		return err
	}
	getUser := func(ctx context.Context, c *Client) error { _, err := c.Users.Get(ctx, "u1"); return err }
	updateUser := func(ctx context.Context, c *Client) error {
		_, err := c.Users.Update(ctx, "u1", UpdateUserRequest{Name: Ptr("n")})
		return err
	}
	validate := func(ctx context.Context, c *Client) error {
		_, err := c.Public.ValidatePolicy(ctx, ValidateCedarPolicyRequest{Policy: "p"})
		return err
	}
	tests := []struct {
		name     string
		call     func(context.Context, *Client) error
		first    answer
		wantReqs int
	}{
		{"create 500", createUser, status(500), 1},
		{"create 503", createUser, status(503), 1},
		{"create 429", createUser, status(429), 2},
		{"create 420", createUser, status(420), 2},
		{"read 500", getUser, status(500), 2},
		{"read POST 500", validate, status(500), 2},
		{"write 500", updateUser, status(500), 1},
		{"write 502", updateUser, status(502), 2},
		{"write 429", updateUser, status(429), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, rec, _ := serve(t, tc.first, ok(`{}`))
			err := tc.call(t.Context(), c)
			if n := len(rec.requests()); n != tc.wantReqs {
				t.Errorf("server saw %d requests, want %d (err %v)", n, tc.wantReqs, err)
			}
			if tc.wantReqs == 2 && err != nil {
				t.Errorf("retried call returned %v", err)
			}
			// A retried body is the same body.
			if reqs := rec.requests(); len(reqs) == 2 && reqs[0].Body != reqs[1].Body {
				t.Errorf("retry sent body %q, first attempt %q", reqs[1].Body, reqs[0].Body)
			}
		})
	}
}

// failingTransport fails the first n round trips with err, then delegates.
type failingTransport struct {
	n     atomic.Int32
	err   error
	calls atomic.Int32
	next  http.RoundTripper
}

func (f *failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.calls.Add(1)
	if f.n.Add(-1) >= 0 {
		return nil, f.err
	}
	return f.next.RoundTrip(r)
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestRetryTransportErrors(t *testing.T) {
	t.Parallel()
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	readErr := &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}
	tests := []struct {
		name      string
		err       error
		create    bool
		wantCalls int32
		wantOK    bool
	}{
		{"create dial error retried", dialErr, true, 2, true},
		{"create timeout not retried", readErr, true, 1, false},
		{"read timeout retried", readErr, false, 2, true},
		{"read dial error retried", dialErr, false, 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ft := &failingTransport{err: tc.err, next: http.DefaultTransport}
			ft.n.Store(1)
			c, rec, _ := serve(t, ok(`{"id":"u1"}`))
			c.httpClient.Transport = ft
			var err error
			if tc.create {
				_, err = c.Users.Create(t.Context(), CreateUserRequest{Name: "n", Email: "e"})
			} else {
				_, err = c.Users.Get(t.Context(), "u1")
			}
			if (err == nil) != tc.wantOK {
				t.Errorf("call returned %v, want ok=%v", err, tc.wantOK)
			}
			if got := ft.calls.Load(); got != tc.wantCalls {
				t.Errorf("transport saw %d calls, want %d", got, tc.wantCalls)
			}
			if tc.wantOK && len(rec.requests()) != 1 {
				t.Errorf("server saw %d requests, want 1", len(rec.requests()))
			}
		})
	}
}

func TestRetrySleepEndsOnCancel(t *testing.T) {
	t.Parallel()
	c, rec, clk := serve(t, status(503))
	ctx, cancel := context.WithCancel(t.Context())
	clk.block = true // the wait would never end by itself
	clk.onAfter = cancel
	_, err := c.Users.Get(ctx, "u1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Get returned %v, want context.Canceled", err)
	}
	if n := len(rec.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestRetryPolicyValidation(t *testing.T) {
	t.Parallel()
	bad := []RetryPolicy{
		{MaxAttempts: 0, BaseDelay: time.Second, MaxDelay: time.Second},
		{MaxAttempts: 2, BaseDelay: -1, MaxDelay: time.Second},
		{MaxAttempts: 2, BaseDelay: 2 * time.Second, MaxDelay: time.Second},
	}
	for _, p := range bad {
		if _, err := New(WithRetry(p)); err == nil {
			t.Errorf("New(WithRetry(%+v)) succeeded", p)
		}
	}
	c, rec, _ := serve(t, status(503))
	c.retry = RetryPolicy{MaxAttempts: 1}
	if _, err := c.Users.Get(t.Context(), "u1"); !errors.Is(err, ErrServer) {
		t.Errorf("Get returned %v", err)
	}
	if n := len(rec.requests()); n != 1 {
		t.Errorf("MaxAttempts 1 sent %d requests", n)
	}
}
