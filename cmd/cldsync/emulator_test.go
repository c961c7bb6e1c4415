package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
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
				req, _ := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
				req.SetBasicAuth("k", "s")
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return string(b)
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
