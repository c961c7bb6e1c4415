package spec

// Templates: one file describing the shape every tenant starts from,
// instantiated by a configuration any number of times.
//
//	# templates/tenant.yaml
//	template:
//	  description: One customer's product environment, groups and permissions.
//	  params:
//	    slug: {type: string, description: Short lower-case name of the tenant}
//	    domain: {type: string, example: acme.test}
//	    seats: {type: int, default: 5}
//	environments:
//	  - cloud_name: ${var:slug}-prod
//	    name: "${var:slug} production"
//	...
//
//	# cldsync.yaml
//	tenants:
//	  - template: templates/tenant.yaml     # relative to this file
//	    vars: {slug: acme, domain: acme.test}
//
// A template holds a template: block and any of version, environments,
// users, groups, roles, policies and assignments; the account-wide keys
// (prune, safety, ignore, permissions) and vars/tenants belong to the
// configuration. ${var:NAME} in a template names its parameters only.
//
// Each template is checked once on its own (its parameters, its references
// and unused parameters, with default or example values), then each
// instantiation is expanded with its values and decoded like a file of the
// configuration: its objects join the configuration's, so a name two
// instantiations (or an instantiation and the configuration) both define
// is a duplicate like any other. Positions in an instantiation are the
// template's, with Pos.Via naming the instantiation. The same error in
// several instantiations of one template is reported once.
//
// A template file loaded on its own (spec.Load of the file, so `cldsync
// validate templates/tenant.yaml`) is instantiated once with the values of
// --var and --var-file and, for the parameters left, their default, their
// example, or a placeholder of the parameter's type (the parameter's name,
// 1, true): that is how a template is checked without a configuration. A
// placeholder stands for a value not known yet, as Terraform's unknown
// values do: the values made with it are checked for their type, not for
// their form (a placeholder "lead" used as an email is not an invalid
// email). Instantiate, for `cldsync init`, requires a value for every
// parameter without a default.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// TemplateRef describes a template file loaded on its own.
type TemplateRef struct {
	Path        string
	Description string
	Params      []Param
	// Vars are the parameters' values of the instantiation, as text.
	Vars map[string]string
	// Placeholders are the parameters that had no value, default or
	// example: the values made with them were checked for type only.
	Placeholders []string
	// doc is the expanded document, template: block removed, that
	// Instantiate writes.
	doc *yaml.Node
}

// Param is a template parameter.
type Param struct {
	Name        string
	Type        VarType
	Description string
	// Default is the default's text; nil when the parameter needs a value.
	Default *string
	Pos     Pos
}

// Tenant is one instantiation of a template by a configuration.
type Tenant struct {
	// Template is the template's path (relative to the configuration
	// file's directory, joined with it).
	Template string
	// Vars are the values of every parameter, defaults included, as text.
	Vars map[string]string
	Pos  Pos
}

// notInTemplate are the top-level keys a template may not hold, with why.
var notInTemplate = map[string]string{
	"vars":        "a template declares its variables under template.params",
	"tenants":     "templates do not instantiate other templates",
	"prune":       "it is account-wide: set it in the configuration that instantiates the template",
	"safety":      "it is account-wide: set it in the configuration that instantiates the template",
	"ignore":      "it is account-wide: set it in the configuration that instantiates the template",
	"permissions": "it is account-wide: set it in the configuration that instantiates the template",
}

// templateState is the loader's state for templates.
type templateState struct {
	tenants []tenantEntry
	// srcs are the templates read, for the Cedar checks' positions.
	srcs  []source
	cache map[string]*templateFile
	// unexpanded are the values left as written because a reference in
	// them failed (vars.go).
	unexpanded map[Pos]int // position → len(errs) when it was reported
	// placeholderUses are the values of a template loaded alone made with
	// a placeholder (dropUnknownForm).
	placeholderUses map[Pos]bool
	// values counts the values instantiations add, for maxTenantValues
	// (limits.go); overBudget is set once it is reported.
	values     int
	overBudget bool
}

// tenantEntry is one item of a configuration's tenants: list.
type tenantEntry struct {
	f    *file
	item *yaml.Node
	path string
}

