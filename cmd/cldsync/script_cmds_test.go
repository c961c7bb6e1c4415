package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
)

// More testscript commands, for plans, saved plans and drift.

// scriptEmulator returns the emulator the script started.
func scriptEmulator(ts *testscript.TestScript, usage string) *emulator.Emulator {
	v, ok := emulators.Load(ts)
	if !ok {
		ts.Fatalf("usage: %s (after emulator)", usage)
	}
	return v.(*emulator.Emulator)
}

// cmdEmuSeed adds a seed's objects to the running emulator, changing the
// live account behind cldsync's back: emu-seed FILE.
func cmdEmuSeed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: emu-seed FILE")
	}
	emu := scriptEmulator(ts, "emu-seed FILE")
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	ts.Check(emu.LoadSeed(f))
}

// cmdNoSecrets fails if any of the files holds a credential: the account
// API secret cldsync was given, or the api_secret of any access key of any
// product environment of the running emulator (read through the API as a
// user of the account could): no-secrets FILE...
func cmdNoSecrets(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: no-secrets FILE...")
	}
	scriptEmulator(ts, "no-secrets FILE...")
	quiet := func(k string) string {
		if k == "CLDSYNC_DEBUG" {
			return ""
		}
		return ts.Getenv(k)
	}
	c, err := client.NewFromEnv(quiet)
	ts.Check(err)
	ctx := context.Background()
	envs, err := c.ProductEnvironments.List(ctx, nil)
	ts.Check(err)
	secrets := map[string]string{}
	if u := ts.Getenv("CLOUDINARY_ACCOUNT_URL"); u != "" {
		secrets[u] = "the account URL"
	}
	for _, e := range envs {
		for k, err := range c.AccessKeys.ListIter(ctx, e.ID, nil) {
			ts.Check(err)
			if s := k.APISecret.Reveal(); s != "" {
				secrets[s] = "the api_secret of access key " + k.APIKey + " of " + e.CloudName
			}
		}
	}
	// Every secret it ever issued, the keys deleted or rotated out since
	// included.
	for _, s := range scriptEmulator(ts, "no-secrets FILE...").IssuedSecrets() {
		if _, ok := secrets[s]; !ok {
			secrets[s] = "an access-key secret the emulator issued"
		}
	}
	if len(secrets) < 2 {
		ts.Fatalf("no-secrets: the emulator has no access-key secrets to look for; seed some")
	}
	for _, name := range args {
		data, err := os.ReadFile(ts.MkAbs(name))
		ts.Check(err)
		for s, what := range secrets {
			if strings.Contains(string(data), s) {
				ts.Fatalf("%s holds %s", name, what)
			}
		}
	}
	ts.Logf("none of %d secrets in %s", len(secrets), strings.Join(args, " "))
}

// cmdEmuClock sets the emulator's clock and cldsync's (CLDSYNC_NOW) to
// the same simulated time: emu-clock RFC3339.
func cmdEmuClock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: emu-clock RFC3339 (after emulator)")
	}
	t, err := time.Parse(time.RFC3339, args[0])
	ts.Check(err)
	scriptEmulator(ts, "emu-clock RFC3339").SetClock(t)
	ts.Setenv("CLDSYNC_NOW", args[0])
}

// cmdExits runs a program like exec and asserts its exact exit code,
// keeping stdout and stderr for the commands that follow:
// exits N PROG ARGS...
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdEmuAlter makes the next request for an operation be handled as usual
// and then answered with one field changed (inside "data" for a /v2
// answer), as a server that did not store what it was sent would answer;
// null removes the field: emu-alter OPERATION_ID FIELD JSONVALUE.
func cmdEmuAlter(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "emu-alter OPERATION_ID FIELD JSONVALUE"
	if neg || len(args) != 3 {
		ts.Fatalf("usage: %s", usage)
	}
	emu := scriptEmulator(ts, usage)
	var v any
	if err := json.Unmarshal([]byte(args[2]), &v); err != nil {
		ts.Fatalf("emu-alter: %s is not JSON: %v", args[2], err)
	}
	emu.AlterResponse(args[0], map[string]any{args[1]: v})
}
