package spec

// BenchmarkLoadLarge: loading a large account's configuration (issue 18),
// shaped like `cldsync export` writes it: users, groups with members,
// environments with keys, custom roles, policies and assignments, split
// over files under the 4 MiB a file may hold.
//
//	go test -run '^$' -bench LoadLarge -benchtime 1x -benchmem ./pkg/spec/
//
// peak-live-MB is the most heap a GC found live during the loads.
// CLDSYNC_SPEC_BENCH_DIR=DIR loads DIR (an export) instead.

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// largeConfig writes a configuration of users users (and as many
// assignments and memberships) into dir, at most perFile objects a file.
func largeConfig(tb testing.TB, dir string, users int) {
	tb.Helper()
	const header = "version: 1\n"
	envs, groups, roles, policies := 20, max(users/50, 1), 200, 500
	write := func(name string, b *strings.Builder) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	split := func(base, key string, n int, item func(b *strings.Builder, i int)) {
		const perFile = 17_000
		for part := 0; part*perFile < n || part == 0; part++ {
			var b strings.Builder
			b.WriteString(header + key + ":\n")
			for i := part * perFile; i < min(n, (part+1)*perFile); i++ {
				item(&b, i)
			}
			write(fmt.Sprintf("%s.%d.yaml", base, part), &b)
		}
	}
	env := func(i int) string { return fmt.Sprintf("env-%03d", i%envs) }
	email := func(i int) string { return fmt.Sprintf("user-%06d@scale.example.com", i%users) }
	split("environments", "environments", envs, func(b *strings.Builder, i int) {
		fmt.Fprintf(b, "  - cloud_name: %s\n    name: Environment %d\n    access_keys:\n      - name: main\n", env(i), i)
	})
	userRoles := []string{"media_library_user", "media_library_admin", "billing", "reports", "technical_admin"}
	split("users", "users", users, func(b *strings.Builder, i int) {
		fmt.Fprintf(b, "  - email: %s\n    name: User %d\n    role: %s\n", email(i), i, userRoles[i%len(userRoles)])
		if i%10 == 4 {
			b.WriteString("    enabled: false\n")
		}
		if i%3 == 0 {
			b.WriteString("    environments: all\n")
		} else {
			fmt.Fprintf(b, "    environments: [%s, %s, %s]\n", env(i), env(i+3), env(i+7))
		}
	})
	split("groups", "groups", groups, func(b *strings.Builder, i int) {
		fmt.Fprintf(b, "  - name: group-%05d\n    members:\n", i)
		for m := range 50 {
			fmt.Fprintf(b, "      - %s\n", email(i*50+m))
		}
	})
	split("roles", "roles", roles, func(b *strings.Builder, i int) {
		fmt.Fprintf(b, "  - id: custom-role-%04d\n    name: Custom role %d\n    description: Generated prodenv global role\n    permission_type: global\n    scope_type: prodenv\n    system_policies:\n      - cld::policy::global::reports::delivery::view\n      - cld::policy::global::upload_presets::manage\n", i, i)
	})
	split("policies", "policies", policies, func(b *strings.Builder, i int) {
		fmt.Fprintf(b, "  - name: policy-%04d\n    scope: account\n    description: 'Generated: one API key may read one folder'\n    statement: |\n      permit (\n          principal == Cloudinary::APIKey::\"${api_key:%s/main}\",\n          action == Cloudinary::Action::\"read\",\n          resource is Cloudinary::Folder\n      )\n      when { resource.ancestor_ids.contains(\"f%011x\") };\n", i, env(i), i)
	})
	split("assignments", "assignments", users, func(b *strings.Builder, i int) {
		switch {
		case i%2 == 0: // (group, role) is unique: i = k*groups + g
			fmt.Fprintf(b, "  - principal: {group: group-%05d}\n    role: custom-role-%04d\n    scope: %s\n", i%groups, (i/groups)%roles, env(i))
		case i%4 == 1:
			fmt.Fprintf(b, "  - principal: {user: %s}\n    role: cld::role::folder::viewer\n    scope: %s\n    folder_id: f%011x\n", email(i), env(i), i)
		default:
			fmt.Fprintf(b, "  - principal: {user: %s}\n    role: cld::role::account::reports\n    scope: account\n", email(i))
		}
	})
}

func BenchmarkLoadLarge(b *testing.B) {
	dir := os.Getenv("CLDSYNC_SPEC_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
		largeConfig(b, dir, 100_000)
	}
	b.ResetTimer()
	stop := samplePeakLive()
	for b.Loop() {
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(stop())/(1<<20), "peak-live-MB")
}

// samplePeakLive watches the live heap (as of each GC, as gctrace's
// third figure) until the returned function is called, which returns
// the highest it saw.
func samplePeakLive() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	done, quit := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		runtime.GC() // the last load's garbage counted as what it was: live until the load ended
		close(quit)
		<-done
		return peak
	}
}

// TestLargeConfigLoads keeps the benchmark's configuration valid, at a
// size a test can afford.
func TestLargeConfigLoads(t *testing.T) {
	dir := t.TempDir()
	largeConfig(t, dir, 2_000)
	cfg, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Users) != 2_000 || len(cfg.Assignments) != 2_000 || len(cfg.Groups) != 40 {
		t.Fatalf("loaded %d users, %d assignments, %d groups", len(cfg.Users), len(cfg.Assignments), len(cfg.Groups))
	}
}
