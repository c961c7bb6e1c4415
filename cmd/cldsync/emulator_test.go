package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// startEmulator runs `cldsync emulator` with args on a free port for
// account a1 (key k, secret s) and returns its base URL, reading it from
// the first line of stdout, and a stop function returning the exit code.
func startEmulator(t *testing.T, args ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"emulator", "--listen", "127.0.0.1:0", "--account-id", "a1", "--api-key", "k", "--api-secret", "s"}, args...),
			streams{Stdout: pw, Stderr: io.Discard, Getenv: func(string) string { return "" }})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read base URL: %v", err)
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q is not a base URL", line)
	}
	go io.Copy(io.Discard, pr)
	return base + "/v1_1/provisioning/accounts/a1", func() int { cancel(); return <-done }
}

// TestEmulatorCommand starts `cldsync emulator` on a free port, reads the
// base URL from the first line of stdout and makes an authenticated call.
func TestEmulatorCommand(t *testing.T) {
	base, stop := startEmulator(t)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/user_groups", nil)
	req.SetBasicAuth("k", "s")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET user_groups: status %d, want 200", resp.StatusCode)
	}
	req.SetBasicAuth("k", "wrong")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("wrong secret: status %d, want 401", resp.StatusCode)
	}
	if code := stop(); code != 0 {
		t.Errorf("emulator exited %d after cancellation, want 0", code)
	}
}

// TestEmulatorProfile: --profile live answers deleteUserGroup as the live
// service does, the default (spec) as the spec says.
func TestEmulatorProfile(t *testing.T) {
	for args, want := range map[string]string{"": `{"message":"ok"}`, "--profile=spec": `{"message":"ok"}`, "--profile=live": `{"ok":true}`} {
		t.Run(args, func(t *testing.T) {
			var extra []string
			if args != "" {
				extra = []string{args}
			}
			base, stop := startEmulator(t, extra...)
			defer stop()
			send := func(method, path, body string) string {
				_, got := emuRequest(t, method, base+path, body, "s")
				return got
			}
			var g struct{ ID string }
			if err := json.Unmarshal([]byte(send("POST", "/user_groups", `{"name":"g"}`)), &g); err != nil || g.ID == "" {
				t.Fatalf("create group: %v", err)
			}
			if got := send("DELETE", "/user_groups/"+g.ID, ""); got != want {
				t.Errorf("deleteUserGroup answered %s, want %s", got, want)
			}
		})
	}
	if code := run(t.Context(), []string{"emulator", "--profile", "prod"}, streams{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}); code == 0 {
		t.Error("--profile prod was accepted")
	}
}

// TestEmulatorBannerNamesProfile: the line on stderr says which profile
// answers, so that a run against the wrong one is seen at once.
func TestEmulatorBannerNamesProfile(t *testing.T) {
	for _, tc := range []struct{ args, want string }{{"", "(profile spec)"}, {"--profile=live", "(profile live)"}} {
		ctx, cancel := context.WithCancel(t.Context())
		pr, pw := io.Pipe()
		args := []string{"emulator", "--listen", "127.0.0.1:0"}
		if tc.args != "" {
			args = append(args, tc.args)
		}
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, args, streams{Stdout: io.Discard, Stderr: pw, Getenv: func(string) string { return "" }})
			pw.Close()
		}()
		line, err := bufio.NewReader(pr).ReadString('\n')
		go io.Copy(io.Discard, pr)
		cancel()
		<-done
		if err != nil || !strings.Contains(line, tc.want) {
			t.Errorf("emulator %s: stderr %q (%v), want it to name %s", tc.args, line, err, tc.want)
		}
	}
}

// TestEmulatorClock: --clock stops the account's clock (seeded objects
// included) and PUT /_emulator/clock moves it, with the account's
// credentials, so access keys can be made old enough to rotate by hand.
func TestEmulatorClock(t *testing.T) {
	seed := t.TempDir() + "/seed.yaml"
	if err := os.WriteFile(seed, []byte("environments:\n  - {cloud_name: acme-prod, name: Acme, access_keys: [{name: main}]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, stop := startEmulator(t, "--clock", "2026-01-01T00:00:00Z", "--seed", seed)
	defer stop()
	root := base[:strings.Index(base, "/v1_1/")]
	send := func(method, url, body, secret string) (int, string) {
		t.Helper()
		code, got := emuRequest(t, method, url, body, secret)
		return code, strings.TrimSpace(got)
	}
	var envs struct {
		SubAccounts []struct{ ID string } `json:"sub_accounts"`
	}
	if _, body := send("GET", base+"/sub_accounts", "", "s"); json.Unmarshal([]byte(body), &envs) != nil || len(envs.SubAccounts) != 1 {
		t.Fatalf("sub_accounts: %s", body)
	}
	keys := base + "/sub_accounts/" + envs.SubAccounts[0].ID + "/access_keys"
	createdAt := func(name string) string {
		_, body := send("GET", keys, "", "s")
		var page struct {
			AccessKeys []struct {
				Name      string `json:"name"`
				CreatedAt string `json:"created_at"`
			} `json:"access_keys"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatalf("access_keys: %v: %s", err, body)
		}
		for _, k := range page.AccessKeys {
			if k.Name == name {
				return k.CreatedAt
			}
		}
		t.Fatalf("no key %s in %s", name, body)
		return ""
	}
	if got := createdAt("main"); got != "2026-01-01T00:00:00Z" {
		t.Errorf("seeded key created_at %s, want --clock's time", got)
	}
	for _, tc := range []struct{ method, body, secret, want string }{
		{"GET", "", "s", "2026-01-01T00:00:00Z"},
		{"PUT", "2026-04-11T00:00:00Z", "wrong", "the account's API key and secret are needed"},
		{"PUT", "next week", "s", "want an RFC 3339 time such as 2026-04-11T00:00:00Z, or nothing for the real clock"},
		{"PUT", "2026-04-11T00:00:00Z\n", "s", "2026-04-11T00:00:00Z"},
	} {
		if _, got := send(tc.method, root+"/_emulator/clock", tc.body, tc.secret); got != tc.want {
			t.Errorf("%s %q: %q, want %q", tc.method, tc.body, got, tc.want)
		}
	}
	if code, body := send("POST", keys, `{"name":"ci"}`, "s"); code != 200 {
		t.Fatalf("create key: %d %s", code, body)
	}
	if got := createdAt("ci"); got != "2026-04-11T00:00:00Z" {
		t.Errorf("key created after PUT: created_at %s, want the time put", got)
	}
	if _, got := send("PUT", root+"/_emulator/clock", "", "s"); got != "real" {
		t.Errorf("an empty PUT answered %q, want real", got)
	}
}

// emuRequest sends a JSON request as key k with secret to a started
// emulator and returns the status and body.
func emuRequest(t *testing.T, method, url, body, secret string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	req.SetBasicAuth("k", secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
