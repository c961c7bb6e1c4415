package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// userEmails decodes a getUsers answer into its emails.
func userEmails(t *testing.T, body string) []string {
	t.Helper()
	var out struct {
		Users []struct {
			Email string `json:"email"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	var emails []string
	for _, u := range out.Users {
		emails = append(emails, u.Email)
	}
	return emails
}

// TestListCacheFollowsChanges: pages of a listing share one filtered list,
// and any change to the account (a write request, AcceptInvitation, a
// seed) is seen by the next page.
func TestListCacheFollowsChanges(t *testing.T) {
	p := newPermFixture(t)
	list := func(query string) []string {
		t.Helper()
		code, body := sendTo(t, p.e, "GET", provBase+"/users?"+query, "", true)
		if code != 200 {
			t.Fatalf("GET users?%s: %d %s", query, code, body)
		}
		return userEmails(t, body)
	}
	q := "sub_account_id=" + envProd + "&page_size=1&page=1"
	before := list(q)
	if len(before) != 1 {
		t.Fatalf("page 1 of prod's users: %v, want one user", before)
	}
	// Restrict every user to dev: prod has nobody left.
	for _, id := range []string{userAnn, userBob, userCat} {
		code, body := sendTo(t, p.e, "PUT", provBase+"/users/"+id, fmt.Sprintf(`{"sub_account_ids":[%q]}`, envDev), true)
		if code != 200 {
			t.Fatalf("PUT user: %d %s", code, body)
		}
	}
	if got := list(q); len(got) != 0 {
		t.Errorf("after the update, page 1 of prod's users = %v, want none (a stale memoised list)", got)
	}

	pending := "pending=true&page_size=10"
	code, body := sendTo(t, p.e, "POST", provBase+"/users", `{"name":"Dan","email":"dan@example.com"}`, true)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	if got := list(pending); strings.Join(got, ",") != "dan@example.com" {
		t.Fatalf("pending users = %v, want dan", got)
	}
	if err := p.e.AcceptInvitation("dan@example.com"); err != nil {
		t.Fatal(err)
	}
	if got := list(pending); len(got) != 0 {
		t.Errorf("after AcceptInvitation, pending users = %v, want none", got)
	}
}

// TestInspectCacheFollowsChanges: an inspect walk's memoised principals
// are dropped when an assignment changes.
func TestInspectCacheFollowsChanges(t *testing.T) {
	p := newPermFixture(t)
	inspect := func() int {
		t.Helper()
		code, body := p.send("GET", permBase+"/principal_roles/inspect?scope_type=prodenv&scope_id="+envDev, "")
		if code != 200 {
			t.Fatalf("inspect: %d %s", code, body)
		}
		var out struct {
			Data struct {
				Principals []json.RawMessage `json:"principals"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		return len(out.Data.Principals)
	}
	if n := inspect(); n != 0 {
		t.Fatalf("inspect before any assignment: %d principals", n)
	}
	for _, u := range []string{userAnn, userBob} {
		code, body := p.send("PUT", permBase+"/principal_roles", fmt.Sprintf(`{"operation":"add","principal":{"type":"user","id":%q},"roles":[{"id":"cld::role::prodenv::ml_user","scope_id":"all"}]}`, u))
		if code != 200 {
			t.Fatalf("assign: %d %s", code, body)
		}
		if n := inspect(); n == 0 {
			t.Fatalf("inspect after assigning %s: no principals (stale)", u)
		}
	}
	if n := inspect(); n != 2 {
		t.Errorf("inspect: %d principals, want 2", n)
	}
	code, body := p.send("PUT", permBase+"/principal_roles", fmt.Sprintf(`{"operation":"remove","principal":{"type":"user","id":%q},"roles":[{"id":"cld::role::prodenv::ml_user","scope_id":"all"}]}`, userAnn))
	if code != 200 {
		t.Fatalf("remove: %d %s", code, body)
	}
	if n := inspect(); n != 1 {
		t.Errorf("inspect after a removal: %d principals, want 1", n)
	}
}

// TestCachedListBuildsOncePerGeneration: the filtered list of a listing is
// built once for all its pages, and again after a change.
func TestCachedListBuildsOncePerGeneration(t *testing.T) {
	e := New(Options{})
	builds := 0
	get := func(key string) []int {
		return cachedList(e, key, func() []int { builds++; return []int{builds} })
	}
	get("a")
	get("a")
	get("b")
	if builds != 2 {
		t.Errorf("builds = %d after two keys, want 2", builds)
	}
	e.changed()
	get("a")
	if builds != 3 {
		t.Errorf("builds = %d after a change, want 3", builds)
	}
	for i := range listCacheSize + 5 {
		get(fmt.Sprint("k", i))
	}
	if n := len(e.lists.entries); n > listCacheSize {
		t.Errorf("cache holds %d lists, the bound is %d", n, listCacheSize)
	}
}

// TestUsersWithAccessFollowsChanges: a getUsers listing narrowed to one
// environment answers from an index by environment; after every kind of
// change to who can access what, each environment's listing is still
// exactly the users hasAccess admits, in the listing's order.
func TestUsersWithAccessFollowsChanges(t *testing.T) {
	e := New(Options{Bare: true, Now: func() time.Time { return permEpoch }, RandSeed: 7})
	if err := e.Generate(GenerateOptions{Users: 60, Groups: 3, Environments: 4, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkIndexes(t, e) })
	// want is the definition: every user, newest first, kept when it can
	// access env.
	want := func(env string) []string {
		e.mu.Lock()
		defer e.mu.Unlock()
		var out []string
		for _, u := range slices.Backward(e.prov.users) {
			if u.hasAccess(env) {
				out = append(out, u.email)
			}
		}
		return out
	}
	check := func(step string) {
		t.Helper()
		e.mu.Lock()
		var envs []string
		every, some := 0, 0
		for _, v := range e.prov.envs {
			envs = append(envs, v.id)
		}
		for _, u := range e.prov.users {
			if u.allSubAccounts {
				every++
			} else if len(u.subAccounts) > 0 {
				some++
			}
		}
		e.mu.Unlock()
		if every == 0 || some == 0 {
			t.Fatalf("%s: %d users with every environment, %d with some: the test needs both", step, every, some)
		}
		for _, env := range envs {
			code, body := sendTo(t, e, "GET", provBase+"/users?page_size=1000&sub_account_id="+env, "", true)
			if code != 200 {
				t.Fatalf("%s: GET users of %s: %d %s", step, env, code, body)
			}
			if got, w := userEmails(t, body), want(env); !slices.Equal(got, w) {
				t.Errorf("%s: users of %s =\n%v\nwant\n%v", step, env, got, w)
			}
		}
	}
	check("generated")
	e.mu.Lock()
	first, second := e.prov.envs[0].id, e.prov.envs[1].id
	var restricted, everywhere string
	for _, u := range e.prov.users {
		switch {
		case u.allSubAccounts && everywhere == "" && !u.root && u.role != "master_admin":
			everywhere = u.id
		case !u.allSubAccounts && restricted == "":
			restricted = u.id
		}
	}
	e.mu.Unlock()
	for _, w := range []struct{ step, method, path, body string }{
		{"restrict a user with every environment", "PUT", "/users/" + everywhere, fmt.Sprintf(`{"sub_account_ids":[%q]}`, second)},
		{"give a restricted user every environment", "PUT", "/users/" + restricted, `{"sub_account_ids":null,"name":"Everywhere"}`},
		{"create a user in one environment", "POST", "/users", fmt.Sprintf(`{"name":"New","email":"new@example.com","sub_account_ids":[%q]}`, first)},
		{"delete an environment", "DELETE", "/sub_accounts/" + first, ""},
		{"delete a user", "DELETE", "/users/" + everywhere, ""},
	} {
		if code, body := sendTo(t, e, w.method, provBase+w.path, w.body, true); code != 200 {
			t.Fatalf("%s: %s %s: %d %s", w.step, w.method, w.path, code, body)
		}
		check(w.step)
	}
}
