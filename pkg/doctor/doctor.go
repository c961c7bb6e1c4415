// Package doctor probes a Cloudinary account, read-only, for what cldsync
// assumes about the API and cannot know without asking: that the
// credentials and region work, which API halves answer, what rate-limit
// headers come back, how big pages are, and whether each list answers in
// the spec's shape or the live service's (docs/live-api.md). It sends GET
// requests only, and its report names fields, never values: it is meant
// to be pasted into a bug report.
package doctor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/cldsync/cldsync/pkg/client"
)

// Options configure a probe.
type Options struct {
	// Transport sends the requests (default http.DefaultTransport).
	Transport http.RoundTripper
	// Version is cldsync's version, for the report.
	Version string
}

// Report is what the probe found.
type Report struct {
	Version     string     `json:"cldsync_version"`
	AccountID   string     `json:"account_id"`
	APIKey      string     `json:"api_key"` // which variable it came from, never the key's secret
	Host        string     `json:"host"`
	Region      string     `json:"region"`
	Credentials string     `json:"credentials"`
	Halves      []Half     `json:"api_halves"`
	RateLimit   RateLimit  `json:"rate_limit"`
	Pages       []string   `json:"pages"`
	Shapes      []Shape    `json:"shapes"`
	Live        []LiveItem `json:"live_table"`
	Assumptions []LiveItem `json:"assumptions"`
	Requests    int        `json:"requests"`
	Writes      int        `json:"writes"`
}

// Half is whether one half of the API answers.
type Half struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// RateLimit is the rate-limit headers seen, and their values: the limit,
// the lowest remaining count and the last reset time.
type RateLimit struct {
	Headers   []string `json:"headers"`
	Limit     string   `json:"limit,omitempty"`
	Remaining string   `json:"lowest_remaining,omitempty"`
	Reset     string   `json:"reset,omitempty"`
	// RetryAfter is a Retry-After value seen, if any (a 420 or 429).
	RetryAfter string `json:"retry_after,omitempty"`
}

// LiveItem is what the probe could tell about one row of the live table.
type LiveItem struct {
	Row    string `json:"row"`
	Result string `json:"result"` // "live", "spec", "not checked" or "inconclusive"
	Why    string `json:"why"`
}

// ErrRefused is returned, wrapped, when the service refuses the
// credentials: the report says so, and nothing else could be read.
var ErrRefused = errors.New("the credentials were refused")

// Run probes the account cfg names. The report is returned even with an
// error, as far as it got.
func Run(ctx context.Context, cfg client.Config, opts Options) (*Report, error) {
	rec := &recorder{next: opts.Transport}
	if rec.next == nil {
		rec.next = http.DefaultTransport
	}
	version := opts.Version
	if version == "" {
		version = "dev"
	}
	c, err := client.New(append(cfg.Options(), client.WithVersion(version),
		client.WithHTTPClient(&http.Client{Transport: rec}),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 3}))...)
	if err != nil {
		return nil, fmt.Errorf("doctor: %w", err)
	}
	r := &Report{Version: version, AccountID: cfg.AccountID, Region: cfg.Region}
	r.APIKey = "set"
	if cfg.APIKeyFrom != "" {
		r.APIKey = "set in " + cfg.APIKeyFrom
	}
	if r.Region == "" {
		r.Region = "api (the default)"
	}
	r.Host = c.BaseURL()
	if cfg.BaseURL != "" {
		r.Host = "the base URL in " + client.EnvAPIURL
	}
	p := &probe{c: c, rec: rec, r: r}
	err = p.run(ctx)
	r.Requests, r.Writes = rec.counts()
	r.RateLimit = rec.rateLimit()
	return r, err
}

type probe struct {
	c        *client.Client
	rec      *recorder
	r        *Report
	keysBody []byte   // getAccessKeys' answer, for the dedicated_for check
	keys     []string // the first environment's api_keys
}

