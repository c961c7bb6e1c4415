package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// fuzzSeeds are (configuration YAML, live account JSON) pairs that reach
// every part of the differ and the guards; go test runs them as the seed
// corpus, and make fuzz starts from them.
var fuzzSeeds = []struct{ config, live string }{
	{`version: 1`, `{}`},
	{`version: 1
prune: [environments, users, groups, memberships]
safety: {max_deletes: 2, max_delete_percent: 10, min_master_admins: 1}
ignore: {users: ["svc-*"], environments: [other-*], groups: [theirs]}
environments:
  - {cloud_name: prod, name: Prod, protect: true}
  - {cloud_name: stage, name: Stage, enabled: false, base_environment: prod}
users:
  - {email: Ana@acme.test, name: Ana, role: admin, enabled: false, protect: true}
  - {email: raj@acme.test, role: media_library_user, environments: [stage, prod]}
groups:
  - {name: ops, members: [raj@acme.test, new@acme.test]}
  - {name: devs}`,
		`{"Environments":[{"ID":"e1","CloudName":"prod","Name":"P","Enabled":true},{"ID":"e2","CloudName":"old","Name":"O"},{"ID":"e3","CloudName":"other-x","Name":"X"}],
"Users":[{"ID":"u1","Email":"ana@acme.test","Name":"Ana","Role":"master_admin","Enabled":true,"AllEnvironments":true},
{"ID":"u2","Email":"raj@acme.test","Name":"Raj","Role":"admin","Enabled":true,"Environments":["other-x","prod"]},
{"ID":"u3","Email":"svc-ci@acme.test","Role":"admin","Enabled":true},{"ID":"u4","Email":"old@acme.test","Role":"master_admin","Enabled":true,"Pending":true},
{"ID":"u5","Email":"root@acme.test","Role":"master_admin","Enabled":true,"Root":true,"AllEnvironments":true}],
"Groups":[{"ID":"g1","Name":"ops","Members":["old@acme.test","svc-ci@acme.test"]},{"ID":"g2","Name":"theirs"},{"ID":"g3","Name":"gone","Members":["raj@acme.test"]}]}`},
	{`version: 1
prune: [users, groups]
users: [{email: a@x.io}]
groups: [{name: g, members: [a@x.io]}]`,
		`{"Users":[{"ID":"1","Email":"a@x.io"},{"ID":"2","Email":"A@x.io"},{"ID":"3","Email":"b@x.io","Role":"master_admin","Enabled":true}],
"Groups":[{"ID":"g1","Name":"g"},{"ID":"g2","Name":"g"}],"Incomplete":{"users":"page 2 failed"}}`},
	{`version: 1
prune: [assignments, users]
users: [{email: raj@acme.test}]
roles:
  - {id: rev, name: Rev, permission_type: global, scope_type: prodenv, system_policies: [cld::policy::global::assets::moderate]}
assignments:
  - {principal: {user: raj@acme.test}, role: cld::role::account::master_admin, scope: account}
  - {principal: {user: raj@acme.test}, role: rev, scope: all}`,
		`{"Users":[{"ID":"u1","Email":"ana@acme.test","Enabled":true},{"ID":"u2","Email":"raj@acme.test","Enabled":true}],
"Permissions":{"Roles":[{"ID":"rev","Name":"Rev","PermissionType":"content","ScopeType":"prodenv"}],
"Assignments":[{"PrincipalType":"user","PrincipalID":"u1","Principal":{"Kind":"user","Name":"ana@acme.test"},"Role":"cld::role::account::master_admin","Scope":"account"}]}}`},
	{`version: 1
environments:
  - {cloud_name: a, name: A, base_environment: b}
  - {cloud_name: b, name: B, base_environment: a}`, `{}`},
	// Hostile names (issue 14): a group configured in another case than
	// the live one, and live names that configuration syntax means
	// something in, referenced with escapes.
	{`version: 1
prune: [groups, policies]
groups: [{name: Designers}, {name: "a}b"}, {name: "$${var:x}"}]
policies:
  - name: p
    scope: account
    statement: 'permit(principal in Cloudinary::Group::"${group:a\}b}", action, resource) when { principal in Cloudinary::Group::"${group:$${var:x\}}" };'`,
		`{"Groups":[{"ID":"g1","Name":"designers"},{"ID":"g2","Name":"a}b"},{"ID":"g3","Name":"${var:x}"},{"ID":"g4","Name":"DESIGNERS"}]}`},
}

// FuzzDiff checks that no configuration and live account make Diff panic,
// and that every plan it returns keeps the planner's invariants: each
// change well formed and after its dependencies, no duplicate changes,
// deterministic output, and the guards holding (no delete above the
// limits without AllowDeletes, no environment delete without
// AllowEnvironmentDeletes, no delete of an incomplete kind, of an ignored
// object or of a protected one, no lockout of the master_admins).
func FuzzDiff(f *testing.F) {
	for _, s := range fuzzSeeds {
		for flags := range byte(4) {
			f.Add([]byte(s.config), []byte(s.live), flags)
		}
	}
	f.Fuzz(func(t *testing.T, config, liveJSON []byte, flags byte) {
		cfg, err := spec.Parse("fuzz.yaml", config)
		if err != nil {
			return // the loader's own fuzz test covers bad configurations
		}
		var live model.Account
		dec := json.NewDecoder(bytes.NewReader(liveJSON))
		if dec.Decode(&live) != nil {
			return
		}
		opts := Options{AllowDeletes: flags&1 != 0, AllowEnvironmentDeletes: flags&2 != 0}
		if flags&4 != 0 {
			opts.Prune = []spec.Kind{spec.KindEnvironment, spec.KindUser, spec.KindGroup, spec.KindMembership}
		}
		p, err := Diff(cfg, &live, opts)
		if err != nil {
			if !strings.Contains(err.Error(), "cycle") {
				t.Fatalf("Diff returned error %v; only dependency cycles are expected from a valid configuration", err)
			}
			return
		}
		checkInvariants(t, cfg, &live, opts, p)
		again, err := Diff(cfg, &live, opts)
		if err != nil {
			t.Fatalf("second Diff returned %v", err)
		}
		if diff := cmp.Diff(p, again); diff != "" {
			t.Fatalf("Diff is not deterministic (-first +second):\n%s", diff)
		}
		var b bytes.Buffer
		if err := WriteJSON(&b, p); err != nil {
			t.Fatal(err)
		}
	})
}

