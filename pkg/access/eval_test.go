package access

import (
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

const testConfig = `version: 1
environments:
  - {cloud_name: acme-prod, name: Prod}
  - {cloud_name: acme-staging, name: Staging}
users:
  - {email: ana@acme.test, name: Ana}
  - {email: raj@acme.test, name: Raj}
  - {email: mei@acme.test, name: Mei}
  - {email: gone@acme.test, name: Gone, enabled: false}
  - {email: contractor@partner.test, name: Contractor}
groups:
  - {name: designers, members: [mei@acme.test, gone@acme.test, contractor@partner.test]}
roles:
  - id: reviewer
    name: Asset reviewer
    permission_type: global
    scope_type: prodenv
    system_policies: [cld::policy::global::assets::moderate, cld::policy::global::folder_and_asset_management::view]
policies:
  - name: ci-writes
    scope: acme-prod
    statement: permit(principal == Cloudinary::APIKey::"${api_key:acme-prod/ci}", action == Cloudinary::Action::"create", resource == Cloudinary::Folder::"f1");
  - name: deploy-writes
    scope: acme-prod
    statement: permit(principal == Cloudinary::APIKey::"${api_key:acme-prod/deploy}", action == Cloudinary::Action::"create", resource == Cloudinary::Folder::"f9");
  - name: no-contractor-deletes
    scope: all
    statement: forbid(principal == Cloudinary::User::"${user:contractor@partner.test}", action == Cloudinary::Action::"read", resource is Cloudinary::Asset);
assignments:
  - {principal: {group: designers}, role: reviewer, scope: all}
  - {principal: {user: ana@acme.test}, role: cld::role::account::master_admin, scope: account}
  - {principal: {user: raj@acme.test}, role: cld::role::folder::viewer, scope: acme-prod, folder_id: f8a5c2e1}
  - {principal: {api_key: {environment: acme-prod, name: ci}}, role: cld::role::prodenv::ml_user, scope: acme-prod}
`

func testAccount(t *testing.T) *Account {
	t.Helper()
	cfg, err := spec.Parse("cfg.yaml", []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	return FromConfig(cfg)
}

func user(e string) spec.Principal { return spec.Principal{Kind: spec.PrincipalUser, Name: e} }

func req(t *testing.T, action, resource string) Request {
	t.Helper()
	r, err := ParseRequest(action, resource, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAuthorize(t *testing.T) {
	a := testAccount(t)
	ci := spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}
	designers := spec.Principal{Kind: spec.PrincipalGroup, Name: "designers"}
	for _, tc := range []struct {
		name      string
		who       spec.Principal
		scope     string
		action    string
		resource  string
		allowed   bool
		wantPaths string
	}{
		{"via group and role", user("mei@acme.test"), "acme-staging", "read", `Asset::"a1"`, true,
			"via group designers → role Asset reviewer → policy View all folders and assets"},
		{"any resource", user("mei@acme.test"), "acme-prod", "moderate", "any", true,
			"via group designers → role Asset reviewer → policy Moderate all assets"},
		{"no role no access", user("ana@acme.test"), "acme-prod", "read", "any", false, ""},
		{"account role in account", user("ana@acme.test"), "account", "update", `User::"x"`, true,
			"via role Master Admin → policy Manage users and groups"},
		{"account role not in environment", user("ana@acme.test"), "acme-prod", "update", `User::"x"`, false, ""},
		{"disabled user holds nothing", user("gone@acme.test"), "acme-staging", "read", "any", false, ""},
		{"forbid wins", user("contractor@partner.test"), "acme-staging", "read", `Asset::"a1"`, false,
			"via forbid by policy no-contractor-deletes (every environment)"},
		{"forbid names the resource type only", user("contractor@partner.test"), "acme-staging", "read", `Folder::"x"`, true,
			"via group designers → role Asset reviewer → policy View all folders and assets"},
		{"custom policy names the key", ci, "acme-prod", "create", `Folder::"f1"`, true, "via policy ci-writes (acme-prod)"},
		{"custom policy other folder", ci, "acme-prod", "create", `Folder::"f2"`, false, ""},
		{"custom policy scoped elsewhere", ci, "acme-staging", "create", `Folder::"f1"`, false, ""},
		{"any: any action on a feature", ci, "acme-prod", "create", "any", true, "via role Media Library User → policy Access the Media Library"},
		{"any finds the named folder", spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/deploy"}, "acme-prod", "create", "any", true, "via policy deploy-writes (acme-prod)"},
		{"content role on its folder", user("raj@acme.test"), "acme-prod", "read", `Folder::"f8a5c2e1"`, true,
			"via role Viewer on Folder f8a5c2e1 → policy View assets"},
		{"content role not on another folder", user("raj@acme.test"), "acme-prod", "read", `Folder::"zzz"`, false, ""},
		{"group principal", designers, "acme-staging", "read", "any", true,
			"via role Asset reviewer → policy View all folders and assets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := a.Authorize(tc.who, tc.scope, req(t, tc.action, tc.resource))
			if d.Allowed != tc.allowed {
				t.Fatalf("allowed = %v, want %v (%+v)", d.Allowed, tc.allowed, d)
			}
			var got []string
			for _, p := range d.Paths {
				got = append(got, a.Describe(p))
			}
			if tc.wantPaths != "" && (len(got) == 0 || got[0] != tc.wantPaths) {
				t.Errorf("paths = %q, want first %q", got, tc.wantPaths)
			}
			if tc.wantPaths == "" && len(got) > 0 {
				t.Errorf("paths = %q, want none", got)
			}
		})
	}
}

func TestHoldsRole(t *testing.T) {
	a := testAccount(t)
	if h := a.HoldsRole(user("mei@acme.test"), "reviewer", "acme-prod"); len(h) != 1 || h[0].Group != "designers" {
		t.Errorf("mei holds reviewer on acme-prod = %+v, want once via designers (scope all)", h)
	}
	if h := a.HoldsRole(user("mei@acme.test"), "reviewer", "account"); len(h) != 0 {
		t.Errorf("a role held on every environment is not held in the account: %+v", h)
	}
	if h := a.HoldsRole(user("gone@acme.test"), "reviewer", "acme-prod"); len(h) != 0 {
		t.Errorf("a disabled user holds nothing: %+v", h)
	}
	if h := a.HoldsRole(user("nobody@acme.test"), "reviewer", "acme-prod"); len(h) != 0 {
		t.Errorf("an absent user holds nothing: %+v", h)
	}
}

// TestSameShape evaluates the same account built from the configuration
// and from a live model: the answers must agree.
func TestSameShape(t *testing.T) {
	desired := testAccount(t)
	live := &model.Account{
		Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod"}, {ID: "e2", CloudName: "acme-staging"}},
		Users: []model.User{
			{ID: "u1", Email: "mei@acme.test", Enabled: true},
			{ID: "u2", Email: "contractor@partner.test", Enabled: true},
		},
		Groups: []model.Group{{ID: "g1", Name: "designers", Members: []string{"contractor@partner.test", "mei@acme.test"}}},
		Permissions: &model.Permissions{
			Roles: []model.Role{{ID: "reviewer", Name: "Asset reviewer", SystemPolicies: desired.Roles["reviewer"].Policies}},
			Policies: []model.Policy{{ID: "p1", Name: "no-contractor-deletes", Scope: "all", Enabled: true,
				Statement: `forbid(principal == Cloudinary::User::"u2", action == Cloudinary::Action::"read", resource is Cloudinary::Asset);`}},
			Assignments: []model.Assignment{{Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "designers"}, Role: "reviewer", Scope: "all"}},
		},
	}
	la := FromState(live)
	for _, who := range []string{"mei@acme.test", "contractor@partner.test"} {
		r := req(t, "read", `Asset::"a"`)
		d1, d2 := desired.Authorize(user(who), "acme-prod", r), la.Authorize(user(who), "acme-prod", r)
		if d1.Allowed != d2.Allowed {
			t.Errorf("%s: desired says %v, live says %v", who, d1.Allowed, d2.Allowed)
		}
	}
	if d := la.Authorize(user("contractor@partner.test"), "acme-prod", req(t, "read", `Asset::"a"`)); d.Allowed ||
		len(d.Paths) == 0 || !strings.Contains(la.Describe(d.Paths[0]), "no-contractor-deletes") {
		t.Errorf("the live statement's user id must resolve to the user: %+v", d)
	}
}

func TestParseRequest(t *testing.T) {
	for _, tc := range []struct{ action, resource, want, err string }{
		{"read", "any", "read on any resource", ""},
		{"read", `Folder::"f1"`, `read on Folder::"f1"`, ""},
		{`MediaFlows::Action::"read"`, `MediaFlows::EasyFlow::"x"`, `MediaFlows::Action::"read" on MediaFlows::EasyFlow::"x"`, ""},
		{"read", "Folder f1", "", "is not an entity"},
		{"", "any", "", "no action"},
		{`Cloudinary::Folder::"x"`, "any", "", "is not an action"},
	} {
		r, err := ParseRequest(tc.action, tc.resource, nil)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q %q: err = %v, want %q", tc.action, tc.resource, err, tc.err)
			}
			continue
		}
		if err != nil || r.String() != tc.want {
			t.Errorf("%q %q = %q, %v; want %q", tc.action, tc.resource, r.String(), err, tc.want)
		}
	}
}

