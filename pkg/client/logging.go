package client

// The debug log is the one place request and response bodies leave the
// process, and both carry secrets: ProductEnvironment.api_access_keys[].secret
// and AccessKey.api_secret come back from list, get, create and update
// (NOTES P20). The transport therefore never logs headers other than the
// rate-limit ones (so never Authorization), redacts JSON keys that hold
// secrets at any depth, and replaces account://KEY:SECRET@ID strings. Bodies
// that are not JSON get the same treatment by pattern, after which they are
// truncated.

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
)

const (
	maxLogBody  = 2 << 10  // bytes of each body shown in the log
	maxPeekBody = 64 << 10 // bytes of a response read for the log
)

type loggingTransport struct {
	base   http.RoundTripper // nil means http.DefaultTransport
	logger *slog.Logger
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	ctx := req.Context()
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", sanitizeURL(req.URL)),
	}
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, maxPeekBody))
			rc.Close()
			attrs = append(attrs, slog.String("request_body", redactBody(b)))
		}
	}
	start := time.Now()
	resp, err := base.RoundTrip(req)
	attrs = append(attrs, slog.Duration("duration", time.Since(start)))
	if err != nil {
		attrs = append(attrs, slog.String("error", redactText(err.Error())))
		t.logger.LogAttrs(ctx, slog.LevelDebug, "cldsync http", attrs...)
		return resp, err
	}
	attrs = append(attrs, slog.Int("status", resp.StatusCode))
	for _, h := range []string{"Retry-After", "X-FeatureRateLimit-Limit", "X-FeatureRateLimit-Remaining", "X-FeatureRateLimit-Reset"} {
		if v := resp.Header.Get(h); v != "" {
			attrs = append(attrs, slog.String(strings.ToLower(h), v))
		}
	}
	if resp.Body != nil {
		peek, rerr := io.ReadAll(io.LimitReader(resp.Body, maxPeekBody))
		var rest io.Reader = resp.Body
		if rerr != nil {
			rest = errReader{rerr}
		}
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(peek), rest), resp.Body}
		attrs = append(attrs, slog.String("response_body", redactBody(peek)))
	}
	t.logger.LogAttrs(ctx, slog.LevelDebug, "cldsync http", attrs...)
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// secretKeys are JSON keys whose values are never logged.
var secretKeys = map[string]bool{"api_secret": true, "secret": true, "password": true, "apisecret": true}

var (
	accountURLPattern = regexp.MustCompile(`(?i)account://[^\s"'<>]*`)
	secretKVPattern   = regexp.MustCompile(`(?i)("(?:api_secret|secret|password)"\s*:\s*)"(?:[^"\\]|\\.)*("|$)`)
)

// redactBody returns b fit for a log line: secrets redacted, truncated.
func redactBody(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ""
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&v) == nil && !dec.More() {
		if out, err := json.Marshal(redactValue(v)); err == nil {
			return truncate(string(out), maxLogBody)
		}
	}
	return truncate(redactText(string(b)), maxLogBody)
}

func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if secretKeys[strings.ToLower(k)] {
				x[k] = redacted
				continue
			}
			x[k] = redactValue(val)
		}
	case []any:
		for i := range x {
			x[i] = redactValue(x[i])
		}
	case string:
		return redactText(x)
	}
	return v
}

// redactText is the pattern fallback for text that is not JSON.
func redactText(s string) string {
	s = secretKVPattern.ReplaceAllString(s, `$1"REDACTED"`)
	return accountURLPattern.ReplaceAllString(s, "account://REDACTED")
}
