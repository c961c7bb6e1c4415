package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// usersServer serves getUsers from pages (pages[i] answers page i+1; past
// the end, an empty page) and records the queries.
type usersServer struct {
	mu      sync.Mutex
	pages   [][]string // user ids per page
	ignore  bool       // ignore page: always answer pages[0]
	queries []url.Values
}

func (s *usersServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	s.queries = append(s.queries, q)
	var ids []string
	switch {
	case q.Has("emails"):
		for _, e := range q["emails"] {
			ids = append(ids, "id-"+e)
		}
	case s.ignore:
		ids = s.pages[0]
	default:
		p, _ := strconv.Atoi(q.Get("page"))
		if p >= 1 && p <= len(s.pages) {
			ids = s.pages[p-1]
		}
	}
	users := make([]User, len(ids))
	for i, id := range ids {
		users[i] = User{ID: id, Email: strings.TrimPrefix(id, "id-")}
	}
	json.NewEncoder(w).Encode(map[string]any{"users": users})
}

func TestUsersListAll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		pages     [][]string
		ignore    bool
		wantIDs   []string
		want      Listing
		wantPages []string
	}{
		{name: "short pages are not the end", pages: [][]string{{"a", "b"}, {"c"}, {"d", "e"}},
			wantIDs: []string{"a", "b", "c", "d", "e"}, want: Listing{Complete: true, Pages: 4},
			wantPages: []string{"1", "2", "3", "4"}},
		{name: "empty account", pages: nil, want: Listing{Complete: true, Pages: 1}, wantPages: []string{"1"}},
		{name: "duplicates across pages returned once", pages: [][]string{{"a", "b"}, {"b", "c"}},
			wantIDs: []string{"a", "b", "c"}, want: Listing{Complete: true, Pages: 3}, wantPages: []string{"1", "2", "3"}},
		{name: "repeated page is incomplete", pages: [][]string{{"a", "b"}}, ignore: true,
			wantIDs: []string{"a", "b"}, wantPages: []string{"1", "2"},
			want: Listing{Pages: 2, Reason: "page 2 repeated page 1: the server may be ignoring page"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			srv := &usersServer{pages: tc.pages, ignore: tc.ignore}
			mux.Handle("/", srv)
			opts := &UserListOptions{PageSize: 2, Prefix: "x"}
			users, l, err := c.Users.ListAll(t.Context(), opts)
			if err != nil {
				t.Fatalf("ListAll returned %v", err)
			}
			var ids []string
			for _, u := range users {
				ids = append(ids, u.ID)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, l); diff != "" {
				t.Errorf("Listing (-want +got):\n%s", diff)
			}
			var pages []string
			for _, q := range srv.queries {
				pages = append(pages, q.Get("page"))
				if q.Get("page_size") != "2" || q.Get("prefix") != "x" {
					t.Errorf("query %v lost the caller's options", q)
				}
			}
			if diff := cmp.Diff(tc.wantPages, pages); diff != "" {
				t.Errorf("pages requested (-want +got):\n%s", diff)
			}
			if opts.Page != 0 {
				t.Errorf("ListAll modified the caller's options: Page = %d", opts.Page)
			}

			// ListAllIDs pages the same way and finds the same ids, a
			// user listed twice twice.
			srv.queries = nil
			gotIDs, idsListing, err := c.Users.ListAllIDs(t.Context(), opts)
			if err != nil {
				t.Fatalf("ListAllIDs returned %v", err)
			}
			var once []string
			for _, id := range gotIDs {
				if !slices.Contains(once, id) {
					once = append(once, id)
				}
			}
			if diff := cmp.Diff(tc.wantIDs, once); diff != "" {
				t.Errorf("ListAllIDs ids (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, idsListing); diff != "" {
				t.Errorf("ListAllIDs Listing (-want +got):\n%s", diff)
			}
			if len(srv.queries) != len(tc.wantPages) {
				t.Errorf("ListAllIDs asked %d pages, want %d", len(srv.queries), len(tc.wantPages))
			}

			// ListAllIDsWhere returns those ids keep accepts, and pages
			// and proves the end on all of them: keeping none still tells
			// a repeated page.
			for _, kept := range []string{"b", "none"} {
				srv.queries = nil
				where, whereListing, err := c.Users.ListAllIDsWhere(t.Context(), opts, func(id []byte, _ bool) bool { return string(id) == kept })
				if err != nil {
					t.Fatalf("ListAllIDsWhere returned %v", err)
				}
				want := slices.DeleteFunc(slices.Clone(gotIDs), func(id string) bool { return id != kept })
				if diff := cmp.Diff(want, where, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("ListAllIDsWhere(%s) ids (-want +got):\n%s", kept, diff)
				}
				if diff := cmp.Diff(tc.want, whereListing); diff != "" {
					t.Errorf("ListAllIDsWhere(%s) Listing (-want +got):\n%s", kept, diff)
				}
				if len(srv.queries) != len(tc.wantPages) {
					t.Errorf("ListAllIDsWhere(%s) asked %d pages, want %d", kept, len(srv.queries), len(tc.wantPages))
				}
			}

			// The iterator sees the same users and reports incompleteness
			// as an error.
			var iterIDs []string
			var iterErr error
			for u, err := range c.Users.ListIter(t.Context(), opts) {
				if err != nil {
					iterErr = err
					break
				}
				iterIDs = append(iterIDs, u.ID)
			}
			if diff := cmp.Diff(tc.wantIDs, iterIDs); diff != "" {
				t.Errorf("iterator ids (-want +got):\n%s", diff)
			}
			if got, want := errors.Is(iterErr, ErrIncomplete), !tc.want.Complete; got != want {
				t.Errorf("iterator error %v, want ErrIncomplete=%v", iterErr, want)
			}
		})
	}
}

