package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cldsync/cldsync/internal/contract"
	"github.com/google/go-cmp/cmp"
)

const provBase = "/v1_1/provisioning/accounts/acc"

// prov drives the emulator's provisioning operations in a test. Every
// answer is checked against the spec's response schema (internal/contract),
// and when the test ends, that the emulator answered only codes the spec
// lists.
type prov struct {
	t *testing.T
	e *Emulator
	v *contract.Validator // nil: answers are not checked (the live profile's break the spec)
}

var (
	provSpecOnce      sync.Once
	provSpecValidator *contract.Validator
	provSpecErr       error
)

func provSpec(t *testing.T) *contract.Validator {
	t.Helper()
	provSpecOnce.Do(func() { provSpecValidator, provSpecErr = contract.Load() })
	if provSpecErr != nil {
		t.Fatalf("load the spec: %v", provSpecErr)
	}
	return provSpecValidator
}

func newProv(t *testing.T, opts Options) *prov {
	t.Helper()
	e := New(opts)
	t.Cleanup(func() {
		if v := e.Violations(); len(v) != 0 {
			t.Errorf("violations: %v", v)
		}
		checkIndexes(t, e)
	})
	return &prov{t: t, e: e, v: provSpec(t)}
}

// provClock returns a clock that advances one second per reading, so
// creation times differ and are deterministic.
func provClock() func() time.Time {
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	return func() time.Time { now = now.Add(time.Second); return now }
}

// do sends method path (relative to the account) with body and returns the
// status and raw body.
func (p *prov) do(method, path, body string) (int, string) {
	p.t.Helper()
	req := httptest.NewRequestWithContext(p.t.Context(), method, provBase+path, strings.NewReader(body))
	req.SetBasicAuth("key", "secret")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	p.e.ServeHTTP(w, req)
	if p.v == nil {
		return w.Code, w.Body.String()
	}
	if err := p.v.ValidateResponse(req, []byte(body), w.Code, w.Header(), w.Body.Bytes()); err != nil {
		p.t.Errorf("%s %s: the answer breaks the spec: %v", method, path, err)
	}
	return w.Code, w.Body.String()
}

// must sends a request that must answer 200 and decodes the answer into out.
func (p *prov) must(method, path, body string, out any) {
	p.t.Helper()
	code, raw := p.do(method, path, body)
	if code != http.StatusOK {
		p.t.Fatalf("%s %s %s: status %d, body %s", method, path, body, code, raw)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(raw), out); err != nil {
			p.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// fails sends a request that must answer status with an error message
// containing msg.
func (p *prov) fails(method, path, body string, status int, msg string) {
	p.t.Helper()
	code, raw := p.do(method, path, body)
	if code != status {
		p.t.Fatalf("%s %s %s: status %d, want %d; body %s", method, path, body, code, status, raw)
	}
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(raw), &e); err != nil || e.Error.Message == "" {
		p.t.Fatalf("%s %s: error body %s is not {error:{message}}", method, path, raw)
	}
	if !strings.Contains(e.Error.Message, msg) {
		p.t.Errorf("%s %s: message %q does not contain %q", method, path, e.Error.Message, msg)
	}
}

// Decoded response shapes, as a client would see them.
type provTEnv struct {
	CloudName     string `json:"cloud_name"`
	Name          string `json:"name"`
	Enabled       bool   `json:"enabled"`
	ID            string `json:"id"`
	APIAccessKeys []struct {
		Key     string `json:"key"`
		Secret  string `json:"secret"`
		Enabled bool   `json:"enabled"`
	} `json:"api_access_keys"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type provTKey struct {
	Name      string `json:"name"`
	APIKey    string `json:"api_key"`
	APISecret string `json:"api_secret"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Enabled   bool   `json:"enabled"`
}

type provTUser struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Email           string `json:"email"`
	Role            string `json:"role"`
	Pending         bool   `json:"pending"`
	Enabled         bool   `json:"enabled"`
	Status          string `json:"status"`
	Root            bool   `json:"root"`
	AllSubAccounts  bool   `json:"all_sub_accounts"`
	GroupCount      int    `json:"group_count"`
	SubAccountCount int    `json:"sub_account_count"`
	AccountID       string `json:"account_id"`
	CreatedAt       string `json:"created_at"`
	LastLogin       string `json:"last_login"`
}

type provTMember struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type provTGroup struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Users     *[]provTMember `json:"users"`
	CreatedAt *string        `json:"created_at"`
	UpdatedAt *string        `json:"updated_at"`
}

func (p *prov) createEnv(cloud string) provTEnv {
	p.t.Helper()
	var v provTEnv
	p.must("POST", "/sub_accounts", fmt.Sprintf(`{"name":"%s app","cloud_name":%q}`, cloud, cloud), &v)
	return v
}

func (p *prov) createUser(body string) provTUser {
	p.t.Helper()
	var u provTUser
	p.must("POST", "/users", body, &u)
	return u
}

func (p *prov) createGroup(name string) provTGroup {
	p.t.Helper()
	var g provTGroup
	p.must("POST", "/user_groups", fmt.Sprintf(`{"name":%q}`, name), &g)
	return g
}

func (p *prov) userEmails(query string) []string {
	p.t.Helper()
	var r struct{ Users []provTUser }
	p.must("GET", "/users"+query, "", &r)
	out := []string{}
	for _, u := range r.Users {
		out = append(out, u.Email)
	}
	return out
}

var provISORE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func TestProvRootUser(t *testing.T) {
	p := newProv(t, Options{})
	var r struct{ Users []provTUser }
	p.must("GET", "/users", "", &r)
	if len(r.Users) != 1 {
		t.Fatalf("a new account has %d users, want 1: %+v", len(r.Users), r.Users)
	}
	u := r.Users[0]
	want := provTUser{ID: u.ID, Name: RootUserName, Email: RootUserEmail, Role: "master_admin", Enabled: true,
		Status: "active", Root: true, AllSubAccounts: true, AccountID: "acc", CreatedAt: u.CreatedAt, LastLogin: u.LastLogin}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("root user (-want +got):\n%s", diff)
	}
	// The root user cannot be deleted, demoted or disabled.
	p.fails("DELETE", "/users/"+u.ID, "", 403, "root")
	p.fails("PUT", "/users/"+u.ID, `{"role":"admin"}`, 403, "root")
	p.fails("PUT", "/users/"+u.ID, `{"role":"master_admin","enabled":false}`, 403, "root")
	p.must("PUT", "/users/"+u.ID, `{"role":"master_admin","name":"Boss"}`, nil)

	bare := newProv(t, Options{Bare: true})
	if got := bare.userEmails(""); len(got) != 0 {
		t.Errorf("a bare account has users %v", got)
	}
}

