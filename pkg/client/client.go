package client

// Design notes.
//
// Every method of every service funnels into (*Client).call, which owns
// the whole request life cycle: path building and id validation, body
// encoding (once, so that a retry re-sends the same bytes), auth and
// User-Agent headers, the retry loop (retry.go), error decoding (errors.go)
// and response decoding. Services only describe *what* to send; no service
// touches net/http. The per-operation facts that drive the loop (method,
// path template, retry safety) live in one table, operations.go, keyed by
// operationId and checked against the spec by tests.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	defaultRegion  = "api"
	defaultTimeout = 60 * time.Second
	defaultVersion = "dev"

	// maxErrorBody bounds how much of an error response is kept in
	// APIError.Body: error bodies are small JSON documents, and an HTML error
	// page from a proxy must not balloon memory or logs.
	maxErrorBody = 64 << 10
	// maxResponseBody bounds a successful response. The largest legitimate
	// answer (every user of a big account on one page) is far below this.
	maxResponseBody = 64 << 20
)

// Regions are the values of the spec's server variable {region}.
var Regions = []string{"api", "api-eu", "api-ap"}

// Clock is the client's source of time. Tests inject a fake so that retry
// waits never really sleep.
type Clock interface {
	Now() time.Time
	// After behaves like time.After.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Client talks to Cloudinary's Account Provisioning and Permissions APIs.
// A Client is safe for concurrent use.
type Client struct {
	httpClient *http.Client
	baseURL    *url.URL
	accountID  string
	apiKey     string
	apiSecret  Secret
	userAgent  string
	retry      RetryPolicy
	clock      Clock
	logger     *slog.Logger
	// jitter returns a uniformly random duration in [0, n]; tests replace it.
	jitter func(n time.Duration) time.Duration

	stats   stats
	limiter *limiter // shared by every request (ratelimit.go)

	common service // reused by every service instead of one allocation each

	ProductEnvironments *ProductEnvironmentsService
	AccessKeys          *AccessKeysService
	Users               *UsersService
	UserGroups          *UserGroupsService
	Billing             *BillingService
	SystemPolicies      *SystemPoliciesService
	CustomPolicies      *CustomPoliciesService
	Roles               *RolesService
	Principals          *PrincipalsService
	EffectivePolicies   *EffectivePoliciesService
	Public              *PublicService
}

type service struct{ client *Client }

// settings collects options before New validates and freezes them.
type settings struct {
	accountID, apiKey string
	apiSecret         Secret
	region            string
	baseURL           string
	httpClient        *http.Client
	timeout           time.Duration
	retry             RetryPolicy
	clock             Clock
	logger            *slog.Logger
	uaSuffix          string
	version           string
	debugWriter       io.Writer
	ratePerSecond     float64 // WithRateLimit; 0: no fixed ceiling
	rateBurst         int
	adaptive          bool // WithAdaptiveRateLimit
}

// Option configures a Client. Options validate their arguments, and New
// reports the first invalid one.
type Option func(*settings) error

// WithCredentials sets the account id and the Account API key and secret
// (formerly "provisioning keys") used for Basic authentication.
func WithCredentials(accountID, apiKey, apiSecret string) Option {
	return func(s *settings) error {
		if accountID == "" || apiKey == "" || apiSecret == "" {
			return errors.New("WithCredentials: account id, API key and API secret must all be set")
		}
		if err := checkID("account_id", accountID); err != nil {
			return fmt.Errorf("WithCredentials: %w", err)
		}
		s.accountID, s.apiKey, s.apiSecret = accountID, apiKey, Secret(apiSecret)
		return nil
	}
}

// WithRegion selects the regional API host https://{region}.cloudinary.com;
// region is one of Regions. The default is "api". WithBaseURL wins over it.
func WithRegion(region string) Option {
	return func(s *settings) error {
		if !validRegion(region) {
			return fmt.Errorf("WithRegion: unknown region %q, want one of %s", region, strings.Join(Regions, ", "))
		}
		s.region = region
		return nil
	}
}

// WithBaseURL overrides the API base URL, for example to point the client
// at the emulator or a custom domain. It must be an absolute http(s) URL; a
// path prefix is kept.
func WithBaseURL(base string) Option {
	return func(s *settings) error {
		if _, err := parseBaseURL(base); err != nil {
			return fmt.Errorf("WithBaseURL: %w", err)
		}
		s.baseURL = base
		return nil
	}
}

// WithHTTPClient sets the underlying HTTP client. The client is copied, not
// modified; its Timeout is kept unless WithTimeout is also given.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		s.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each HTTP attempt (not the whole retried call; use the
// context for that). The default is 60s.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("WithTimeout: %v is not positive", d)
		}
		s.timeout = d
		return nil
	}
}

