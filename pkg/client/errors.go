package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Sentinels for errors.Is. An *APIError matches the sentinel of its status
// class through (*APIError).Is; dispatch on these, never on Code, which the
// permissions API reuses across statuses (ACCOUNTS_00006 is 401, 403 and
// 409 alike).
var (
	ErrBadRequest   = errors.New("bad request")               // 400
	ErrUnauthorized = errors.New("unauthorized")              // 401
	ErrForbidden    = errors.New("forbidden")                 // 403
	ErrNotFound     = errors.New("not found")                 // 404
	ErrConflict     = errors.New("conflict")                  // 409
	ErrRateLimited  = errors.New("rate limited")              // 420 and 429
	ErrServer       = errors.New("server error")              // 5xx
	ErrIncomplete   = errors.New("listing may be incomplete") // see Listing
)

// APIError is a non-2xx answer. It decodes both error shapes of the spec:
// provisioning's {"error":{"message"}} and permissions'
// {"error":{"category","code","message","details"}}; bodies that are
// neither (an HTML page from a proxy, nothing at all) leave the decoded
// fields empty and are kept in Body.
type APIError struct {
	StatusCode  int
	Method      string
	URL         string // without credentials or secret-bearing query values
	OperationID string

	Message  string
	Category string // permissions API only: user_error, server_error
	Code     string // permissions API only, e.g. ACCOUNTS_00005
	// Fields is details.fields, which mixes bare strings ("name") and
	// one-key objects ({"scope_type":"account"}); decode each as needed.
	Fields []json.RawMessage
	// CedarErrors are collected from {"cedar_errors":[...]} entries of
	// Fields (an invalid policy_statement). Their CedarCode is often empty.
	CedarErrors []CedarError

	Body []byte // the raw body, at most 64 KiB

	// RetryAfter is the wait the server asked for (Retry-After, or
	// X-FeatureRateLimit-Reset on 420/429), zero if it asked for none.
	RetryAfter    time.Duration
	hasRetryAfter bool

	// Attempts is how many attempts the call made. Above 1, an earlier
	// attempt may have acted (a DELETE answering 404 on its retry).
	Attempts int
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s: %d %s", e.OperationID, e.Method, e.URL, e.StatusCode, statusText(e.StatusCode))
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " [%s]", e.Code)
	}
	if len(e.Fields) > 0 {
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = string(f)
		}
		fmt.Fprintf(&b, " (fields: %s)", truncate(strings.Join(parts, ", "), 300))
	}
	return b.String()
}

func statusText(code int) string {
	if code == 420 {
		return "Max Usage Rate Exceeded" // Cloudinary's, not in net/http
	}
	return http.StatusText(code)
}

// Is makes errors.Is(err, ErrNotFound) and friends work.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrRateLimited:
		return e.rateLimited()
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

func (e *APIError) rateLimited() bool {
	return e.StatusCode == 420 || e.StatusCode == http.StatusTooManyRequests
}

// errorBody covers both spec error shapes.
type errorBody struct {
	Error *struct {
		Message  string `json:"message"`
		Category string `json:"category"`
		Code     string `json:"code"`
		Details  *struct {
			Fields []json.RawMessage `json:"fields"`
		} `json:"details"`
	} `json:"error"`
}

func newAPIError(op, method string, u *url.URL, resp *http.Response, body []byte, now time.Time) *APIError {
	e := &APIError{
		StatusCode:  resp.StatusCode,
		Method:      method,
		URL:         sanitizeURL(u),
		OperationID: op,
		Body:        body,
	}
	e.RetryAfter, e.hasRetryAfter = parseRetryAfter(resp.Header, e.rateLimited(), now)
	var eb errorBody
	if err := json.Unmarshal(bytes.TrimSpace(body), &eb); err == nil && eb.Error != nil {
		e.Message, e.Category, e.Code = eb.Error.Message, eb.Error.Category, eb.Error.Code
		if eb.Error.Details != nil {
			e.Fields = eb.Error.Details.Fields
			for _, f := range e.Fields {
				var ce struct {
					CedarErrors []CedarError `json:"cedar_errors"`
				}
				if json.Unmarshal(f, &ce) == nil {
					e.CedarErrors = append(e.CedarErrors, ce.CedarErrors...)
				}
			}
		}
	}
	return e
}

// secretQueryKeys are query parameters whose values never appear in errors
// or logs. None of the spec's operations take one; they guard against a
// caller-supplied base URL or a future parameter.
var secretQueryKeys = []string{"secret", "api_secret", "password", "token", "signature", "api_key", "key"}

// sanitizeURL renders u without userinfo and with secret-looking query
// values replaced by REDACTED.
func sanitizeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	cp := *u
	cp.User = nil
	if cp.RawQuery != "" {
		q := cp.Query()
		for k := range q {
			lk := strings.ToLower(k)
			for _, s := range secretQueryKeys {
				if lk == s || strings.HasSuffix(lk, "_"+s) {
					q[k] = []string{"REDACTED"}
				}
			}
			for i, v := range q[k] {
				if strings.Contains(strings.ToLower(v), "account://") {
					q[k][i] = "REDACTED"
				}
			}
		}
		cp.RawQuery = q.Encode()
	}
	return cp.String()
}

// sanitizeURLString sanitises a URL that may not even parse.
func sanitizeURLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		// Credentials in a string that does not parse cannot be located
		// (userinfo, a secret query value, a pasted account:// URL), so
		// none of it is shown.
		return "REDACTED (unparsable URL)"
	}
	return sanitizeURL(u)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
