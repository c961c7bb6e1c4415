package spec

// Cedar statements: the ${kind:name} references a configuration writes
// for ids and their escapes, comparing statements, and checking each
// policy's statement offline with errors at their file:line:col.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
)

// CedarRef is one ${kind:name} reference in a statement: kind is user,
// group, environment or api_key; Start and End are byte offsets of the
// whole reference. In the name, \} stands for } and \\ for \ (a lone
// backslash before any other character is itself), so that any name can
// be written; a name holding ${ is written $${ (vars.go), as in any value.
type CedarRef struct {
	Kind  string
	Name  string
	Start int
	End   int
}

// String is the reference as written, its name escaped.
func (r CedarRef) String() string { return CedarRefText(r.Kind, r.Name) }

// CedarRefText writes the reference to kind's object name, escaping the
// name's } and \ so that CedarRefs reads it back as name.
func CedarRefText(kind, name string) string {
	return "${" + kind + ":" + cedarNameEscaper.Replace(name) + "}"
}

var cedarNameEscaper = strings.NewReplacer(`\`, `\\`, `}`, `\}`)

// Kinds of CedarRef.
const (
	RefUser        = "user"
	RefGroup       = "group"
	RefEnvironment = "environment"
	RefAPIKey      = "api_key"
)

// CedarRefs returns the ${kind:name} references of a statement in order.
// User emails are lower-cased.
func CedarRefs(statement string) []CedarRef {
	var out []CedarRef
	for i := 0; i < len(statement); {
		r, ok := cedarRefAt(statement, i)
		if !ok {
			i++
			continue
		}
		if r.Kind == RefUser {
			r.Name = strings.ToLower(r.Name)
		}
		out = append(out, r)
		i = r.End
	}
	return out
}

// cedarRefAt reads the reference starting at byte i of s, if one does:
// ${, a kind of letters and _, a colon, and the name up to the first }
// that no backslash escapes.
func cedarRefAt(s string, i int) (CedarRef, bool) {
	if !strings.HasPrefix(s[i:], "${") {
		return CedarRef{}, false
	}
	j := i + 2
	for j < len(s) && (s[j] == '_' || 'a' <= s[j] && s[j] <= 'z' || 'A' <= s[j] && s[j] <= 'Z') {
		j++
	}
	if j >= len(s) || s[j] != ':' {
		return CedarRef{}, false
	}
	kind := s[i+2 : j]
	var name strings.Builder
	for k := j + 1; k < len(s); k++ {
		switch c := s[k]; {
		case c == '}':
			return CedarRef{Kind: kind, Name: name.String(), Start: i, End: k + 1}, true
		case c == '\\' && k+1 < len(s) && (s[k+1] == '}' || s[k+1] == '\\'):
			k++
			name.WriteByte(s[k])
		default:
			name.WriteByte(c)
		}
	}
	return CedarRef{}, false
}

// ResolveCedar replaces every reference of statement with the value
// resolve returns, escaped for a Cedar string literal; the first error
// stops it.
func ResolveCedar(statement string, resolve func(CedarRef) (string, error)) (string, error) {
	var b strings.Builder
	last := 0
	for _, r := range CedarRefs(statement) {
		v, err := resolve(r)
		if err != nil {
			return "", err
		}
		b.WriteString(statement[last:r.Start])
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
		last = r.End
	}
	b.WriteString(statement[last:])
	return b.String(), nil
}

// CanonicalCedar is the form statements are compared in: cedar-go's
// formatting of the parsed policies, so whitespace, comments and the
// service's reformatting never show as a change. A statement that does not
// parse is compared with its whitespace collapsed.
func CanonicalCedar(statement string) string {
	list, err := cedar.NewPolicyListFromBytes("", []byte(statement))
	if err != nil || len(list) == 0 {
		return strings.Join(strings.Fields(statement), " ")
	}
	return string(list.MarshalCedar())
}

// cedarErrorRE reads cedar-go's parse errors: "parse error at <input>:3:2
// "action": expected ident".
var cedarErrorRE = regexp.MustCompile(`at [^ ]*:(\d+):(\d+) (.*)$`)

// CedarErrorPos extracts the statement line and column from a Cedar parse
// message (cedar-go's, which the emulator's validate answers too), and the
// message without them. ok is false when it carries no position.
func CedarErrorPos(msg string) (line, col int, rest string, ok bool) {
	m := cedarErrorRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0, msg, false
	}
	line, _ = strconv.Atoi(m[1]) // the regexp matched digits
	col, _ = strconv.Atoi(m[2])
	rest = m[3]
	// cedar-go words a missing token "exact got X want Y".
	if e := cedarExactRE.FindStringSubmatch(rest); e != nil {
		rest = fmt.Sprintf("expected %q before %q", e[2], e[1])
	}
	return line, col, rest, true
}

var cedarExactRE = regexp.MustCompile(`^"[^"]*": exact got (.*) want (.*)$`)