func TestProvProductEnvironmentLifecycle(t *testing.T) {
	p := newProv(t, Options{Now: provClock()})
	// Request and response fixtures follow ProductEnvironmentRequest's
	// examples.
	var v provTEnv
	p.must("POST", "/sub_accounts", `{"name":"Product3 Application","cloud_name":"product3","custom_attributes":{"team":"web"}}`, &v)
	if v.CloudName != "product3" || v.Name != "Product3 Application" || !v.Enabled || v.ID == "" {
		t.Errorf("created %+v", v)
	}
	if len(v.APIAccessKeys) != 1 || !regexp.MustCompile(`^\d{15}$`).MatchString(v.APIAccessKeys[0].Key) ||
		v.APIAccessKeys[0].Secret == "" || !v.APIAccessKeys[0].Enabled {
		t.Errorf("a new environment has access keys %+v, want one enabled 15-digit key", v.APIAccessKeys)
	}
	if !provISORE.MatchString(v.CreatedAt) || !provISORE.MatchString(v.UpdatedAt) {
		t.Errorf("timestamps %q %q are not ISO-8601", v.CreatedAt, v.UpdatedAt)
	}
	// custom_attributes is write-only: never in an answer, kept for tests.
	if _, raw := p.do("GET", "/sub_accounts/"+v.ID, ""); strings.Contains(raw, "custom_attributes") {
		t.Errorf("custom_attributes returned: %s", raw)
	}
	if diff := cmp.Diff(map[string]any{"team": "web"}, p.e.CustomAttributes("product3")); diff != "" {
		t.Errorf("CustomAttributes (-want +got):\n%s", diff)
	}

	// A cloud name is generated when none is given.
	var gen provTEnv
	p.must("POST", "/sub_accounts", `{"name":"Generated"}`, &gen)
	if !cloudNameRE.MatchString(gen.CloudName) {
		t.Errorf("generated cloud_name %q", gen.CloudName)
	}
	// enabled on create is not in the spec: ignored (NOTES.md P11).
	var ign provTEnv
	p.must("POST", "/sub_accounts", `{"name":"Ignored","cloud_name":"ignored","enabled":false}`, &ign)
	if !ign.Enabled {
		t.Errorf("enabled:false on create was applied; it is not in the spec")
	}

	var got provTEnv
	p.must("GET", "/sub_accounts/"+v.ID, "", &got)
	if diff := cmp.Diff(v, got); diff != "" {
		t.Errorf("get after create (-create +get):\n%s", diff)
	}
	var upd provTEnv
	p.must("PUT", "/sub_accounts/"+v.ID, `{"name":"Renamed","cloud_name":"product3-new","enabled":false,"custom_attributes":{"a":1}}`, &upd)
	if upd.Name != "Renamed" || upd.CloudName != "product3-new" || upd.Enabled || upd.UpdatedAt == v.UpdatedAt || upd.CreatedAt != v.CreatedAt {
		t.Errorf("updated %+v", upd)
	}
	var del map[string]string
	p.must("DELETE", "/sub_accounts/"+v.ID, "", &del)
	if diff := cmp.Diff(map[string]string{"message": "ok"}, del); diff != "" {
		t.Errorf("delete answer (-want +got):\n%s", diff)
	}
	p.fails("GET", "/sub_accounts/"+v.ID, "", 404, "not found")
	p.fails("PUT", "/sub_accounts/"+v.ID, `{"name":"x"}`, 404, "not found")
	p.fails("DELETE", "/sub_accounts/"+v.ID, "", 404, "not found")
}

