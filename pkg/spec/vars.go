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
// Errors, each at a position: a reference to an unknown variable, a
// variable never used, a cycle of variables whose values use each other,
// and a value that does not fit its variable's type. The Cedar references
// of policies (${user:...}, ${group:...}, ...) are another thing: they are
// left alone here and resolved at plan time, and a variable may produce
// one (`${group:${var:slug}-designers}`).

import (
	"fmt"
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
	varRefRE  = regexp.MustCompile(`\$\{var:([^}]*)\}`)
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
			s.errorf(pos, path, "${var:%s}: unknown variable %q%s: %s", name, name, didYouMean(name, s.names()), s.declare)
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
		v := s.lookup(value[m[2]:m[3]], at(m[0]), path, stack)
		if v == nil {
			ok = false
			continue
		}
		only = v
		b.WriteString(value[last:m[0]])
		b.WriteString(v.text)
		last = m[1]
	}
	if !ok {
		return "", "", false
	}
	if len(ms) == 1 && ms[0][0] == 0 && ms[0][1] == len(value) {
		return only.text, only.tag, true
	}
	b.WriteString(value[last:])
	return b.String(), "!!str", true
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
				walk(c, fmt.Sprintf("%s[%d]", path, i))
			}
		case yaml.ScalarNode:
			s.expandScalar(f, n, path)
		}
	}
	walk(root, "")
}