func TestUsersListIterStopsEarly(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	srv := &usersServer{pages: [][]string{{"a", "b"}, {"c"}}}
	mux.Handle("/", srv)
	for u, err := range c.Users.ListIter(t.Context(), nil) {
		if err != nil || u.ID != "a" {
			t.Fatalf("first pair = %v, %v", u.ID, err)
		}
		break
	}
	if len(srv.queries) != 1 {
		t.Errorf("breaking out after one user made %d requests, want 1", len(srv.queries))
	}
}

func TestUsersListByEmailsChunks(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	srv := &usersServer{}
	mux.Handle("/", srv)
	var emails []string
	for i := range 250 {
		emails = append(emails, fmt.Sprintf("u%03d@example.com", i))
	}
	emails = append(emails, emails[0]) // a duplicate is asked for once
	users, err := c.Users.ListByEmails(t.Context(), emails)
	if err != nil {
		t.Fatalf("ListByEmails returned %v", err)
	}
	if len(users) != 250 {
		t.Errorf("got %d users, want 250", len(users))
	}
	var sizes []int
	for _, q := range srv.queries {
		sizes = append(sizes, len(q["emails"]))
		if q.Has("page") {
			t.Errorf("emails query %v also pages", q)
		}
	}
	if diff := cmp.Diff([]int{100, 100, 50}, sizes); diff != "" {
		t.Errorf("chunk sizes (-want +got):\n%s", diff)
	}
	// The one-page List refuses more than 100 values without a request.
	if _, err := c.Users.List(t.Context(), &UserListOptions{Emails: emails}); err == nil {
		t.Error("List with 251 emails succeeded")
	}
	if len(srv.queries) != 3 {
		t.Errorf("List with too many emails sent a request")
	}
}

func TestAccessKeysListIter(t *testing.T) {
	t.Parallel()
	keys := []string{"k1", "k2", "k3", "k4", "k5"}
	tests := []struct {
		name     string
		total    int
		pageSize int
		stopAt   int // page after which the server answers empty pages
		wantKeys []string
		wantErr  bool
	}{
		{name: "total reached", total: 5, pageSize: 2, stopAt: 3, wantKeys: keys},
		{name: "pages end before total", total: 7, pageSize: 2, stopAt: 3, wantKeys: keys, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var pagesAsked []string
			mux.HandleFunc("GET "+p1+"/sub_accounts/pe1/access_keys", func(w http.ResponseWriter, r *http.Request) {
				page, _ := strconv.Atoi(r.URL.Query().Get("page"))
				pagesAsked = append(pagesAsked, r.URL.Query().Get("page"))
				var out []AccessKey
				if page <= tc.stopAt {
					for i := (page - 1) * tc.pageSize; i < min(page*tc.pageSize, len(keys)); i++ {
						out = append(out, AccessKey{APIKey: keys[i], APISecret: "s"})
					}
				}
				json.NewEncoder(w).Encode(map[string]any{"access_keys": out, "total": tc.total})
			})
			var got []string
			var gotErr error
			for k, err := range c.AccessKeys.ListIter(t.Context(), "pe1", &AccessKeyListOptions{PageSize: tc.pageSize}) {
				if err != nil {
					gotErr = err
					break
				}
				got = append(got, k.APIKey)
			}
			if diff := cmp.Diff(tc.wantKeys, got); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if errors.Is(gotErr, ErrIncomplete) != tc.wantErr {
				t.Errorf("error %v, want ErrIncomplete=%v", gotErr, tc.wantErr)
			}
			if !tc.wantErr && len(pagesAsked) != 3 {
				t.Errorf("asked pages %v, want 1..3 only", pagesAsked)
			}
		})
	}
}

