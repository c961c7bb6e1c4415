package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestEmulatorGenerate starts `cldsync emulator --generate ... --rate-limit
// 50/s` and checks the generated users are served, with the rate-limit
// headers.
func TestEmulatorGenerate(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"emulator", "--listen", "127.0.0.1:0", "--rate-limit", "50/s",
			"--generate", "users=30,groups=3,environments=2,roles=2,policies=2,assignments=5"},
			streams{Stdout: pw, Stderr: io.Discard, Getenv: func(string) string { return "" }})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read base URL: %v", err)
	}
	base := strings.TrimSpace(line)
	go io.Copy(io.Discard, pr)

	req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/v1_1/provisioning/accounts/acc/users?page_size=100", nil)
	req.SetBasicAuth("key", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Users []json.RawMessage `json:"users"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(body.Users) != 31 { // 30 generated and the root user
		t.Errorf("getUsers returned %d users, want 31", len(body.Users))
	}
	if got := resp.Header.Get("X-FeatureRateLimit-Limit"); got != "50" {
		t.Errorf("X-FeatureRateLimit-Limit = %q, want 50 (from --rate-limit 50/s)", got)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("emulator exited %d after cancellation, want 0", code)
	}
}

func TestEmulatorFlagErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"bad generate":   {"--generate", "users=x"},
		"unknown kind":   {"--generate", "people=3"},
		"bad rate limit": {"--rate-limit", "fast"},
		"negative rate":  {"--rate-limit", "-3/s"},
	} {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(t.Context(), append([]string{"emulator", "--listen", "127.0.0.1:0"}, args...),
				streams{Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }})
			if code == 0 {
				t.Fatalf("emulator %v exited 0, want an error", args)
			}
			if !strings.Contains(stderr.String(), args[0]) && !strings.Contains(stderr.String(), "rate") {
				t.Errorf("stderr %q does not name the flag", stderr.String())
			}
		})
	}
}
