package spec

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// String formats p as file:line:col, dropping the parts that are unknown
// (zero): YAML syntax errors carry a line but no column. A position in a
// template instantiation ends with "via tenants[1] at FILE:LINE:COL".
func (p Pos) String() string {
	if p.Via != "" {
		return p.location() + " via " + p.Via
	}
	return p.location()
}

func (p Pos) location() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

func comparePos(a, b Pos) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), cmp.Compare(a.Via, b.Via))
}

// Error is one problem in the configuration, at the position of the value
// (or key) it is about.
type Error struct {
	Pos     Pos
	Message string
}

// Error is file:line:col: message, then the template instantiation, if
// any, so that the line still starts with the position editors jump to.
func (e Error) Error() string {
	if e.Pos.Via != "" {
		return e.Pos.location() + ": " + e.Message + " (via " + e.Pos.Via + ")"
	}
	return e.Pos.location() + ": " + e.Message
}

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
