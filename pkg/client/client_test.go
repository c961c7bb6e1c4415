package client

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"default", nil, "https://api.cloudinary.com"},
		{"region", []Option{WithRegion("api-eu")}, "https://api-eu.cloudinary.com"},
		{"region ap", []Option{WithRegion("api-ap")}, "https://api-ap.cloudinary.com"},
		{"base URL wins", []Option{WithRegion("api-eu"), WithBaseURL("http://127.0.0.1:9/prefix/")}, "http://127.0.0.1:9/prefix"},
	}
	for _, tc := range tests {
		c, err := New(tc.opts...)
		if err != nil {
			t.Fatalf("%s: New returned %v", tc.name, err)
		}
		if got := c.BaseURL(); got != tc.want {
			t.Errorf("%s: BaseURL() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	bad := map[string]Option{
		"region":       WithRegion("us"),
		"base scheme":  WithBaseURL("ftp://x"),
		"base no host": WithBaseURL("http://"),
		"base creds":   WithBaseURL("https://k:s@api.cloudinary.com"),
		"base query":   WithBaseURL("https://api.cloudinary.com/?a=b"),
		"http client":  WithHTTPClient(nil),
		"timeout":      WithTimeout(0),
		"clock":        WithClock(nil),
		"logger":       WithLogger(nil),
		"user agent":   WithUserAgent("x\r\ny"),
		"version":      WithVersion(""),
		"creds empty":  WithCredentials("a", "", "s"),
		"creds id":     WithCredentials("a/b", "k", "s"),
	}
	for name, o := range bad {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New succeeded", name)
		} else if strings.Contains(err.Error(), "k:s@") {
			t.Errorf("%s: error %q shows credentials", name, err)
		}
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	c, rec, _ := serve(t, ok(`{"id":"u1"}`))
	c2, err := New(WithCredentials(testAccount, testKey, testSecret), WithBaseURL(c.BaseURL()),
		WithVersion("1.2.3"), WithUserAgent("ci/7"), WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Users.Get(t.Context(), "u1"); err != nil {
		t.Fatalf("Get returned %v", err)
	}
	h := rec.requests()[0].Header
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testKey+":"+testSecret))
	if got := h.Get("Authorization"); got != wantAuth {
		t.Errorf("Authorization = %q, want %q", got, wantAuth)
	}
	if got := h.Get("User-Agent"); got != "cldsync/1.2.3 ci/7" {
		t.Errorf("User-Agent = %q", got)
	}
	if got := h.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q", got)
	}
	d, _ := New()
	if d.UserAgent() != "cldsync/dev" {
		t.Errorf("default User-Agent = %q", d.UserAgent())
	}
}

func TestPublicWithoutCredentials(t *testing.T) {
	t.Parallel()
	c, rec, _ := serve(t, ok(`{"valid":true}`))
	anon, err := New(WithBaseURL(c.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	v, err := anon.Public.ValidatePolicy(t.Context(), ValidateCedarPolicyRequest{Policy: "p"})
	if err != nil || !v.Valid {
		t.Fatalf("ValidatePolicy = %+v, %v", v, err)
	}
	if h := rec.requests()[0].Header.Get("Authorization"); h != "" {
		t.Errorf("anonymous client sent Authorization %q", h)
	}
	if _, err := anon.Users.Get(t.Context(), "u1"); err == nil || !strings.Contains(err.Error(), "no account id") {
		t.Errorf("account call without credentials returned %v", err)
	}
	if n := len(rec.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestPathEscaping(t *testing.T) {
	t.Parallel()
	c, rec, _ := serve(t, ok(`{"data":{"id":"x"}}`))
	refused := []string{"", "a/b", "..", "a..b", "../users", "x\\y", "a\nb"}
	for _, id := range refused {
		if _, err := c.Roles.Get(t.Context(), id, nil); !errors.Is(err, ErrInvalidID) {
			t.Errorf("Roles.Get(%q) returned %v, want ErrInvalidID", id, err)
		}
		if err := c.AccessKeys.Delete(t.Context(), "pe1", id); !errors.Is(err, ErrInvalidID) {
			t.Errorf("AccessKeys.Delete(%q) returned %v, want ErrInvalidID", id, err)
		}
	}
	if err := c.AccessKeys.DeleteByName(t.Context(), "pe1", ""); !errors.Is(err, ErrInvalidID) {
		t.Errorf("DeleteByName(\"\") returned %v", err)
	}
	if n := len(rec.requests()); n != 0 {
		t.Fatalf("refused ids sent %d requests", n)
	}
	// Ids that are safe but need escaping are escaped, not refused.
	if _, err := c.Roles.Get(t.Context(), "custom role?#%", nil); err != nil {
		t.Fatalf("Get returned %v", err)
	}
	if got, want := rec.requests()[0].Path, p2+"/roles/custom%20role%3F%23%25"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestSuccessBodyEdgeCases(t *testing.T) {
	t.Parallel()
	c, _, _ := serve(t, answer{status: http.StatusOK, body: `{not json`})
	if _, err := c.Users.Get(t.Context(), "u1"); err == nil || !strings.Contains(err.Error(), "getUser: decode response") {
		t.Errorf("Get with a broken body returned %v", err)
	}
	c2, _, _ := serve(t, answer{status: http.StatusOK, body: ""})
	if err := c2.Users.Delete(t.Context(), "u1"); err != nil {
		t.Errorf("Delete with an empty 200 returned %v", err)
	}
}
