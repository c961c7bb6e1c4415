package spec

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestHiddenRuneASCII: hiddenRune's shortcut for ASCII agrees with the
// tables it stands for.
func TestHiddenRuneASCII(t *testing.T) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		want := rune(-1)
		if unicode.IsOneOf(hidden, r) {
			want = r
		}
		if got := hiddenRune("a" + string(r) + "b"); got != want {
			t.Errorf("hiddenRune(%U) = %U, want %U", r, got, want)
		}
	}
}