func TestContext(t *testing.T) {
	cfg, err := spec.Parse("c.yaml", []byte(`version: 1
environments: [{cloud_name: acme-prod, name: P}]
policies:
  - name: moves-down
    scope: acme-prod
    statement: permit(principal, action == Cloudinary::Action::"move", resource) when { context.direction == "down" };
`))
	if err != nil {
		t.Fatal(err)
	}
	a := FromConfig(cfg)
	key := spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}
	for dir, want := range map[string]bool{"down": true, "up": false} {
		r, err := ParseRequest("move", `Asset::"a"`, map[string]any{"direction": dir})
		if err != nil {
			t.Fatal(err)
		}
		if d := a.Authorize(key, "acme-prod", r); d.Allowed != want {
			t.Errorf("direction %s: allowed = %v, want %v", dir, d.Allowed, want)
		}
	}
}

func TestDisabledKeyHoldsNothing(t *testing.T) {
	cfg, err := spec.Parse("c.yaml", []byte(`version: 1
environments: [{cloud_name: acme-prod, name: P, access_keys: [{name: ci}, {name: old, enabled: false}]}]
assignments:
  - {principal: {api_key: {environment: acme-prod, name: ci}}, role: cld::role::prodenv::ml_user, scope: acme-prod}
  - {principal: {api_key: {environment: acme-prod, name: old}}, role: cld::role::prodenv::ml_user, scope: acme-prod}
`))
	if err != nil {
		t.Fatal(err)
	}
	a := FromConfig(cfg)
	key := func(n string) spec.Principal {
		return spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/" + n}
	}
	if len(a.HoldsRole(key("ci"), "cld::role::prodenv::ml_user", "acme-prod")) != 1 {
		t.Error("the enabled key holds its role")
	}
	if len(a.HoldsRole(key("old"), "cld::role::prodenv::ml_user", "acme-prod")) != 0 {
		t.Error("a disabled key holds nothing")
	}
	live := &model.Account{Environments: []model.Environment{{ID: "e1", CloudName: "acme-prod"}},
		AccessKeys:  []model.AccessKey{{Environment: "acme-prod", Name: "old", Enabled: false}},
		Permissions: &model.Permissions{Assignments: []model.Assignment{{Principal: key("old"), Role: "cld::role::prodenv::ml_user", Scope: "acme-prod"}}}}
	if len(FromState(live).HoldsRole(key("old"), "cld::role::prodenv::ml_user", "acme-prod")) != 0 {
		t.Error("a key the live account says is disabled holds nothing")
	}
}