func TestCursorPagination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		next    map[string]string // cursor -> next_cursor
		wantIDs []string
		wantErr bool
	}{
		{name: "follows cursors", next: map[string]string{"": "c2", "c2": "c3", "c3": ""}, wantIDs: []string{"p", "pc2", "pc3"}},
		{name: "repeated cursor", next: map[string]string{"": "c2", "c2": "c2"}, wantIDs: []string{"p", "pc2"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var cursors []string
			mux.HandleFunc("GET "+p2+"/policies/custom", func(w http.ResponseWriter, r *http.Request) {
				cur := r.URL.Query().Get("cursor")
				cursors = append(cursors, cur)
				if r.URL.Query().Get("scope_type") != "prodenv" {
					t.Errorf("cursor request lost scope_type: %s", r.URL.RawQuery)
				}
				fmt.Fprintf(w, `{"data":[{"id":"p%s","name":"n","policy_statement":"s","scope_type":"prodenv","enabled":true,"created_at":1,"updated_at":2}],"next_cursor":%q}`, cur, tc.next[cur])
			})
			var ids []string
			var gotErr error
			for p, err := range c.CustomPolicies.ListIter(t.Context(), &CustomPolicyListOptions{ScopeType: ScopeProdEnv, ScopeID: "pe"}) {
				if err != nil {
					gotErr = err
					break
				}
				ids = append(ids, p.ID)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if errors.Is(gotErr, ErrIncomplete) != tc.wantErr {
				t.Errorf("error %v, want ErrIncomplete=%v", gotErr, tc.wantErr)
			}
		})
	}
}

func TestInspectMultipleIterSendsCursorInBody(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var bodies []InspectMultipleRequest
	mux.HandleFunc("POST "+p2+"/principal_roles/inspect", func(w http.ResponseWriter, r *http.Request) {
		var b InspectMultipleRequest
		json.NewDecoder(r.Body).Decode(&b)
		bodies = append(bodies, b)
		next := ""
		if b.Cursor == "" {
			next = "n1"
		}
		fmt.Fprintf(w, `{"data":{"principals":[{"type":"user","id":"u%s","roles":[]}]},"next_cursor":%q}`, b.Cursor, next)
	})
	var ids []string
	for p, err := range c.Principals.InspectMultipleIter(t.Context(), InspectMultipleRequest{ScopeType: ScopeAccount, Principals: []Principal{{PrincipalUser, "u"}}}) {
		if err != nil {
			t.Fatalf("iterator error %v", err)
		}
		ids = append(ids, p.ID)
	}
	if diff := cmp.Diff([]string{"u", "un1"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if len(bodies) != 2 || bodies[1].Cursor != "n1" || len(bodies[1].Principals) != 1 {
		t.Errorf("bodies = %+v", bodies)
	}
}

func TestInspectIter(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET "+p2+"/principal_roles/inspect", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cursor") == "" {
			fmt.Fprint(w, `{"data":{"principals":[{"type":"group","id":"g1","roles":[]}]},"next_cursor":"2"}`)
			return
		}
		fmt.Fprint(w, `{"data":{"principals":[{"type":"apiKey","id":"k1","roles":[]}]}}`)
	})
	var got []Principal
	for p, err := range c.Principals.InspectIter(t.Context(), InspectOptions{ScopeType: ScopeAccount}) {
		if err != nil {
			t.Fatalf("iterator error %v", err)
		}
		got = append(got, Principal{p.Type, p.ID})
	}
	if diff := cmp.Diff([]Principal{{PrincipalGroup, "g1"}, {PrincipalAPIKey, "k1"}}, got); diff != "" {
		t.Errorf("principals (-want +got):\n%s", diff)
	}
}
