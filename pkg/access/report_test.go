package access

import (
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/spec"
)

// TestWriteTextSummary: the last line counts tests in words that agree
// with the count.
func TestWriteTextSummary(t *testing.T) {
	t.Parallel()
	pass := TestResult{Name: "ok", Pos: spec.Pos{File: "t.yaml", Line: 2, Col: 5}, Checks: []CheckResult{{Pass: true}}}
	fail := TestResult{Name: "no", Pos: spec.Pos{File: "t.yaml", Line: 6, Col: 5}, Checks: []CheckResult{{Expect: "can", Item: "r", Pos: spec.Pos{File: "t.yaml", Line: 9, Col: 11}}}}
	for _, tc := range []struct {
		results []TestResult
		want    string
	}{
		{[]TestResult{fail}, "\n1 access test: 0 passed, 1 failed.\n"},
		{[]TestResult{pass, fail}, "\n2 access tests: 1 passed, 1 failed.\n"},
	} {
		var b strings.Builder
		if err := WriteText(&b, tc.results); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(b.String(), tc.want) {
			t.Errorf("report ends %q, want %q", b.String(), tc.want)
		}
	}
}
