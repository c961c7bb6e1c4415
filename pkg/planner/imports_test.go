package planner_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestPlannerDependsOnNoClient checks the architecture by what the
// planner links, not by what its files say: none of its transitive
// imports can reach the service. The live model it reads is
// pkg/state/model, which imports nothing of the reader; pkg/state (the
// reader), the client, apply, the emulator and net/http stay out, so the
// planner holds no client that could write.
func TestPlannerDependsOnNoClient(t *testing.T) {
	t.Parallel()
	const module = "github.com/cldsync/cldsync/"
	cmd := exec.Command("go", "list", "-deps", module+"pkg/planner", module+"pkg/state/model")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"pkg/state/model") {
		t.Fatalf("go list -deps lists no pkg/state/model; the planner reads the live model from it:\n%s", out)
	}
	for _, bad := range []string{"pkg/client", "pkg/state", "pkg/apply", "pkg/emulator", "pkg/rehearse", "pkg/render"} {
		if slices.Contains(deps, module+bad) {
			t.Errorf("the planner depends on %s%s; it must only read the live model (pkg/state/model)", module, bad)
		}
	}
	if slices.Contains(deps, "net/http") {
		t.Error("the planner depends on net/http; it must do no I/O")
	}
}
