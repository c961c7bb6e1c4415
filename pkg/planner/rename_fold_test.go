package planner

import (
	"fmt"
	"testing"

	"github.com/cldsync/cldsync/pkg/spec"
)

func TestFoldNameMatchesSpec(t *testing.T) {
	t.Parallel()
	var names []string
	for r := range 128 {
		names = append(names, string(rune(r)), fmt.Sprintf("Group %c-X", rune(r)))
	}
	names = append(names, "", "Designers", "DESIGNERS", "KELVIN \u212a", "Straße", "ΣΑΣ", "İstanbul", "ﬁle", "e\u0301", "Ａｃｍｅ")
	for _, n := range names {
		if got, want := foldName(n), spec.FoldName(n); got != want {
			t.Errorf("foldName(%q) = %q, spec.FoldName = %q", n, got, want)
		}
	}
}
