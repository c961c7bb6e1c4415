package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

var update = flag.Bool("update", false, "update golden files and testscript expectations")

func TestMain(m *testing.M) {
	raceNoExitSleep()
	testscript.Main(m, map[string]func(){
		"cldsync": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// raceNoExitSleep stops every race-enabled cldsync the tests start from
// sleeping a second as it exits (the race detector's atexit_sleep_ms
// defaults to 1000), which the scripts' hundreds of commands spent
// idle. testscript passes GORACE on to scripts; an atexit_sleep_ms the
// user set is kept.
func raceNoExitSleep() {
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
}

// emulators holds the in-process emulator each script started.
var emulators sync.Map // *testscript.TestScript → *emulator.Emulator

// scriptDir holds the scripts TestScripts runs.
var scriptDir = filepath.Join("..", "..", "testdata", "script")

// TestScripts runs testdata/script/*.txtar against the real cldsync
// binary, with the emulator answering exactly as the spec says. Run with
// -update to rewrite the scripts' expected output.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(emulator.ProfileSpec))
}

// liveScripts are the scripts that run the engine end to end, which
// TestScriptsLive runs again against the live profile (issue 15): apply
// and a re-plan with no changes, drift, export round trips, permissions,
// and the paths the live table's rows change: membership adds (rename,
// case, verification), group deletes (prune), access keys, natural-key
// recovery, saved plans. The other scripts check the CLI around the
// engine, which the profile does not change.
var liveScripts = []string{
	"engine_apply", "engine_prune", "engine_failures", "faults_lost_answer",
	"drift_report", "export_roundtrip", "export_permissions",
	"permissions", "permissions_drift", "rename_group", "group_case",
	"verify_normalise", "access_keys", "tenants", "saved_apply", "saved_apply_cwd",
}

// TestScriptsLive runs liveScripts, with the same expected output,
// against the emulator's live profile: the engine must work, and warn of
// nothing untrue, whichever way the service answers (docs/live-api.md).
func TestScriptsLive(t *testing.T) {
	p := scriptParams(emulator.ProfileLive)
	p.Dir, p.Files = "", liveScriptFiles(t)
	p.UpdateScripts = false // the spec suite owns the expectations
	testscript.Run(t, p)
}

// TestLiveScriptsExist: the live selection is not empty, names each
// script once, and every name is a script of scriptDir, so a renamed or
// deleted script cannot silently drop out of the live suite.
func TestLiveScriptsExist(t *testing.T) {
	t.Parallel()
	if len(liveScripts) == 0 {
		t.Fatal("liveScripts is empty: the live suite runs nothing")
	}
	seen := map[string]bool{}
	for _, name := range liveScripts {
		if seen[name] {
			t.Errorf("liveScripts names %s twice", name)
		}
		seen[name] = true
		if _, err := os.Stat(filepath.Join(scriptDir, name+".txtar")); err != nil {
			t.Errorf("liveScripts names %s, which is not a script: %v", name, err)
		}
	}
}

// liveScriptFiles are the paths of liveScripts.
func liveScriptFiles(t *testing.T) []string {
	files := make([]string, len(liveScripts))
	for i, name := range liveScripts {
		files[i] = filepath.Join(scriptDir, name+".txtar")
		if _, err := os.Stat(files[i]); err != nil {
			t.Fatalf("live script %s: %v", name, err)
		}
	}
	return files
}

// profileKey is where a script's environment keeps the emulator profile.
type profileKey struct{}

func scriptParams(profile emulator.Profile) testscript.Params {
	return testscript.Params{
		Dir:                 scriptDir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Values[profileKey{}] = profile
			// No ambient credentials leak into a script.
			for _, k := range []string{"CLOUDINARY_ACCOUNT_URL", "CLOUDINARY_ACCOUNT_ID", "CLOUDINARY_PROVISIONING_API_KEY",
				"CLOUDINARY_PROVISIONING_API_SECRET", "CLDSYNC_API_URL", "CLDSYNC_DEBUG"} {
				env.Setenv(k, "")
			}
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"emulator":   cmdEmulator,
			"emu-writes": cmdEmuWrites,
			"emu-seed":   cmdEmuSeed,
			"no-secrets": cmdNoSecrets,
			"exits":      cmdExits,
			"emu-fault":  cmdEmuFault,
			"emu-alter":  cmdEmuAlter,
			"emu-clock":  cmdEmuClock,
			"plan-drop":  cmdPlanDrop,
		},
	}
}

// cmdEmulator starts an in-process emulator and points cldsync at it:
//
//	emulator [-bare] [-seed FILE]
func cmdEmulator(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! emulator")
	}
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	bare := fs.Bool("bare", false, "start with no users")
	seed := fs.String("seed", "", "seed file")
	if err := fs.Parse(args); err != nil {
		ts.Fatalf("emulator: %v", err)
	}
	profile, _ := ts.Value(profileKey{}).(emulator.Profile)
	emu := emulator.New(emulator.Options{AccountID: "acc", APIKey: "key", APISecret: "secret", Bare: *bare, Profile: profile})
	if *seed != "" {
		f, err := os.Open(ts.MkAbs(*seed))
		ts.Check(err)
		ts.Check(emu.LoadSeed(f))
		f.Close()
	}
	srv := httptest.NewServer(emu)
	ts.Defer(srv.Close)
	emulators.Store(ts, emu)
	ts.Setenv("CLDSYNC_API_URL", srv.URL)
	ts.Setenv("CLOUDINARY_ACCOUNT_URL", "account://key:secret@acc")
}

