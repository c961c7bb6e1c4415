package contract

// Client tests against the emulator, beyond TestClientContract's "every
// operation once": pagination across several pages, every error class the
// emulator can produce mapped to the client's emuSentinels and fields,
// retries under injected 429/5xx/dropped connections (and giving up), and
// context cancellation. Nothing here sleeps: the client and the emulator's
// rate limiter share a fake clock whose waits fire at once.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
)

// emuClock is the time of both sides of a rig: the client's retry waits
// (client.WithClock) and the emulator's timestamps and rate limiter
// (emulator.Options.Now). After advances the time by d and fires at once,
// unless block is set (then it never fires); onAfter runs after each call.
type emuClock struct {
	mu      sync.Mutex
	now     time.Time
	waits   []time.Duration
	block   bool
	onAfter func()
}

func newEmuClock() *emuClock {
	return &emuClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

func (c *emuClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *emuClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	if !c.block {
		c.now = c.now.Add(d)
		ch <- c.now
	}
	f := c.onAfter
	c.mu.Unlock()
	if f != nil {
		f()
	}
	return ch
}

func (c *emuClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// emuRigConfig configures newEmuRig.
type emuRigConfig struct {
	emu   emulator.Options // AccountID, APIKey, APISecret and Now are filled in
	retry client.RetryPolicy
	// validate routes the traffic through the contract validator; only
	// for tests whose answers all come from the spec's table (no faults,
	// no rate limiting).
	validate bool
	// fresh opens a new connection per request. net/http itself replays a
	// GET whose reused connection dropped before any answer; a fresh
	// connection makes every dropped request the client's to retry.
	fresh bool
}

// emuRig is an emulator served over HTTP and a client pointed at it.
type emuRig struct {
	emu *emulator.Emulator
	srv *httptest.Server
	c   *client.Client
	clk *emuClock
	cfg emuRigConfig

	mu       sync.Mutex
	findings []Finding
	injected []emulator.Fault
}

func newEmuRig(t *testing.T, cfg emuRigConfig) *emuRig {
	t.Helper()
	r := &emuRig{clk: newEmuClock(), cfg: cfg}
	cfg.emu.AccountID, cfg.emu.APIKey, cfg.emu.APISecret = account, apiKey, secret
	cfg.emu.Now = r.clk.Now
	if cfg.emu.RandSeed == 0 {
		cfg.emu.RandSeed = 7
	}
	r.emu = emulator.New(cfg.emu)
	r.srv = httptest.NewServer(r.emu)
	t.Cleanup(r.srv.Close)
	if r.cfg.retry.MaxAttempts == 0 {
		r.cfg.retry = client.RetryPolicy{MaxAttempts: 1}
	}
	r.c = r.client(t, account, apiKey, secret)
	return r
}

// client returns a client of the rig's server with these credentials.
func (r *emuRig) client(t *testing.T, accountID, key, sec string) *client.Client {
	t.Helper()
	var rt http.RoundTripper = r.srv.Client().Transport
	if r.cfg.fresh {
		rt = &http.Transport{DisableKeepAlives: true}
	}
	if r.cfg.validate {
		rt = mustLoad(t).Transport(rt, func(f Finding) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.findings = append(r.findings, f)
		})
	}
	c, err := client.New(
		client.WithBaseURL(r.srv.URL),
		client.WithHTTPClient(&http.Client{Transport: rt}),
		client.WithCredentials(accountID, key, sec),
		client.WithClock(r.clk),
		client.WithRetry(r.cfg.retry),
	)
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	return c
}

// inject queues a one-shot fault in the emulator and remembers it for
// checkClean.
func (r *emuRig) inject(f emulator.Fault) {
	r.mu.Lock()
	r.injected = append(r.injected, f)
	r.mu.Unlock()
	r.emu.InjectFault(f)
}

// takeFindings returns and forgets the validator's findings so far.
func (r *emuRig) takeFindings() []Finding {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.findings
	r.findings = nil
	return f
}

// checkClean fails the test if the emulator answered a status outside the
// spec's table (other than through its labelled knobs) or the validator
// found anything.
func (r *emuRig) checkClean(t *testing.T) {
	t.Helper()
	unexpected := r.emu.Violations()
	if len(unexpected) > 0 {
		t.Errorf("the emulator answered statuses the spec does not list:\n%s", strings.Join(unexpected, "\n"))
	}
	for _, f := range r.takeFindings() {
		t.Errorf("contract finding: %v", f)
	}
}

// opStats returns the emulator's counts for one operation.
func (r *emuRig) opStats(op string) emulator.OpStats {
	s := r.emu.Stats()[op]
	if s.ByStatus == nil {
		s.ByStatus = map[int]int{}
	}
	return s
}

func (r *emuRig) seed(t *testing.T, s emulator.Seed) {
	t.Helper()
	if err := r.emu.Seed(s); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// rootUserID finds the account's root user.
func (r *emuRig) rootUserID(t *testing.T) string {
	t.Helper()
	users, err := r.c.Users.ListByEmails(t.Context(), []string{emulator.RootUserEmail})
	if err != nil || len(users) != 1 {
		t.Fatalf("find the root user: %v %v", users, err)
	}
	return users[0].ID
}

// emuFolderPolicy is a valid Cedar statement, distinct per folder id.
func emuFolderPolicy(folder string) string {
	return fmt.Sprintf(`permit(principal == Cloudinary::APIKey::"1234", action == Cloudinary::Action::"read", resource is Cloudinary::Folder) when { resource.ancestor_ids.contains(%q) };`, folder)
}

// ---------------------------------------------------------------------------
// Pagination.

func TestEmulatorUsersPagination(t *testing.T) {
	const seeded = 2*emulator.UsersMaxPageSize + 61 // three pages of the cap, the last one short
	tests := []struct {
		name     string
		pageSize int
	}{
		// page_size at the cap: full, full, short, empty.
		{"page size at the cap", emulator.UsersMaxPageSize},
		// page_size 500 is silently cut to 100: every page is "short" of
		// what was asked, and none of them is the end.
		{"page size above the cap", 500},
		// No page_size: the emulator's default (50).
		{"default page size", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newEmuRig(t, emuRigConfig{validate: true})
			users := make([]emulator.SeedUser, seeded)
			want := []string{emulator.RootUserEmail}
			for i := range users {
				users[i] = emulator.SeedUser{Email: fmt.Sprintf("user%03d@example.com", i)}
				want = append(want, users[i].Email)
			}
			r.seed(t, emulator.Seed{ProvisioningSeed: emulator.ProvisioningSeed{Users: users}})
			r.emu.ResetStats()

			got, listing, err := r.c.Users.ListAll(t.Context(), &client.UserListOptions{PageSize: tc.pageSize})
			if err != nil {
				t.Fatalf("ListAll: %v", err)
			}
			var emails []string
			ids := map[string]bool{}
			for _, u := range got {
				emails = append(emails, u.Email)
				if ids[u.ID] {
					t.Errorf("user %s read twice", u.ID)
				}
				ids[u.ID] = true
			}
			sort.Strings(emails)
			sort.Strings(want)
			if diff := cmp.Diff(want, emails); diff != "" {
				t.Errorf("users read (-want +got):\n%s", diff)
			}
			pageSize := tc.pageSize
			if pageSize == 0 {
				pageSize = emulator.UsersDefaultPageSize
			}
			pageSize = min(pageSize, emulator.UsersMaxPageSize)
			wantPages := (seeded+1+pageSize-1)/pageSize + 1 // the pages with users, then one empty page
			if diff := cmp.Diff(client.Listing{Complete: true, Pages: wantPages}, listing); diff != "" {
				t.Errorf("Listing (-want +got):\n%s", diff)
			}
			if got := r.opStats("getUsers"); got.Requests != wantPages || got.ByStatus[200] != wantPages {
				t.Errorf("getUsers requests = %+v, want %d answered 200", got, wantPages)
			}

			// The iterator reads the same users, each once, and ends
			// without error.
			n := 0
			for u, err := range r.c.Users.ListIter(t.Context(), &client.UserListOptions{PageSize: tc.pageSize}) {
				if err != nil {
					t.Fatalf("ListIter: %v", err)
				}
				if !ids[u.ID] {
					t.Errorf("ListIter yielded %s, which ListAll did not", u.ID)
				}
				n++
			}
			if n != len(want) {
				t.Errorf("ListIter yielded %d users, want %d", n, len(want))
			}
			r.checkClean(t)
		})
	}
}

func TestEmulatorAccessKeysPagination(t *testing.T) {
	r := newEmuRig(t, emuRigConfig{validate: true})
	const n = 23
	keys := make([]emulator.SeedAccessKey, n)
	var want []string
	for i := range keys {
		keys[i] = emulator.SeedAccessKey{Name: fmt.Sprintf("key%02d", i), APIKey: fmt.Sprintf("1000000000000%02d", i)}
		want = append(want, keys[i].APIKey)
	}
	r.seed(t, emulator.Seed{ProvisioningSeed: emulator.ProvisioningSeed{Environments: []emulator.SeedEnvironment{{CloudName: "paged", AccessKeys: keys}}}})
	envs, err := r.c.ProductEnvironments.ListByCloudNames(t.Context(), []string{"paged"})
	if err != nil || len(envs) != 1 {
		t.Fatalf("find the environment: %v %v", envs, err)
	}
	env := envs[0].ID

	for _, size := range []int{5, 10, n, 50} {
		t.Run(fmt.Sprintf("page size %d", size), func(t *testing.T) {
			r.emu.ResetStats()
			var got []string
			for k, err := range r.c.AccessKeys.ListIter(t.Context(), env, &client.AccessKeyListOptions{PageSize: size, SortBy: "name", SortOrder: client.SortAsc}) {
				if err != nil {
					t.Fatalf("ListIter: %v", err)
				}
				if k.APISecret.Reveal() == "" {
					t.Errorf("key %s has no secret", k.APIKey)
				}
				got = append(got, k.APIKey)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("keys in name order (-want +got):\n%s", diff)
			}
			// The walk stops as soon as total keys were seen: no extra
			// request for an empty page.
			wantPages := (n + size - 1) / size
			if got := r.opStats("getAccessKeys"); got.Requests != wantPages {
				t.Errorf("getAccessKeys requests = %d, want %d", got.Requests, wantPages)
			}
		})
	}

	// One page reports the total of all pages.
	page, err := r.c.AccessKeys.List(t.Context(), env, &client.AccessKeyListOptions{PageSize: 5, Page: 2, SortBy: "name", SortOrder: client.SortAsc})
	if err != nil {
		t.Fatalf("List page 2: %v", err)
	}
	var names []string
	for _, k := range page.AccessKeys {
		names = append(names, k.Name)
	}
	if diff := cmp.Diff([]string{"key05", "key06", "key07", "key08", "key09"}, names); diff != "" || page.Total != n {
		t.Errorf("page 2 of 5: total %d (want %d), names (-want +got):\n%s", page.Total, n, diff)
	}
	r.checkClean(t)
}

func TestEmulatorCustomPoliciesPagination(t *testing.T) {
	r := newEmuRig(t, emuRigConfig{validate: true})
	n := 2*emulator.PermissionsPageSize + 7
	var policies []emulator.SeedPolicy
	var want []string
	for i := range n {
		name := fmt.Sprintf("policy %02d", i)
		policies = append(policies, emulator.SeedPolicy{Name: name, ScopeType: "account", PolicyStatement: emuFolderPolicy(fmt.Sprintf("folder%02d", i))})
		want = append(want, name)
	}
	// Policies of another scope must not leak into the account listing.
	policies = append(policies, emulator.SeedPolicy{Name: "prodenv policy", ScopeType: "prodenv", Scope: "all", PolicyStatement: emuFolderPolicy("elsewhere")})
	r.seed(t, emulator.Seed{PermissionsSeed: emulator.PermissionsSeed{Policies: policies}})
	r.emu.ResetStats()

	var got []string
	ids := map[string]bool{}
	for p, err := range r.c.CustomPolicies.ListIter(t.Context(), &client.CustomPolicyListOptions{ScopeType: client.ScopeAccount}) {
		if err != nil {
			t.Fatalf("ListIter: %v", err)
		}
		if ids[p.ID] {
			t.Errorf("policy %s read twice", p.ID)
		}
		ids[p.ID] = true
		got = append(got, p.Name)
	}
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("account policies (-want +got):\n%s", diff)
	}
	wantPages := (n + emulator.PermissionsPageSize - 1) / emulator.PermissionsPageSize
	if got := r.opStats("getCustomPolicies"); got.Requests != wantPages {
		t.Errorf("getCustomPolicies requests = %d, want %d (one per page)", got.Requests, wantPages)
	}

	// The one-page method exposes the cursor; following it by hand reads
	// the same pages.
	first, err := r.c.CustomPolicies.List(t.Context(), &client.CustomPolicyListOptions{ScopeType: client.ScopeAccount})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(first.Policies) != emulator.PermissionsPageSize || first.NextCursor == "" {
		t.Fatalf("first page: %d policies, next cursor %q; want %d and a cursor", len(first.Policies), first.NextCursor, emulator.PermissionsPageSize)
	}
	second, err := r.c.CustomPolicies.List(t.Context(), &client.CustomPolicyListOptions{ScopeType: client.ScopeAccount, Cursor: first.NextCursor})
	if err != nil {
		t.Fatalf("List with cursor: %v", err)
	}
	if len(second.Policies) == 0 || second.Policies[0].ID == first.Policies[0].ID {
		t.Errorf("the cursor did not advance: second page %+v", second.Policies)
	}
	r.checkClean(t)
}