func (p *probe) run(ctx context.Context) error {
	envs, err := p.c.ProductEnvironments.List(ctx, nil)
	p.shape("getProductEnvironments", err)
	switch {
	case errors.Is(err, client.ErrUnauthorized):
		p.r.Credentials = "refused (401): " + message(err)
		p.r.Halves = append(p.r.Halves, Half{"provisioning", "not reached: the credentials were refused"})
		return fmt.Errorf("%w: %s", ErrRefused, message(err))
	case err != nil:
		p.r.Credentials = "unknown: " + message(err)
		p.r.Halves = append(p.r.Halves, Half{"provisioning", "fails: " + message(err)})
	default:
		p.r.Credentials = "accepted"
		p.r.Halves = append(p.r.Halves, Half{"provisioning", "answers"})
	}
	users := p.users(ctx)
	_, err = p.c.UserGroups.List(ctx, &client.UserGroupListOptions{ExtendedDetails: true})
	p.shape("getUserGroups", err)
	p.accessKeys(ctx, envs)
	_, err = p.c.Roles.List(ctx, client.RoleListOptions{PermissionType: client.PermissionGlobal})
	p.shape("getRoles", err)
	permissions := err == nil
	switch {
	case err == nil:
		p.r.Halves = append(p.r.Halves, Half{"permissions", "answers"})
		_, err = p.c.CustomPolicies.List(ctx, &client.CustomPolicyListOptions{ScopeType: client.ScopeAccount})
		p.shape("getCustomPolicies", err)
	case errors.Is(err, client.ErrForbidden):
		p.r.Halves = append(p.r.Halves, Half{"permissions", "403 forbidden: the Permissions API is off for this account or these credentials (" + message(err) + "); run cldsync without permissions"})
	default:
		p.r.Halves = append(p.r.Halves, Half{"permissions", "fails: " + message(err)})
	}
	p.liveTable(ctx, users)
	p.assumptions(ctx, facts{envs: envs, users: users, permissions: permissions, keys: p.keys})
	return nil
}

// shape records the shape of the last answer, the list op just read.
func (p *probe) shape(op string, err error) {
	s := Shape{Operation: op, Matches: "not read"}
	if err == nil {
		s = compareShape(op, p.rec.lastBody())
	}
	p.r.Shapes = append(p.r.Shapes, s)
}

// probePageSize is the page_size asked for to find the server's cap.
const probePageSize = 500

// users reads getUsers' default page and a large one, and returns the
// first users (for the live-table checks).
func (p *probe) users(ctx context.Context) []client.User {
	first, err := p.c.Users.List(ctx, nil)
	p.shape("getUsers", err)
	if err != nil {
		p.r.Pages = append(p.r.Pages, "getUsers: not read: "+message(err))
		return nil
	}
	big, err := p.c.Users.List(ctx, &client.UserListOptions{Page: 1, PageSize: probePageSize})
	if err != nil {
		p.r.Pages = append(p.r.Pages, fmt.Sprintf("getUsers: %d users without paging parameters; page_size=%d failed: %s", len(first), probePageSize, message(err)))
		return first
	}
	line := fmt.Sprintf("getUsers: %d users without paging parameters, %d with page_size=%d", len(first), len(big), probePageSize)
	if len(big) < probePageSize && len(big) > 0 {
		next, err := p.c.Users.List(ctx, &client.UserListOptions{Page: 2, PageSize: probePageSize})
		switch {
		case err != nil:
			line += "; page 2 failed: " + message(err)
		case len(next) > 0:
			line += fmt.Sprintf(", and page 2 holds more: the server caps page_size at %d", len(big))
		default:
			line += "; page 2 is empty: every user fits in one page"
		}
	}
	if len(first) < len(big) {
		line += fmt.Sprintf("; the default page size is %d", len(first))
	}
	p.r.Pages = append(p.r.Pages, line)
	return first
}