func (s *scope) expandScalar(f *file, n *yaml.Node, path string) {
	if !strings.Contains(n.Value, "${var:") {
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

// ---- the configuration's variables ----

// expandConfig declares the variables of the configuration's files, the
// --var-file files and --var, resolves them and expands every file. It
// returns the files to decode: a template found among them is reported
// and left out.
func (l *loader) expandConfig(files []*file) []*file {
	s := newScope(l, "the configuration", "define it under vars:, or with --var or --var-file", true)
	var out []*file
	for _, f := range files {
		if isTemplate(f.root) {
			k, _ := rootKey(f.root, "template")
			l.errorf(f.pos(k), "template", "this file is a template, not part of a configuration: move it out of the configuration's directory (to templates/, say) and instantiate it under tenants:, or validate it on its own")
			continue
		}
		out = append(out, f)
		if _, val := rootKey(f.root, "vars"); val != nil {
			s.declareValues(f, val, "vars", false)
		}
	}
	for _, path := range l.opts.VarFiles {
		s.varFile(path)
	}
	for _, arg := range l.opts.Vars {
		s.cliVar(arg)
	}
	s.resolveAll()
	for _, f := range out {
		s.expandTree(f, f.root, "vars")
	}
	s.reportUnused()
	return out
}

// declareValues reads a mapping of NAME: VALUE: the vars: of a
// configuration's file (given false), a --var-file or an instantiation's
// vars: (given true). A new name is declared, typed by its YAML value; a
// name declared before takes the given value (the later source wins) and
// keeps its type, but a vars: that repeats another file's is an error.
func (s *scope) declareValues(f *file, m *yaml.Node, path string, given bool) {
	if m.Kind != yaml.MappingNode {
		return // the schema (or varFile) reported it
	}
	here := map[string]bool{}
	for _, kv := range fields(m) {
		k, val := kv[0], kv[1]
		name := k.Value
		vpath := name
		if path != "" {
			vpath = path + "." + name
		}
		if !varNameRE.MatchString(name) {
			s.errorf(f.pos(k), vpath, "invalid variable name %q: letters, digits, _ and -, starting with a letter or _", name)
			continue
		}
		if here[name] {
			continue // a duplicate key: toValue reports it
		}
		here[name] = true
		v := s.vars[name]
		if v == nil && s.closed != "" {
			s.errorf(f.pos(k), vpath, "%s", s.notAParam(name))
			continue
		}
		if v == nil {
			v = &variable{name: name, decl: f.pos(k), declPath: vpath}
			s.vars[name] = v
		} else if !given {
			s.errorf(f.pos(k), vpath, "duplicate variable %q; first defined at %s", name, v.decl)
			continue
		}
		if t := val.ShortTag(); val.Kind != yaml.ScalarNode || (t != "!!str" && t != "!!int" && t != "!!bool") {
			v.bad = true
			if path != "vars" { // vars: is checked by the schema
				s.errorf(f.pos(val), vpath, "variable %q: expected a string, an integer or a boolean, got %s", name, describeValue(val))
			}
			continue
		}
		if v.typ == "" {
			v.typ = typeOfTag(val.ShortTag())
		}
		if v.val != nil && v.valFile != nil && !v.given {
			v.dflt = v.val
		}
		v.val, v.valFile, v.path, v.given = val, f, vpath, given || v.given
	}
}

func typeOfTag(tag string) VarType {
	switch tag {
	case "!!int":
		return VarInt
	case "!!bool":
		return VarBool
	}
	return VarString
}

func describeValue(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return describeTag(n.ShortTag(), n.Value)
}

// varFile reads a --var-file: a YAML mapping of NAME: VALUE.
func (s *scope) varFile(path string) {
	at := Pos{File: path}
	data, err := readCapped(path)
	if err != nil {
		s.errorf(at, "", "read variables file: %v", err)
		return
	}
	if e := checkInput(source{name: path, data: data}); e != nil {
		s.failed++
		s.l.errs = append(s.l.errs, *e)
		return
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		s.failed++
		s.l.errs = append(s.l.errs, locateYAMLError(source{name: path, data: data}, yamlError(path, err)))
		return
	}
	if len(doc.Content) == 0 {
		return // empty: no variables
	}
	f := &file{name: path, root: doc.Content[0], src: data}
	if !s.l.checkTree(f) { // limits.go
		s.failed++
		return
	}
	if root := resolve(f.root); root.Kind != yaml.MappingNode {
		s.errorf(f.pos(root), "", "a variables file is a mapping of NAME: VALUE, got %s", describeValue(root))
		return
	}
	s.l.toValue(f, f.root, true) // reports duplicate keys
	s.declareValues(f, resolve(f.root), "", true)
}

// cliVar reads one --var NAME=VALUE; its value is a string, or the type
// of the variable it sets.
func (s *scope) cliVar(arg string) {
	at := Pos{File: "--var " + arg}
	name, value, found := strings.Cut(arg, "=")
	if !found {
		s.errorf(at, "", "expected --var NAME=VALUE")
		return
	}
	if !varNameRE.MatchString(name) {
		s.errorf(at, "", "invalid variable name %q: letters, digits, _ and -, starting with a letter or _", name)
		return
	}
	v := s.vars[name]
	if v == nil && s.closed != "" {
		s.errorf(at, "", "%s", s.notAParam(name))
		return
	}
	if v == nil {
		v = &variable{name: name, decl: at, typ: VarString}
		s.vars[name] = v
	}
	if v.val != nil && v.valFile != nil && !v.given {
		v.dflt = v.val
	}
	v.val = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	v.valFile, v.valPos, v.path, v.given = nil, at, "", true
}

// notAParam says that a template has no parameter name.
func (s *scope) notAParam(name string) string {
	names := s.names()
	list := "it has none"
	if len(names) > 0 {
		list = "its parameters are " + strings.Join(names, ", ")
	}
	return fmt.Sprintf("unknown variable %q%s: %s has no such parameter (%s)", name, didYouMean(name, names), s.closed, list)
}

// dropUnexpanded removes the errors about values whose variables could
// not be replaced, reported after the references were: the value as
// written (${var:...}) is not what the user meant.
func (l *loader) dropUnexpanded() {
	if len(l.tmpl.unexpanded) == 0 {
		return
	}
	kept := l.errs[:0]
	for i, e := range l.errs {
		if after, ok := l.tmpl.unexpanded[e.Pos]; !ok || i < after {
			kept = append(kept, e)
		}
	}
	l.errs = kept
}

// rootKey returns the key and value nodes of a top-level key.
func rootKey(root *yaml.Node, key string) (k, v *yaml.Node) {
	for _, kv := range fields(root) {
		if kv[0].Value == key {
			return kv[0], kv[1]
		}
	}
	return nil, nil
}

// dropKeys removes top-level keys from a mapping.
func dropKeys(root *yaml.Node, keys ...string) {
	root = resolve(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return
	}
	var kept []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if !slices.Contains(keys, root.Content[i].Value) {
			kept = append(kept, root.Content[i], root.Content[i+1])
		}
	}
	root.Content = kept
}
