package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// liveWorld is the same small account in one profile: an environment
// "acme" (with the key generated with it and one generated later), Ann
// (pending, never logged in), Bob and the root user (logged in today) and
// a group. In the spec profile every answer must validate against the
// spec.
type liveWorld struct {
	*prov
	env, ann, bob, group string
	rootKey, laterKey    string
}

func newLiveWorld(t *testing.T, p Profile) *liveWorld {
	t.Helper()
	w := &liveWorld{prov: &prov{t: t, e: New(Options{Profile: p, Now: provClock(), RandSeed: 7})}}
	if p == ProfileSpec {
		w.v = provSpec(t)
	}
	var env struct {
		ID            string `json:"id"`
		APIAccessKeys []struct {
			Key string `json:"key"`
		} `json:"api_access_keys"`
	}
	w.must("POST", "/sub_accounts", `{"name":"Acme","cloud_name":"acme"}`, &env)
	w.env, w.rootKey = env.ID, env.APIAccessKeys[0].Key
	var k struct {
		APIKey string `json:"api_key"`
	}
	w.must("POST", "/sub_accounts/"+w.env+"/access_keys", `{"name":"later"}`, &k)
	w.laterKey = k.APIKey
	w.ann = w.createUser(`{"name":"Ann Lee","email":"ann@corp.test","role":"admin"}`).ID
	w.bob = w.createUser(`{"name":"Bob Stone","email":"bob@corp.test","role":"admin"}`).ID
	if err := w.e.AcceptInvitation("bob@corp.test"); err != nil {
		t.Fatal(err)
	}
	w.group = w.createGroup("designers").ID
	return w
}

// emails lists the emails of a getUsers answer.
func (w *liveWorld) emails(query string) []string {
	w.t.Helper()
	var r struct {
		Users []struct {
			Email string `json:"email"`
		} `json:"users"`
	}
	w.must("GET", "/users"+query, "", &r)
	out := []string{}
	for _, u := range r.Users {
		out = append(out, u.Email)
	}
	slices.Sort(out)
	return out
}

// keyFields returns, per api_key, the JSON keys of each access key answered.
func keyFields(t *testing.T, raw string) map[string][]string {
	t.Helper()
	var list struct {
		AccessKeys []map[string]any `json:"access_keys"`
	}
	var one map[string]any
	if err := json.Unmarshal([]byte(raw), &list); err != nil || list.AccessKeys == nil {
		if err := json.Unmarshal([]byte(raw), &one); err != nil {
			t.Fatal(err)
		}
		list.AccessKeys = []map[string]any{one}
	}
	out := map[string][]string{}
	for _, k := range list.AccessKeys {
		var fields []string
		for f, v := range k {
			fields = append(fields, fmt.Sprintf("%s=%v", f, v))
		}
		slices.Sort(fields)
		out[k["api_key"].(string)] = fields
	}
	return out
}