// WithRetry sets the retry policy. See RetryPolicy for the defaults.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) error {
		if err := p.validate(); err != nil {
			return fmt.Errorf("WithRetry: %w", err)
		}
		s.retry = p
		return nil
	}
}

// WithClock injects the time source used for retry waits and rate-limit
// reset arithmetic.
func WithClock(c Clock) Option {
	return func(s *settings) error {
		if c == nil {
			return errors.New("WithClock: nil clock")
		}
		s.clock = c
		return nil
	}
}

// WithLogger enables debug logging of every HTTP exchange through l, with
// credentials and secrets redacted (see logging.go).
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		s.logger = l
		return nil
	}
}

// WithUserAgent appends suffix to the User-Agent "cldsync/<version>".
func WithUserAgent(suffix string) Option {
	return func(s *settings) error {
		if strings.ContainsAny(suffix, "\r\n\x00") {
			return errors.New("WithUserAgent: suffix contains a control character")
		}
		s.uaSuffix = strings.TrimSpace(suffix)
		return nil
	}
}

// WithVersion sets the version in the User-Agent "cldsync/<version>"; the
// default is "dev". The CLI passes its build version.
func WithVersion(v string) Option {
	return func(s *settings) error {
		if v == "" || strings.ContainsAny(v, " \r\n\x00/") {
			return fmt.Errorf("WithVersion: invalid version %q", v)
		}
		s.version = v
		return nil
	}
}

// New returns a Client configured by opts. Without WithCredentials only the
// Public service (which needs no account) can be used; other calls fail
// before sending anything.
func New(opts ...Option) (*Client, error) {
	s := settings{
		region:  defaultRegion,
		retry:   DefaultRetryPolicy(),
		clock:   realClock{},
		version: defaultVersion,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&s); err != nil {
			return nil, fmt.Errorf("new client: %w", err)
		}
	}
	base := s.baseURL
	if base == "" {
		base = "https://" + s.region + ".cloudinary.com"
	}
	u, err := parseBaseURL(base)
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}

	hc := &http.Client{Timeout: defaultTimeout, Transport: defaultTransport()}
	if s.httpClient != nil {
		cp := *s.httpClient
		hc = &cp
	}
	if s.timeout > 0 {
		hc.Timeout = s.timeout
	}
	if s.logger != nil {
		hc.Transport = &loggingTransport{base: hc.Transport, logger: s.logger}
	}

	ua := "cldsync/" + s.version
	if s.uaSuffix != "" {
		ua += " " + s.uaSuffix
	}
	c := &Client{
		httpClient: hc,
		baseURL:    u,
		accountID:  s.accountID,
		apiKey:     s.apiKey,
		apiSecret:  s.apiSecret,
		userAgent:  ua,
		retry:      s.retry,
		clock:      s.clock,
		logger:     s.logger,
		jitter: func(n time.Duration) time.Duration {
			if n <= 0 {
				return 0
			}
			return rand.N(n + 1)
		},
	}
	c.limiter = newLimiter(s.clock, s.ratePerSecond, s.rateBurst, s.adaptive)
	c.common.client = c
	c.ProductEnvironments = (*ProductEnvironmentsService)(&c.common)
	c.AccessKeys = (*AccessKeysService)(&c.common)
	c.Users = (*UsersService)(&c.common)
	c.UserGroups = (*UserGroupsService)(&c.common)
	c.Billing = (*BillingService)(&c.common)
	c.SystemPolicies = (*SystemPoliciesService)(&c.common)
	c.CustomPolicies = (*CustomPoliciesService)(&c.common)
	c.Roles = (*RolesService)(&c.common)
	c.Principals = (*PrincipalsService)(&c.common)
	c.EffectivePolicies = (*EffectivePoliciesService)(&c.common)
	c.Public = (*PublicService)(&c.common)
	return c, nil
}