// templateFile is a template read for a configuration.
type templateFile struct {
	path string
	data []byte
	// ok is true when the template's own check found no problem.
	ok bool
	// reported holds the errors of its instantiations (position without
	// Via, and message), so that each is reported once.
	reported map[string]bool
}

func isTemplate(root *yaml.Node) bool {
	k, _ := rootKey(root, "template")
	return k != nil
}

// tenantsOf returns the items of a tenants: list (the schema reported any
// other shape).
func tenantsOf(f *file, val *yaml.Node) []tenantEntry {
	var out []tenantEntry
	for i, n := range items(val) {
		if n.Kind == yaml.MappingNode {
			out = append(out, tenantEntry{f: f, item: n, path: itemPath("tenants", i)})
		}
	}
	return out
}

// paramDecl is a parameter as declared under template.params.
type paramDecl struct {
	name, description string
	typ               VarType
	key               *yaml.Node
	dflt, example     *yaml.Node
	path              string
}

type header struct {
	description string
	params      []*paramDecl
}

// decodeHeader reads the template: block. With report, the block is
// checked against the schema and problems are reported.
func (l *loader) decodeHeader(f *file, report bool) header {
	_, h := rootKey(f.root, "template")
	if report {
		v := map[string]any{"template": l.toValue(f, h, true)}
		l.errs = append(l.errs, l.sch.validate(f, v)...)
	}
	var hd header
	for _, kv := range fields(h) {
		switch kv[0].Value {
		case "description":
			hd.description, _ = str(kv[1])
		case "params":
			for _, p := range fields(kv[1]) {
				d := &paramDecl{name: p[0].Value, key: p[0], typ: VarString, path: "template.params." + p[0].Value}
				if report && !varNameRE.MatchString(d.name) {
					l.errorf(f.pos(p[0]), d.path, "invalid variable name %q: letters, digits, _ and -, starting with a letter or _", d.name)
					continue
				}
				for _, q := range fields(p[1]) {
					switch q[0].Value {
					case "type":
						if t, ok := str(q[1]); ok && slices.Contains([]VarType{VarString, VarInt, VarBool}, VarType(t)) {
							d.typ = VarType(t)
						}
					case "description":
						d.description, _ = str(q[1])
					case "default":
						if q[1].Kind == yaml.ScalarNode {
							d.dflt = q[1]
						}
					case "example":
						if q[1].Kind == yaml.ScalarNode {
							d.example = q[1]
						}
					}
				}
				hd.params = append(hd.params, d)
			}
		}
	}
	if report {
		for _, kv := range fields(f.root) {
			if why, bad := notInTemplate[kv[0].Value]; bad {
				l.errorf(f.pos(kv[0]), kv[0].Value, "not allowed in a template: %s", why)
			}
		}
	}
	return hd
}

// templateScope declares a template's parameters, with their defaults as
// values.
func (l *loader) templateScope(f *file, h header, report bool) *scope {
	s := newScope(l, "the template", "not a parameter of the template (declare it under template.params)", report)
	s.closed = f.name
	for _, d := range h.params {
		v := &variable{name: d.name, typ: d.typ, decl: f.pos(d.key), declPath: d.path}
		if d.dflt != nil {
			v.val, v.valFile, v.path = d.dflt, f, d.path+".default"
		}
		s.vars[d.name] = v
	}
	return s
}

// examples gives each parameter still without a value its example or a
// placeholder; it returns the names of those given a placeholder.
func examples(f *file, h header, s *scope) (placeholders []string) {
	for _, d := range h.params {
		v := s.vars[d.name]
		if v == nil || v.val != nil {
			continue
		}
		if d.example != nil {
			v.val, v.valFile, v.path = d.example, f, d.path+".example"
			continue
		}
		placeholders = append(placeholders, d.name)
		ph := strings.ToLower(d.name)
		switch d.typ {
		case VarInt:
			ph = "1"
		case VarBool:
			ph = "true"
		}
		v.val, v.valFile, v.valPos, v.path = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ph}, nil, v.decl, d.path
	}
	return placeholders
}

