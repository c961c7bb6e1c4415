package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeGitHub is the part of GitHub's issue-comments API that
// github-comment uses, serving pages of two comments linked by Link
// headers, and checking the token on every request.
type fakeGitHub struct {
	t        *testing.T
	mu       sync.Mutex
	srv      *httptest.Server
	nextID   int64
	comments map[int][]ghComment // by issue number
	requests []string
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	f := &fakeGitHub{t: t, nextID: 100, comments: map[int][]ghComment{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/acme/config/issues/{n}/comments", f.list)
	mux.HandleFunc("POST /repos/acme/config/issues/{n}/comments", f.create)
	mux.HandleFunc("PATCH /repos/acme/config/issues/comments/{id}", f.update)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, r.Method+" "+r.URL.Path)
		if r.Header.Get("Authorization") != "Bearer tok3n" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"Bad credentials"}`)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// add stores a comment someone else wrote.
func (f *fakeGitHub) add(issue int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.comments[issue] = append(f.comments[issue], ghComment{ID: f.nextID, Body: body, HTMLURL: fmt.Sprintf("https://github.test/c/%d", f.nextID)})
}

func (f *fakeGitHub) list(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("n"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	all := f.comments[n]
	lo, hi := min((page-1)*2, len(all)), min(page*2, len(all))
	if hi < len(all) {
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?per_page=100&page=%d>; rel="next", <%s%s?page=9>; rel="last"`, f.srv.URL, r.URL.Path, page+1, f.srv.URL, r.URL.Path))
	}
	_ = json.NewEncoder(w).Encode(all[lo:hi])
}

func (f *fakeGitHub) create(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("n"))
	var in struct{ Body string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return
	}
	f.nextID++
	c := ghComment{ID: f.nextID, Body: in.Body, HTMLURL: fmt.Sprintf("https://github.test/c/%d", f.nextID)}
	f.comments[n] = append(f.comments[n], c)
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(c)
}

func (f *fakeGitHub) update(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var in struct{ Body string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return
	}
	for n, cs := range f.comments {
		for i := range cs {
			if cs[i].ID == id {
				f.comments[n][i].Body = in.Body
				_ = json.NewEncoder(w).Encode(f.comments[n][i])
				return
			}
		}
	}
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, `{"message":"Not Found"}`)
}

func (f *fakeGitHub) bodies(issue int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.comments[issue] {
		out = append(out, c.Body)
	}
	return out
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGithubComment posts a plan twice to a pull request that already has
// other comments (over several pages): the first run creates the comment,
// the second updates it, and other comments are left alone.
func TestGithubComment(t *testing.T) {
	t.Parallel()
	gh := newFakeGitHub(t)
	gh.add(7, "LGTM")
	gh.add(7, "<!-- cldsync:other-config -->\nanother configuration's plan")
	gh.add(7, "please look")
	gh.add(8, "<!-- cldsync:cldsync-plan -->\non another pull request")
	env := map[string]string{"GITHUB_TOKEN": "tok3n"}
	args := func(file string) []string {
		return []string{"github-comment", "--pr", "7", "--repo", "acme/config", "--api-url", gh.srv.URL, file}
	}

	code, out, stderr := runCLI(t, env, args(writeTemp(t, "plan.md", "**Plan: 1 to add, 0 to change, 0 to destroy.**\n"))...)
	if code != 0 {
		t.Fatalf("first run exited %d; stderr:\n%s", code, stderr)
	}
	if want := "Created comment https://github.test/c/105\n"; out != want {
		t.Errorf("first run printed %q, want %q", out, want)
	}
	code, out, stderr = runCLI(t, env, args(writeTemp(t, "plan.md", "**No changes. The account matches the configuration.**\n"))...)
	if code != 0 {
		t.Fatalf("second run exited %d; stderr:\n%s", code, stderr)
	}
	if want := "Updated comment https://github.test/c/105\n"; out != want {
		t.Errorf("second run printed %q, want %q", out, want)
	}
	want := []string{
		"LGTM",
		"<!-- cldsync:other-config -->\nanother configuration's plan",
		"please look",
		"<!-- cldsync:cldsync-plan -->\n**No changes. The account matches the configuration.**\n",
	}
	if diff := cmp.Diff(want, gh.bodies(7)); diff != "" {
		t.Errorf("comments on #7 mismatch (-want +got):\n%s", diff)
	}
	if got := len(gh.bodies(8)); got != 1 {
		t.Errorf("#8 has %d comments, want 1 (untouched)", got)
	}
	for _, r := range gh.requests {
		if strings.HasPrefix(r, "POST") && r != "POST /repos/acme/config/issues/7/comments" {
			t.Errorf("unexpected request %s", r)
		}
	}
}

func TestGithubCommentErrors(t *testing.T) {
	t.Parallel()
	gh := newFakeGitHub(t)
	plan := writeTemp(t, "plan.md", "**No changes.**\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no token", nil, []string{"--pr", "7", "--repo", "acme/config", plan}, "GITHUB_TOKEN is not set"},
		{"bad token", map[string]string{"GITHUB_TOKEN": "wrong"}, []string{"--pr", "7", "--repo", "acme/config", plan},
			"github: GET /repos/acme/config/issues/7/comments: 401 Unauthorized: Bad credentials"},
		{"bad repo", map[string]string{"GITHUB_TOKEN": "tok3n"}, []string{"--pr", "7", "--repo", "../x", plan}, `--repo "../x": want OWNER/NAME`},
		{"too long", map[string]string{"GITHUB_TOKEN": "tok3n"},
			[]string{"--pr", "7", "--repo", "acme/config", writeTemp(t, "big.md", strings.Repeat("x", githubCommentMax))},
			"GitHub accepts 65536"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"github-comment", "--api-url", gh.srv.URL}, tt.args...)
			code, _, stderr := runCLI(t, tt.env, args...)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("github-comment exited %d with stderr %q, want 1 and %q", code, stderr, tt.want)
			}
			if strings.Contains(stderr, "wrong") || strings.Contains(stderr, "tok3n") {
				t.Errorf("stderr shows the token: %q", stderr)
			}
		})
	}
}