func TestProvProductEnvironmentFilters(t *testing.T) {
	p := newProv(t, Options{Bare: true})
	a := p.createEnv("alpha")
	b := p.createEnv("beta")
	c := p.createEnv("gamma")
	p.must("PUT", "/sub_accounts/"+b.ID, `{"enabled":false}`, nil)
	clouds := func(q string) []string {
		var r struct {
			SubAccounts []provTEnv `json:"sub_accounts"`
		}
		p.must("GET", "/sub_accounts"+q, "", &r)
		out := []string{}
		for _, v := range r.SubAccounts {
			out = append(out, v.CloudName)
		}
		return out
	}
	tests := []struct{ query, want string }{
		{"", "alpha beta gamma"},
		{"?enabled=true", "alpha gamma"},
		{"?enabled=false", "beta"},
		{"?prefix=ALP", "alpha"},
		{"?prefix=zzz", ""},
		{"?cloud_names=gamma&cloud_names=alpha", "alpha gamma"},
		{"?cloud_names=gamma,beta", "beta gamma"},
		{"?ids=" + c.ID + "&ids=" + b.ID + "&enabled=true&prefix=q", "beta gamma"}, // ids ignore the rest
		{"?ids[]=" + a.ID, "alpha"},
		{"?ids=nosuch", ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(strings.Fields(tt.want), clouds(tt.query)); diff != "" {
			t.Errorf("GET sub_accounts%s (-want +got):\n%s", tt.query, diff)
		}
	}
	p.fails("GET", "/sub_accounts?enabled=maybe", "", 400, "enabled")
	p.fails("GET", "/sub_accounts?ids="+strings.Repeat("x,", 101), "", 400, "ids")
	p.fails("GET", "/sub_accounts?cloud_names="+strings.Repeat("x,", 101), "", 400, "cloud_names")
}

func TestProvValidation(t *testing.T) {
	p := newProv(t, Options{Bare: true})
	env := p.createEnv("acme-prod")
	user := p.createUser(`{"name":"Ann","email":"ann@example.com","role":"admin"}`)
	other := p.createUser(`{"name":"Otto","email":"otto@example.com"}`)
	group := p.createGroup("Designers")
	var key provTKey
	p.must("POST", "/sub_accounts/"+env.ID+"/access_keys", `{"name":"main"}`, &key)
	envPath := "/sub_accounts/" + env.ID
	tests := []struct {
		name, method, path, body string
		status                   int
		msg                      string
	}{
		{"env: no body", "POST", "/sub_accounts", "", 400, "body is required"},
		{"env: malformed JSON", "POST", "/sub_accounts", `{"name":`, 400, "malformed JSON"},
		{"env: not an object", "POST", "/sub_accounts", `["x"]`, 400, "JSON object"},
		{"env: name missing", "POST", "/sub_accounts", `{"cloud_name":"x1"}`, 400, "name is required"},
		{"env: name wrong type", "POST", "/sub_accounts", `{"name":3}`, 400, `"name" must be a string`},
		{"env: unknown field", "POST", "/sub_accounts", `{"name":"x","cloudname":"x"}`, 400, `unknown field "cloudname"`},
		{"env: field in another case", "POST", "/sub_accounts", `{"Name":"x"}`, 400, `unknown field "Name"`},
		{"env: upper-case cloud_name", "POST", "/sub_accounts", `{"name":"x","cloud_name":"Acme"}`, 400, "invalid cloud_name"},
		{"env: cloud_name with a dot", "POST", "/sub_accounts", `{"name":"x","cloud_name":"a.b"}`, 400, "invalid cloud_name"},
		{"env: duplicate cloud_name", "POST", "/sub_accounts", `{"name":"x","cloud_name":"acme-prod"}`, 409, "already exists"},
		{"env: unknown base", "POST", "/sub_accounts", `{"name":"x","base_sub_account_id":"nope"}`, 400, "base_sub_account_id"},
		{"env: custom_attributes not an object", "POST", "/sub_accounts", `{"name":"x","custom_attributes":[1]}`, 400, "custom_attributes"},
		{"env update: enabled wrong type", "PUT", envPath, `{"enabled":"no"}`, 400, `"enabled" must be a boolean`},
		{"env update: empty name", "PUT", envPath, `{"name":""}`, 400, "name"},
		{"env update: bad cloud_name", "PUT", envPath, `{"cloud_name":"A B"}`, 400, "invalid cloud_name"},
		{"env: unknown id", "GET", "/sub_accounts/nope", "", 404, "not found"},

		{"keys: unknown env", "GET", "/sub_accounts/nope/access_keys", "", 404, "not found"},
		{"keys: sort_by", "GET", envPath + "/access_keys?sort_by=secret", "", 404, "sort_by"},
		{"keys: sort_order", "GET", envPath + "/access_keys?sort_order=up", "", 404, "sort_order"},
		{"keys: page over 100", "GET", envPath + "/access_keys?page=101", "", 404, "page"},
		{"keys: page zero", "GET", envPath + "/access_keys?page=0", "", 404, "page"},
		{"key: duplicate name", "POST", envPath + "/access_keys", `{"name":"main"}`, 409, "already exists"},
		{"key: enabled wrong type", "POST", envPath + "/access_keys", `{"enabled":1}`, 400, "enabled"},
		{"key: unknown env", "POST", "/sub_accounts/nope/access_keys", `{}`, 404, "not found"},
		{"key update: dedicated_for enum", "PUT", envPath + "/access_keys/" + key.APIKey, `{"name":"main","dedicated_for":"email"}`, 400, "dedicated_for"},
		{"key update: unknown key", "PUT", envPath + "/access_keys/123456789012345", `{}`, 404, "not found"},
		{"key delete: unknown key", "DELETE", envPath + "/access_keys/123456789012345", "", 404, "not found"},
		{"key delete by name: missing name", "DELETE", envPath + "/access_keys", "", 400, "name"},
		{"key delete by name: unknown name", "DELETE", envPath + "/access_keys?name=nope", "", 404, "not found"},

		{"user: email missing", "POST", "/users", `{"name":"x"}`, 400, "email is required"},
		{"user: name missing", "POST", "/users", `{"email":"x@example.com"}`, 400, "name is required"},
		{"user: invalid email", "POST", "/users", `{"name":"x","email":"not-an-email"}`, 400, "invalid email"},
		{"user: email with display name", "POST", "/users", `{"name":"x","email":"X <x@example.com>"}`, 400, "invalid email"},
		{"user: duplicate email in another case", "POST", "/users", `{"name":"x","email":"ANN@example.com"}`, 409, "already exists"},
		{"user: role enum", "POST", "/users", `{"name":"x","email":"x@example.com","role":"owner"}`, 400, "invalid role"},
		{"user: sub_account_ids wrong type", "POST", "/users", `{"name":"x","email":"x@example.com","sub_account_ids":"a"}`, 400, "sub_account_ids"},
		{"user: unknown sub_account_ids", "POST", "/users", `{"name":"x","email":"x@example.com","sub_account_ids":["nope"]}`, 404, "nope"},
		{"user: unknown id", "GET", "/users/nope", "", 404, "not found"},
		{"user update: unknown user", "PUT", "/users/nope", `{}`, 404, "not found"},
		{"user update: duplicate email", "PUT", "/users/" + other.ID, `{"email":"Ann@Example.com"}`, 409, "already exists"},
		{"user update: unknown sub_account_ids", "PUT", "/users/" + other.ID, `{"sub_account_ids":["` + env.ID + `","nope"]}`, 404, "nope"},
		{"user update: role enum", "PUT", "/users/" + other.ID, `{"role":"root"}`, 400, "invalid role"},
		{"user update: trailing garbage", "PUT", "/users/" + other.ID, `{"name":"x"} {}`, 400, "malformed JSON"},
		{"users: sort_by", "GET", "/users?sort_by=email", "", 404, "sort_by"},
		{"users: page_size", "GET", "/users?page_size=x", "", 404, "page_size"},
		{"users: pending", "GET", "/users?pending=perhaps", "", 404, "pending"},
		{"users: unknown sub_account_id", "GET", "/users?sub_account_id=nope", "", 404, "sub_account_id"},
		{"users: over 100 ids", "GET", "/users?ids=" + strings.Repeat("x,", 101), "", 404, "ids"},
		{"users: over 100 emails", "GET", "/users?emails=" + strings.Repeat("x,", 101), "", 404, "emails"},
		{"users: bad from", "GET", "/users?last_login=true&from=2024/01/01", "", 404, "from"},
		{"users: bad union_type", "GET", "/users?union_type=both", "", 404, "union_type"},
		{"user groups: unknown user", "GET", "/users/nope/groups", "", 404, "not found"},
		{"user sub_accounts: unknown user", "GET", "/users/nope/sub_accounts", "", 404, "not found"},
		{"user delete: unknown", "DELETE", "/users/nope", "", 404, "not found"},

		{"group: name missing", "POST", "/user_groups", `{}`, 400, "name is required"},
		{"group: duplicate name in another case", "POST", "/user_groups", `{"name":"designers"}`, 409, "already exists"},
		{"group update: name missing", "PUT", "/user_groups/" + group.ID, `{}`, 400, "name is required"},
		{"group: unknown id", "GET", "/user_groups/nope", "", 404, "not found"},
		{"groups: extended_details", "GET", "/user_groups?extended_details=yes", "", 404, "extended_details"},
		{"group users: unknown group", "GET", "/user_groups/nope/users", "", 404, "not found"},
		{"member add: unknown group", "POST", "/user_groups/nope/users/" + user.ID, "", 404, "not found"},
		{"member add: unknown user", "POST", "/user_groups/" + group.ID + "/users/nope", "", 404, "not found"},
		{"member remove: not a member", "DELETE", "/user_groups/" + group.ID + "/users/" + user.ID, "", 404, "not a member"},
		{"group delete: unknown", "DELETE", "/user_groups/nope", "", 404, "not found"},

		{"billing: year", "GET", "/billing_usage?year=last", "", 400, "year"},
		{"billing: breakdown", "GET", "/billing_usage?include_prodenv_breakdown=2", "", 400, "include_prodenv_breakdown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.t = t
			p.fails(tt.method, tt.path, tt.body, tt.status, tt.msg)
		})
	}
	p.t = t
	// None of the failures changed anything.
	if got := p.userEmails(""); !slices.Equal(got, []string{"otto@example.com", "ann@example.com"}) {
		t.Errorf("users after failed requests: %v", got)
	}
}

