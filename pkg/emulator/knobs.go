package emulator

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault is one injected failure, for tests of retries and of apply under
// faults. A fault matches a request by its 1-based sequence number, by
// operationId, or both (zero values match anything) and is used once.
type Fault struct {
	Request int    // the Nth request the emulator receives; 0 matches any
	Op      string // operationId; "" matches any

	Status int           // answer this status (for example 500, 503, 429)
	Drop   bool          // close the connection without an answer
	Delay  time.Duration // answer normally, but this much later

	// AfterHandling applies the request first and then fails or drops the
	// answer: the server acted but the client cannot know.
	AfterHandling bool

	// Rewrite handles the request normally, then overrides fields of its
	// JSON answer: each key is a top-level field of the answer, or, for a
	// /v2 answer wrapped as {"data": {...}}, a field inside data. A nil
	// value removes the field. The account keeps what the request stored;
	// only what the client is told changes, as when a server drops or
	// alters a field on the way out (alter.go). Answers without a JSON
	// object body are sent unchanged.
	Rewrite map[string]any
}

// InjectFault queues a one-shot fault.
func (e *Emulator) InjectFault(f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, f)
}

// SetFaultRate makes a random fraction of requests (0 to 1) answer status
// (default 503), drawn from the deterministic generator.
func (e *Emulator) SetFaultRate(rate float64, status int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	e.faultRate, e.faultCode = rate, status
}

// takeFault pops the first queued fault matching the request. Must hold e.mu.
func (e *Emulator) takeFault(op operation, n int) (Fault, bool) {
	for i, f := range e.faults {
		if (f.Request == 0 || f.Request == n) && (f.Op == "" || f.Op == op.ID) {
			e.faults = slices.Delete(e.faults, i, i+1)
			return f, true
		}
	}
	if e.faultRate > 0 && e.rng.Float64() < e.faultRate {
		return Fault{Status: e.faultCode}, true
	}
	return Fault{}, false
}

// OpStats counts the requests one operation received, by answered status
// (0 for a dropped connection).
type OpStats struct {
	Requests int
	ByStatus map[int]int
}

// Record is one request the emulator received.
type Record struct {
	N      int    // sequence number, from 1
	Op     string // operationId
	Method string
	Path   string
	Status int // 0 for a dropped connection
}

// record counts a request. Must hold e.mu.
func (e *Emulator) record(op operation, r *http.Request, status, n int) {
	s := e.stats[op.ID]
	if s == nil {
		s = &OpStats{ByStatus: map[int]int{}}
		e.stats[op.ID] = s
	}
	s.Requests++
	s.ByStatus[status]++
	e.log = append(e.log, Record{N: n, Op: op.ID, Method: r.Method, Path: r.URL.Path, Status: status})
}

// Stats returns a copy of the per-operation request counts.
func (e *Emulator) Stats() map[string]OpStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]OpStats, len(e.stats))
	for id, s := range e.stats {
		out[id] = OpStats{Requests: s.Requests, ByStatus: cloneCounts(s.ByStatus)}
	}
	return out
}

func cloneCounts(m map[int]int) map[int]int {
	out := make(map[int]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Log returns every request received so far, in order.
func (e *Emulator) Log() []Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.log)
}

// Requests returns how many requests the emulator has received.
func (e *Emulator) Requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requestN
}

// readOnlyOps are the operations that change nothing although they are
// POSTs: they only read.
var readOnlyOps = map[string]bool{"validateCedarPolicy": true, "inspectMultiple": true}

// IsWrite reports whether an operation can change the account.
func IsWrite(opID string) bool {
	for _, op := range operations {
		if op.ID == opID {
			return op.Method != http.MethodGet && !readOnlyOps[opID]
		}
	}
	return false
}

// Writes returns the requests received so far that could change the
// account (whatever their answer).
func (e *Emulator) Writes() []Record {
	var out []Record
	for _, r := range e.Log() {
		if IsWrite(r.Op) {
			out = append(out, r)
		}
	}
	return out
}

// ResetStats forgets the counts and the log, keeping the account.
func (e *Emulator) ResetStats() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats = map[string]*OpStats{}
	e.log = nil
}

// Violations lists every answer the emulator gave with a status code the
// spec does not list for that operation (outside the rate-limit and fault
// knobs). Tests assert it stays empty.
func (e *Emulator) Violations() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.violations)
}

// Operations returns the operationIds the emulator serves, sorted.
func Operations() []string {
	ids := make([]string, len(operations))
	for i, op := range operations {
		ids[i] = op.ID
	}
	return ids
}

// tokenBucket is the emulator's rate limiter: rate tokens a second, up to
// burst. A zero rate never refuses.
type tokenBucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate float64, burst int, now time.Time) tokenBucket {
	b := float64(burst)
	if b <= 0 {
		b = math.Max(1, rate)
	}
	return tokenBucket{rate: rate, burst: b, tokens: b, last: now}
}

func (b *tokenBucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// take spends one token; when none is left it says how long until one is.
func (b *tokenBucket) take(now time.Time) (time.Duration, bool) {
	if b.rate <= 0 {
		return 0, true
	}
	b.refill(now)
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second)), false
}

// headers are Cloudinary's rate-limit headers (NOTES.md 6.2): limit,
// remaining, and the reset time as an HTTP date.
func (b *tokenBucket) headers(now time.Time) http.Header {
	h := http.Header{}
	if b.rate <= 0 {
		return h
	}
	b.refill(now)
	reset := now.Add(time.Duration((b.burst - b.tokens) / b.rate * float64(time.Second)))
	h.Set("X-FeatureRateLimit-Limit", strconv.Itoa(int(b.burst)))
	h.Set("X-FeatureRateLimit-Remaining", strconv.Itoa(int(math.Floor(b.tokens))))
	h.Set("X-FeatureRateLimit-Reset", strings.Replace(reset.UTC().Format(http.TimeFormat), "UTC", "GMT", 1))
	return h
}