func TestEmulatorInspectPagination(t *testing.T) {
	r := newEmuRig(t, emuRigConfig{validate: true})
	n := 2*emulator.PermissionsPageSize + 3
	var users []emulator.SeedUser
	var assigns []emulator.SeedAssignment
	for i := range n {
		email := fmt.Sprintf("inspect%02d@example.com", i)
		users = append(users, emulator.SeedUser{Email: email})
		assigns = append(assigns, emulator.SeedAssignment{PrincipalType: "user", Principal: email, RoleID: "cld::role::account::reports"})
	}
	r.seed(t, emulator.Seed{ProvisioningSeed: emulator.ProvisioningSeed{Users: users}, PermissionsSeed: emulator.PermissionsSeed{Assignments: assigns}})
	all, err := r.c.Users.ListByEmails(t.Context(), func() []string {
		var e []string
		for _, u := range users {
			e = append(e, u.Email)
		}
		return e
	}())
	if err != nil || len(all) != n {
		t.Fatalf("ListByEmails: %d users, %v", len(all), err)
	}
	var want []string
	var principals []client.Principal
	for _, u := range all {
		want = append(want, u.ID)
		principals = append(principals, client.Principal{Type: client.PrincipalUser, ID: u.ID})
	}
	sort.Strings(want)
	wantPages := (n + emulator.PermissionsPageSize - 1) / emulator.PermissionsPageSize

	collect := func(t *testing.T, seq func(yield func(client.PrincipalRoles, error) bool)) []string {
		t.Helper()
		var ids []string
		for p, err := range seq {
			if err != nil {
				t.Fatalf("iterator: %v", err)
			}
			if len(p.Roles) != 1 || p.Roles[0].ID != "cld::role::account::reports" {
				t.Errorf("principal %s roles = %+v, want the one reports role", p.ID, p.Roles)
			}
			ids = append(ids, p.ID)
		}
		sort.Strings(ids)
		return ids
	}

	t.Run("inspect", func(t *testing.T) {
		r.emu.ResetStats()
		got := collect(t, r.c.Principals.InspectIter(t.Context(), client.InspectOptions{ScopeType: client.ScopeAccount}))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("principals (-want +got):\n%s", diff)
		}
		if got := r.opStats("inspect"); got.Requests != wantPages {
			t.Errorf("inspect requests = %d, want %d", got.Requests, wantPages)
		}
	})
	t.Run("inspectMultiple", func(t *testing.T) {
		r.emu.ResetStats()
		got := collect(t, r.c.Principals.InspectMultipleIter(t.Context(), client.InspectMultipleRequest{ScopeType: client.ScopeAccount, Principals: principals}))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("principals (-want +got):\n%s", diff)
		}
		if got := r.opStats("inspectMultiple"); got.Requests != wantPages {
			t.Errorf("inspectMultiple requests = %d, want %d", got.Requests, wantPages)
		}
	})
	r.checkClean(t)
}