func TestProvAuthentication(t *testing.T) {
	p := newProv(t, Options{})
	for _, op := range operations {
		if op.permissions() || op.public() {
			continue
		}
		path := strings.NewReplacer("{sub_account_id}", "x", "{key}", "123456789012345", "{user_id}", "u", "{group_id}", "g").Replace(op.Path)
		for _, tc := range []struct {
			name, account, key string
		}{{"bad secret", "acc", "wrong"}, {"wrong account id", "other", "secret"}} {
			req := httptest.NewRequestWithContext(t.Context(), op.Method, strings.Replace(path, "{account_id}", tc.account, 1), strings.NewReader(`{}`))
			req.SetBasicAuth("key", tc.key)
			w := httptest.NewRecorder()
			p.e.ServeHTTP(w, req)
			if w.Code != 401 || strings.TrimSpace(w.Body.String()) != `{"error":{"message":"Invalid credentials"}}` {
				t.Errorf("%s with %s: %d %s, want 401", op.ID, tc.name, w.Code, w.Body)
			}
		}
	}
}

func TestProvStrictPUTs(t *testing.T) {
	p := newProv(t, Options{Bare: true})
	a := p.createEnv("a")
	b := p.createEnv("b")

	// Product environment: enabled and custom_attributes reset, name and
	// cloud_name kept.
	var v provTEnv
	p.must("PUT", "/sub_accounts/"+a.ID, `{"name":"A","enabled":false,"custom_attributes":{"k":"v"}}`, &v)
	if v.Enabled {
		t.Fatal("enabled:false not applied")
	}
	p.must("PUT", "/sub_accounts/"+a.ID, `{"name":"A2"}`, &v)
	if !v.Enabled || v.Name != "A2" || v.CloudName != "a" {
		t.Errorf("PUT without enabled: %+v, want re-enabled, cloud_name kept", v)
	}
	if got := p.e.CustomAttributes("a"); got != nil {
		t.Errorf("PUT without custom_attributes kept %v", got)
	}
	p.must("PUT", "/sub_accounts/"+a.ID, `{"name":null,"enabled":null}`, &v)
	if v.Name != "A2" || !v.Enabled {
		t.Errorf("PUT with nulls: %+v", v)
	}

	// User: role, sub_account_ids, enabled reset; name and email kept.
	u := p.createUser(`{"name":"Bob","email":"bob@example.com","role":"admin","sub_account_ids":["` + b.ID + `"],"enabled":false}`)
	if u.AllSubAccounts || u.SubAccountCount != 1 || u.Enabled || u.Role != "admin" {
		t.Fatalf("created %+v", u)
	}
	var got provTUser
	p.must("PUT", "/users/"+u.ID, `{"role":"technical_admin"}`, &got)
	if !got.AllSubAccounts || got.SubAccountCount != 2 || !got.Enabled || got.Name != "Bob" || got.Email != "bob@example.com" || got.Role != "technical_admin" {
		t.Errorf("PUT with only role: %+v, want all environments, enabled, name and email kept", got)
	}
	p.must("PUT", "/users/"+u.ID, `{"sub_account_ids":[]}`, &got)
	if got.Role != DefaultUserRole || got.AllSubAccounts || got.SubAccountCount != 0 {
		t.Errorf("PUT without role: %+v, want role %s and no environment", got, DefaultUserRole)
	}
	// sub_account_ids is ignored for master_admin, unknown ids included.
	p.must("PUT", "/users/"+u.ID, `{"role":"master_admin","sub_account_ids":["nope"]}`, &got)
	if !got.AllSubAccounts || got.SubAccountCount != 2 {
		t.Errorf("master_admin: %+v, want all environments", got)
	}

	// Access key: name reset to "", enabled to true, dedicated_for cleared.
	var k provTKey
	p.must("POST", "/sub_accounts/"+a.ID+"/access_keys", `{"name":"hooks","enabled":false}`, &k)
	p.must("PUT", "/sub_accounts/"+a.ID+"/access_keys/"+k.APIKey, `{"name":"hooks","enabled":false,"dedicated_for":"webhooks"}`, &k)
	if p.e.DedicatedFor(k.APIKey) != "webhooks" || k.Enabled {
		t.Fatalf("update: %+v dedicated to %q", k, p.e.DedicatedFor(k.APIKey))
	}
	p.must("PUT", "/sub_accounts/"+a.ID+"/access_keys/"+k.APIKey, `{"enabled":false}`, &k)
	if k.Name != "" || k.Enabled || p.e.DedicatedFor(k.APIKey) != "" {
		t.Errorf("PUT with only enabled: %+v dedicated to %q, want no name and no dedication", k, p.e.DedicatedFor(k.APIKey))
	}
	p.must("PUT", "/sub_accounts/"+a.ID+"/access_keys/"+k.APIKey, `{}`, &k)
	if !k.Enabled {
		t.Errorf("PUT {} left the key disabled")
	}
}

