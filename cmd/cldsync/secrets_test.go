package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
)

// The secret check: credentials never appear in output, logs, errors or
// saved plans. Every path a secret can take is fed one, and every byte
// cldsync writes (stdout, stderr with CLDSYNC_DEBUG=1 logging, saved plan
// files) is searched for every secret.

const (
	secretAPISecret = "Pr0v-SECRET-7d1e0a9c44"
	secretWrong     = "Wr0ng-SECRET-b83f21"
	secretInURL     = "Url-SECRET-55aa01"
)

const secretsConfig = `version: 1
prune: [users, groups]
environments:
  - {cloud_name: acme-prod, name: Acme Production}
  - {cloud_name: acme-new, name: Acme New}
users:
  - {email: owner@example.com}
  - {email: ana@acme.test, name: Ana, role: admin}
groups:
  - {name: designers, members: [ana@acme.test]}
`

const secretsSeed = `environments:
  - {cloud_name: acme-prod, name: Acme Prod}
  - {cloud_name: acme-keys, name: Keys, access_keys: [{name: main}, {name: ci}]}
users:
  - {email: old@acme.test, role: admin}
`

type secretsRun struct {
	t       *testing.T
	env     map[string]string
	secrets []string
	out     bytes.Buffer // every byte written, all runs together
}

func (r *secretsRun) getenv(k string) string { return r.env[k] }

// run runs cldsync and collects what it wrote.
func (r *secretsRun) run(args ...string) int {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(r.t.Context(), args, streams{Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""), Getenv: r.getenv})
	fmt.Fprintf(&r.out, "$ cldsync %s (exit %d)\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	return code
}

func (r *secretsRun) file(path string) {
	r.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		r.t.Fatalf("read %s: %v", path, err)
	}
	fmt.Fprintf(&r.out, "--- %s\n%s", path, b)
}