// cmdEmuWrites asserts how many requests that could change the account the
// emulator received: emu-writes N.
func cmdEmuWrites(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := emulators.Load(ts)
	if !ok || len(args) != 1 {
		ts.Fatalf("usage: emu-writes N (after emulator)")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := len(v.(*emulator.Emulator).Writes())
	if (got == want) == neg {
		ts.Fatalf("emulator received %d writes, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
	fmt.Fprintf(ts.Stdout(), "%d writes\n", got)
}

// cmdEmuFault queues a one-shot fault on the running emulator:
//
//	emu-fault OPERATION_ID STATUS|drop
func cmdEmuFault(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := emulators.Load(ts)
	if !ok || len(args) != 2 || neg {
		ts.Fatalf("usage: emu-fault OPERATION_ID STATUS|drop (after emulator)")
	}
	f := emulator.Fault{Op: args[0]}
	if args[1] == "drop" {
		f.Drop = true
	} else {
		status, err := strconv.Atoi(args[1])
		ts.Check(err)
		f.Status = status
	}
	v.(*emulator.Emulator).InjectFault(f)
}

// cmdPlanDrop edits a saved plan by hand, as a reviewer might: it removes
// the changes of one object from the file. With -rewrite it drops the
// dependencies on it too and writes the file again through the planner,
// digest included, as a tool that edits plans consistently would: then
// only the guards stand between the edit and the account. -resave writes
// the file again the same way but keeps the dependencies on the dropped
// changes, which then wait for a change that is not there.
//
//	plan-drop [-rewrite|-resave] FILE KIND NAME
func cmdPlanDrop(ts *testscript.TestScript, neg bool, args []string) {
	mode := ""
	if len(args) > 0 && (args[0] == "-rewrite" || args[0] == "-resave") {
		mode, args = args[0], args[1:]
	}
	if neg || len(args) != 3 {
		ts.Fatalf("usage: plan-drop [-rewrite|-resave] FILE KIND NAME")
	}
	path := ts.MkAbs(args[0])
	if mode != "" {
		rewritePlan(ts, path, planner.Ref{Kind: spec.Kind(args[1]), Name: args[2]}, mode == "-rewrite")
		return
	}
	data, err := os.ReadFile(path)
	ts.Check(err)
	var saved map[string]any
	ts.Check(json.Unmarshal(data, &saved))
	plan, _ := saved["plan"].(map[string]any)
	changes, _ := plan["changes"].([]any)
	var kept []any
	for _, c := range changes {
		ref := c.(map[string]any)["ref"].(map[string]any)
		if ref["kind"] == args[1] && ref["name"] == args[2] {
			continue
		}
		kept = append(kept, c)
	}
	if len(kept) == len(changes) {
		ts.Fatalf("plan-drop: %s has no change of %s %s", args[0], args[1], args[2])
	}
	plan["changes"] = kept
	out, err := json.MarshalIndent(saved, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(path, out, 0o644))
}

// rewritePlan drops ref's changes from the saved plan at path, and the
// dependencies on them when deps, and saves it again.
func rewritePlan(ts *testscript.TestScript, path string, ref planner.Ref, deps bool) {
	f, err := os.Open(path)
	ts.Check(err)
	saved, err := planner.ReadSaved(f)
	f.Close()
	ts.Check(err)
	var kept []planner.Change
	for _, c := range saved.Plan.Changes {
		if c.Ref != ref {
			if deps {
				c.DependsOn = slices.DeleteFunc(c.DependsOn, func(r planner.Ref) bool { return r == ref })
			}
			kept = append(kept, c)
		}
	}
	saved.Plan.Changes = kept
	var b bytes.Buffer
	ts.Check(planner.WriteSaved(&b, saved))
	ts.Check(os.WriteFile(path, b.Bytes(), 0o644))
}
