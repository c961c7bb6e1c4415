package client

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestListSummaries: ListSummaries sends what List sends and decodes each
// user's summary fields as List decodes them, on the spec's example page,
// a page as the emulator answers a large account, and a page with keys in
// other case, escapes, nulls and repeated keys (encoding/json's rules).
func TestListSummaries(t *testing.T) {
	pages := map[string]string{
		"spec":   specExample(t, "Users"),
		"large":  string(userPage(5)),
		"quirks": `{"users":[{"ID":"u1","Email":"A@X.test","name":null,"role":"ad\u006din","root":true,"pending":null,"enabled":true,"enabled":false,"sub_account_count":3,"created_at":"2016-09-27T08:00:16\u005a","all_sub_accounts":true,"extra":{"id":"no"}},{"id":"u2","created_at":null,"sub_account_ids":["a"]}],"total":2}`,
	}
	for name, page := range pages {
		t.Run(name, func(t *testing.T) {
			c, mux, _ := setup(t)
			var queries []string
			mux.HandleFunc("GET "+p1+"/users", func(w http.ResponseWriter, r *http.Request) {
				queries = append(queries, r.URL.RawQuery)
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(page))
			})
			opts := &UserListOptions{SubAccountID: "pe1", Page: 3, PageSize: 100}
			full, err := c.Users.List(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Users.ListSummaries(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(full) == 0 {
				t.Fatal("no users in the page")
			}
			var want []UserSummary
			for _, u := range full {
				want = append(want, UserSummary{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, Root: u.Root, Pending: u.Pending, Enabled: u.Enabled,
					AllSubAccounts: u.AllSubAccounts, SubAccountCount: u.SubAccountCount, CreatedAt: u.CreatedAt})
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("summaries (-List +ListSummaries):\n%s", diff)
			}
			if len(queries) != 2 || queries[0] != queries[1] {
				t.Errorf("queries %q, want List's twice", queries)
			}
		})
	}
}
