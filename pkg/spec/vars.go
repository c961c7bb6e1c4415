package spec

// Variables: ${var:NAME} inside any string value is replaced when the
// configuration is loaded, before the schema and every other check see the
// values, so that errors about the result point at the string as written.
//
//	vars:                       # a configuration's variables and their values
//	  slug: acme
//	  seats: 5                  # the value's YAML type is the variable's type
//	  prod_name: "${var:slug} Production"   # values may use other variables
//
// --var-file FILE (a YAML mapping of the same form) and --var NAME=VALUE
// set values on the command line, in that order, each winning over what
// came before; a variable given only there is a string. A template's
// parameters (template.go) are variables too, declared with a type and an
// optional default, and given values by each instantiation.
//
// An unquoted scalar that is exactly one reference takes the variable's
// type (so `enabled: ${var:on}` is a boolean, as `enabled: true` is); a
// quoted one is a string, and a reference inside a longer string is
// replaced by the value's text. Mapping keys are not expanded. In flow
// style ({...} and [...]) a value with ${ must be quoted, as YAML
// requires, and is then a string.
//
// $${ is a literal ${ that starts no reference (as in Terraform): a name
// holding the text ${var:x} is written $${var:x}, and export writes every
// ${ of a live value so.
//
// Errors, each at a position: a reference to an unknown variable, a
// variable never used, a cycle of variables whose values use each other,
// and a value that does not fit its variable's type. The Cedar references
// of policies (${user:...}, ${group:...}, ...) are another thing: they are
// left alone here and resolved at plan time, and a variable may produce
// one (`${group:${var:slug}-designers}`).

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// LoadOptions are the inputs of a load besides the configuration's files:
// variables from the command line.
type LoadOptions struct {
	// VarFiles are YAML files of NAME: VALUE (--var-file), read in order.
	VarFiles []string
	// Vars are NAME=VALUE pairs (--var), applied in order after VarFiles.
	Vars []string

	// strict, for a template loaded on its own, makes a parameter without
	// a default or a value an error instead of taking an example value.
	strict bool
}

// LoadWith is Load with variables from the command line.
func LoadWith(path string, opts LoadOptions) (*Config, error) { return load(path, opts) }

// VarType is the type of a variable: string, int or bool.
type VarType string

// VarType values.
const (
	VarString VarType = "string"
	VarInt    VarType = "int"
	VarBool   VarType = "bool"
)

var (
	varNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	// varRefRE matches a reference, or $${: a literal ${ that starts no
	// reference (as in Terraform), so that any text can be written. Its
	// submatch is empty for $${.
	varRefRE = regexp.MustCompile(`\$\$\{|\$\{var:([^}]*)\}`)
)

// variable is one variable of a scope, with where it is declared and
// where its value comes from.
type variable struct {
	name string
	// typ is the declared type.
	typ VarType
	// decl is where the variable is declared, declPath its path there.
	decl     Pos
	declPath string
	// val is the value (a scalar) in valFile, or, when valFile is nil, a
	// value from the command line written at valPos. path names it in
	// errors. given is true for a value an instantiation or the command
	// line gave (rather than a default).
	val     *yaml.Node
	valFile *file
	valPos  Pos
	path    string
	given   bool
	// dflt is a default that a given value replaced: its references still
	// count as uses.
	dflt *yaml.Node
	// bad marks a variable whose declaration was reported as wrong: uses
	// of it are not reported again.
	bad bool

	used  bool
	state int // 0 new, 1 resolving, 2 resolved
	// depth is 1 for a value without references, else 1 more than the
	// deepest variable it references.
	depth int
	ok    bool
	text  string // the resolved value's text
	tag   string // and YAML tag: !!str, !!int or !!bool
}

const (
	varNew = iota
	varResolving
	varResolved
)

// at is the position of byte off of the variable's value.
func (v *variable) at(off int) Pos {
	if v.valFile == nil {
		return v.valPos
	}
	return refPos(v.valFile, v.val, off)
}

// scope is the variables one expansion sees: a configuration's, or those
// of one instantiation of a template.
type scope struct {
	l    *loader
	vars map[string]*variable
	// where names the scope in messages: "the configuration" or a template.
	where string
	// declare says how a variable is declared, for unknown references.
	declare string
	// report is false when the problems that do not depend on the values
	// (unknown references, cycles, unused variables) were reported
	// already, by the template's own check.
	report bool
	// failed counts the errors reported.
	failed int
	// closed, the name of a template, makes a value for an undeclared
	// name an error: a template's parameters are declared.
	closed string
}

func newScope(l *loader, where, declare string, report bool) *scope {
	return &scope{l: l, vars: map[string]*variable{}, where: where, declare: declare, report: report}
}