// ---------------------------------------------------------------------------
// Errors.

// emuErrView is what a test checks of an *APIError. Fields holds each entry
// of details.fields as its bare string or its object's keys.
type emuErrView struct {
	Status      int
	Method      string
	OperationID string
	Category    string
	Code        string
	Fields      []string
	CedarErrors int
	Attempts    int
}

func emuErrViewOf(t *testing.T, err error) (emuErrView, *client.APIError) {
	t.Helper()
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	v := emuErrView{Status: apiErr.StatusCode, Method: apiErr.Method, OperationID: apiErr.OperationID, Category: apiErr.Category, Code: apiErr.Code,
		CedarErrors: len(apiErr.CedarErrors), Attempts: apiErr.Attempts}
	for _, raw := range apiErr.Fields {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			v.Fields = append(v.Fields, s)
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("details.fields entry %s is neither a string nor an object", raw)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		v.Fields = append(v.Fields, strings.Join(keys, "+"))
	}
	if apiErr.Message == "" {
		t.Errorf("%s: APIError has no message (body %s)", v.OperationID, apiErr.Body)
	}
	for _, ce := range apiErr.CedarErrors {
		if ce.CedarMessage == "" {
			t.Errorf("%s: a Cedar error without cedar_message: %+v", v.OperationID, ce)
		}
	}
	if strings.Contains(apiErr.Error(), secret) || strings.Contains(apiErr.URL, secret) {
		t.Errorf("the error shows the secret: %v", apiErr)
	}
	return v, apiErr
}

var emuSentinels = []error{client.ErrBadRequest, client.ErrUnauthorized, client.ErrForbidden, client.ErrNotFound, client.ErrConflict, client.ErrRateLimited, client.ErrServer}

// emuCheckSentinel asserts err matches want and no other sentinel.
func emuCheckSentinel(t *testing.T, err, want error) {
	t.Helper()
	for _, s := range emuSentinels {
		if got := errors.Is(err, s); got != (s == want) {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", err, s, got, s == want)
		}
	}
}

