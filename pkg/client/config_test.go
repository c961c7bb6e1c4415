package client

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr []string // substrings of the error
	}{
		{name: "account URL",
			env:  map[string]string{EnvAccountURL: "account://key1:sec1@acct1"},
			want: Config{AccountID: "acct1", APIKey: "key1", APISecret: "sec1", AccountIDFrom: EnvAccountURL, APIKeyFrom: EnvAccountURL, APISecretFrom: EnvAccountURL}},
		{name: "individual vars win over the URL",
			env: map[string]string{EnvAccountURL: "account://key1:sec1@acct1", EnvAccountID: "acct2",
				EnvAPIKey: "key2", EnvAPISecret: "sec2"},
			want: Config{AccountID: "acct2", APIKey: "key2", APISecret: "sec2",
				AccountIDFrom: EnvAccountID, APIKeyFrom: EnvAPIKey, APISecretFrom: EnvAPISecret}},
		{name: "one var overrides, others from the URL",
			env: map[string]string{EnvAccountURL: "account://key1:sec1@acct1", EnvAPISecret: "sec2"},
			want: Config{AccountID: "acct1", APIKey: "key1", APISecret: "sec2",
				AccountIDFrom: EnvAccountURL, APIKeyFrom: EnvAccountURL, APISecretFrom: EnvAPISecret}},
		{name: "individual vars only, region, base URL, debug",
			env: map[string]string{EnvAccountID: "a", EnvAPIKey: "k", EnvAPISecret: "sekrit9", EnvRegion: "api-eu",
				EnvAPIURL: "http://127.0.0.1:8080", EnvDebug: "1"},
			want: Config{AccountID: "a", APIKey: "k", APISecret: "sekrit9", Region: "api-eu", BaseURL: "http://127.0.0.1:8080", Debug: true,
				AccountIDFrom: EnvAccountID, APIKeyFrom: EnvAPIKey, APISecretFrom: EnvAPISecret}},
		{name: "nothing set names every variable", env: map[string]string{},
			wantErr: []string{EnvAccountID, EnvAPIKey, EnvAPISecret, EnvAccountURL}},
		{name: "missing secret", env: map[string]string{EnvAccountID: "a", EnvAPIKey: "k"},
			wantErr: []string{"missing Account API secret: set " + EnvAPISecret}},
		{name: "percent-encoded secret", env: map[string]string{EnvAccountURL: "account://key1:a%2Fb%3Fc%23d%25e%20f@acct1"},
			want: Config{AccountID: "acct1", APIKey: "key1", APISecret: "a/b?c#d%e f", AccountIDFrom: EnvAccountURL, APIKeyFrom: EnvAccountURL, APISecretFrom: EnvAccountURL}},
		{name: "wrong scheme", env: map[string]string{EnvAccountURL: "cloudinary://key1:topsecret@acct1"},
			wantErr: []string{EnvAccountURL, `scheme "cloudinary"`}},
		{name: "no secret in URL", env: map[string]string{EnvAccountURL: "account://key1@acct1"},
			wantErr: []string{EnvAccountURL, "lacks SECRET"}},
		{name: "unparsable URL", env: map[string]string{EnvAccountURL: "account://key1:top%zzsecret@acct1"},
			wantErr: []string{EnvAccountURL, "not a URL", "percent-encode", "%25"}},
		// Special characters in the secret: each error says how to write
		// it, and never shows it (s3cr3t is checked below).
		{name: "slash in the secret", env: map[string]string{EnvAccountURL: "account://key1:top/s3cr3t@acct1"},
			wantErr: []string{EnvAccountURL, "percent-encode", "/ as %2F", EnvAccountID, EnvAPIKey, EnvAPISecret}},
		{name: "question mark in the secret", env: map[string]string{EnvAccountURL: "account://key1:top?s3cr3t@acct1"},
			wantErr: []string{EnvAccountURL, "percent-encode", "? as %3F"}},
		{name: "hash in the secret", env: map[string]string{EnvAccountURL: "account://key1:top#s3cr3t@acct1"},
			wantErr: []string{EnvAccountURL, "percent-encode", "# as %23"}},
		{name: "hash in a numeric secret", env: map[string]string{EnvAccountURL: "account://key1:123#s3cr3t@acct1"},
			wantErr: []string{EnvAccountURL, "percent-encode"}},
		{name: "space in the secret", env: map[string]string{EnvAccountURL: "account://key1:top s3cr3t@acct1"},
			wantErr: []string{EnvAccountURL, "percent-encode"}},
		{name: "fragment", env: map[string]string{EnvAccountURL: "account://key1:topsecret@acct1#s3cr3t"},
			wantErr: []string{EnvAccountURL, "fragment"}},
		{name: "bad region", env: map[string]string{EnvAccountURL: "account://k:topsecret@a", EnvRegion: "api-us"},
			wantErr: []string{EnvRegion, "api-us"}},
		{name: "bad base URL", env: map[string]string{EnvAccountURL: "account://k:topsecret@a", EnvAPIURL: "ftp://x"},
			wantErr: []string{EnvAPIURL, "scheme"}},
		{name: "bad debug", env: map[string]string{EnvAccountURL: "account://k:topsecret@a", EnvDebug: "verbose"},
			wantErr: []string{EnvDebug}},
		{name: "bad account id", env: map[string]string{EnvAccountID: "../x", EnvAPIKey: "k", EnvAPISecret: "topsecret"},
			wantErr: []string{EnvAccountID, "invalid id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ConfigFromEnv(env(tc.env))
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ConfigFromEnv succeeded with %+v", got)
				}
				for _, s := range tc.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				for _, secret := range []string{"topsecret", "top%zzsecret", "s3cr3t", "key1"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error %q echoes the secret", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ConfigFromEnv returned %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Config (-want +got):\n%s", diff)
			}
			if strings.Contains(got.String(), string(got.APISecret)) {
				t.Errorf("Config.String() = %q shows the secret", got.String())
			}
		})
	}
}