// accessKeys reads the first product environment's access keys without
// paging parameters ("Default: All pages are returned").
func (p *probe) accessKeys(ctx context.Context, envs []client.ProductEnvironment) {
	if len(envs) == 0 {
		p.r.Shapes = append(p.r.Shapes, Shape{Operation: "getAccessKeys", Matches: "not read"})
		p.r.Pages = append(p.r.Pages, "getAccessKeys: not read: the account has no product environment")
		return
	}
	l, err := p.c.AccessKeys.List(ctx, envs[0].ID, nil)
	p.shape("getAccessKeys", err)
	p.keysBody = p.rec.lastBody()
	switch {
	case err != nil:
		p.r.Pages = append(p.r.Pages, "getAccessKeys: not read: "+message(err))
	case len(l.AccessKeys) < l.Total:
		p.keepKeys(l)
		p.r.Pages = append(p.r.Pages, fmt.Sprintf("getAccessKeys: %d of total %d keys without paging parameters: the server pages by default, unlike the spec says", len(l.AccessKeys), l.Total))
	default:
		p.keepKeys(l)
		p.r.Pages = append(p.r.Pages, fmt.Sprintf("getAccessKeys: all %d keys (total %d) without paging parameters", len(l.AccessKeys), l.Total))
	}
}

func (p *probe) keepKeys(l *client.AccessKeyList) {
	for _, k := range l.AccessKeys {
		p.keys = append(p.keys, k.APIKey)
	}
}

// message is an error's text for the report: the API's message if it gave
// one, without URLs.
func message(err error) string {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		msg := fmt.Sprintf("%d %s", apiErr.StatusCode, http.StatusText(apiErr.StatusCode))
		if apiErr.Message != "" {
			msg += ": " + apiErr.Message
		}
		return msg
	}
	return err.Error()
}

// recorder is the probe's transport: it passes requests on and keeps, for
// the report, the last answer's body and every answer's rate-limit headers.
type recorder struct {
	next http.RoundTripper

	mu       sync.Mutex
	last     []byte
	requests int
	writes   int
	headers  []http.Header
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.requests++
	if req.Method != http.MethodGet {
		r.writes++ // never: the probe reads only (its tests assert it)
	}
	r.mu.Unlock()
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = body
	r.headers = append(r.headers, resp.Header.Clone())
	return resp, nil
}

func (r *recorder) lastBody() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

func (r *recorder) counts() (requests, writes int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, r.writes
}

// rateHeaders spells the rate-limit headers as Cloudinary documents them.
var rateHeaders = map[string]string{
	"x-featureratelimit-limit":     "X-FeatureRateLimit-Limit",
	"x-featureratelimit-remaining": "X-FeatureRateLimit-Remaining",
	"x-featureratelimit-reset":     "X-FeatureRateLimit-Reset",
	"retry-after":                  "Retry-After",
}

func (r *recorder) rateLimit() RateLimit {
	r.mu.Lock()
	defer r.mu.Unlock()
	var rl RateLimit
	seen := map[string]bool{}
	lowest := -1
	for _, h := range r.headers {
		for k := range h {
			lower := strings.ToLower(k)
			if name, ok := rateHeaders[lower]; ok {
				seen[name] = true
			} else if strings.Contains(lower, "ratelimit") {
				seen[k] = true // another rate-limit header: worth reporting as sent
			}
		}
		if v := h.Get("X-FeatureRateLimit-Limit"); v != "" {
			rl.Limit = v
		}
		if v := h.Get("X-FeatureRateLimit-Remaining"); v != "" {
			var n int
			if _, err := fmt.Sscan(v, &n); err == nil && (lowest < 0 || n < lowest) {
				lowest, rl.Remaining = n, v
			}
		}
		if v := h.Get("X-FeatureRateLimit-Reset"); v != "" {
			rl.Reset = v
		}
		if v := h.Get("Retry-After"); v != "" {
			rl.RetryAfter = v
		}
	}
	for k := range seen {
		rl.Headers = append(rl.Headers, k)
	}
	sort.Strings(rl.Headers)
	return rl
}