func TestEmulatorErrorClasses(t *testing.T) {
	r := newEmuRig(t, emuRigConfig{validate: true})
	ctx := t.Context()
	r.seed(t, emulator.Seed{
		ProvisioningSeed: emulator.ProvisioningSeed{Users: []emulator.SeedUser{{Email: "taken@example.com"}}},
		PermissionsSeed:  emulator.PermissionsSeed{Policies: []emulator.SeedPolicy{{Name: "existing", ScopeType: "account", PolicyStatement: emuFolderPolicy("taken")}}},
	})
	root := r.rootUserID(t)
	badSecret := r.client(t, account, apiKey, "not-the-secret")
	otherAccount := r.client(t, "some-other-account", apiKey, secret)

	tests := []struct {
		name string
		call func() error
		want error
		view emuErrView
		// invalidRequest: the client sends a request the spec forbids (an
		// enum value outside the list) to reach the 400; the validator
		// must flag the request, and only the request.
		invalidRequest bool
	}{
		{
			name: "400 provisioning: invalid role",
			call: func() error {
				_, err := r.c.Users.Create(ctx, client.CreateUserRequest{Name: "X", Email: "x@example.com", Role: "overlord"})
				return err
			},
			want:           client.ErrBadRequest,
			view:           emuErrView{Status: 400, Method: "POST", OperationID: "createUser", Attempts: 1},
			invalidRequest: true,
		},
		{
			name: "400 provisioning: invalid cloud_name",
			call: func() error {
				_, err := r.c.ProductEnvironments.Create(ctx, client.CreateProductEnvironmentRequest{Name: "Bad", CloudName: "Not A Cloud Name!"})
				return err
			},
			want: client.ErrBadRequest,
			view: emuErrView{Status: 400, Method: "POST", OperationID: "createProductEnvironment", Attempts: 1},
		},
		{
			name: "400 permissions: invalid field",
			call: func() error {
				_, err := r.c.Roles.Create(ctx, client.CreateRoleRequest{Name: "x", PermissionType: client.PermissionContent, ScopeType: client.ScopeAccount})
				return err
			},
			want: client.ErrBadRequest,
			view: emuErrView{Status: 400, Method: "POST", OperationID: "createRole", Category: "user_error", Code: "ACCOUNTS_00005", Fields: []string{"scope_type"}, Attempts: 1},
		},
		{
			name: "400 permissions: missing field",
			call: func() error {
				_, err := r.c.CustomPolicies.Create(ctx, client.CreateCustomPolicyRequest{Name: "x", ScopeType: client.ScopeProdEnv, PolicyStatement: emuFolderPolicy("x")})
				return err
			},
			want: client.ErrBadRequest,
			view: emuErrView{Status: 400, Method: "POST", OperationID: "createCustomPolicy", Category: "user_error", Code: "ACCOUNTS_00005", Fields: []string{"scope_id"}, Attempts: 1},
		},
		{
			name: "400 Cedar: invalid statement",
			call: func() error {
				_, err := r.c.CustomPolicies.Create(ctx, client.CreateCustomPolicyRequest{Name: "broken", ScopeType: client.ScopeAccount, PolicyStatement: `permit(principal, action == Cloudinary::Action::"fly", resource`})
				return err
			},
			want: client.ErrBadRequest,
			view: emuErrView{Status: 400, Method: "POST", OperationID: "createCustomPolicy", Category: "user_error", Code: "ACCOUNTS_00002",
				Fields: []string{"policy_statement", "cedar_errors"}, CedarErrors: 1, Attempts: 1},
		},
		{
			name: "401 provisioning: wrong secret",
			call: func() error {
				_, err := badSecret.Users.List(ctx, nil)
				return err
			},
			want: client.ErrUnauthorized,
			view: emuErrView{Status: 401, Method: "GET", OperationID: "getUsers", Attempts: 1},
		},
		{
			name: "401 permissions: wrong secret",
			call: func() error {
				_, err := badSecret.Roles.List(ctx, client.RoleListOptions{PermissionType: client.PermissionGlobal})
				return err
			},
			want: client.ErrUnauthorized,
			view: emuErrView{Status: 401, Method: "GET", OperationID: "getRoles", Category: "user_error", Code: "ACCOUNTS_00006", Attempts: 1},
		},
		{
			name: "401 provisioning: wrong account id",
			call: func() error {
				_, err := otherAccount.UserGroups.List(ctx, nil)
				return err
			},
			want: client.ErrUnauthorized,
			view: emuErrView{Status: 401, Method: "GET", OperationID: "getUserGroups", Attempts: 1},
		},
		{
			name: "401 permissions: wrong account id",
			call: func() error {
				_, err := otherAccount.CustomPolicies.List(ctx, nil)
				return err
			},
			want: client.ErrUnauthorized,
			view: emuErrView{Status: 401, Method: "GET", OperationID: "getCustomPolicies", Category: "user_error", Code: "ACCOUNTS_00006", Attempts: 1},
		},
		{
			name: "403 provisioning: delete the root user",
			call: func() error { return r.c.Users.Delete(ctx, root) },
			want: client.ErrForbidden,
			view: emuErrView{Status: 403, Method: "DELETE", OperationID: "deleteUser", Attempts: 1},
		},
		{
			name: "403 permissions: update a system role",
			call: func() error {
				_, err := r.c.Roles.Update(ctx, "cld::role::account::reports", client.UpdateRoleRequest{Name: "Mine now"})
				return err
			},
			want: client.ErrForbidden,
			view: emuErrView{Status: 403, Method: "PUT", OperationID: "updateRole", Category: "user_error", Code: "ACCOUNTS_00006", Attempts: 1},
		},
		{
			name: "404 provisioning: unknown user",
			call: func() error {
				_, err := r.c.Users.Get(ctx, "0123456789abcdef0123456789abcd")
				return err
			},
			want: client.ErrNotFound,
			view: emuErrView{Status: 404, Method: "GET", OperationID: "getUser", Attempts: 1},
		},
		{
			name: "404 permissions: unknown custom policy",
			call: func() error {
				_, err := r.c.CustomPolicies.Get(ctx, "nosuchpolicy")
				return err
			},
			want: client.ErrNotFound,
			view: emuErrView{Status: 404, Method: "GET", OperationID: "getCustomPolicy", Category: "server_error", Code: "ACCOUNTS_00003", Fields: []string{"policy_id"}, Attempts: 1},
		},
		{
			name: "409 provisioning: duplicate user email",
			call: func() error {
				_, err := r.c.Users.Create(ctx, client.CreateUserRequest{Name: "Again", Email: "taken@example.com"})
				return err
			},
			want: client.ErrConflict,
			view: emuErrView{Status: 409, Method: "POST", OperationID: "createUser", Attempts: 1},
		},
		{
			name: "409 permissions: duplicate policy statement",
			call: func() error {
				_, err := r.c.CustomPolicies.Create(ctx, client.CreateCustomPolicyRequest{Name: "copy", ScopeType: client.ScopeAccount, PolicyStatement: emuFolderPolicy("taken")})
				return err
			},
			want: client.ErrConflict,
			view: emuErrView{Status: 409, Method: "POST", OperationID: "createCustomPolicy", Category: "user_error", Code: "ACCOUNTS_00006", Fields: []string{"policy_statement"}, Attempts: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			emuCheckSentinel(t, err, tc.want)
			got, _ := emuErrViewOf(t, err)
			if diff := cmp.Diff(tc.view, got); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			flagged := false
			for _, f := range r.takeFindings() {
				if !tc.invalidRequest || f.Stage != StageRequest {
					t.Errorf("contract finding: %v", f)
				}
				flagged = true
			}
			if tc.invalidRequest && !flagged {
				t.Error("the validator did not flag the request the spec forbids")
			}
		})
	}
	r.checkClean(t)
}