func TestNewFromEnv(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var buf bytes.Buffer
	mux.Handle("/", &recorder{answers: []answer{ok(`{"id":"u1"}`)}})
	c2, err := NewFromEnv(env(map[string]string{EnvAccountURL: "account://k:topsecret@acct", EnvAPIURL: c.BaseURL(), EnvDebug: "1"}),
		WithDebugWriter(&buf))
	if err != nil {
		t.Fatalf("NewFromEnv returned %v", err)
	}
	if c2.AccountID() != "acct" || c2.BaseURL() != c.BaseURL() {
		t.Errorf("client account %q base %q", c2.AccountID(), c2.BaseURL())
	}
	if _, err := c2.Users.Get(t.Context(), "u1"); err != nil {
		t.Fatalf("Get returned %v", err)
	}
	if !strings.Contains(buf.String(), "/v1_1/provisioning/accounts/acct/users/u1") {
		t.Errorf("debug log lacks the request: %q", buf.String())
	}
	if strings.Contains(buf.String(), "topsecret") {
		t.Errorf("debug log shows the secret: %q", buf.String())
	}
	if _, err := NewFromEnv(env(nil)); err == nil {
		t.Error("NewFromEnv with an empty environment succeeded")
	}
}

// Describe says which credentials were sent and where each came from,
// never the secret, and no base URL (the emulator's differs run to run).
func TestConfigDescribe(t *testing.T) {
	t.Parallel()
	cfg, err := ConfigFromEnv(env(map[string]string{EnvAccountURL: "account://key1:s3cr3t@acct1", EnvAPIKey: "key2", EnvRegion: "api-eu"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `account id: acct1 (from CLOUDINARY_ACCOUNT_URL)
API key:    key2 (from CLOUDINARY_PROVISIONING_API_KEY)
API secret: not shown (from CLOUDINARY_ACCOUNT_URL)
API host:   https://api-eu.cloudinary.com, region api-eu (from CLOUDINARY_REGION)`
	if diff := cmp.Diff(want, cfg.Describe()); diff != "" {
		t.Errorf("Describe (-want +got):\n%s", diff)
	}
	cfg.BaseURL = "http://127.0.0.1:41234"
	if got := cfg.Describe(); strings.Contains(got, "41234") || !strings.Contains(got, EnvAPIURL) {
		t.Errorf("Describe with a base URL = %q, want it named by %s, not shown", got, EnvAPIURL)
	}
}