func TestProvUsersPagination(t *testing.T) {
	p := newProv(t, Options{Bare: true, Now: provClock()})
	const n = 130
	for i := range n {
		p.createUser(fmt.Sprintf(`{"name":"user%03d","email":"user%03d@example.com"}`, i, i))
	}
	count := func(q string) int { return len(p.userEmails(q)) }
	tests := []struct {
		query string
		want  int
	}{
		{"", UsersDefaultPageSize},
		{"?page=2", UsersDefaultPageSize},
		{"?page=3", n - 2*UsersDefaultPageSize},
		{"?page=4", 0},
		{"?page_size=500", UsersMaxPageSize}, // silently capped
		{"?page_size=500&page=2", n - UsersMaxPageSize},
		{"?page_size=7&page=19", n - 18*7},
		{"?page=99", 0},
	}
	for _, tt := range tests {
		if got := count(tt.query); got != tt.want {
			t.Errorf("GET users%s: %d users, want %d", tt.query, got, tt.want)
		}
	}
	// Walking pages until an empty one visits every user once; newest first
	// by default.
	var all []string
	for page := 1; ; page++ {
		got := p.userEmails(fmt.Sprintf("?page_size=500&page=%d", page))
		if len(got) == 0 {
			break
		}
		all = append(all, got...)
	}
	if len(all) != n || all[0] != "user129@example.com" || all[n-1] != "user000@example.com" {
		t.Errorf("walked %d users from %s to %s", len(all), all[0], all[len(all)-1])
	}
	if got := p.userEmails("?sort_order=asc&page_size=2"); !slices.Equal(got, []string{"user000@example.com", "user001@example.com"}) {
		t.Errorf("asc: %v", got)
	}
	if got := p.userEmails("?sort_by=name&sort_order=desc&page_size=1"); !slices.Equal(got, []string{"user129@example.com"}) {
		t.Errorf("name desc: %v", got)
	}
}

func TestProvUsersFilters(t *testing.T) {
	p := newProv(t, Options{Bare: true, Now: provClock()})
	prod := p.createEnv("prod")
	p.createEnv("dev")
	ann := p.createUser(`{"name":"Ann","email":"ann@example.com","role":"admin","sub_account_ids":["` + prod.ID + `"]}`)
	p.createUser(`{"name":"Andy","email":"andy@example.com","role":"billing","sub_account_ids":[]}`)
	p.createUser(`{"name":"Bea","email":"Bea@Example.com"}`)
	if err := p.e.AcceptInvitation("andy@example.com"); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	tests := []struct{ query, want string }{
		{"?sort_order=asc", "ann@example.com andy@example.com Bea@Example.com"},
		{"?pending=true&sort_order=asc", "ann@example.com Bea@Example.com"},
		{"?pending=false", "andy@example.com"},
		{"?prefix=an&sort_order=asc", "ann@example.com andy@example.com"},
		{"?prefix=AN&sort_order=asc", "ann@example.com andy@example.com"},
		{"?prefix=bea@", ""}, // the name, not the email
		{"?sub_account_id=" + prod.ID, "Bea@Example.com ann@example.com"}, // Bea has all environments
		{"?sort_by=role&sort_order=asc", "ann@example.com andy@example.com Bea@Example.com"},
		{"?sort_by=status&sort_order=asc", "andy@example.com ann@example.com Bea@Example.com"},
		{"?emails=bea@example.com", "Bea@Example.com"},
		{"?emails=ANN@example.com&emails=nobody@example.com", "ann@example.com"},
		{"?ids=" + ann.ID + "&pending=false&page=5&prefix=zz", "ann@example.com"}, // ids ignore the rest
		{"?ids=" + ann.ID + "&emails=andy@example.com", "andy@example.com ann@example.com"},
		{"?last_login=true&from=" + today + "&to=" + today, "andy@example.com"},
		{"?last_login=true&from=2020-01-01&to=2020-12-31&union_type=exclude&sort_order=asc", "ann@example.com andy@example.com Bea@Example.com"},
		{"?last_login=true&to=2020-12-31", ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(strings.Fields(tt.want), p.userEmails(tt.query)); diff != "" {
			t.Errorf("GET users%s (-want +got):\n%s", tt.query, diff)
		}
	}
}

func TestProvUserLifecycle(t *testing.T) {
	p := newProv(t, Options{Bare: true})
	prod := p.createEnv("prod")
	// The spec's CreateUserExample.
	u := p.createUser(`{"name":"jenny_bar","role":"master_admin","email":"jenny_bar@example.com"}`)
	want := provTUser{ID: u.ID, Name: "jenny_bar", Email: "jenny_bar@example.com", Role: "master_admin", Pending: true,
		Enabled: true, Status: "pending", AllSubAccounts: true, SubAccountCount: 1, AccountID: "acc", CreatedAt: u.CreatedAt}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if !regexp.MustCompile(`^[0-9a-f]{30}$`).MatchString(u.ID) {
		t.Errorf("user id %q", u.ID)
	}
	def := p.createUser(`{"name":"Dee","email":"dee@example.com"}`)
	if def.Role != DefaultUserRole || !def.AllSubAccounts {
		t.Errorf("user created without role or sub_account_ids: %+v", def)
	}
	var got provTUser
	p.must("GET", "/users/"+u.ID, "", &got)
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("get (-create +get):\n%s", diff)
	}
	p.must("PUT", "/users/"+def.ID, `{"name":"Dee Dee","email":"DEE@example.com","role":"reports","sub_account_ids":["`+prod.ID+`"],"enabled":false}`, &got)
	if got.Email != "DEE@example.com" || got.Status != "pending" || got.Enabled || got.AllSubAccounts || got.SubAccountCount != 1 {
		t.Errorf("updated %+v", got)
	}
	var subs struct {
		SubAccounts []map[string]any `json:"sub_accounts"`
	}
	p.must("GET", "/users/"+def.ID+"/sub_accounts", "", &subs)
	wantSubs := []map[string]any{{"id": prod.ID, "name": "prod app", "cloud_name": "prod", "enabled": true}}
	if diff := cmp.Diff(wantSubs, subs.SubAccounts); diff != "" {
		t.Errorf("sub_accounts (-want +got):\n%s", diff)
	}
	p.must("DELETE", "/users/"+def.ID, "", nil)
	p.fails("GET", "/users/"+def.ID, "", 404, "not found")
	// The email is free again.
	p.createUser(`{"name":"Dee","email":"dee@example.com"}`)
}

