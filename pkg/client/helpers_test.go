package client

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	testAccount = "16a8ff3b-736b-49a6-85c0-03b69d5a357b"
	testKey     = "123456789012345"
	testSecret  = "s3cr3t-Acc0unt-Secret"
	specPath    = "../../api/provisioning.openapi.yml"
)

var testEpoch = time.Date(2026, 8, 18, 16, 0, 0, 0, time.UTC)

// fakeClock never sleeps: After records the wait, advances Now and fires
// at once, unless block is set (then it never fires).
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waits   []time.Duration
	block   bool
	onAfter func()
}

func newFakeClock() *fakeClock { return &fakeClock{now: testEpoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	if !c.block {
		ch <- c.now
	}
	f := c.onAfter
	c.mu.Unlock()
	if f != nil {
		f()
	}
	return ch
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// setup starts a server around mux and a client pointed at it, with a fake
// clock and jitter that always picks the backoff ceiling.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *fakeClock) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	clk := newFakeClock()
	base := []Option{
		WithCredentials(testAccount, testKey, testSecret),
		WithBaseURL(srv.URL),
		WithClock(clk),
		WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: 4 * time.Second}),
	}
	c, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("New returned %v", err)
	}
	c.jitter = func(n time.Duration) time.Duration { return n }
	return c, mux, clk
}

// recorded is one request a test server saw.
type recorded struct {
	Method, Path, Query, Body string
	Header                    http.Header
}

// recorder answers every request with the queued answers in turn (the last
// one repeats) and records the requests.
type recorder struct {
	mu      sync.Mutex
	reqs    []recorded
	answers []answer
}

type answer struct {
	status int
	body   string
	header map[string]string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.EscapedPath(), req.URL.RawQuery, string(b), req.Header.Clone()})
	a := answer{status: 200, body: "{}"}
	if n := len(r.reqs) - 1; len(r.answers) > 0 {
		a = r.answers[min(n, len(r.answers)-1)]
	}
	r.mu.Unlock()
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if a.body != "" && a.header["Content-Type"] == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// serve mounts a recorder with these answers on a fresh client.
func serve(t *testing.T, answers ...answer) (*Client, *recorder, *fakeClock) {
	t.Helper()
	c, mux, clk := setup(t)
	rec := &recorder{answers: answers}
	mux.Handle("/", rec)
	return c, rec, clk
}

var (
	specOnce sync.Once
	specDoc  map[string]any
	specErr  error
)

func loadSpec(t *testing.T) map[string]any {
	t.Helper()
	specOnce.Do(func() {
		b, err := os.ReadFile(specPath)
		if err != nil {
			specErr = err
			return
		}
		specErr = yaml.Unmarshal(b, &specDoc)
	})
	if specErr != nil {
		t.Fatalf("load spec: %v", specErr)
	}
	return specDoc
}

// specExample returns components.examples[name].value of the spec as JSON,
// so fixtures are the spec's own examples (minus the defective ones listed
// in NOTES P10).
func specExample(t *testing.T, name string) string {
	t.Helper()
	ex, ok := loadSpec(t)["components"].(map[string]any)["examples"].(map[string]any)[name].(map[string]any)
	if !ok {
		t.Fatalf("spec has no example %q", name)
	}
	b, err := json.Marshal(ex["value"])
	if err != nil {
		t.Fatalf("marshal example %q: %v", name, err)
	}
	return string(b)
}

// jsonEqual compares two JSON documents semantically.
func jsonEqual(t *testing.T, want, got string) bool {
	t.Helper()
	if want == "" || got == "" {
		return want == got
	}
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want JSON %q: %v", want, err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return false
	}
	wb, _ := json.Marshal(w)
	gb, _ := json.Marshal(g)
	return string(wb) == string(gb)
}