// placeholderUses returns the positions of the values of f's body that
// reference one of the names: values made with a placeholder.
func placeholderUses(f *file, names []string) map[Pos]bool {
	uses := map[Pos]bool{}
	if len(names) == 0 {
		return uses
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.ScalarNode {
			for _, m := range varRefRE.FindAllStringSubmatch(n.Value, -1) {
				if slices.Contains(names, m[1]) {
					uses[f.pos(n)] = true
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, kv := range fields(f.root) {
		if kv[0].Value != "template" {
			walk(kv[1])
		}
	}
	return uses
}

// dropUnknownForm drops the errors that judge the form of
// a value made with a placeholder: the value is not known yet. Errors about
// its type stay (a string parameter where a number belongs is wrong
// whatever its value).
func (l *loader) dropUnknownForm() {
	uses := l.tmpl.placeholderUses
	if len(uses) == 0 {
		return
	}
	kept := l.errs[:0]
	for _, e := range l.errs {
		typeError := strings.Contains(e.Message, "expected ") && strings.Contains(e.Message, ", got ")
		if uses[e.Pos] && typeError {
			// "got number 1": the 1 is not in the file; say where it came from.
			e.Message += " (a placeholder of the type of a parameter given no value, default or example)"
		}
		if !uses[e.Pos] || typeError {
			kept = append(kept, e)
		}
	}
	l.errs = kept
}

// finishScope resolves the variables, expands the template's body and
// reports unused parameters.
func (s *scope) finish(f *file) {
	s.resolveAll()
	for _, v := range s.vars {
		s.markUses(v.dflt)
	}
	s.expandTree(f, f.root, "template")
	s.reportUnused()
}

// readTemplate reads and checks a template once per load; nil when it
// cannot be read (reported at the tenant's template: value).
func (l *loader) readTemplate(path string, at Pos, atPath string) *templateFile {
	if t, ok := l.tmpl.cache[path]; ok {
		return t
	}
	if l.tmpl.cache == nil {
		l.tmpl.cache = map[string]*templateFile{}
	}
	data, err := readCapped(path)
	if err != nil {
		l.tmpl.cache[path] = nil
		l.errorf(at, atPath, "read template: %v", unwrapPathError(err))
		return nil
	}
	t := &templateFile{path: path, data: data, reported: map[string]bool{}}
	l.tmpl.cache[path] = t
	before := len(l.errs)
	src := source{name: path, data: data}
	if e := checkInput(src); e != nil {
		l.errs = append(l.errs, *e)
		return t
	}
	f := l.parseYAML(src)
	if f.root == nil {
		return t
	}
	f.src = data
	if !isTemplate(f.root) {
		l.errorf(at, atPath, "%s is not a template: it has no template: block declaring its parameters", path)
		return t
	}
	l.tmpl.srcs = append(l.tmpl.srcs, src)
	h := l.decodeHeader(f, true)
	s := l.templateScope(f, h, true)
	examples(f, h, s)
	s.finish(f)
	t.ok = len(l.errs) == before
	return t
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// instantiateTenants instantiates every template the configuration names.
func (l *loader) instantiateTenants() {
	for _, e := range l.tmpl.tenants {
		var tmplNode, vars *yaml.Node
		for _, kv := range fields(e.item) {
			switch kv[0].Value {
			case "template":
				tmplNode = kv[1]
			case "vars":
				vars = kv[1]
			}
		}
		rel, ok := str(tmplNode)
		if !ok || rel == "" {
			continue // the schema reported it
		}
		path := rel
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(e.f.name), rel)
		}
		t := l.readTemplate(path, e.f.pos(tmplNode), e.path+".template")
		if t == nil {
			continue
		}
		l.instantiate(t, e, vars)
	}
}

// instantiate expands one instantiation of t and decodes its objects.
func (l *loader) instantiate(t *templateFile, e tenantEntry, vars *yaml.Node) {
	at := e.f.pos(e.item)
	var doc yaml.Node
	if err := yaml.Unmarshal(t.data, &doc); err != nil || len(doc.Content) == 0 || !isTemplate(doc.Content[0]) {
		return // reported by the template's own check
	}
	if !l.tenantBudget(doc.Content[0], at, e.path) {
		return
	}
	f := &file{name: t.path, root: doc.Content[0], src: t.data, via: fmt.Sprintf("%s at %s", e.path, at)}
	h := l.decodeHeader(f, false)
	s := l.templateScope(f, h, false)
	if vars != nil {
		s.declareValues(e.f, vars, e.path+".vars", true)
	}
	for _, d := range h.params {
		if v := s.vars[d.name]; v.val == nil {
			where, wpath := at, e.path
			if vars != nil {
				where, wpath = e.f.pos(vars), e.path+".vars"
			}
			s.errorf(where, wpath, "missing variable %q: the template declares it at %s without a default", d.name, v.decl.location())
		}
	}
	s.resolveAll()
	tenant := Tenant{Template: t.path, Vars: map[string]string{}, Pos: at}
	for name, v := range s.vars {
		if v.ok {
			tenant.Vars[name] = v.text
		}
	}
	l.cfg.Tenants = append(l.cfg.Tenants, tenant)
	if !t.ok || s.failed > 0 {
		return
	}
	s.finish(f)
	dropKeys(f.root, "template")
	start := len(l.errs)
	l.checkSchema(f)
	l.decodeFile(f)
	kept := l.errs[:start]
	for _, err := range l.errs[start:] {
		key := err.Pos.location() + "\x00" + err.Message
		if !t.reported[key] {
			t.reported[key] = true
			kept = append(kept, err)
		}
	}
	l.errs = kept
}

// loadTemplateAlone checks a template file loaded on its own and makes
// the configuration of one instantiation, with the command line's values
// and, unless strict, examples for the parameters left.
func (l *loader) loadTemplateAlone(f *file) {
	before := len(l.errs)
	h := l.decodeHeader(f, true)
	s := l.templateScope(f, h, true)
	for _, path := range l.opts.VarFiles {
		s.varFile(path)
	}
	for _, arg := range l.opts.Vars {
		s.cliVar(arg)
	}
	if l.opts.strict {
		for _, d := range h.params {
			if v := s.vars[d.name]; v.val == nil {
				s.errorf(v.decl, d.path, "missing variable %q: give it a value with --var %s=VALUE", d.name, d.name)
			}
		}
	}
	var placeholders []string
	if !l.opts.strict {
		placeholders = examples(f, h, s)
	}
	l.tmpl.placeholderUses = placeholderUses(f, placeholders) // parse drops what they cannot judge
	s.finish(f)
	ref := &TemplateRef{Path: f.name, Description: h.description, Vars: map[string]string{}, Placeholders: placeholders}
	for name, v := range s.vars {
		if v.ok {
			ref.Vars[name] = v.text
		}
	}
	for _, d := range h.params {
		p := Param{Name: d.name, Type: d.typ, Description: d.description, Pos: f.pos(d.key)}
		if d.dflt != nil {
			p.Default = &d.dflt.Value
		}
		ref.Params = append(ref.Params, p)
	}
	l.cfg.Template = ref
	if len(l.errs) > before {
		return // values that are not expanded would only give more errors
	}
	dropKeys(f.root, "template")
	ref.doc = f.root
	l.checkSchema(f)
	l.decodeFile(f)
	if !l.versionSeen {
		l.versionSeen, l.cfg.Version = true, 1
	}
}

// Instantiate reads the template at path and makes the configuration of
// one instantiation with the variables of opts, every parameter without a
// default needing one. It returns the configuration and its YAML: the
// template's document expanded, template: block removed, starting with
// version: 1. Problems are returned as Errors, at the template's
// positions.
func Instantiate(path string, opts LoadOptions) (*Config, []byte, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read template: %w", err)
	}
	var probe yaml.Node
	if yaml.Unmarshal(data, &probe) == nil && len(probe.Content) > 0 && !isTemplate(probe.Content[0]) {
		return nil, nil, Errors{{Pos: Pos{File: path, Line: 1, Col: 1}, Message: "not a template: it has no template: block declaring its parameters"}}
	}
	opts.strict = true
	cfg, err := parse([]source{{name: path, data: data}}, opts)
	if err != nil {
		return nil, nil, err
	}
	doc := cfg.Template.doc
	if k, _ := rootKey(doc, "version"); k == nil {
		doc.Content = append([]*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "version"},
			{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"},
		}, doc.Content...)
	}
	// The values are expanded: a literal ${ in them (written $${) must
	// be written $${ again to read back as itself.
	EscapeValues(doc)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, nil, fmt.Errorf("write configuration: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, nil, fmt.Errorf("write configuration: %w", err)
	}
	return cfg, b.Bytes(), nil
}