func TestProvReferentialCleanup(t *testing.T) {
	p := newProv(t, Options{Bare: true})
	a := p.createEnv("a")
	b := p.createEnv("b")
	all := p.createUser(`{"name":"All","email":"all@example.com","role":"admin"}`)
	some := p.createUser(`{"name":"Some","email":"some@example.com","role":"admin","sub_account_ids":["` + a.ID + `","` + b.ID + `"]}`)
	subCount := func(id string) int {
		var u provTUser
		p.must("GET", "/users/"+id, "", &u)
		return u.SubAccountCount
	}
	// A new environment is added to users with all-environment access only.
	c := p.createEnv("c")
	if subCount(all.ID) != 3 || subCount(some.ID) != 2 {
		t.Errorf("after create: all has %d, some has %d; want 3 and 2", subCount(all.ID), subCount(some.ID))
	}
	// Deleting an environment removes it from access lists.
	p.must("DELETE", "/sub_accounts/"+a.ID, "", nil)
	if subCount(all.ID) != 2 || subCount(some.ID) != 1 {
		t.Errorf("after delete: all has %d, some has %d; want 2 and 1", subCount(all.ID), subCount(some.ID))
	}
	var users struct{ Users []provTUser }
	p.must("GET", "/users?sub_account_id="+c.ID, "", &users)
	if len(users.Users) != 1 || users.Users[0].ID != all.ID {
		t.Errorf("users of c: %+v", users.Users)
	}
	// Deleting a user removes its memberships.
	g := p.createGroup("G")
	p.must("POST", "/user_groups/"+g.ID+"/users/"+some.ID, "", nil)
	p.must("POST", "/user_groups/"+g.ID+"/users/"+all.ID, "", nil)
	p.must("DELETE", "/users/"+some.ID, "", nil)
	var members struct{ Users []provTMember }
	p.must("GET", "/user_groups/"+g.ID+"/users", "", &members)
	if diff := cmp.Diff([]provTMember{{ID: all.ID, Name: "All", Email: "all@example.com"}}, members.Users); diff != "" {
		t.Errorf("members after deleting a user (-want +got):\n%s", diff)
	}
	// Deleting a group removes it from its users' group lists.
	p.must("DELETE", "/user_groups/"+g.ID, "", nil)
	var u provTUser
	p.must("GET", "/users/"+all.ID, "", &u)
	if u.GroupCount != 0 {
		t.Errorf("group_count after deleting the group: %d", u.GroupCount)
	}
}

func TestProvGroupsAndMemberships(t *testing.T) {
	p := newProv(t, Options{Bare: true})
	john := p.createUser(`{"name":"John","email":"john@example.com"}`)
	harry := p.createUser(`{"name":"Harry Potts","email":"harry.potts@example.com"}`)
	// The spec's UserGroupDesigners example.
	g := p.createGroup("Designers")
	if g.Users != nil || g.CreatedAt != nil || g.Name != "Designers" || len(g.ID) != 32 {
		t.Errorf("created %+v, want only id and name", g)
	}
	var m provTMember
	p.must("POST", "/user_groups/"+g.ID+"/users/"+john.ID, "", &m)
	if diff := cmp.Diff(provTMember{ID: john.ID, Name: "John", Email: "john@example.com"}, m); diff != "" {
		t.Errorf("add answer (-want +got):\n%s", diff)
	}
	p.fails("POST", "/user_groups/"+g.ID+"/users/"+john.ID, "", 409, "already a member")
	p.must("POST", "/user_groups/"+g.ID+"/users/"+harry.ID, "", nil)

	var list struct {
		UserGroups []provTGroup `json:"user_groups"`
	}
	p.must("GET", "/user_groups", "", &list)
	if len(list.UserGroups) != 1 || list.UserGroups[0].Users != nil || list.UserGroups[0].CreatedAt != nil {
		t.Errorf("basic list: %+v", list.UserGroups)
	}
	p.must("GET", "/user_groups?extended_details=true", "", &list)
	ext := list.UserGroups[0]
	wantMembers := []provTMember{{john.ID, "John", "john@example.com"}, {harry.ID, "Harry Potts", "harry.potts@example.com"}}
	if ext.Users == nil || ext.CreatedAt == nil || !provISORE.MatchString(*ext.CreatedAt) || ext.UpdatedAt == nil {
		t.Fatalf("extended list: %+v", ext)
	}
	if diff := cmp.Diff(wantMembers, *ext.Users); diff != "" {
		t.Errorf("extended members (-want +got):\n%s", diff)
	}
	var one provTGroup
	p.must("GET", "/user_groups/"+g.ID+"?extended_details=true", "", &one)
	if one.Users == nil || len(*one.Users) != 2 {
		t.Errorf("extended get: %+v", one)
	}
	var groups struct{ Groups []provTGroup }
	p.must("GET", "/users/"+john.ID+"/groups", "", &groups)
	if len(groups.Groups) != 1 || groups.Groups[0].ID != g.ID || groups.Groups[0].Name != "Designers" {
		t.Errorf("john's groups: %+v", groups.Groups)
	}
	var u provTUser
	p.must("GET", "/users/"+john.ID, "", &u)
	if u.GroupCount != 1 {
		t.Errorf("group_count %d", u.GroupCount)
	}
	// Removing answers the remaining members.
	var rest struct{ Users []provTMember }
	p.must("DELETE", "/user_groups/"+g.ID+"/users/"+john.ID, "", &rest)
	if diff := cmp.Diff(wantMembers[1:], rest.Users); diff != "" {
		t.Errorf("remove answer (-want +got):\n%s", diff)
	}
	p.must("DELETE", "/user_groups/"+g.ID+"/users/"+harry.ID, "", &rest)
	if rest.Users == nil || len(rest.Users) != 0 {
		t.Errorf("removing the last member answered %+v, want []", rest.Users)
	}
	// An empty extended group has users: [].
	if _, raw := p.do("GET", "/user_groups/"+g.ID+"?extended_details=true", ""); !strings.Contains(raw, `"users":[]`) {
		t.Errorf("empty extended group: %s", raw)
	}
	// The spec's UserGroupDesignersRequest renames.
	var renamed provTGroup
	p.must("PUT", "/user_groups/"+g.ID, `{"name":"Designers and Creatives"}`, &renamed)
	if renamed.Name != "Designers and Creatives" || renamed.ID != g.ID {
		t.Errorf("renamed %+v", renamed)
	}
	p.must("PUT", "/user_groups/"+g.ID, `{"name":"designers and creatives"}`, nil) // itself, other case
	other := p.createGroup("Other")
	p.fails("PUT", "/user_groups/"+other.ID, `{"name":"DESIGNERS AND CREATIVES"}`, 409, "already exists")
	var del map[string]string
	p.must("DELETE", "/user_groups/"+g.ID, "", &del)
	if del["message"] != "ok" {
		t.Errorf("delete answered %v", del)
	}
	p.fails("GET", "/user_groups/"+g.ID, "", 404, "not found")
}