func (r *secretsRun) check() {
	r.t.Helper()
	out := r.out.String()
	for _, s := range r.secrets {
		if s == "" {
			r.t.Fatal("an empty secret: the test would prove nothing")
		}
		if i := strings.Index(out, s); i >= 0 {
			lo, hi := max(0, i-200), min(len(out), i+len(s)+50)
			r.t.Errorf("secret %q leaked:\n...%s...", s, out[lo:hi])
		}
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	// It has its own emulator and passes the environment in-process:
	// nothing stops it running beside the other parallel tests.
	t.Parallel()
	emu := emulator.New(emulator.Options{AccountID: "acc", APIKey: "key", APISecret: secretAPISecret})
	if err := emu.LoadSeed(strings.NewReader(secretsSeed)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	defer srv.Close()

	// The product environments' access-key secrets, which the API returns
	// in every environment listing that plan reads.
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", secretAPISecret))
	if err != nil {
		t.Fatal(err)
	}
	envs, err := c.ProductEnvironments.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{secretAPISecret, secretWrong, secretInURL}
	for _, e := range envs {
		for _, k := range e.APIAccessKeys {
			secrets = append(secrets, k.Secret.Reveal())
		}
		keys, err := c.AccessKeys.List(t.Context(), e.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys.AccessKeys {
			secrets = append(secrets, k.APISecret.Reveal())
		}
	}
	if len(secrets) < 5 {
		t.Fatalf("found %d secrets; the seed should give environments access keys", len(secrets))
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "cldsync.yaml")
	if err := os.WriteFile(cfg, []byte(secretsConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	good := map[string]string{
		"CLDSYNC_API_URL":        srv.URL,
		"CLOUDINARY_ACCOUNT_URL": "account://key:" + secretAPISecret + "@acc",
		"NO_COLOR":               "1",
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range good {
			m[k] = v
		}
		for k, v := range extra {
			if v == "" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	r := &secretsRun{t: t, secrets: secrets}

	for _, debug := range []string{"", "1"} {
		// Credentials from the URL, and from the separate variables.
		for _, env := range []map[string]string{
			with(map[string]string{"CLDSYNC_DEBUG": debug}),
			with(map[string]string{"CLDSYNC_DEBUG": debug, "CLOUDINARY_ACCOUNT_URL": "",
				"CLOUDINARY_ACCOUNT_ID": "acc", "CLOUDINARY_PROVISIONING_API_KEY": "key", "CLOUDINARY_PROVISIONING_API_SECRET": secretAPISecret}),
		} {
			r.env = env
			r.run("validate", cfg)
			saved := filepath.Join(t.TempDir(), "plan.json")
			if code := r.run("plan", "--out", saved, cfg); code != 0 {
				t.Fatalf("plan failed (exit %d):\n%s", code, r.out.String())
			}
			r.file(saved)
			r.run("plan", "--format", "json", cfg)
			r.run("plan", "--format", "markdown", cfg)
			r.run("drift", cfg)
		}

		// A failing apply: the API answers 500 to one create, then the rest.
		r.env = with(map[string]string{"CLDSYNC_DEBUG": debug})
		emu.InjectFault(emulator.Fault{Op: "createUserGroup", Status: 500})
		emu.InjectFault(emulator.Fault{Op: "createUserGroup", Status: 500})
		emu.InjectFault(emulator.Fault{Op: "createUserGroup", Status: 500})
		r.run("apply", "--auto-approve", "--allow-environment-deletes", cfg)
		r.run("apply", "--auto-approve", "--format", "json", cfg)

		// Wrong credentials: 401 answers.
		r.env = with(map[string]string{"CLDSYNC_DEBUG": debug, "CLOUDINARY_ACCOUNT_URL": "account://key:" + secretWrong + "@acc"})
		if code := r.run("plan", cfg); code == 0 {
			t.Error("plan with a wrong secret succeeded")
		}
		r.env = with(map[string]string{"CLDSYNC_DEBUG": debug, "CLOUDINARY_PROVISIONING_API_SECRET": secretWrong})
		r.run("apply", "--auto-approve", cfg)

		// Malformed credentials and URLs that carry a secret.
		for _, bad := range []map[string]string{
			{"CLOUDINARY_ACCOUNT_URL": "account://key:" + secretInURL},
			{"CLOUDINARY_ACCOUNT_URL": "account://key:" + secretInURL + "@"},
			{"CLOUDINARY_ACCOUNT_URL": "cloudinary://key:" + secretInURL + "@acc"},
			{"CLOUDINARY_ACCOUNT_URL": "account://key:" + secretInURL + "@acc/path?x=1"},
			{"CLOUDINARY_ACCOUNT_URL": "account://key:%zz" + secretInURL + "@acc"},
			{"CLOUDINARY_ACCOUNT_URL": " account://key:" + secretInURL + "@acc\n"},
			{"CLOUDINARY_ACCOUNT_URL": "account://:" + secretInURL + "@acc"},
			{"CLDSYNC_API_URL": "http://user:" + secretInURL + "@127.0.0.1:1"},
			{"CLDSYNC_API_URL": "http://127.0.0.1:1/?api_secret=" + secretInURL},
			{"CLDSYNC_API_URL": "::not a url " + secretInURL},
		} {
			bad["CLDSYNC_DEBUG"] = debug
			r.env = with(bad)
			if code := r.run("plan", cfg); code == 0 {
				t.Errorf("plan with %v succeeded", bad)
			}
		}
	}
	r.check()
	if !strings.Contains(r.out.String(), "cldsync http") {
		t.Error("no debug log was written: CLDSYNC_DEBUG=1 was not exercised")
	}
	if !strings.Contains(r.out.String(), "Apply failed") {
		t.Error("no apply failed: the failing path was not exercised")
	}
}

// TestSecretsInPanicsAndFormatting: a configuration printed by any verb,
// or carried by a panic, shows no secret.
func TestSecretsInPanicsAndFormatting(t *testing.T) {
	cfg, err := client.ConfigFromEnv(func(k string) string {
		return map[string]string{"CLOUDINARY_ACCOUNT_URL": "account://key:" + secretAPISecret + "@acc"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var panicked string
	func() {
		defer func() { panicked = fmt.Sprint(recover()) }()
		panic(cfg)
	}()
	for _, out := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", cfg.APISecret), fmt.Sprintf("%q", cfg.APISecret), panicked} {
		if strings.Contains(out, secretAPISecret) {
			t.Errorf("formatted configuration %q shows the secret", out)
		}
	}
}
