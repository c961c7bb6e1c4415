package state_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPlannerHoldsNoClient checks that the planner cannot write by
// construction: no file of package planner imports the client (or
// anything that holds one), so all it can reach of the account is what
// state gives it (state.API, which TestAPIIsReadOnly checks, and functions
// built on it such as state.CedarValidator).
func TestPlannerHoldsNoClient(t *testing.T) {
	t.Parallel()
	forbidden := []string{
		"github.com/cldsync/cldsync/pkg/client",
		"github.com/cldsync/cldsync/pkg/apply",
		"github.com/cldsync/cldsync/pkg/emulator",
		"github.com/cldsync/cldsync/pkg/rehearse",
		"net/http",
	}
	files, err := filepath.Glob(filepath.Join("..", "planner", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no planner sources: %v", err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if path == bad {
					t.Errorf("%s imports %s: the planner must only read, through package state", filepath.Base(name), path)
				}
			}
		}
	}
}