// TestCannotFailsOnUndecided: a permit whose condition reads attributes
// the request does not give may allow it; a cannot must not pass on that.
func TestCannotFailsOnUndecided(t *testing.T) {
	cfg, err := spec.Parse("c.yaml", []byte(`version: 1
environments: [{cloud_name: acme-prod, name: P}]
policies:
  - name: public-reads
    scope: acme-prod
    statement: permit(principal == Cloudinary::APIKey::"${api_key:acme-prod/cdn}", action == Cloudinary::Action::"read", resource is Cloudinary::Asset) when { resource.access_mode == "public" };
  - name: no-moves
    scope: acme-prod
    statement: forbid(principal, action == Cloudinary::Action::"move", resource);
  - name: moves-when
    scope: acme-prod
    statement: permit(principal, action == Cloudinary::Action::"move", resource) when { resource.owner == "x" };
access_tests:
  - name: cdn reads nothing
    who: {api_key: {environment: acme-prod, name: cdn}}
    in: acme-prod
    cannot: [{action: read}]
  - name: nobody moves
    who: {api_key: {environment: acme-prod, name: cdn}}
    in: acme-prod
    cannot: [{action: move}]
  - name: cdn reads for sure
    who: {api_key: {environment: acme-prod, name: cdn}}
    in: acme-prod
    can: [{action: read}]
`))
	if err != nil {
		t.Fatal(err)
	}
	rs := FromConfig(cfg).RunTests(cfg.AccessTests)
	if c := rs[0].Checks[0]; c.Pass || len(c.Maybe) != 1 || !strings.Contains(c.Why(), "may be allowed on some Asset") || !strings.Contains(c.Why(), "public-reads") {
		t.Errorf("cannot read: %+v (%s), want a failure naming public-reads as maybe", c, c.Why())
	}
	if c := rs[1].Checks[0]; !c.Pass {
		t.Errorf("a forbid decides whatever the undecided permits: %+v (%s)", c, c.Why())
	}
	if c := rs[2].Checks[0]; c.Pass {
		t.Errorf("a can needs a sure allow: %+v", c)
	}
}