// TestEmulatorKnobErrorClasses covers the error classes that only the
// emulator's labelled knobs produce: its rate limiter (420 and 429) and
// injected 5xx answers.
func TestEmulatorKnobErrorClasses(t *testing.T) {
	t.Run("rate limited", func(t *testing.T) {
		for _, status := range []int{420, 429} {
			t.Run(fmt.Sprint(status), func(t *testing.T) {
				r := newEmuRig(t, emuRigConfig{emu: emulator.Options{RateLimit: 1, RateLimitBurst: 1, RateLimitStatus: status}})
				if _, err := r.c.Users.List(t.Context(), nil); err != nil {
					t.Fatalf("first request: %v", err)
				}
				_, err := r.c.UserGroups.List(t.Context(), nil)
				emuCheckSentinel(t, err, client.ErrRateLimited)
				got, apiErr := emuErrViewOf(t, err)
				if diff := cmp.Diff(emuErrView{Status: status, Method: "GET", OperationID: "getUserGroups", Attempts: 1}, got); diff != "" {
					t.Errorf("APIError (-want +got):\n%s", diff)
				}
				// At 1 request a second the bucket refills in a second:
				// the server asks for at least that.
				if apiErr.RetryAfter < time.Second {
					t.Errorf("RetryAfter = %v, want at least 1s", apiErr.RetryAfter)
				}
				if s := r.c.Stats(); s.RateLimited != 1 {
					t.Errorf("client Stats().RateLimited = %d, want 1", s.RateLimited)
				}
				r.checkClean(t)
			})
		}
	})
	t.Run("server errors", func(t *testing.T) {
		tests := []struct {
			status int
			call   func(c *client.Client) error
			view   emuErrView
		}{
			{500, func(c *client.Client) error { _, err := c.Users.List(t.Context(), nil); return err },
				emuErrView{Status: 500, Method: "GET", OperationID: "getUsers", Attempts: 1}},
			{503, func(c *client.Client) error {
				_, err := c.UserGroups.Create(t.Context(), client.UserGroupRequest{Name: "g"})
				return err
			},
				emuErrView{Status: 503, Method: "POST", OperationID: "createUserGroup", Attempts: 1}},
			{500, func(c *client.Client) error {
				_, err := c.Roles.List(t.Context(), client.RoleListOptions{PermissionType: client.PermissionGlobal})
				return err
			}, emuErrView{Status: 500, Method: "GET", OperationID: "getRoles", Category: "server_error", Code: "ACCOUNTS_00001", Attempts: 1}},
			{502, func(c *client.Client) error { return c.CustomPolicies.Delete(t.Context(), "whatever") },
				emuErrView{Status: 502, Method: "DELETE", OperationID: "deleteCustomPolicy", Category: "server_error", Code: "ACCOUNTS_00001", Attempts: 1}},
		}
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s %d", tc.view.OperationID, tc.status), func(t *testing.T) {
				r := newEmuRig(t, emuRigConfig{})
				r.inject(emulator.Fault{Op: tc.view.OperationID, Status: tc.status})
				err := tc.call(r.c)
				emuCheckSentinel(t, err, client.ErrServer)
				got, _ := emuErrViewOf(t, err)
				if diff := cmp.Diff(tc.view, got); diff != "" {
					t.Errorf("APIError (-want +got):\n%s", diff)
				}
				r.checkClean(t)
			})
		}
	})
}

// ---------------------------------------------------------------------------
// Retries.

// emuRetrying is a policy with real retries and backoffs far below any
// server-requested wait, so a wait of a second or more can only be the
// server's Retry-After.
var emuRetrying = client.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 8 * time.Millisecond}

