package emulator

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Options configure an Emulator. The zero value serves account "acc" with
// key "key" and secret "secret", no latency, no rate limit and no faults.
type Options struct {
	AccountID string
	APIKey    string
	APISecret string

	// Bare starts the account with no users. By default it starts like a
	// real new account: one enabled root user with the master_admin role.
	Bare bool

	// Latency is added to every request before it is handled.
	Latency time.Duration

	// RateLimit is the sustained number of requests per second the
	// emulator accepts on operations whose spec lists 420 or 429; 0 turns
	// rate limiting off. RateLimitBurst is the bucket size (default: one
	// second's worth). RateLimitStatus is 429 (default) or 420.
	RateLimit       float64
	RateLimitBurst  int
	RateLimitStatus int

	// Now is the clock for timestamps and the rate limiter (default time.Now).
	Now func() time.Time

	// RandSeed makes generated ids deterministic.
	RandSeed uint64

	// Profile is how the emulator answers where the live service and the
	// spec differ: ProfileSpec (the default) or ProfileLive (live_profile.go).
	Profile Profile
}

// Emulator is the fake Cloudinary. It is an http.Handler and safe for
// concurrent use: every request is handled under one lock, so each
// operation is atomic, as a test expects of a real service.
type Emulator struct {
	opts     Options
	mux      *http.ServeMux
	handlers map[string]handler

	mu         sync.Mutex // guards everything below
	rng        *rand.Rand
	prov       *provState
	perm       *permState
	stats      map[string]*OpStats
	log        []Record
	requestN   int
	faults     []Fault
	faultRate  float64
	faultCode  int
	violations []string
	bucket     tokenBucket
	gen        uint64    // the account's generation: see changed (index.go)
	lists      listCache // index.go
	clk        clock     // clock.go; its own lock
}

// New returns an emulator ready to serve.
func New(opts Options) *Emulator {
	if opts.AccountID == "" {
		opts.AccountID = "acc"
	}
	if opts.APIKey == "" {
		opts.APIKey = "key"
	}
	if opts.APISecret == "" {
		opts.APISecret = "secret"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimitStatus == 0 {
		opts.RateLimitStatus = http.StatusTooManyRequests
	}
	e := &Emulator{
		opts:  opts,
		mux:   http.NewServeMux(),
		rng:   rand.New(rand.NewPCG(opts.RandSeed, opts.RandSeed^0x9e3779b97f4a7c15)),
		stats: map[string]*OpStats{},
	}
	e.bucket = newTokenBucket(opts.RateLimit, opts.RateLimitBurst, opts.Now())
	e.prov = newProvState(e)
	e.perm = newPermState(e)
	e.handlers = map[string]handler{}
	for id, h := range e.provisioningHandlers() {
		e.handlers[id] = h
	}
	for id, h := range e.permissionsHandlers() {
		e.handlers[id] = h
	}
	if opts.Profile == ProfileLive {
		e.useLiveProfile()
	}
	for _, op := range operations {
		e.mux.Handle(op.Method+" "+op.Path, e.serveOp(op))
	}
	e.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, provisioningError{Error: errorMessage{Message: "not found"}}, nil)
	})
	if !opts.Bare {
		e.prov.addRootUser()
	}
	return e
}

// AccountID is the account the emulator serves.
func (e *Emulator) AccountID() string { return e.opts.AccountID }

// ServeHTTP implements http.Handler.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.mux.ServeHTTP(w, r) }

// handler handles one operation. It runs under e.mu.
type handler func(c *call) reply

// maxRequestBody bounds what the emulator reads of a request body.
const maxRequestBody = 1 << 20

