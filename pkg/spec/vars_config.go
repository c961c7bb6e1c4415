package spec

// The configuration's variables: declared under vars:, in --var-file files
// and by --var, and the expansion of a configuration's files (vars.go).

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// expandConfig declares the variables of the configuration's files, the
// --var-file files and --var, resolves them and expands every file. It
// returns the files to decode: a template found among them is reported
// and left out.
func (l *loader) expandConfig(files []*file) []*file {
	s := newScope(l, configScope, "define it under vars:, or with --var or --var-file", true)
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
		s.errorf(at, "", "read variables file: %v", unwrapPathError(err))
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