func TestEmulatorRetriesReads(t *testing.T) {
	tests := []struct {
		name   string
		faults []emulator.Fault
		call   func(c *client.Client) error
		op     string
		want   map[int]int // the emulator's answers to op, by status (0: dropped)
	}{
		{
			name:   "503 then success",
			faults: []emulator.Fault{{Op: "getUsers", Status: 503}},
			call:   func(c *client.Client) error { _, err := c.Users.List(t.Context(), nil); return err },
			op:     "getUsers", want: map[int]int{503: 1, 200: 1},
		},
		{
			name:   "500 twice then success",
			faults: []emulator.Fault{{Op: "getRoles", Status: 500}, {Op: "getRoles", Status: 500}},
			call: func(c *client.Client) error {
				_, err := c.Roles.List(t.Context(), client.RoleListOptions{PermissionType: client.PermissionGlobal})
				return err
			},
			op: "getRoles", want: map[int]int{500: 2, 200: 1},
		},
		{
			name:   "dropped connection then success",
			faults: []emulator.Fault{{Op: "getUserGroups", Drop: true}},
			call:   func(c *client.Client) error { _, err := c.UserGroups.List(t.Context(), nil); return err },
			op:     "getUserGroups", want: map[int]int{0: 1, 200: 1},
		},
		{
			// A POST that only reads is retried as a read, even after
			// its connection dropped.
			name:   "read-only POST dropped then success",
			faults: []emulator.Fault{{Op: "validateCedarPolicy", Drop: true}},
			call: func(c *client.Client) error {
				_, err := c.Public.ValidatePolicy(t.Context(), client.ValidateCedarPolicyRequest{Policy: emuFolderPolicy("f")})
				return err
			},
			op: "validateCedarPolicy", want: map[int]int{0: 1, 200: 1},
		},
		{
			name:   "inspectMultiple 503 then success",
			faults: []emulator.Fault{{Op: "inspectMultiple", Status: 503}},
			call: func(c *client.Client) error {
				_, err := c.Principals.InspectMultiple(t.Context(), client.InspectMultipleRequest{ScopeType: client.ScopeAccount, Principals: []client.Principal{{Type: client.PrincipalProvisioningKey, ID: apiKey}}})
				return err
			},
			op: "inspectMultiple", want: map[int]int{503: 1, 200: 1},
		},
		{
			name:   "429 without Retry-After then success",
			faults: []emulator.Fault{{Op: "getUsers", Status: 429}, {Op: "getUsers", Status: 429}, {Op: "getUsers", Status: 429}},
			call:   func(c *client.Client) error { _, err := c.Users.List(t.Context(), nil); return err },
			op:     "getUsers", want: map[int]int{429: 3, 200: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newEmuRig(t, emuRigConfig{retry: emuRetrying, fresh: true})
			for _, f := range tc.faults {
				r.inject(f)
			}
			if err := tc.call(r.c); err != nil {
				t.Fatalf("call: %v", err)
			}
			got := r.opStats(tc.op)
			if diff := cmp.Diff(tc.want, got.ByStatus); diff != "" {
				t.Errorf("%s answers by status (-want +got):\n%s", tc.op, diff)
			}
			if s := r.c.Stats(); s.Retries != int64(len(tc.faults)) || s.Requests != int64(len(tc.faults)+1) {
				t.Errorf("client stats %+v, want %d requests and %d retries", s, len(tc.faults)+1, len(tc.faults))
			}
			// Without a Retry-After the client backs off, within the
			// policy's cap.
			waits := r.clk.Waits()
			if len(waits) != len(tc.faults) {
				t.Errorf("waits %v, want %d", waits, len(tc.faults))
			}
			for _, w := range waits {
				if w < 0 || w > emuRetrying.MaxDelay {
					t.Errorf("backoff %v outside [0, %v]", w, emuRetrying.MaxDelay)
				}
			}
			r.checkClean(t)
		})
	}
}

// TestEmulatorRetriesRateLimitStorm sends a burst of calls at a rate
// limiter that admits one request a second: every call but the first is
// refused once, waits exactly what the emulator's Retry-After asks (on the
// shared fake clock, which refills the emulator's bucket), then succeeds.
func TestEmulatorRetriesRateLimitStorm(t *testing.T) {
	for _, status := range []int{429, 420} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			r := newEmuRig(t, emuRigConfig{retry: emuRetrying, emu: emulator.Options{RateLimit: 1, RateLimitBurst: 1, RateLimitStatus: status}})
			const calls = 6
			for i := range calls {
				if _, err := r.c.UserGroups.Create(t.Context(), client.UserGroupRequest{Name: fmt.Sprintf("group %d", i)}); err != nil {
					t.Fatalf("create %d: %v", i, err)
				}
			}
			// Creates are retried on 420/429: the server did not act.
			if diff := cmp.Diff(map[int]int{200: calls, status: calls - 1}, r.opStats("createUserGroup").ByStatus); diff != "" {
				t.Errorf("createUserGroup answers by status (-want +got):\n%s", diff)
			}
			waits := r.clk.Waits()
			if len(waits) != calls-1 {
				t.Fatalf("waits %v, want %d", waits, calls-1)
			}
			var total time.Duration
			for _, w := range waits {
				if w < time.Second {
					t.Errorf("wait %v: shorter than the bucket's refill; Retry-After not honoured", w)
				}
				total += w
			}
			s := r.c.Stats()
			if s.RateLimited != calls-1 || s.WaitedOnRateLimit != total {
				t.Errorf("client stats %+v, want %d rate-limited answers and %v waited", s, calls-1, total)
			}
			groups, err := r.c.UserGroups.List(t.Context(), nil)
			if err != nil || len(groups) != calls {
				t.Errorf("groups after the storm: %d, %v; want %d (each created once)", len(groups), err, calls)
			}
			r.checkClean(t)
		})
	}
}