func TestProvAccessKeys(t *testing.T) {
	p := newProv(t, Options{Bare: true, Now: provClock()})
	env := p.createEnv("acme-prod")
	path := "/sub_accounts/" + env.ID + "/access_keys"
	first := env.APIAccessKeys[0].Key
	// The spec's AccessKeyRequest example.
	var main provTKey
	p.must("POST", path, `{"name":"main_key","enabled":true}`, &main)
	if main.Name != "main_key" || !main.Enabled || len(main.APIKey) != 15 || main.APISecret == "" || !provISORE.MatchString(main.CreatedAt) {
		t.Errorf("generated %+v", main)
	}
	var second provTKey
	p.must("POST", path, `{"name":"secondary_key","enabled":false}`, &second)
	p.must("POST", path, `{}`, nil)
	p.must("POST", path, `{}`, nil) // unnamed keys may repeat

	type list struct {
		AccessKeys []provTKey `json:"access_keys"`
		Total      int        `json:"total"`
	}
	names := func(q string) ([]string, int) {
		var l list
		p.must("GET", path+q, "", &l)
		out := []string{}
		for _, k := range l.AccessKeys {
			out = append(out, k.Name+"/"+fmt.Sprint(k.Enabled))
		}
		return out, l.Total
	}
	tests := []struct {
		query string
		want  string
	}{
		{"", "/true /true secondary_key/false main_key/true /true"}, // all, newest first
		{"?page_size=2", "/true /true secondary_key/false main_key/true /true"},
		{"?page=1&page_size=2", "/true /true"},
		{"?page=3&page_size=2", "/true"},
		{"?page=4&page_size=2", ""},
		{"?page=1", "/true /true secondary_key/false main_key/true /true"},
		{"?sort_by=name&sort_order=asc", "/true /true /true main_key/true secondary_key/false"},
		{"?sort_by=enabled&sort_order=asc&page=1&page_size=1", "secondary_key/false"},
	}
	for _, tt := range tests {
		got, total := names(tt.query)
		if diff := cmp.Diff(strings.Fields(tt.want), got); diff != "" {
			t.Errorf("GET access_keys%s (-want +got):\n%s", tt.query, diff)
		}
		if total != 5 {
			t.Errorf("GET access_keys%s: total %d, want 5", tt.query, total)
		}
	}
	// The environment lists every key.
	var v provTEnv
	p.must("GET", "/sub_accounts/"+env.ID, "", &v)
	if len(v.APIAccessKeys) != 5 {
		t.Errorf("api_access_keys has %d keys, want 5", len(v.APIAccessKeys))
	}
	// Rename, with 409 on a taken name.
	p.fails("PUT", path+"/"+second.APIKey, `{"name":"main_key"}`, 409, "already exists")
	var upd provTKey
	p.must("PUT", path+"/"+second.APIKey, `{"name":"second","enabled":true,"dedicated_for":"webhooks"}`, &upd)
	if upd.Name != "second" || !upd.Enabled || upd.APIKey != second.APIKey || upd.APISecret != second.APISecret {
		t.Errorf("updated %+v", upd)
	}
	// dedicated_for replaces the previously dedicated key.
	p.must("PUT", path+"/"+main.APIKey, `{"name":"main_key","enabled":true,"dedicated_for":"webhooks"}`, nil)
	if p.e.DedicatedFor(main.APIKey) != "webhooks" || p.e.DedicatedFor(second.APIKey) != "" {
		t.Errorf("dedicated_for did not move: main %q, second %q", p.e.DedicatedFor(main.APIKey), p.e.DedicatedFor(second.APIKey))
	}
	// A key of another environment is not found through this one.
	other := p.createEnv("other")
	p.fails("DELETE", "/sub_accounts/"+other.ID+"/access_keys/"+main.APIKey, "", 404, "not found")

	var del map[string]string
	p.must("DELETE", path+"?name=main_key", "", &del)
	if del["message"] != "ok" {
		t.Errorf("delete by name answered %v", del)
	}
	p.must("DELETE", path+"/"+first, "", &del)
	_, total := names("")
	if total != 3 {
		t.Errorf("%d keys after two deletes, want 3", total)
	}
	p.fails("DELETE", path+"/"+first, "", 404, "not found")
}

func TestProvBillingUsage(t *testing.T) {
	p := newProv(t, Options{Bare: true, Now: provClock()})
	p.createEnv("acme-prod")
	type cycle struct {
		FromDay   string             `json:"from_day"`
		ToDay     string             `json:"to_day"`
		Usage     float64            `json:"usage"`
		Breakdown map[string]float64 `json:"breakdown"`
		PerEnv    []map[string]any   `json:"product_environment_breakdown"`
	}
	type usage []struct {
		PlanName    string `json:"plan_name"`
		MetricUsage []struct {
			Metric string  `json:"metric"`
			Limit  float64 `json:"limit"`
			Cycles []cycle `json:"cycles"`
		} `json:"metric_usage"`
	}
	var u usage
	p.must("GET", "/billing_usage", "", &u)
	if len(u) != 1 || u[0].PlanName == "" || len(u[0].MetricUsage) != 1 || len(u[0].MetricUsage[0].Cycles) != 1 {
		t.Fatalf("billing usage %+v", u)
	}
	c := u[0].MetricUsage[0].Cycles[0]
	if c.FromDay != "2025-03-01" || c.ToDay != "2025-03-31" || c.Usage <= 0 || c.PerEnv != nil {
		t.Errorf("cycle %+v", c)
	}
	p.must("GET", "/billing_usage?include_prodenv_breakdown=true&year=2025", "", &u)
	if per := u[0].MetricUsage[0].Cycles[0].PerEnv; len(per) != 1 || per[0]["cloud_name"] != "acme-prod" {
		t.Errorf("breakdown %+v", per)
	}
	p.must("GET", "/billing_usage?year=2019", "", &u)
	if len(u) != 0 {
		t.Errorf("year 2019: %+v, want []", u)
	}
}