// TestLiveProfileRows runs each row of the live table in both profiles:
// the spec profile answers as the spec says, the live profile as the row's
// source says the live service does.
func TestLiveProfileRows(t *testing.T) {
	tests := []struct {
		row  string
		run  func(w *liveWorld) any
		spec func(w *liveWorld) any
		live func(w *liveWorld) any
	}{
		{
			row: "add-member-answer",
			run: func(w *liveWorld) any {
				var v any
				w.must("POST", "/user_groups/"+w.group+"/users/"+w.ann, "", &v)
				return v
			},
			spec: func(w *liveWorld) any {
				return map[string]any{"id": w.ann, "name": "Ann Lee", "email": "ann@corp.test"}
			},
			live: func(w *liveWorld) any {
				return map[string]any{"users": []any{map[string]any{"id": w.ann, "name": "Ann Lee", "email": "ann@corp.test"}}}
			},
		},
		{
			row: "delete-group-answer",
			run: func(w *liveWorld) any {
				var v any
				w.must("DELETE", "/user_groups/"+w.group, "", &v)
				return v
			},
			spec: func(*liveWorld) any { return map[string]any{"message": "ok"} },
			live: func(*liveWorld) any { return map[string]any{"ok": true} },
		},
		{
			row: "access-key-root",
			run: func(w *liveWorld) any {
				_, list := w.do("GET", "/sub_accounts/"+w.env+"/access_keys", "")
				_, gen := w.do("POST", "/sub_accounts/"+w.env+"/access_keys", `{"name":"third"}`)
				g := keyFields(w.t, gen)
				l := keyFields(w.t, list)
				return []bool{slices.Contains(l[w.rootKey], "root=true"), slices.Contains(l[w.laterKey], "root=false"),
					len(g) == 1 && slices.ContainsFunc(slices.Collect(mapValues(g)), func(f []string) bool { return slices.Contains(f, "root=false") })}
			},
			spec: func(*liveWorld) any { return []bool{false, false, false} },
			live: func(*liveWorld) any { return []bool{true, true, true} },
		},
		{
			row: "access-key-dedicated-for",
			run: func(w *liveWorld) any {
				_, upd := w.do("PUT", "/sub_accounts/"+w.env+"/access_keys/"+w.laterKey, `{"name":"later","enabled":true,"dedicated_for":"webhooks"}`)
				_, list := w.do("GET", "/sub_accounts/"+w.env+"/access_keys", "")
				l := keyFields(w.t, list)
				return []bool{slices.Contains(keyFields(w.t, upd)[w.laterKey], "dedicated_for=[webhooks]"),
					slices.Contains(l[w.laterKey], "dedicated_for=[webhooks]"),
					slices.ContainsFunc(l[w.rootKey], func(f string) bool { return strings.HasPrefix(f, "dedicated_for=") })}
			},
			spec: func(*liveWorld) any { return []bool{false, false, false} },
			live: func(*liveWorld) any { return []bool{true, true, false} },
		},
		{
			row:  "users-prefix-email",
			run:  func(w *liveWorld) any { return w.emails("?prefix=ANN@") },
			spec: func(*liveWorld) any { return []string{} },
			live: func(*liveWorld) any { return []string{"ann@corp.test"} },
		},
		{
			row: "users-ids-filters",
			run: func(w *liveWorld) any {
				return [][]string{
					w.emails(fmt.Sprintf("?ids=%s&ids=%s&pending=false", w.ann, w.bob)),
					w.emails("?emails=ann@corp.test&prefix=zzz"),
				}
			},
			spec: func(*liveWorld) any { return [][]string{{"ann@corp.test", "bob@corp.test"}, {"ann@corp.test"}} },
			live: func(*liveWorld) any { return [][]string{{"bob@corp.test"}, {}} },
		},
		{
			row: "users-last-login-false",
			run: func(w *liveWorld) any {
				return [][]string{w.emails("?last_login=false"), w.emails("?last_login=true&from=2025-03-14&to=2025-03-14")}
			},
			spec: func(*liveWorld) any {
				return [][]string{{"ann@corp.test", "bob@corp.test", RootUserEmail}, {"bob@corp.test", RootUserEmail}}
			},
			live: func(*liveWorld) any { return [][]string{{"ann@corp.test"}, {"bob@corp.test", RootUserEmail}} },
		},
		{
			row: "users-status",
			run: func(w *liveWorld) any { return [][]string{w.emails("?status=pending"), w.emails("?status=active")} },
			spec: func(*liveWorld) any {
				return [][]string{{"ann@corp.test", "bob@corp.test", RootUserEmail}, {"ann@corp.test", "bob@corp.test", RootUserEmail}}
			},
			live: func(*liveWorld) any { return [][]string{{"ann@corp.test"}, {"bob@corp.test", RootUserEmail}} },
		},
		{
			row: "users-unknown-sub-account",
			run: func(w *liveWorld) any {
				code, raw := w.do("GET", "/users?sub_account_id=nope", "")
				return fmt.Sprint(code, " ", raw)
			},
			spec: func(*liveWorld) any {
				return `404 {"error":{"message":"sub_account_id \"nope\": product environment not found"}}`
			},
			live: func(*liveWorld) any { return `404 {"error":{"message":"Cannot find sub account with id nope"}}` },
		},
		{
			row: "user-sub-account-ids",
			run: func(w *liveWorld) any {
				var created, updated, got map[string]any
				w.must("POST", "/users", fmt.Sprintf(`{"name":"Cy","email":"cy@corp.test","role":"admin","sub_account_ids":[%q]}`, w.env), &created)
				id := created["id"].(string)
				w.must("PUT", "/users/"+id, fmt.Sprintf(`{"role":"admin","sub_account_ids":[%q]}`, w.env), &updated)
				w.must("GET", "/users/"+id, "", &got)
				var list struct{ Users []map[string]any }
				w.must("GET", "/users?ids="+id+"&ids="+w.ann, "", &list)
				var inList []any
				for _, u := range list.Users {
					inList = append(inList, u["sub_account_ids"])
				}
				return []any{created["sub_account_ids"], updated["sub_account_ids"], got["sub_account_ids"], inList}
			},
			spec: func(*liveWorld) any { return []any{nil, nil, nil, []any{nil, nil}} },
			live: func(w *liveWorld) any {
				env := []any{w.env}
				return []any{env, env, env, []any{env, nil}} // Cy, then Ann (all-access): newest first
			},
		},
		{
			row: "create-unknown-base",
			run: func(w *liveWorld) any {
				code, raw := w.do("POST", "/sub_accounts", `{"name":"Copy","base_sub_account_id":"nope"}`)
				return fmt.Sprint(code, " ", raw)
			},
			spec: func(*liveWorld) any {
				return `400 {"error":{"message":"base_sub_account_id \"nope\": product environment not found"}}`
			},
			live: func(*liveWorld) any { return `400 {"error":{"message":"cannot find sub account with id nope"}}` },
		},
		{
			row: "cloud-name-case",
			run: func(w *liveWorld) any {
				code, raw := w.do("POST", "/sub_accounts", `{"name":"Big","cloud_name":"Acme_Big"}`)
				var v struct {
					CloudName string `json:"cloud_name"`
				}
				_ = json.Unmarshal([]byte(raw), &v)
				dup, _ := w.do("POST", "/sub_accounts", `{"name":"Dup","cloud_name":"ACME"}`)
				return fmt.Sprint(code, " ", v.CloudName, " ", dup)
			},
			spec: func(*liveWorld) any { return "400  400" },
			live: func(*liveWorld) any { return "200 acme_big 409" },
		},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.row] = true
		for _, p := range Profiles {
			t.Run(tt.row+"/"+string(p), func(t *testing.T) {
				w := newLiveWorld(t, p)
				want := tt.spec(w)
				if p == ProfileLive {
					want = tt.live(w)
				}
				if diff := cmp.Diff(want, tt.run(w)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if v := w.e.Violations(); len(v) != 0 {
					t.Errorf("violations: %v", v)
				}
			})
		}
	}
	for _, r := range LiveRows() {
		if !covered[r.ID] {
			t.Errorf("row %s has no test here", r.ID)
		}
	}
}