func (l *loader) checkPolicies(srcs []source) {
	lines := map[string][]string{}
	for _, s := range srcs {
		lines[s.name] = strings.Split(string(s.data), "\n")
	}
	keys := map[string]Pos{}
	statements := map[string]Pos{} // scope + canonical statement
	inFile := indexesInFile(l.cfg.Policies, func(p *Policy) Pos { return p.Pos })
	for i := range l.cfg.Policies {
		p := &l.cfg.Policies[i]
		path := itemPath("policies", inFile[i])
		if p.StatementBlock {
			p.StatementPos.Col = blockIndent(lines[p.StatementPos.File], p.StatementPos.Line) + 1
		}
		if p.Name != "" && p.Scope != "" {
			if prev, dup := keys[p.Key()]; dup {
				l.errorf(p.Pos, path, "duplicate policy %q in scope %q; first defined at %s", p.Name, p.Scope, prev)
			} else {
				keys[p.Key()] = p.Pos
			}
		}
		if p.Statement == "" {
			continue
		}
		if !l.checkStatement(p, path+".statement") {
			continue
		}
		key := p.Scope + "\x00" + CanonicalCedar(p.Statement)
		if prev, dup := statements[key]; dup {
			l.errorf(p.StatementPos, path+".statement", "same statement as the policy at %s: the API refuses two identical statements in one scope", prev)
			continue
		}
		statements[key] = p.Pos
	}
}

// blockIndent returns the indentation of the first non-blank line of a
// literal block starting at the 1-based line.
func blockIndent(lines []string, line int) int {
	for i := line - 1; i >= 0 && i < len(lines); i++ {
		if t := strings.TrimLeft(lines[i], " "); t != "" {
			return len(lines[i]) - len(t)
		}
	}
	return 0
}

// checkStatement checks a statement's references and parses it offline;
// it reports whether it is usable.
func (l *loader) checkStatement(p *Policy, path string) bool {
	good := true
	// Each reference becomes a same-length run of x, so that Cedar's
	// positions stay those of the text as written.
	masked := []byte(p.Statement)
	for _, r := range CedarRefs(p.Statement) {
		for i := r.Start; i < r.End; i++ {
			masked[i] = 'x'
		}
		line, col := lineCol(p.Statement, r.Start)
		at := p.PosAt(line, col)
		switch r.Kind {
		case RefUser:
			if _, ok := l.users[r.Name]; !ok {
				l.unresolved(at, path, "%s: unknown user %q: not defined under users", r, r.Name)
				good = false
			}
		case RefGroup:
			if _, ok := l.groups[r.Name]; !ok {
				l.unresolved(at, path, "%s: unknown group %q: not defined under groups%s", r, r.Name, l.groupCase(r.Name))
				good = false
			}
		case RefEnvironment:
			if _, ok := l.envs[r.Name]; !ok {
				l.unresolved(at, path, "%s: unknown environment %q: not defined under environments", r, r.Name)
				good = false
			}
		case RefAPIKey:
			env, key := SplitAPIKey(r.Name)
			if key == "" {
				l.errorf(at, path, "%s: expected ${api_key:CLOUD_NAME/KEY_NAME}", r)
				good = false
			} else if _, ok := l.envs[env]; !ok {
				l.unresolved(at, path, "%s: unknown environment %q: not defined under environments", r, env)
				good = false
			}
		default:
			l.errorf(at, path, "%s: unknown reference kind %q; expected user, group, environment or api_key", r, r.Kind)
			good = false
		}
	}
	list, err := cedar.NewPolicyListFromBytes("", masked)
	if err != nil {
		line, col, msg, ok := CedarErrorPos(err.Error())
		at := p.StatementPos
		if ok {
			at = p.PosAt(line, col)
		}
		l.errorf(at, path, "invalid Cedar: %s", msg)
		return false
	}
	if len(list) == 0 {
		l.errorf(p.StatementPos, path, "no Cedar policy in the statement")
		return false
	}
	return good
}

// lineCol converts a byte offset of s to a 1-based line and column.
func lineCol(s string, off int) (line, col int) {
	line = 1 + strings.Count(s[:off], "\n")
	return line, off - strings.LastIndex(s[:off], "\n")
}