func checkInvariants(t *testing.T, cfg *spec.Config, live *model.Account, opts Options, p *Plan) {
	t.Helper()
	limits := cfg.Safety.Limits()
	seen := map[string]bool{}
	at := map[Ref]int{}
	deletes, envDeletes := 0, 0
	for i, c := range p.Changes {
		key := fmt.Sprintf("%s %s", c.Action, c.Ref)
		if seen[key] {
			t.Fatalf("change %s planned twice", key)
		}
		seen[key] = true
		switch c.Action {
		case Create:
			if c.Before != nil || c.After == nil {
				t.Fatalf("%s: create with Before %v, After %v", key, c.Before, c.After)
			}
		case Update, Replace:
			if c.Before == nil || c.After == nil {
				t.Fatalf("%s: %s with Before %v, After %v", key, c.Action, c.Before, c.After)
			}
		case Delete:
			if c.Before == nil || c.After != nil {
				t.Fatalf("%s: delete with Before %v, After %v", key, c.Before, c.After)
			}
			deletes++
			if c.Ref.Kind == spec.KindEnvironment {
				envDeletes++
			}
			kind := c.Ref.Kind
			if kind == spec.KindMembership {
				kind = spec.KindGroup
			}
			if _, ok := live.Incomplete[c.Ref.Kind]; ok {
				t.Fatalf("%s: delete of a kind whose listing is incomplete", key)
			}
			if _, ok := live.Incomplete[kind]; ok {
				t.Fatalf("%s: delete from an incomplete group listing", key)
			}
			if _, ok := cfg.Ignore.Match(c.Ref.Kind, c.Ref.Name); ok {
				t.Fatalf("%s: delete of an ignored object", key)
			}
		default:
			t.Fatalf("change %d has invalid action %v", i, c.Action)
		}
		if r := refOf(c); c.Ref != r {
			t.Fatalf("%s: Ref differs from its value's %s", key, r)
		}
		for _, d := range c.DependsOn {
			j, ok := at[d]
			if !ok || j >= i {
				t.Fatalf("%s depends on %s, which is not planned before it", key, d)
			}
		}
		at[c.Ref] = i
	}
	if !opts.AllowDeletes && deletes > limits.MaxDeletes {
		t.Fatalf("%d deletes planned without AllowDeletes, above max_deletes %d", deletes, limits.MaxDeletes)
	}
	if !opts.AllowEnvironmentDeletes && envDeletes > 0 {
		t.Fatalf("%d environment deletes planned without AllowEnvironmentDeletes", envDeletes)
	}
	for _, r := range protectedList(cfg) {
		if seen["delete "+r.String()] {
			t.Fatalf("protected %s is deleted", r)
		}
	}
	// Lockout: count the master_admins before and after the plan.
	before, after := 0, 0
	users := map[string]UserValue{}
	for _, u := range live.Users {
		v := liveUser(&u)
		if _, ok := cfg.Ignore.Match(spec.KindUser, normEmail(u.Email)); ok && !userListed(cfg, u.Email) {
			continue
		}
		k := normEmail(u.Email) + "/" + u.ID
		if _, dup := users[k]; dup {
			return // two users with one id: the simulation below cannot tell them apart
		}
		if isMasterAdmin(v) {
			before++
		}
		users[k] = v
	}
	for _, c := range p.Changes {
		b, ok := c.Before.(UserValue)
		if !ok {
			continue
		}
		k := normEmail(b.Email) + "/" + b.ID
		if _, tracked := users[k]; !tracked {
			continue
		}
		if a, ok := c.After.(UserValue); ok {
			users[k] = a
		} else {
			delete(users, k)
		}
	}
	for _, v := range users {
		if isMasterAdmin(v) {
			after++
		}
	}
	if after < before && after < limits.MinMasterAdmins {
		t.Fatalf("the plan takes the enabled master_admins from %d to %d, below min_master_admins %d", before, after, limits.MinMasterAdmins)
	}
}

// refOf is the Ref of whichever of After and Before is set.
func refOf(c Change) Ref {
	if c.After != nil {
		return c.After.Ref()
	}
	return c.Before.Ref()
}

func protectedList(cfg *spec.Config) []Ref {
	var out []Ref
	for r := range protectedRefs(cfg) {
		out = append(out, r)
	}
	return out
}

func userListed(cfg *spec.Config, email string) bool {
	for _, u := range cfg.Users {
		if normEmail(u.Email) == normEmail(email) {
			return true
		}
	}
	return false
}

// isMasterAdmin is the fuzz oracle's own count of the legacy lockout
// guard: enabled, invitation accepted, role master_admin.
func isMasterAdmin(u UserValue) bool { return u.Role == roleMasterAdmin && u.Enabled && !u.Pending }