func TestEmulatorRetriesGiveUp(t *testing.T) {
	t.Run("5xx on every attempt", func(t *testing.T) {
		r := newEmuRig(t, emuRigConfig{retry: emuRetrying})
		statuses := []int{503, 500, 502, 504}
		for _, s := range statuses {
			r.inject(emulator.Fault{Op: "getUsers", Status: s})
		}
		_, err := r.c.Users.List(t.Context(), nil)
		emuCheckSentinel(t, err, client.ErrServer)
		got, _ := emuErrViewOf(t, err)
		// The last error is returned, with the number of attempts.
		if diff := cmp.Diff(emuErrView{Status: 504, Method: "GET", OperationID: "getUsers", Attempts: emuRetrying.MaxAttempts}, got); diff != "" {
			t.Errorf("APIError (-want +got):\n%s", diff)
		}
		if got := r.opStats("getUsers").Requests; got != emuRetrying.MaxAttempts {
			t.Errorf("getUsers requests = %d, want %d", got, emuRetrying.MaxAttempts)
		}
		r.checkClean(t)
	})
	t.Run("dropped on every attempt", func(t *testing.T) {
		r := newEmuRig(t, emuRigConfig{retry: emuRetrying, fresh: true})
		for range emuRetrying.MaxAttempts {
			r.inject(emulator.Fault{Op: "getUserGroups", Drop: true})
		}
		_, err := r.c.UserGroups.List(t.Context(), nil)
		var apiErr *client.APIError
		if err == nil || errors.As(err, &apiErr) {
			t.Fatalf("error = %v, want a transport error", err)
		}
		if !strings.Contains(err.Error(), "getUserGroups") {
			t.Errorf("error %q does not name the operation", err)
		}
		if diff := cmp.Diff(map[int]int{0: emuRetrying.MaxAttempts}, r.opStats("getUserGroups").ByStatus); diff != "" {
			t.Errorf("getUserGroups answers (-want +got):\n%s", diff)
		}
		r.checkClean(t)
	})
	t.Run("429 storm outlasting the attempts", func(t *testing.T) {
		r := newEmuRig(t, emuRigConfig{retry: client.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
		for range 3 {
			r.inject(emulator.Fault{Op: "getUsers", Status: 429})
		}
		_, err := r.c.Users.List(t.Context(), nil)
		emuCheckSentinel(t, err, client.ErrRateLimited)
		if got, _ := emuErrViewOf(t, err); got.Attempts != 3 || got.Status != 429 {
			t.Errorf("APIError %+v, want 429 after 3 attempts", got)
		}
		if got := r.opStats("getUsers").Requests; got != 3 {
			t.Errorf("getUsers requests = %d, want 3", got)
		}
		r.checkClean(t)
	})
	t.Run("Retry-After beyond MaxServerWait", func(t *testing.T) {
		// One request every 100 seconds: the second waits far longer
		// than the client is willing to sit through.
		r := newEmuRig(t, emuRigConfig{
			retry: client.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxServerWait: 10 * time.Second},
			emu:   emulator.Options{RateLimit: 0.01, RateLimitBurst: 1},
		})
		if _, err := r.c.Users.List(t.Context(), nil); err != nil {
			t.Fatalf("first request: %v", err)
		}
		_, err := r.c.Users.List(t.Context(), nil)
		emuCheckSentinel(t, err, client.ErrRateLimited)
		got, apiErr := emuErrViewOf(t, err)
		if got.Attempts != 1 || apiErr.RetryAfter < 99*time.Second {
			t.Errorf("attempts %d, RetryAfter %v; want 1 attempt and the server's wait (about 100s)", got.Attempts, apiErr.RetryAfter)
		}
		if w := r.clk.Waits(); len(w) != 0 {
			t.Errorf("the client waited %v", w)
		}
		r.checkClean(t)
	})
}

// TestEmulatorRetriesWrites checks that retry safety is decided per
// operation: a create is retried only when the server certainly did not
// act, a PUT (idempotent in effect) also on 502/503/504.
func TestEmulatorRetriesWrites(t *testing.T) {
	newGroupRig := func(t *testing.T) (*emuRig, string) {
		r := newEmuRig(t, emuRigConfig{retry: emuRetrying, fresh: true})
		g, err := r.c.UserGroups.Create(t.Context(), client.UserGroupRequest{Name: "existing"})
		if err != nil {
			t.Fatal(err)
		}
		r.emu.ResetStats()
		return r, g.ID
	}
	groupNames := func(t *testing.T, r *emuRig) []string {
		t.Helper()
		groups, err := r.c.UserGroups.List(t.Context(), nil)
		if err != nil {
			t.Fatalf("list groups: %v", err)
		}
		var names []string
		for _, g := range groups {
			names = append(names, g.Name)
		}
		sort.Strings(names)
		return names
	}

	t.Run("create answered 500 is not retried", func(t *testing.T) {
		r, _ := newGroupRig(t)
		r.inject(emulator.Fault{Op: "createUserGroup", Status: 500})
		_, err := r.c.UserGroups.Create(t.Context(), client.UserGroupRequest{Name: "new"})
		emuCheckSentinel(t, err, client.ErrServer)
		if got, _ := emuErrViewOf(t, err); got.Attempts != 1 {
			t.Errorf("attempts = %d, want 1", got.Attempts)
		}
		if diff := cmp.Diff(emulator.OpStats{Requests: 1, ByStatus: map[int]int{500: 1}}, r.opStats("createUserGroup")); diff != "" {
			t.Errorf("createUserGroup (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"existing"}, groupNames(t, r)); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
		r.checkClean(t)
	})
	t.Run("create answered 503 is not retried", func(t *testing.T) {
		r, _ := newGroupRig(t)
		r.inject(emulator.Fault{Op: "createUserGroup", Status: 503})
		_, err := r.c.UserGroups.Create(t.Context(), client.UserGroupRequest{Name: "new"})
		emuCheckSentinel(t, err, client.ErrServer)
		if got := r.opStats("createUserGroup").Requests; got != 1 {
			t.Errorf("createUserGroup requests = %d, want 1", got)
		}
		r.checkClean(t)
	})
	for _, status := range []int{429, 420} {
		t.Run(fmt.Sprintf("create answered %d is retried", status), func(t *testing.T) {
			r, _ := newGroupRig(t)
			r.inject(emulator.Fault{Op: "createUserGroup", Status: status})
			g, err := r.c.UserGroups.Create(t.Context(), client.UserGroupRequest{Name: "new"})
			if err != nil || g.Name != "new" {
				t.Fatalf("create: %+v, %v", g, err)
			}
			if diff := cmp.Diff(emulator.OpStats{Requests: 2, ByStatus: map[int]int{status: 1, 200: 1}}, r.opStats("createUserGroup")); diff != "" {
				t.Errorf("createUserGroup (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"existing", "new"}, groupNames(t, r)); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
			r.checkClean(t)
		})
	}
	t.Run("create whose answer is lost is not retried", func(t *testing.T) {
		r, _ := newGroupRig(t)
		r.inject(emulator.Fault{Op: "createUserGroup", Drop: true, AfterHandling: true})
		_, err := r.c.UserGroups.Create(t.Context(), client.UserGroupRequest{Name: "new"})
		var apiErr *client.APIError
		if err == nil || errors.As(err, &apiErr) {
			t.Fatalf("error = %v, want a transport error", err)
		}
		if got := r.opStats("createUserGroup").Requests; got != 1 {
			t.Errorf("createUserGroup requests = %d, want 1 (a blind retry would create a duplicate)", got)
		}
		if w := r.clk.Waits(); len(w) != 0 {
			t.Errorf("the client waited to retry: %v", w)
		}
		// The server acted: a re-read by natural key finds the group.
		if diff := cmp.Diff([]string{"existing", "new"}, groupNames(t, r)); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
		r.checkClean(t)
	})
	t.Run("update answered 503 is retried", func(t *testing.T) {
		r, id := newGroupRig(t)
		r.inject(emulator.Fault{Op: "updateUserGroup", Status: 503})
		if _, err := r.c.UserGroups.Update(t.Context(), id, client.UserGroupRequest{Name: "renamed"}); err != nil {
			t.Fatalf("update: %v", err)
		}
		if diff := cmp.Diff(map[int]int{503: 1, 200: 1}, r.opStats("updateUserGroup").ByStatus); diff != "" {
			t.Errorf("updateUserGroup (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"renamed"}, groupNames(t, r)); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
		r.checkClean(t)
	})
	t.Run("update answered 500 is not retried", func(t *testing.T) {
		r, id := newGroupRig(t)
		r.inject(emulator.Fault{Op: "updateUserGroup", Status: 500})
		_, err := r.c.UserGroups.Update(t.Context(), id, client.UserGroupRequest{Name: "renamed"})
		emuCheckSentinel(t, err, client.ErrServer)
		if got := r.opStats("updateUserGroup").Requests; got != 1 {
			t.Errorf("updateUserGroup requests = %d, want 1", got)
		}
		r.checkClean(t)
	})
	t.Run("delete whose answer is lost is not retried", func(t *testing.T) {
		r, id := newGroupRig(t)
		r.inject(emulator.Fault{Op: "deleteUserGroup", Drop: true, AfterHandling: true})
		if err := r.c.UserGroups.Delete(t.Context(), id); err == nil {
			t.Fatal("delete whose answer was dropped returned no error")
		}
		if got := r.opStats("deleteUserGroup").Requests; got != 1 {
			t.Errorf("deleteUserGroup requests = %d, want 1", got)
		}
		if diff := cmp.Diff([]string(nil), groupNames(t, r)); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
		r.checkClean(t)
	})
}

// ---------------------------------------------------------------------------
// Context cancellation.

func TestEmulatorContextCancellation(t *testing.T) {
	t.Run("cancelled during a retry wait", func(t *testing.T) {
		r := newEmuRig(t, emuRigConfig{retry: client.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		// The clock never fires: only the cancellation can end the wait.
		r.clk.mu.Lock()
		r.clk.block, r.clk.onAfter = true, cancel
		r.clk.mu.Unlock()
		r.inject(emulator.Fault{Op: "getUsers", Status: 503})
		_, err := r.c.Users.List(ctx, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if got := r.opStats("getUsers").Requests; got != 1 {
			t.Errorf("getUsers requests = %d, want 1", got)
		}
		if w := r.clk.Waits(); len(w) != 1 {
			t.Errorf("waits = %v, want the one interrupted wait", w)
		}
		r.checkClean(t)
	})
	t.Run("cancelled during a rate-limit wait", func(t *testing.T) {
		r := newEmuRig(t, emuRigConfig{retry: emuRetrying, emu: emulator.Options{RateLimit: 1, RateLimitBurst: 1}})
		if _, err := r.c.Users.List(t.Context(), nil); err != nil {
			t.Fatalf("first request: %v", err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		r.clk.mu.Lock()
		r.clk.block, r.clk.onAfter = true, cancel
		r.clk.mu.Unlock()
		_, err := r.c.UserGroups.Create(ctx, client.UserGroupRequest{Name: "g"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if diff := cmp.Diff(emulator.OpStats{Requests: 1, ByStatus: map[int]int{429: 1}}, r.opStats("createUserGroup")); diff != "" {
			t.Errorf("createUserGroup (-want +got):\n%s", diff)
		}
		r.checkClean(t)
	})
	t.Run("deadline during a slow answer", func(t *testing.T) {
		// The emulator takes a minute to answer; the caller allows a few
		// milliseconds. The call must end with the deadline, not retry
		// and not wait for the answer.
		r := newEmuRig(t, emuRigConfig{retry: emuRetrying, emu: emulator.Options{Latency: time.Minute}})
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		_, err := r.c.Users.List(ctx, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error = %v, want context.DeadlineExceeded", err)
		}
		if s := r.c.Stats(); s.Requests != 1 || s.Retries != 0 {
			t.Errorf("client stats %+v, want one attempt and no retry", s)
		}
		// The emulator counts a request once it is past the latency; this
		// one never was.
		if n := r.emu.Requests(); n != 0 {
			t.Errorf("emulator handled %d requests, want 0", n)
		}
		r.checkClean(t)
	})
	t.Run("already cancelled", func(t *testing.T) {
		r := newEmuRig(t, emuRigConfig{retry: emuRetrying})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := r.c.UserGroups.Create(ctx, client.UserGroupRequest{Name: "g"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if n := r.emu.Requests(); n != 0 {
			t.Errorf("emulator received %d requests, want 0", n)
		}
		r.checkClean(t)
	})
}

// ---------------------------------------------------------------------------
// Emulator labelling.

// TestEmulatorFaultAnswersAreNotViolations: the emulator's doc says codes
// outside the spec's table come only from its labelled knobs, and
// Violations lists answers "outside the rate-limit and fault knobs":
// injected faults are labelled knobs, like the rate limiter's answers.
func TestEmulatorFaultAnswersAreNotViolations(t *testing.T) {
	for _, f := range []emulator.Fault{
		{Op: "getUsers", Status: 503},
		{Op: "createUserGroup", Status: 500, AfterHandling: true},
	} {
		e := emulator.New(emulator.Options{})
		srv := httptest.NewServer(e)
		c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		e.InjectFault(f)
		if f.Op == "getUsers" {
			_, err = c.Users.List(t.Context(), nil)
		} else {
			_, err = c.UserGroups.Create(t.Context(), client.UserGroupRequest{Name: "g"})
		}
		srv.Close()
		if !errors.Is(err, client.ErrServer) {
			t.Errorf("%s with fault %+v: %v, want ErrServer", f.Op, f, err)
		}
		if v := e.Violations(); len(v) != 0 {
			t.Errorf("an injected fault is reported as a violation: %v", v)
		}
	}
	e := emulator.New(emulator.Options{})
	e.SetFaultRate(1, 503)
	srv := httptest.NewServer(e)
	defer srv.Close()
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.List(t.Context(), nil); !errors.Is(err, client.ErrServer) {
		t.Errorf("fault rate 1: %v, want ErrServer", err)
	}
	if v := e.Violations(); len(v) != 0 {
		t.Errorf("a fault-rate answer is reported as a violation: %v", v)
	}
}