// defaultTransport is the transport of a client not given its own
// http.Client: http.DefaultTransport as configured (proxy, timeouts), but
// keeping an idle connection for every request a parallel read has in
// flight (DefaultTransport keeps 2 per host and closes the others after
// each answer, so a read at parallelism 10 dialed again for one request
// in 13), and reading answers of tens of KB in fewer system calls. A
// DefaultTransport replaced by something other than an *http.Transport is
// used as it is.
var defaultTransport = sync.OnceValue(func() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, 64)
	t.ReadBufferSize = max(t.ReadBufferSize, 64<<10)
	return t
})

// AccountID returns the account id the client was configured with.
func (c *Client) AccountID() string { return c.accountID }

// BaseURL returns the API base URL the client sends requests to.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// UserAgent returns the User-Agent header the client sends.
func (c *Client) UserAgent() string { return c.userAgent }

func validRegion(r string) bool {
	for _, x := range Regions {
		if r == x {
			return true
		}
	}
	return false
}

func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("invalid base URL %q", sanitizeURLString(s))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("base URL %q: scheme must be http or https", sanitizeURLString(s))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %q has no host", sanitizeURLString(s))
	}
	if u.User != nil {
		return nil, errors.New("base URL must not carry credentials; use WithCredentials")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q must not have a query or fragment", sanitizeURLString(s))
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Stats are cumulative counters of a Client's traffic, for progress output
// and for rate-limit tuning.
type Stats struct {
	Requests          int64         // HTTP attempts sent, retries included
	Retries           int64         // attempts that were retries
	RateLimited       int64         // 420 and 429 answers
	WaitedOnRateLimit time.Duration // time spent waiting after 420/429
	// Throttled is the time requests waited in the client-side limiter
	// (ratelimit.go) before being sent, summed over concurrent requests.
	Throttled time.Duration
	// Busy is the time spent in HTTP attempts, summed over concurrent
	// requests; Busy/Requests is the mean latency.
	Busy time.Duration
}

type stats struct {
	requests, retries, rateLimited, waitedNanos atomic.Int64
	throttledNanos, busyNanos                   atomic.Int64
}

// Stats returns a snapshot of the client's counters.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:          c.stats.requests.Load(),
		Retries:           c.stats.retries.Load(),
		RateLimited:       c.stats.rateLimited.Load(),
		WaitedOnRateLimit: time.Duration(c.stats.waitedNanos.Load()),
		Throttled:         time.Duration(c.stats.throttledNanos.Load()),
		Busy:              time.Duration(c.stats.busyNanos.Load()),
	}
}

// request describes one API call before it is sent.
type request struct {
	op    string     // operationId, the key into operations
	ids   []string   // path parameters after {account_id}, in template order
	query url.Values // nil for none
	body  any        // JSON-encoded once; nil for no body
}

// call performs r and decodes a 2xx JSON answer into out (ignored if nil or
// the body is empty, as for 204s and the assignment PUTs).
func (c *Client) call(ctx context.Context, r request, out any) error {
	raw, err := c.callRaw(ctx, r)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	err = decodeRaw(r.op, raw, out) // copies what it keeps
	putBody(raw)
	return err
}

