package client

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestUserIDsOf: the ids of the users array, whatever else the answer and
// each user hold.
func TestUserIDsOf(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"spec page", `{"users":[{"id":"0abed8dfcc039ea05e2a1d494fd442","name":"A","email":"a@x.test","role":"admin","pending":false,"enabled":true,"all_sub_accounts":false,"sub_account_count":2,"providers":["google"],"email_preferences":{"id":"not a user","weekly":true}},{"email":"b@x.test","id":"u2"}]}`, []string{"0abed8dfcc039ea05e2a1d494fd442", "u2"}},
		{"empty page", `{"users":[]}`, nil},
		{"null users", `{"users":null,"total":0}`, nil},
		{"extra top-level fields first", ` { "next": {"users":[{"id":"no"}]}, "users" : [ {"id" : "a\"b\u0041\\"} ] } `, []string{`a"bA\`}},
		{"repeated keys: the last counts", `{"users":[{"id":"old"}],"users":[{"id":"x","id":"y"},{"name":"no id"}]}`, []string{"y"}},
		{"numbers and literals", `{"users":[{"n":-1.5e3,"ok":true,"x":null,"id":"u"}]}`, []string{"u"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := userIDsOf([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ids = %q, want %q", got, tc.want)
			}
		})
	}
	for _, bad := range []string{``, `{"users":[{"id":1}]}`, `{"users":[{"id":"a"}]`, `{"users":[{"id":"a"}]} x`, `{"users":[tru]}`, `{"users":[{"id":"a` + "\x01" + `"}]}`} {
		if _, err := userIDsOf([]byte(bad)); err == nil {
			t.Errorf("userIDsOf(%q) = nil error, want one", bad)
		}
	}
}

// FuzzUserIDsOf: on any input encoding/json reads as a users answer, the
// scanner finds the same ids; it never panics on the rest.
func FuzzUserIDsOf(f *testing.F) {
	f.Add(`{"users":[{"id":"a"},{"id":"b","x":{"id":"c"}}]}`)
	f.Add(`{"users":[{"id":"\u00e9\n"}],"users2":[1,2.5,true,null]}`)
	f.Add(`{"users":[]}`)
	f.Add(`{"us\u0065rs":[{"\u0069d":"x","n":"\u00e9"}]}`)
	f.Add("{\"users\":[{\"id\":\"\xff\xfe\"}]}")
	f.Add(`{"users":[{"a" :1,"id":"x"},{"b":1,"id":"y"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		got, err := userIDsOf([]byte(body))
		// The oracle: encoding/json with exact keys (it matches struct
		// fields case-insensitively; the scanner, like the API, does not).
		var top map[string]json.RawMessage
		var users []map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &top) != nil || json.Unmarshal(top["users"], &users) != nil {
			return
		}
		var (
			ids  []string
			alls []bool
		)
		for _, u := range users {
			raw, ok := u["id"]
			if !ok {
				continue
			}
			var id string
			if json.Unmarshal(raw, &id) != nil {
				if err == nil {
					t.Errorf("userIDsOf(%q) accepted a non-string id", body)
				}
				return
			}
			ids = append(ids, id)
			var all any
			_ = json.Unmarshal(u["all_sub_accounts"], &all)
			alls = append(alls, all == true)
		}
		if err != nil {
			t.Fatalf("userIDsOf(%q): %v, encoding/json reads it", body, err)
		}
		if !slices.Equal(got, ids) {
			t.Errorf("userIDsOf(%q) = %q, encoding/json finds %q", body, got, ids)
		}
		if _, gotAll, _ := userIDFlagsOf([]byte(body)); !slices.Equal(gotAll, alls) {
			t.Errorf("userIDFlagsOf(%q) all_sub_accounts = %v, encoding/json finds %v", body, gotAll, alls)
		}
	})
}

// userIDFlagsOf is userIDsOf with, for each id, whether its user's
// all_sub_accounts is true, as ListAllIDsWhere shows them to keep.
func userIDFlagsOf(b []byte) (ids []string, alls []bool, err error) {
	var l idList
	if err := l.scan(b); err != nil {
		return nil, nil, err
	}
	ids = l.appendTo(nil, b, func(_ []byte, all bool) bool {
		alls = append(alls, all)
		return true
	})
	return ids, alls, nil
}

// TestUserIDsAllSubAccounts: keep sees all_sub_accounts true only when the
// user's last such member is the literal true.
func TestUserIDsAllSubAccounts(t *testing.T) {
	body := `{"users":[` +
		`{"id":"t","all_sub_accounts":true},` +
		`{"id":"f","all_sub_accounts":false},` +
		`{"id":"none"},` +
		`{"all_sub_accounts":true,"id":"last-false","all_sub_accounts":false},` +
		`{"all_sub_accounts":false,"id":"last-true","all_sub_accounts":true},` +
		`{"id":"null","all_sub_accounts":null},` +
		`{"id":"string","all_sub_accounts":"true"},` +
		`{"id":"nested","x":{"all_sub_accounts":true}},` +
		`{"id":"escaped","all_sub\u005faccounts":true},` +
		`{"id":"spaced", "all_sub_accounts" : true }]}`
	ids, alls, err := userIDFlagsOf([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"t": true, "last-true": true, "escaped": true, "spaced": true}
	if len(ids) != 10 {
		t.Fatalf("ids = %q, want 10", ids)
	}
	for i, id := range ids {
		if alls[i] != want[id] {
			t.Errorf("user %s: all_sub_accounts seen as %t, want %t", id, alls[i], want[id])
		}
	}
}

// BenchmarkUserIDsOf: a page of 100 users as the service answers them;
// compare with BenchmarkUserPageDecode, encoding/json into []User.
func BenchmarkUserIDsOf(b *testing.B) {
	page := userPage(100)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := userIDsOf(page); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUserIDsOfReference: the recursive scanner userIDsOf replaced.
func BenchmarkUserIDsOfReference(b *testing.B) {
	page := userPage(100)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := refUserIDsOf(page); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUserPageDecode(b *testing.B) {
	page := userPage(100)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		var out struct {
			Users []User `json:"users"`
		}
		if err := json.Unmarshal(page, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// userPage is a page of n users as the emulator answers a large
// account's listing: about 470 bytes a user.
func userPage(n int) []byte {
	ts := Timestamp{time.Date(2026, 12, 2, 0, 42, 23, 0, time.UTC)}
	users := make([]User, n)
	for i := range users {
		users[i] = User{ID: fmt.Sprintf("%030x", i), Name: fmt.Sprintf("User %d", i), FirstName: "User", LastName: fmt.Sprint(i), Email: fmt.Sprintf("user-%05d@scale.example.com", i),
			Role: "media_library_user", Enabled: true, Status: "active", Providers: []string{"google"}, EmailPreferences: map[string]any{"weekly": true}, AccountID: "acc",
			AllSubAccounts: i%3 != 0, GroupCount: i % 4, SubAccountCount: 200, CreatedAt: ts, UpdatedAt: ts, LastLogin: ts}
	}
	b, _ := json.Marshal(map[string]any{"users": users})
	return b
}

// FuzzUserIDsOfMatchesReference: on any input, valid or not, the scanner
// finds the same ids and fails with the same error as the recursive
// scanner it replaced (users_ids_ref_test.go).
func FuzzUserIDsOfMatchesReference(f *testing.F) {
	for _, s := range scannerSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkMatchesReference(t, body)
	})
}

// TestUserIDsOfMatchesReference: a realistic page, whole and cut at every
// length.
func TestUserIDsOfMatchesReference(t *testing.T) {
	page := string(userPage(3))
	for n := range len(page) + 1 {
		checkMatchesReference(t, page[:n])
	}
}

var scannerSeeds = []string{
	`{"users":[{"id":"a"},{"id":"b","x":{"id":"c"}}]}`,
	`{"users":[{"id":"\u00e9\n"}],"users2":[1,2.5,true,null]}`,
	`{"users":[]}`,
	`{"us\u0065rs":[{"\u0069d":"x","n":"\u00e9"}]}`,
	"{\"users\":[{\"id\":\"\xff\xfe\"}]}",
	` { "users" : [ { "a" : [ 1 , [ ] , { } , { "b" : [ -0.5e+3 , "x\"" ] } ] , "id" : "u" } , null , 3 ] } `,
	`{"users":[{"a":{"b":{"c":[[[[{"d":1}]]]]}},"id":"deep"}]}`,
	`{"users":[{"a":{"\q":1},"id":"x"}]}`,
	`{"users":[{"a":[1,2,],"id":"x"}]}`,
	`{"users":[{"a":{"b":1,},"id":"x"}]}`,
	`{"users":[{"a":{"b" 1},"id":"x"}]}`,
	`{"users":[{"a":{1:2},"id":"x"}]}`,
	`{"users":[{"a":[1 2],"id":"x"}]}`,
	`{"users":[{"a":[1}],"id":"x"}]}`,
	`{"users":[{"a":{"b":1]},"id":"x"}]}`,
	`{"users":[{"a":-,"id":"x"}]}`,
	`{"users":[{"a":1.2.3,"id":"x"}]}`,
	`{"users":[{"a":--1,"id":"x"}]}`,
	`{"users":[{"a":1-,"id":"x"}]}`,
	`{"users":[{"a":00012,"id":"x"}]}`,
	`{"users":[{"a":1` + strings.Repeat("0", 400) + `,"id":"x"}]}`,
	`{"users":[{"a":tru,"id":"x"}]}`,
	`{"users":[{"a":nul`,
	`{"users":[{"a":[`,
	`{"users":[{"a":{`,
	`{"users":[{"a":{"b"`,
	`{"users":[{"a":"\"`,
	`{"users":[{"id":"x","id":1}]}`,
	`{"users":[{"id":"x","id":"\ud800"}]}`,
	`{"users":[{"id":"x"}],"users":null}`,
	`{"users":[{"id":"x"}],"users":{}}`,
	`{"users":[{"id":"\"}]}`,
	`{"users":[{}, {"id":""}, [{"id":"no"}]]}`,
	`{"users":[{"id":"x"}]}x`,
	"{\"users\":[{\"a\":\"\x01\",\"id\":\"x\"}]}",
	// Keys as the user before had them, or nearly.
	`{"users":[{"id":"a","name":"A"},{"id":"b","name":"B"},{"name":"C","id":"c"},{"id" :"d"},{"i\u0064":"e"},{"idx":"f","id":"g"},{"id":1}]}`,
	`{"users":[{"a":1,"id":"a"},{"a":1,"id":"b","a":2},{"a" : 1,"id":"c"},{"a":1}]}`,
	`{"users":[{"id":"a","n":{"id":"x"}},{"id":"b","n":{"id":"y"}}],"users":[{"id":"c"}]}`,
	`{"users":[{"id":"a"},{"id":"b`,
	`{"users":[{"id":"a"},{"id"`,
}

func checkMatchesReference(t *testing.T, body string) {
	t.Helper()
	got, err := userIDsOf([]byte(body))
	want, wantErr := refUserIDsOf([]byte(body))
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("userIDsOf(%q): error %v, the reference says %v", body, err, wantErr)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("userIDsOf(%q) = %q, the reference finds %q", body, got, want)
	}
}

// TestUserIDsOfKeyNotRemembered: a user whose first member's key is not
// plain (space before its colon) leaves no remembered key for that member,
// and the next user's first member must be read, not matched against the
// empty place. It panicked (slice bounds out of range) before.
func TestUserIDsOfKeyNotRemembered(t *testing.T) {
	for _, body := range []string{
		`{"users":[{"a" :1,"id":"x"},{"b":1,"id":"y"}]}`,
		`{"users":[{"a" :1,"id":"x"},{}]}`,
		`{"users":[{"a" : 1, "c":2,"id":"x"},{"b":1},{"id":"z"}]}`,
	} {
		checkMatchesReference(t, body)
		var want struct {
			Users []struct {
				ID *string `json:"id"`
			} `json:"users"`
		}
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, u := range want.Users {
			if u.ID != nil {
				ids = append(ids, *u.ID)
			}
		}
		got, err := userIDsOf([]byte(body))
		if err != nil || !slices.Equal(got, ids) {
			t.Errorf("userIDsOf(%s) = %q, %v; want %q", body, got, err, ids)
		}
	}
}