func (s *scope) errorf(pos Pos, path, format string, args ...any) {
	s.failed++
	s.l.errorf(pos, path, format, args...)
}

// sorted returns the variables in the order of their declarations.
func (s *scope) sorted() []*variable {
	vs := slices.Collect(maps.Values(s.vars))
	slices.SortFunc(vs, func(a, b *variable) int {
		if c := comparePos(a.decl, b.decl); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return vs
}

// names returns the variable names, sorted.
func (s *scope) names() []string { return slices.Sorted(maps.Keys(s.vars)) }

// resolveAll resolves every variable with a value.
func (s *scope) resolveAll() {
	for _, v := range s.sorted() {
		s.resolve(v, nil)
	}
}

func (s *scope) resolve(v *variable, stack []*variable) {
	if v.state != varNew {
		return
	}
	v.state = varResolving
	defer func() { v.state = varResolved }()
	if v.val == nil || v.bad {
		return
	}
	text, tag, ok := s.expand(v.val, v.at, v.path, append(stack, v))
	if !ok {
		return
	}
	v.depth = 1
	for _, m := range varRefRE.FindAllStringSubmatch(v.val.Value, -1) {
		if w := s.vars[m[1]]; w != nil {
			v.depth = max(v.depth, w.depth+1)
		}
	}
	if v.depth > maxVarDepth {
		s.errorf(v.at(0), v.path, "variable %q: variables refer to variables more than %d levels deep", v.name, maxVarDepth)
		return
	}
	v.text, v.tag, v.ok = s.typed(v, text, tag)
}

// typed checks a resolved value against the variable's type and returns
// it in that type's canonical text.
func (s *scope) typed(v *variable, text, tag string) (string, string, bool) {
	report := s.report || v.given
	at := v.at(0)
	fail := func(format string, args ...any) (string, string, bool) {
		if report {
			s.errorf(at, v.path, format, args...)
		}
		return "", "", false
	}
	switch tag {
	case "!!str", "!!int", "!!bool":
	default:
		return fail("variable %q: expected a string, an integer or a boolean, got %s", v.name, describeTag(tag, text))
	}
	switch v.typ {
	case VarInt:
		n, err := strconv.ParseInt(text, 10, 64)
		if tag == "!!bool" || err != nil {
			return fail("variable %q is an int: got %s", v.name, describeTag(tag, text))
		}
		return strconv.FormatInt(n, 10), "!!int", true
	case VarBool:
		switch strings.ToLower(text) {
		case "true", "false":
			if tag == "!!int" {
				break
			}
			return strings.ToLower(text), "!!bool", true
		}
		return fail("variable %q is a bool (true or false): got %s", v.name, describeTag(tag, text))
	case VarString:
		return text, "!!str", true
	}
	return text, tag, true
}

func describeTag(tag, text string) string {
	switch tag {
	case "!!str":
		return "string " + strconv.Quote(text)
	case "!!int", "!!float":
		return "number " + text
	case "!!bool":
		return "boolean " + text
	case "!!null":
		return "null"
	}
	return strconv.Quote(text)
}

// configScope is the where of the configuration's own scope.
const configScope = "the configuration"

// lookup returns the resolved variable a reference names, or nil after
// reporting why it cannot be used.
func (s *scope) lookup(name string, pos Pos, path string, stack []*variable) *variable {
	if !varNameRE.MatchString(name) {
		if s.report {
			s.errorf(pos, path, "${var:%s}: invalid variable name %q: letters, digits, _ and -, starting with a letter or _", name, name)
		}
		return nil
	}
	v := s.vars[name]
	if v == nil {
		if s.report {
			report := s.l.errorf
			if s.where == configScope { // vars: may be in a file that could not be read
				report = s.l.unresolved
			}
			s.failed++
			report(pos, path, "${var:%s}: unknown variable %q%s: %s", name, name, didYouMean(name, s.names()), s.declare)
		}
		return nil
	}
	v.used = true
	if v.state == varResolving {
		if s.report {
			i := slices.Index(stack, v)
			chain := make([]string, 0, len(stack)-i+1)
			for _, w := range stack[max(i, 0):] {
				chain = append(chain, w.name)
			}
			chain = append(chain, v.name)
			s.errorf(pos, path, "${var:%s}: circular variable reference: %s", name, strings.Join(chain, " → "))
		}
		return nil
	}
	if v.state == varNew && len(stack) >= maxVarDepth {
		// Refused before resolving deeper, so that a long chain cannot
		// exhaust the stack.
		s.errorf(pos, path, "${var:%s}: variables refer to variables more than %d levels deep (%s → … → %s → %s)", name, maxVarDepth, stack[0].name, stack[len(stack)-1].name, name)
		return nil
	}
	s.resolve(v, stack)
	if !v.ok {
		return nil
	}
	return v
}

// expand replaces the references of a scalar. A scalar that is exactly
// one reference takes the variable's tag; otherwise the result is a
// string. ok is false when a reference cannot be replaced (reported).
func (s *scope) expand(n *yaml.Node, at func(off int) Pos, path string, stack []*variable) (text, tag string, ok bool) {
	value := n.Value
	tag = n.ShortTag()
	ms := varRefRE.FindAllStringSubmatchIndex(value, -1)
	if len(ms) == 0 {
		return value, tag, true
	}
	var b strings.Builder
	last := 0
	ok = true
	var only *variable
	for _, m := range ms {
		if m[2] < 0 { // $${
			b.WriteString(value[last:m[0]])
			b.WriteString("${")
			last = m[1]
			continue
		}
		v := s.lookup(value[m[2]:m[3]], at(m[0]), path, stack)
		if v == nil {
			ok = false
			continue
		}
		only = v
		if ok && b.Len()+m[0]-last+len(v.text) > maxVarValue {
			s.errorf(at(m[0]), path, "${var:%s}: the value would be longer than %s, the limit for a value made with variables", v.name, formatSize(maxVarValue))
			return "", "", false
		}
		b.WriteString(value[last:m[0]])
		b.WriteString(v.text)
		last = m[1]
	}
	if !ok {
		return "", "", false
	}
	if len(ms) == 1 && only != nil && ms[0][0] == 0 && ms[0][1] == len(value) {
		text, tag = only.text, only.tag
	} else {
		b.WriteString(value[last:])
		text, tag = b.String(), "!!str"
	}
	if len(text) > maxVarValue {
		s.errorf(at(0), path, "the value would be longer than %s, the limit for a value made with variables", formatSize(maxVarValue))
		return "", "", false
	}
	if s.l.expanded += len(text); s.l.expanded > maxVarTotal {
		if s.l.expanded-len(text) <= maxVarTotal {
			s.errorf(at(0), path, "variables expand the configuration by more than %s, the limit for a load", formatSize(maxVarTotal))
		}
		return "", "", false
	}
	return text, tag, true
}

// expandTree replaces the references in every string value under n; the
// root mapping's keys in skip are left out (their values are variables'
// own declarations). seen guards against expanding an anchored node twice.
func (s *scope) expandTree(f *file, root *yaml.Node, skip ...string) {
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		n = resolve(n)
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if n == root && slices.Contains(skip, k) {
					continue
				}
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, itemPath(path, i))
			}
		case yaml.ScalarNode:
			s.expandScalar(f, n, path)
		}
	}
	walk(root, "")
}

