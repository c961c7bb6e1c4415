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

// TestHasControl: the byte scan finds what checkControl's rune loop
// refuses, for every character up to U+00FF and beside others.
func TestHasControl(t *testing.T) {
	for r := rune(0); r <= 0x100; r++ {
		for _, s := range []string{string(r), "aé" + string(r) + "€x", "\u0085" + string(r)} {
			refused := checkControl(source{name: "f", data: []byte("ab\ncd" + s)}) != nil
			loop := false
			for _, r := range s {
				if r != '\n' && r != '\t' && r != '\r' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f && r != 0x85)) {
					loop = true
				}
			}
			if hasControl([]byte(s)) != loop || refused != loop {
				t.Errorf("%q: hasControl %v, checkControl refuses %v, the rune loop says %v", s, hasControl([]byte(s)), refused, loop)
			}
		}
	}
}