func (e *Emulator) serveOp(op operation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.opts.Latency > 0 {
			t := time.NewTimer(e.opts.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
		c := &call{e: e, op: op, r: r, body: body}
		e.mu.Lock()
		if r.Method != http.MethodGet {
			e.changed() // it may change the account: memoised lists are stale
		}
		e.requestN++
		n := e.requestN
		fault, faulted := e.takeFault(op, n)
		var rep reply
		switch {
		case faulted && fault.Delay > 0:
			e.mu.Unlock()
			t := time.NewTimer(fault.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
			}
			e.mu.Lock()
			rep = e.handle(c, op, err)
			if fault.Rewrite != nil {
				rep = rewriteReply(rep, op, fault.Rewrite) // alter.go
			}
		case faulted && fault.Status != 0 && !fault.AfterHandling:
			rep = c.fail(fault.Status, http.StatusText(fault.Status))
			rep.knob = true
		case faulted && fault.Drop && !fault.AfterHandling:
			e.record(op, r, 0, n)
			e.mu.Unlock()
			panic(http.ErrAbortHandler)
		default:
			rep = e.handle(c, op, err)
			if faulted && fault.AfterHandling {
				if fault.Drop {
					e.record(op, r, rep.status, n)
					e.mu.Unlock()
					panic(http.ErrAbortHandler)
				}
				if fault.Status != 0 {
					rep = c.fail(fault.Status, http.StatusText(fault.Status))
					rep.knob = true
				}
			}
			if faulted && fault.Rewrite != nil && fault.Status == 0 {
				rep = rewriteReply(rep, op, fault.Rewrite) // alter.go
			}
		}
		if !op.allows(rep.status) && !rep.knob {
			e.violations = append(e.violations, fmt.Sprintf("%s answered %d, which the spec does not list", op.ID, rep.status))
		}
		e.record(op, r, rep.status, n)
		e.mu.Unlock()
		writeJSON(w, rep.status, rep.body, rep.header)
	})
}

// handle runs the checks every operation shares, then its handler.
func (e *Emulator) handle(c *call, op operation, readErr error) reply {
	if op.rateLimited() {
		if wait, ok := e.bucket.take(e.opts.Now()); !ok {
			rep := c.fail(e.opts.RateLimitStatus, map[int]string{420: "Max usage rate exceeded.", 429: "Too many requests."}[e.opts.RateLimitStatus])
			rep.knob = true
			rep.header = e.bucket.headers(e.opts.Now())
			secs := int(wait/time.Second) + 1
			rep.header.Set("Retry-After", strconv.Itoa(secs))
			return rep
		}
	}
	if !op.public() {
		key, secret, ok := c.r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(key), []byte(e.opts.APIKey)) != 1 ||
			subtle.ConstantTimeCompare([]byte(secret), []byte(e.opts.APISecret)) != 1 {
			return c.fail(http.StatusUnauthorized, "Invalid credentials")
		}
		// A wrong account id answers 401: every authenticated operation
		// lists it, and these credentials do not belong to that account.
		if c.r.PathValue("account_id") != e.opts.AccountID {
			return c.fail(http.StatusUnauthorized, "Invalid credentials")
		}
	}
	if readErr != nil || len(c.body) > maxRequestBody {
		if op.public() {
			// The public operations declare their 400 with no body.
			return reply{status: http.StatusBadRequest}
		}
		return c.fail(http.StatusBadRequest, "could not read request body")
	}
	h, ok := e.handlers[op.ID]
	if !ok {
		return c.fail(http.StatusNotFound, "not implemented in the emulator: "+op.ID)
	}
	rep := h(c)
	if op.rateLimited() && rep.header == nil {
		rep.header = e.bucket.headers(e.opts.Now())
	}
	return rep
}

// newID returns a fresh lower-case hex id of n characters. Deterministic for
// a given Options.RandSeed and sequence of calls. Must hold e.mu.
func (e *Emulator) newID(n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[e.rng.IntN(16)]
	}
	return string(b)
}

// newDigits returns n random decimal digits, the shape of an access key's
// api_key. Must hold e.mu.
func (e *Emulator) newDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + e.rng.IntN(10))
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

func (e *Emulator) now() time.Time {
	if t, ok := e.simulated(); ok { // clock.go
		return t
	}
	return e.opts.Now().UTC()
}

func writeJSON(w http.ResponseWriter, status int, body any, header http.Header) {
	for k, vs := range header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	raw, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		raw = []byte(`{"error":{"message":"emulator: cannot encode response"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}