func (s *scope) expandScalar(f *file, n *yaml.Node, path string) {
	if !strings.Contains(n.Value, "${") {
		return
	}
	text, tag, ok := s.expand(n, func(off int) Pos { return refPos(f, n, off) }, path, nil)
	if !ok {
		// Left as written; what the checks after say of it is noise.
		if s.l.tmpl.unexpanded == nil {
			s.l.tmpl.unexpanded = map[Pos]int{}
		}
		s.l.tmpl.unexpanded[f.pos(n)] = len(s.l.errs)
		return
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		tag = "!!str" // quoted: a string, as YAML reads it
	}
	n.Value, n.Tag = text, tag
}

// markUses counts the references of a value that is not resolved (a
// default given a value instead) as uses.
func (s *scope) markUses(n *yaml.Node) {
	if n == nil {
		return
	}
	for _, m := range varRefRE.FindAllStringSubmatch(n.Value, -1) {
		if v := s.vars[m[1]]; v != nil {
			v.used = true
		}
	}
}

// reportUnused reports every variable that nothing references.
func (s *scope) reportUnused() {
	if !s.report {
		return
	}
	for _, v := range s.sorted() {
		if !v.used && !v.bad {
			s.errorf(v.decl, v.declPath, "variable %q is never used: no ${var:%s} in %s", v.name, v.name, s.where)
		}
	}
}

// refPos is the position of byte off of a scalar's value: exact for a
// one-line scalar and a literal block, the value's start otherwise.
func refPos(f *file, n *yaml.Node, off int) Pos {
	p := f.pos(n)
	before := n.Value[:off]
	switch {
	case n.Style&yaml.LiteralStyle != 0:
		p.Line += 1 + strings.Count(before, "\n")
		p.Col = blockIndent(strings.Split(string(f.src), "\n"), n.Line+1) + 1 +
			utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:])
		return p
	case n.Style&yaml.FoldedStyle != 0, strings.Contains(n.Value, "\n"):
		return p
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		p.Col++
	}
	p.Col += utf8.RuneCountInString(before)
	return p
}
