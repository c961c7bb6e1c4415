package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy bounds the client's retries. Which failures are retried is
// decided per operation (see Safety); how long to wait is decided here:
// first the server's Retry-After (seconds or HTTP date), then, for 420/429,
// its X-FeatureRateLimit-Reset (HTTP date), else capped exponential backoff
// with full jitter: a uniform wait in [0, min(MaxDelay, BaseDelay·2^(n-1))]
// before retry n.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too; 1 disables retries.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the backoff.
	BaseDelay, MaxDelay time.Duration
	// MaxServerWait is the longest server-requested wait (Retry-After,
	// X-FeatureRateLimit-Reset) the client sits through. A longer one ends
	// the retries at once with the *APIError, whose RetryAfter says how long
	// the server wanted: an hourly quota is better reported than slept on.
	// Zero means the default, 5 minutes.
	MaxServerWait time.Duration
}

const defaultMaxServerWait = 5 * time.Minute

// DefaultRetryPolicy returns the policy New uses: 5 attempts, backoff from
// 1s capped at 30s, server-requested waits up to 5 minutes.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 5, BaseDelay: time.Second, MaxDelay: 30 * time.Second, MaxServerWait: defaultMaxServerWait}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return fmt.Errorf("MaxAttempts %d: want at least 1", p.MaxAttempts)
	case p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxServerWait < 0:
		return errors.New("negative delay")
	case p.MaxDelay < p.BaseDelay:
		return fmt.Errorf("MaxDelay %v is below BaseDelay %v", p.MaxDelay, p.BaseDelay)
	}
	return nil
}

func (p RetryPolicy) maxServerWait() time.Duration {
	if p.MaxServerWait == 0 {
		return defaultMaxServerWait
	}
	return p.MaxServerWait
}

// backoff is the jitter ceiling before retry n (n >= 1).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}

// doWithRetry runs the attempts of one call. It is the only retry loop in
// the package.
func (c *Client) doWithRetry(ctx context.Context, spec opSpec, op string, u *url.URL, body []byte) ([]byte, error) {
	p := c.retry
	for n := 1; ; n++ {
		if n > 1 {
			c.stats.retries.Add(1)
		}
		release, throttled, err := c.limiter.acquire(ctx, op)
		c.stats.throttledNanos.Add(int64(throttled))
		if err != nil {
			return nil, fmt.Errorf("%s: waiting for the rate limiter: %w", op, err)
		}
		start := c.clock.Now()
		resp, raw, err := c.attempt(ctx, op, spec.Method, u, body)
		c.stats.busyNanos.Add(int64(c.clock.Now().Sub(start)))
		var apiErr *APIError
		isAPI := errors.As(err, &apiErr)
		var header http.Header
		if resp != nil {
			header = resp.Header
		}
		if isAPI {
			c.limiter.observe(op, header, apiErr.rateLimited(), apiErr.RetryAfter, apiErr.hasRetryAfter, p.maxServerWait())
		} else {
			c.limiter.observe(op, header, false, 0, false, 0)
		}
		release()
		if err == nil {
			return raw, nil
		}
		if isAPI {
			apiErr.Attempts = n
			if apiErr.rateLimited() {
				c.stats.rateLimited.Add(1)
			}
		}
		final := func(err error) error {
			if isAPI {
				return apiErr
			}
			return fmt.Errorf("%s: %s %s: %w", op, spec.Method, sanitizeURL(u), err)
		}
		if ctx.Err() != nil {
			// The caller gave up; the transport error already says so.
			return nil, final(err)
		}
		if !retryable(spec.Safety, resp, apiErr, err) || n >= p.MaxAttempts {
			return nil, final(err)
		}

		wait := time.Duration(-1)
		if isAPI && apiErr.hasRetryAfter {
			wait = apiErr.RetryAfter
			if wait > p.maxServerWait() {
				return nil, final(err)
			}
		}
		if wait < 0 {
			wait = c.jitter(p.backoff(n))
		}
		if c.logger != nil {
			c.logger.LogAttrs(ctx, slog.LevelDebug, "cldsync http retry",
				slog.String("op", op), slog.Int("attempt", n), slog.Duration("wait", wait), slog.String("reason", errReason(err)))
		}
		if isAPI && apiErr.rateLimited() {
			c.stats.waitedNanos.Add(int64(wait))
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: waiting to retry: %w (last error: %v)", op, ctx.Err(), final(err))
		case <-c.clock.After(wait):
		}
	}
}

// retryable applies the Safety table in operations.go to one failure.
func retryable(s Safety, resp *http.Response, apiErr *APIError, err error) bool {
	if apiErr != nil {
		code := apiErr.StatusCode
		switch {
		case code == 420 || code == http.StatusTooManyRequests:
			return true
		case s == Read:
			return code >= 500
		case s == Write:
			return code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
		}
		return false
	}
	if resp != nil {
		// The status was 2xx but the body could not be read: the server
		// acted.
		return s == Read
	}
	if s == Read {
		return true
	}
	return isDialError(err)
}

// isDialError reports whether err happened while connecting, before any
// byte of the request reached the server.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// parseRetryAfter reads Retry-After (delta seconds or HTTP date) and, for
// rate-limit answers, X-FeatureRateLimit-Reset (HTTP date).
func parseRetryAfter(h http.Header, rateLimited bool, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if rateLimited {
		if v := strings.TrimSpace(h.Get("X-FeatureRateLimit-Reset")); v != "" {
			if t, err := http.ParseTime(v); err == nil {
				if d := t.Sub(now); d > 0 {
					return d, true
				}
			}
		}
	}
	return 0, false
}

func errReason(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return strconv.Itoa(apiErr.StatusCode)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
