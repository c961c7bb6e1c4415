package spec

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// String formats p as file:line:col, dropping the parts that are unknown
// (zero): YAML syntax errors carry a line but no column.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

func comparePos(a, b Pos) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
}

// Error is one problem in the configuration, at the position of the value
// (or key) it is about.
type Error struct {
	Pos     Pos
	Message string
}

func (e Error) Error() string { return e.Pos.String() + ": " + e.Message }

// Errors is every problem found in a configuration, sorted by position.
// Load returns it (as an error) so that a user fixes everything in one pass
// instead of one error per run.
type Errors []Error

// Error prints one error a line, as file:line:col: message.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted returns es sorted by position then message, without duplicates
// (two schema keywords can reject the same value with the same words).
func (es Errors) sorted() Errors {
	out := slices.Clone(es)
	slices.SortStableFunc(out, func(a, b Error) int {
		return cmp.Or(comparePos(a.Pos, b.Pos), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(out)
}