func mapValues[K comparable, V any](m map[K]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// TestLiveTableCoversHandlers: the live table and the live handlers name
// the same operations, and every row has its evidence.
func TestLiveTableCoversHandlers(t *testing.T) {
	inRows := map[string]bool{}
	ids := map[string]bool{}
	for _, r := range LiveRows() {
		if r.ID == "" || r.Spec == "" || r.Live == "" || r.Source == "" || len(r.Operations) == 0 {
			t.Errorf("row %+v is incomplete", r)
		}
		if ids[r.ID] {
			t.Errorf("row %s twice", r.ID)
		}
		ids[r.ID] = true
		for _, op := range r.Operations {
			inRows[op] = true
			if _, ok := liveHandlers[op]; !ok {
				t.Errorf("row %s: operation %s has no live handler", r.ID, op)
			}
			if !slices.ContainsFunc(operations, func(o operation) bool { return o.ID == op }) {
				t.Errorf("row %s: no operation %s", r.ID, op)
			}
		}
	}
	for op := range liveHandlers {
		if !inRows[op] {
			t.Errorf("live handler of %s is in no row", op)
		}
	}
}

func TestParseProfile(t *testing.T) {
	for in, want := range map[string]Profile{"": ProfileSpec, "spec": ProfileSpec, "live": ProfileLive} {
		if got, err := ParseProfile(in); err != nil || got != want {
			t.Errorf("ParseProfile(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseProfile("prod"); err == nil {
		t.Error("ParseProfile(prod) succeeded")
	}
}
