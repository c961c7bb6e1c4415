package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// do sends one request straight to the emulator's handler.
func do(t *testing.T, h http.Handler, method, path, body string, auth bool) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if auth {
		req.SetBasicAuth("key", "secret")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestOperationTableMatchesSpec(t *testing.T) {
	raw, err := os.ReadFile("../../api/provisioning.openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, methods := range doc.Paths {
		for m, n := range methods {
			if m == "parameters" {
				continue
			}
			var op struct {
				OperationID string `yaml:"operationId"`
			}
			if err := n.Decode(&op); err != nil {
				t.Fatal(err)
			}
			want = append(want, op.OperationID)
		}
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, Operations()); diff != "" {
		t.Errorf("operations_gen.go is stale (-spec +table); run go generate ./pkg/emulator:\n%s", diff)
	}
	if len(want) != 47 {
		t.Errorf("spec has %d operations, want 47", len(want))
	}
}

func TestEveryOperationHasAHandler(t *testing.T) {
	e := New(Options{})
	for _, id := range Operations() {
		if _, ok := e.handlers[id]; !ok {
			t.Errorf("no handler for %s", id)
		}
	}
}

func TestAuthentication(t *testing.T) {
	e := New(Options{})
	tests := []struct {
		name, method, path string
		auth               bool
		wantStatus         int
		wantBody           string
	}{
		{"provisioning without credentials", "GET", "/v1_1/provisioning/accounts/acc/users", false, 401, `{"error":{"message":"Invalid credentials"}}`},
		{"provisioning with another account id", "GET", "/v1_1/provisioning/accounts/other/users", true, 401, `{"error":{"message":"Invalid credentials"}}`},
		{"permissions without credentials", "GET", "/v2/accounts/acc/permissions/policies/system", false, 401,
			`{"error":{"category":"user_error","code":"ACCOUNTS_00006","message":"Invalid credentials"}}`},
		{"unknown path", "GET", "/v1_1/provisioning/nothing", true, 404, `{"error":{"message":"not found"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, e, tt.method, tt.path, "", tt.auth)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.wantStatus, w.Body)
			}
			if got := strings.TrimSpace(w.Body.String()); got != tt.wantBody {
				t.Errorf("body %s, want %s", got, tt.wantBody)
			}
		})
	}
	// The public operations need no credentials.
	if w := do(t, e, "GET", "/v2/accounts/permissions/public/catalog", "", false); w.Code != 200 {
		t.Errorf("public catalog without credentials: status %d, want 200", w.Code)
	}
	if v := e.Violations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
}

// fakeClock is a settable clock for the rate limiter.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func TestRateLimit(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 8, 18, 17, 0, 0, 0, time.UTC)}
	e := New(Options{RateLimit: 2, RateLimitBurst: 2, Now: clock.Now})
	path := "/v1_1/provisioning/accounts/acc/user_groups"
	for i := range 2 {
		if w := do(t, e, "GET", path, "", true); w.Code != 200 {
			t.Fatalf("request %d: status %d, want 200", i+1, w.Code)
		}
	}
	w := do(t, e, "GET", path, "", true)
	if w.Code != 429 {
		t.Fatalf("third request: status %d, want 429", w.Code)
	}
	if got := w.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	if got := w.Header().Get("X-FeatureRateLimit-Remaining"); got != "0" {
		t.Errorf("X-FeatureRateLimit-Remaining %q, want 0", got)
	}
	if got := w.Header().Get("X-FeatureRateLimit-Reset"); got != "Tue, 18 Aug 2026 17:00:01 GMT" {
		t.Errorf("X-FeatureRateLimit-Reset %q", got)
	}
	var body provisioningError
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Message == "" {
		t.Errorf("429 body %s is not the provisioning error shape", w.Body)
	}
	// Permissions operations list no 429: they are never rate limited.
	if w := do(t, e, "GET", "/v2/accounts/acc/permissions/policies/system", "", true); w.Code != 200 {
		t.Errorf("permissions op under rate limit: status %d, want 200", w.Code)
	}
	clock.Add(time.Second)
	if w := do(t, e, "GET", path, "", true); w.Code != 200 {
		t.Errorf("after a second: status %d, want 200", w.Code)
	}
	if got := e.Stats()["getUserGroups"].ByStatus; !cmp.Equal(got, map[int]int{200: 3, 429: 1}) {
		t.Errorf("stats %v", got)
	}
	if v := e.Violations(); len(v) != 0 {
		t.Errorf("a rate-limit answer counted as a violation: %v", v)
	}
}

func TestFaults(t *testing.T) {
	e := New(Options{Bare: true})
	srv := httptest.NewServer(e)
	defer srv.Close()
	send := func(method, path, body string) (*http.Response, error) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.SetBasicAuth("key", "secret")
		// A fresh connection each time: net/http silently retries an
		// idempotent request whose reused connection was dropped.
		req.Close = true
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return resp, err
	}
	groups := "/v1_1/provisioning/accounts/acc/user_groups"

	e.InjectFault(Fault{Request: 1, Status: 503})
	if resp, err := send("GET", groups, ""); err != nil || resp.StatusCode != 503 {
		t.Fatalf("request 1 with a 503 fault: %v %v", resp, err)
	}
	e.InjectFault(Fault{Op: "getUserGroups", Drop: true})
	if _, err := send("GET", groups, ""); err == nil {
		t.Fatal("dropped connection: got an answer")
	}
	// A create whose answer is lost still happens.
	e.InjectFault(Fault{Op: "createUserGroup", Drop: true, AfterHandling: true})
	if _, err := send("POST", groups, `{"name":"lost"}`); err == nil {
		t.Fatal("dropped answer: got an answer")
	}
	w := do(t, e, "GET", groups, "", true)
	if !strings.Contains(w.Body.String(), `"name":"lost"`) {
		t.Errorf("the create whose answer was dropped did not happen: %s", w.Body)
	}
	if e.Requests() != 4 {
		t.Errorf("Requests() = %d, want 4", e.Requests())
	}
	writes := e.Writes()
	if len(writes) != 1 || writes[0].Op != "createUserGroup" {
		t.Errorf("Writes() = %+v, want the one createUserGroup", writes)
	}
}

func TestIsWrite(t *testing.T) {
	for op, want := range map[string]bool{
		"getUsers": false, "inspectMultiple": false, "validateCedarPolicy": false,
		"createUser": true, "updatePrincipalRoles": true, "deleteRole": true, "nosuchop": false,
	} {
		if got := IsWrite(op); got != want {
			t.Errorf("IsWrite(%q) = %v, want %v", op, got, want)
		}
	}
}

func TestLatencyEndsWithTheRequest(t *testing.T) {
	e := New(Options{Latency: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req := httptest.NewRequestWithContext(ctx, "GET", "/v1_1/provisioning/accounts/acc/users", nil)
	e.ServeHTTP(httptest.NewRecorder(), req)
	if e.Requests() != 0 {
		t.Errorf("a request cancelled during the latency was still handled")
	}
}
