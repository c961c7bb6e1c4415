package spec

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/runenames"
)

// Names (of environments, users, groups, keys, roles and policies) are
// shown to people and compared by the service, so a name that looks like
// another but is not, or that looks like nothing, is refused: the schema's
// "cldsync-name" format (schema.go) runs nameProblem on every value that
// is a $defs/name. The limits on length are the schema's maxLength.

// nameFormat is the schema format of names.
const nameFormat = "cldsync-name"

// nameProblem says what is wrong with a name, or "" when nothing is. The
// empty name is left to the schema's minLength.
func nameProblem(s string) string {
	if s == "" {
		return ""
	}
	if strings.TrimFunc(s, isBlank) == "" {
		return "a name must not be blank"
	}
	if r := hiddenRune(s); r >= 0 {
		return fmt.Sprintf("contains %s, an invisible or bidirectional control character: names must show what they are; remove it", describeRune(r))
	}
	if strings.TrimFunc(s, isBlank) != s {
		return "a name must not start or end with white space"
	}
	return ""
}

// maxNameLength is the schema's maxLength of a name ($defs/name), in
// characters.
const maxNameLength = 255

// NameProblem says why the loader refuses s as a name (of an environment,
// access key, user, group, role or policy), or "" when it does not; the
// empty name is left to the caller. export refuses to write a live name
// that would not load back.
func NameProblem(s string) string {
	if n := utf8.RuneCountInString(s); n > maxNameLength {
		return fmt.Sprintf("is %d characters long; the limit is %d", n, maxNameLength)
	}
	return nameProblem(s)
}

func isBlank(r rune) bool { return unicode.IsSpace(r) || unicode.In(r, unicode.Zs) }

// hidden are the characters a name may not hold: controls (which a
// double-quoted YAML string can write escaped), format characters (zero
// width spaces and joiners, bidirectional marks, embeddings, overrides and
// isolates, the byte order mark, the soft hyphen), line and paragraph
// separators, private use characters, variation selectors and the other
// default-ignorable code points (Hangul fillers): each renders as nothing,
// or changes how the text around it renders.
var hidden = []*unicode.RangeTable{
	unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co,
	unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point,
}

// hiddenRune returns the first hidden character of s, or -1.
func hiddenRune(s string) rune {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if r < 0x20 || r == 0x7f { // the ASCII of hidden: controls (Cc)
				return r
			}
			continue
		}
		if unicode.IsOneOf(hidden, r) {
			return r
		}
	}
	return -1
}

// describeRune names a character: U+202E (RIGHT-TO-LEFT OVERRIDE).
func describeRune(r rune) string {
	if name := runenames.Name(r); name != "" {
		return fmt.Sprintf("%U (%s)", r, name)
	}
	return fmt.Sprintf("%U", r)
}

// nameDef is a name and where it is defined.
type nameDef struct {
	name string
	pos  Pos
}

// FoldName is the key under which the service compares names that it
// compares case-insensitively (group names): Unicode case folding, so that
// "Designers" and "DESIGNERS" are one group. The planner matches live
// groups with it too.
func FoldName(s string) string { return cases.Fold().String(s) }

// groupCase hints, for a reference to a group the configuration does not
// define, at the group whose name differs only in case: the service takes
// the two names as one, but a reference names the group as written.
func (l *loader) groupCase(name string) string {
	if d, ok := l.groupFolds[FoldName(name)]; ok {
		return fmt.Sprintf(" (did you mean %q? a reference names a group as written)", d.name)
	}
	return ""
}