// callFast performs r and decodes its answer with fast, a decoder of the
// common shapes that may decline; what it declines, encoding/json decodes
// into an S, as call does, and slow turns into the result. The decoders
// copy what they keep, so the body is reused.
func callFast[T, S any](ctx context.Context, c *Client, r request, fast func([]byte) (T, bool), slow func(S) T) (T, error) {
	var zero T
	raw, err := c.callRaw(ctx, r)
	if err != nil {
		return zero, err
	}
	defer putBody(raw)
	if v, ok := fast(raw); ok {
		return v, nil
	}
	var out S
	if err := decodeRaw(r.op, raw, &out); err != nil {
		return zero, err
	}
	return slow(out), nil
}

// decodeRaw decodes a 2xx answer of op into out; an empty body leaves out
// as it is.
func decodeRaw(op string, raw []byte, out any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", op, err)
	}
	return nil
}

// callRaw performs r and returns the 2xx answer's body undecoded.
func (c *Client) callRaw(ctx context.Context, r request) ([]byte, error) {
	spec, ok := operations[r.op]
	if !ok {
		return nil, fmt.Errorf("%s: unknown operationId", r.op)
	}
	u, err := c.buildURL(spec, r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.op, err)
	}
	var body []byte
	if r.body != nil {
		body, err = json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("%s: encode body: %w", r.op, err)
		}
	}
	return c.doWithRetry(ctx, spec, r.op, u, body)
}

// buildURL fills the operation's path template: {account_id} from the
// client, every other {param} from r.ids in order, each validated and
// escaped.
func (c *Client) buildURL(spec opSpec, r request) (*url.URL, error) {
	var b strings.Builder
	rest := spec.Path
	ids := r.ids
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("malformed path template %q", spec.Path)
		}
		name := rest[i+1 : i+j]
		b.WriteString(rest[:i])
		rest = rest[i+j+1:]
		var v string
		if name == "account_id" {
			if c.accountID == "" {
				return nil, errors.New("no account id configured: use WithCredentials or CLOUDINARY_ACCOUNT_URL")
			}
			v = c.accountID
		} else {
			if len(ids) == 0 {
				return nil, fmt.Errorf("missing path parameter %s", name)
			}
			v, ids = ids[0], ids[1:]
		}
		if err := checkID(name, v); err != nil {
			return nil, err
		}
		b.WriteString(url.PathEscape(v))
	}
	if len(ids) != 0 {
		return nil, fmt.Errorf("%d unused path parameters", len(ids))
	}
	u := *c.baseURL
	escaped := c.baseURL.EscapedPath() + b.String()
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return nil, err
	}
	u.Path, u.RawPath = p, escaped
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	return &u, nil
}

// ErrInvalidID is returned, wrapped, when a path parameter is empty or could
// change the request path ("/" or ".."). No request is sent.
var ErrInvalidID = errors.New("invalid id")

func checkID(name, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("%s: %w: empty", name, ErrInvalidID)
	case strings.Contains(v, "/"):
		return fmt.Errorf("%s %q: %w: contains \"/\"", name, v, ErrInvalidID)
	case strings.Contains(v, ".."):
		return fmt.Errorf("%s %q: %w: contains \"..\"", name, v, ErrInvalidID)
	case strings.ContainsAny(v, "\x00\r\n\\"):
		return fmt.Errorf("%s %q: %w: contains a control character or backslash", name, v, ErrInvalidID)
	}
	return nil
}

// attempt sends one HTTP request. It returns the response body for a 2xx,
// an *APIError for an HTTP error, or a transport error.
func (c *Client) attempt(ctx context.Context, op, method string, u *url.URL, body []byte) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.apiKey != "" {
		req.SetBasicAuth(c.apiKey, string(c.apiSecret))
	}
	c.stats.requests.Add(1)
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		raw, err := readBody(io.LimitReader(resp.Body, maxResponseBody+1), resp.ContentLength)
		if err != nil {
			return resp, nil, fmt.Errorf("read response: %w", err)
		}
		if len(raw) > maxResponseBody {
			return resp, nil, fmt.Errorf("response body exceeds %d bytes", maxResponseBody)
		}
		return resp, raw, nil
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return resp, nil, newAPIError(op, method, u, resp, raw, c.clock.Now())
}
