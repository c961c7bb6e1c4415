package client

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestDebugLogRedactsSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, rec, _ := serve(t,
		exampleOK(t, "ProductEnvironment1"), // api_access_keys[].secret
		exampleOK(t, "MainAccessKey"),       // api_secret
		answer{status: 500, body: `<html>account://leakkey:leaksecret@acct "secret": "htmlsecret"</html>`})
	logged, err := New(WithCredentials(testAccount, testKey, testSecret), WithBaseURL(c.BaseURL()), WithLogger(logger),
		WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := logged.ProductEnvironments.Get(t.Context(), "pe1"); err != nil {
		t.Fatal(err)
	}
	if _, err := logged.AccessKeys.Update(t.Context(), "pe1", "814814814814814", UpdateAccessKeyRequest{Name: Ptr("account://k:reqsecret@a")}); err != nil {
		t.Fatal(err)
	}
	logged.Users.Get(t.Context(), "u1")
	out := buf.String()
	for _, secret := range []string{testSecret, "asdf1JKL2xyz3ABc4s3c5reT01DfaKez", "QcsQcsQcsQcsQcsQcsQcsQcsQcs", "leaksecret", "htmlsecret", "reqsecret",
		"Basic ", "Authorization"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"REDACTED", "status=200", "status=500", "method=PUT", "/sub_accounts/pe1", "814814814814814", "duration="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	// Logging must not eat the bodies the client decodes.
	if n := len(rec.requests()); n != 3 {
		t.Errorf("server saw %d requests", n)
	}
}

func TestRedactBody(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		`{"api_secret":"x","nested":[{"secret":"y","key":"k"}]}`: `{"api_secret":"REDACTED","nested":[{"key":"k","secret":"REDACTED"}]}`,
		`{"url":"account://a:b@c"}`:                              `{"url":"account://REDACTED"}`,
		`{"api_secret":"x", "trunc`:                              `{"api_secret":"REDACTED", "trunc`,
		`plain account://a:b@c text`:                             `plain account://REDACTED text`,
		``:                                                       ``,
	}
	for in, want := range tests {
		if got := redactBody([]byte(in)); got != want {
			t.Errorf("redactBody(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("a", 3*maxLogBody)
	if got := redactBody([]byte(long)); len(got) > maxLogBody+4 {
		t.Errorf("redactBody did not truncate: %d bytes", len(got))
	}
}