func TestProvSeed(t *testing.T) {
	p := newProv(t, Options{})
	seed := `
environments:
  - cloud_name: acme-prod
    name: Acme production
    custom_attributes: {tier: gold}
    access_keys:
      - {name: main, api_key: "123456789012345"}
      - {name: ci, enabled: false}
  - cloud_name: acme-dev
    enabled: false
    id: devenv
users:
  - {email: ann@example.com, name: Ann, role: admin, environments: [acme-dev]}
  - {email: bob@example.com, pending: true}
groups:
  - {name: Designers, members: [ann@example.com, bob@example.com]}
`
	if err := p.e.LoadSeed(strings.NewReader(seed)); err != nil {
		t.Fatal(err)
	}
	var envs struct {
		SubAccounts []provTEnv `json:"sub_accounts"`
	}
	p.must("GET", "/sub_accounts", "", &envs)
	if len(envs.SubAccounts) != 2 {
		t.Fatalf("environments %+v", envs.SubAccounts)
	}
	prod, dev := envs.SubAccounts[0], envs.SubAccounts[1]
	if prod.Name != "Acme production" || !prod.Enabled || len(prod.APIAccessKeys) != 2 || prod.APIAccessKeys[0].Key != "123456789012345" || prod.APIAccessKeys[1].Enabled {
		t.Errorf("acme-prod %+v", prod)
	}
	if dev.ID != "devenv" || dev.Enabled || dev.Name != "acme-dev" || len(dev.APIAccessKeys) != 1 {
		t.Errorf("acme-dev %+v", dev)
	}
	if p.e.CustomAttributes("acme-prod")["tier"] != "gold" {
		t.Errorf("custom attributes %v", p.e.CustomAttributes("acme-prod"))
	}
	if got := p.userEmails("?sort_order=asc"); !slices.Equal(got, []string{RootUserEmail, "ann@example.com", "bob@example.com"}) {
		t.Errorf("users %v", got)
	}
	p.e.mu.Lock()
	annID, _ := p.e.prov.userIDByEmail("ANN@example.com")
	bobID, _ := p.e.prov.userIDByEmail("bob@example.com")
	gid, gok := p.e.prov.groupIDByName("designers")
	sid, sok := p.e.prov.subAccountIDByCloudName("acme-dev")
	keyOK := p.e.prov.accessKeyExists("123456789012345")
	apiKey, _ := p.e.prov.apiKeyByName("acme-prod", "main")
	groupsOfAnn := p.e.prov.groupsOfUser(annID)
	exist := p.e.prov.userExists(annID) && p.e.prov.groupExists(gid) && p.e.prov.subAccountExists("devenv")
	p.e.mu.Unlock()
	if !gok || !sok || sid != "devenv" || !keyOK || apiKey != "123456789012345" || !exist || !slices.Equal(groupsOfAnn, []string{gid}) {
		t.Errorf("lookups: group %v, env %q %v, key %v %q, exist %v, groups of ann %v", gok, sid, sok, keyOK, apiKey, exist, groupsOfAnn)
	}
	var ann, bob provTUser
	p.must("GET", "/users/"+annID, "", &ann)
	p.must("GET", "/users/"+bobID, "", &bob)
	if ann.Role != "admin" || ann.Pending || ann.AllSubAccounts || ann.SubAccountCount != 1 || ann.GroupCount != 1 {
		t.Errorf("ann %+v", ann)
	}
	if bob.Role != DefaultUserRole || !bob.Pending || !bob.AllSubAccounts || bob.SubAccountCount != 2 {
		t.Errorf("bob %+v", bob)
	}

	bad := []struct{ name, seed, want string }{
		{"bad cloud name", `environments: [{cloud_name: "Acme"}]`, `environment 0 ("Acme")`},
		{"duplicate cloud name", `environments: [{cloud_name: acme-prod}]`, "already exists"},
		{"duplicate key name", `environments: [{cloud_name: x, access_keys: [{name: a}, {name: a}]}]`, `access key 1: name "a"`},
		{"bad api key", `environments: [{cloud_name: y, access_keys: [{api_key: "12"}]}]`, "15 digits"},
		{"bad email", `users: [{email: nope}]`, `user 0 ("nope"): invalid email`},
		{"duplicate email", `users: [{email: ANN@example.com}]`, "already exists"},
		{"bad role", `users: [{email: z@example.com, role: owner}]`, "role"},
		{"unknown environment", `users: [{email: w@example.com, environments: [nope]}]`, `unknown environment "nope"`},
		{"unknown member", `groups: [{name: G, members: [nobody@example.com]}]`, `group 0 ("G"): unknown member`},
		{"duplicate group", `groups: [{name: DESIGNERS}]`, "already exists"},
		{"unknown key", `envs: []`, "envs"},
	}
	for _, tt := range bad {
		err := p.e.LoadSeed(strings.NewReader(tt.seed))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestProvEveryOperation walks all 26 provisioning operations through a
// success path and checks each answered 200 at least once.
func TestProvEveryOperation(t *testing.T) {
	p := newProv(t, Options{Bare: true})
	env := p.createEnv("tour")
	var key provTKey
	p.must("GET", "/sub_accounts", "", nil)
	p.must("GET", "/sub_accounts/"+env.ID, "", nil)
	p.must("PUT", "/sub_accounts/"+env.ID, `{"name":"Tour","enabled":true}`, nil)
	p.must("GET", "/sub_accounts/"+env.ID+"/access_keys", "", nil)
	p.must("POST", "/sub_accounts/"+env.ID+"/access_keys", `{"name":"k"}`, &key)
	p.must("PUT", "/sub_accounts/"+env.ID+"/access_keys/"+key.APIKey, `{"name":"k2","enabled":true}`, nil)
	p.must("DELETE", "/sub_accounts/"+env.ID+"/access_keys?name=k2", "", nil)
	p.must("DELETE", "/sub_accounts/"+env.ID+"/access_keys/"+env.APIAccessKeys[0].Key, "", nil)
	u := p.createUser(`{"name":"U","email":"u@example.com"}`)
	p.must("GET", "/users", "", nil)
	p.must("GET", "/users/"+u.ID, "", nil)
	p.must("PUT", "/users/"+u.ID, `{"name":"U2"}`, nil)
	p.must("GET", "/users/"+u.ID+"/groups", "", nil)
	p.must("GET", "/users/"+u.ID+"/sub_accounts", "", nil)
	g := p.createGroup("G")
	p.must("GET", "/user_groups", "", nil)
	p.must("GET", "/user_groups/"+g.ID, "", nil)
	p.must("PUT", "/user_groups/"+g.ID, `{"name":"G2"}`, nil)
	p.must("POST", "/user_groups/"+g.ID+"/users/"+u.ID, "", nil)
	p.must("GET", "/user_groups/"+g.ID+"/users", "", nil)
	p.must("DELETE", "/user_groups/"+g.ID+"/users/"+u.ID, "", nil)
	p.must("DELETE", "/user_groups/"+g.ID, "", nil)
	p.must("DELETE", "/users/"+u.ID, "", nil)
	p.must("DELETE", "/sub_accounts/"+env.ID, "", nil)
	p.must("GET", "/billing_usage", "", nil)

	stats := p.e.Stats()
	var missing []string
	for id := range p.e.provisioningHandlers() {
		if stats[id].ByStatus[200] == 0 {
			missing = append(missing, id)
		}
	}
	if len(p.e.provisioningHandlers()) != 26 || len(missing) != 0 {
		t.Errorf("%d handlers; operations never answered 200: %v", len(p.e.provisioningHandlers()), missing)
	}
}
