package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cldsync/cldsync/internal/contract"
	"github.com/google/go-cmp/cmp"
)

// permBase is the path prefix of the account's permissions operations.
const permBase = "/v2/accounts/acc/permissions"

// permEpoch is the fixed clock of the permissions tests.
var permEpoch = time.Unix(1700000000, 0)

// permFixture is an emulator seeded with two environments (dev with an
// access key, prod), three users and a group, plus helpers to call it.
type permFixture struct {
	t *testing.T
	e *Emulator
}

const (
	envDev   = "envdev0000000000000000000000000a"
	envProd  = "envprod000000000000000000000000b"
	userAnn  = "userann0000000000000000000000a"
	userBob  = "userbob0000000000000000000000b"
	userCat  = "usercat0000000000000000000000c"
	groupDes = "groupdes00000000000000000000000a"
	ciKey    = "111111111111111"
)

func newPermFixture(t *testing.T) *permFixture {
	t.Helper()
	e := New(Options{Bare: true, Now: func() time.Time { return permEpoch }, RandSeed: 7})
	err := e.Seed(Seed{ProvisioningSeed: ProvisioningSeed{
		Environments: []SeedEnvironment{
			{CloudName: "dev", ID: envDev, AccessKeys: []SeedAccessKey{{Name: "ci", APIKey: ciKey}}},
			{CloudName: "prod", ID: envProd},
		},
		Users: []SeedUser{
			{Email: "ann@example.com", ID: userAnn},
			{Email: "bob@example.com", ID: userBob},
			{Email: "cat@example.com", ID: userCat},
		},
		Groups: []SeedGroup{{Name: "designers", ID: groupDes, Members: []string{"ann@example.com"}}},
	}})
	if err != nil {
		t.Fatalf("seed the fixture: %v", err)
	}
	t.Cleanup(func() {
		if v := e.Violations(); len(v) > 0 {
			t.Errorf("spec violations: %q", v)
		}
		checkIndexes(t, e)
	})
	return &permFixture{t: t, e: e}
}

// send makes one authenticated request (body is JSON text or "") and
// returns the status and the raw body.
func (p *permFixture) send(method, path, body string) (int, string) {
	p.t.Helper()
	return sendTo(p.t, p.e, method, path, body, true)
}

func sendTo(t *testing.T, h http.Handler, method, path, body string, auth bool) (int, string) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		req.SetBasicAuth("key", "secret")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if err := permContract(t).ValidateResponse(req, []byte(body), w.Code, w.Header(), w.Body.Bytes()); err != nil {
		t.Errorf("%s %s: the answer breaks the spec: %v", method, path, err)
	}
	return w.Code, w.Body.String()
}

var permContract = func() func(t *testing.T) *contract.Validator {
	var once sync.Once
	var v *contract.Validator
	var err error
	return func(t *testing.T) *contract.Validator {
		t.Helper()
		once.Do(func() { v, err = contract.Load() })
		if err != nil {
			t.Fatalf("load the spec: %v", err)
		}
		return v
	}
}()

// expect makes a request and checks its status and, unless want is "",
// its JSON body (compared as decoded JSON).
func (p *permFixture) expect(method, path, body string, wantStatus int, want string) any {
	p.t.Helper()
	status, got := p.send(method, path, body)
	if status != wantStatus {
		p.t.Fatalf("%s %s answered %d, want %d; body: %s", method, path, status, wantStatus, got)
	}
	gotJSON := decodeJSON(p.t, got)
	if want != "" {
		if diff := cmp.Diff(decodeJSON(p.t, want), gotJSON); diff != "" {
			p.t.Errorf("%s %s body mismatch (-want +got):\n%s", method, path, diff)
		}
	}
	return gotJSON
}

// decodeJSON decodes JSON text into plain values; "" decodes to nil.
func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

// field walks a decoded JSON value by object keys and array indexes.
func field(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, k := range path {
		switch k := k.(type) {
		case string:
			m, isMap := v.(map[string]any)
			if !isMap {
				t.Fatalf("field %q of a %T", k, v)
			}
			v = m[k]
		case int:
			a, isArray := v.([]any)
			if !isArray || k >= len(a) {
				t.Fatalf("index %d of %v", k, v)
			}
			v = a[k]
		}
	}
	return v
}

// jsonString encodes s as a JSON string literal, for building bodies.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// permError is the expected permissions error body.
func permError(status int, message string, fields ...any) string {
	category, code := "user_error", "ACCOUNTS_00005"
	switch {
	case status == 401 || status == 403 || status == 409:
		code = "ACCOUNTS_00006"
	case status == 404:
		category, code = "server_error", "ACCOUNTS_00003"
	case status >= 500:
		category, code = "server_error", "ACCOUNTS_00001"
	}
	e := map[string]any{"category": category, "code": code, "message": message}
	if len(fields) > 0 {
		e["details"] = map[string]any{"fields": fields}
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return string(b)
}

// checkIndexes fails t when an index of the emulator (provState.userByID,
// groupCount, permState.roleByID) disagrees with the lists it indexes: the
// fixtures check it when each test ends, after whatever it changed.
func checkIndexes(t *testing.T, e *Emulator) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, err := range []error{e.prov.checkIndexes(), e.perm.checkIndexes()} {
		if err != nil {
			t.Errorf("emulator index: %v", err)
		}
	}
}
