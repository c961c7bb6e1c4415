package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/cldsync/cldsync/pkg/emulator"
)

// Not parallel, these tests: GOMAXPROCS belongs to the whole process, and
// go test runs the parallel tests of a package only after these.

// TestReadRunsOnOneProc: plan reads the live account with GOMAXPROCS=1
// and gives the default back when the read ends.
func TestReadRunsOnOneProc(t *testing.T) {
	def := defaultProcs(t)
	emu := emulator.New(emulator.Options{AccountID: "acc", APIKey: "key", APISecret: "secret", Bare: true})
	if err := emu.LoadSeed(strings.NewReader(schemaSeed)); err != nil {
		t.Fatalf("LoadSeed returned error %v", err)
	}
	var (
		mu    sync.Mutex
		procs = map[int]int{} // GOMAXPROCS → GET requests answered under it
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet { // the read; policy validation comes after it
			mu.Lock()
			procs[runtime.GOMAXPROCS(0)]++
			mu.Unlock()
		}
		emu.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "account.yaml")
	if err := os.WriteFile(cfg, []byte(schemaConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CLDSYNC_API_URL": srv.URL, "CLOUDINARY_ACCOUNT_URL": "account://key:secret@acc", "NO_COLOR": "1"}
	if code, _, stderr := runCLI(t, env, "plan", cfg); code != 0 {
		t.Fatalf("plan exited %d: %s", code, stderr)
	}
	if len(procs) != 1 || procs[1] == 0 {
		t.Errorf("GET requests by the GOMAXPROCS they were answered under = %v, want all under 1", procs)
	}
	if got := runtime.GOMAXPROCS(0); got != def {
		t.Errorf("GOMAXPROCS after plan = %d, want the default %d back", got, def)
	}
}

// TestOneProcWhileReadingOverlaps: overlapping reads keep one P until the
// last ends; a done called twice counts once; GOMAXPROCS in the
// environment is left alone.
func TestOneProcWhileReadingOverlaps(t *testing.T) {
	def := defaultProcs(t)
	first, second := oneProcWhileReading(), oneProcWhileReading()
	first()
	first()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS with one read still running = %d, want 1", got)
	}
	second()
	if got := runtime.GOMAXPROCS(0); got != def {
		t.Errorf("GOMAXPROCS after both reads = %d, want %d", got, def)
	}
	t.Setenv("GOMAXPROCS", "2")
	done := oneProcWhileReading()
	if got := runtime.GOMAXPROCS(0); got != def {
		t.Errorf("GOMAXPROCS while reading with GOMAXPROCS set in the environment = %d, want %d untouched", got, def)
	}
	done()
}

// defaultProcs is the runtime's default GOMAXPROCS, skipping t when there
// is nothing to tell one P from.
func defaultProcs(t *testing.T) int {
	t.Helper()
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set in the environment: the read leaves it alone")
	}
	runtime.SetDefaultGOMAXPROCS()
	def := runtime.GOMAXPROCS(0)
	if def == 1 {
		t.Skip("one CPU: the read's one P is the default")
	}
	return def
}
