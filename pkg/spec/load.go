package spec

// Loading happens in three passes over each file, all of which add to one
// error list so that a user sees every problem at once:
//
//  1. YAML is parsed into yaml.Node trees, which keep line and column.
//  2. Each tree is converted to plain JSON values and checked against the
//     embedded JSON Schema (schema/cldsync.schema.json), the same file
//     editors use; schema errors are mapped back to node positions through
//     their instance location (a JSON pointer into the tree).
//  3. The trees are decoded into the model leniently (values of the wrong
//     type were already reported and are skipped), and the checks a schema
//     cannot express run on the merged result: unique keys across files,
//     references between objects, valid emails.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the configuration at path: one YAML file, or a directory whose
// *.yaml and *.yml files (sorted by name, not recursive, dot files skipped)
// are merged into one configuration. Objects are keyed by cloud_name,
// lower-cased email and group name, and a key defined twice, in one file or
// across files, is an error. version may appear in several files.
//
// Problems in the configuration are returned together as Errors, sorted by
// position, with file names relative to path as given (path joined with the
// file name for a directory). Other errors (path unreadable) are plain.
func Load(path string) (*Config, error) { return load(path, LoadOptions{}) }

// load is Load with variables from the command line (vars.go).
func load(path string, opts LoadOptions) (*Config, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load configuration: %w", err)
	}
	if !fi.IsDir() {
		data, err := readCapped(path)
		if nr := (*NotRegularError)(nil); errors.As(err, &nr) {
			return nil, Errors{{Pos: Pos{File: path}, Message: nr.describe()}}
		}
		if err != nil {
			return nil, fmt.Errorf("load configuration: %w", err)
		}
		return parse([]source{{name: path, data: data}}, opts)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("load configuration: %w", err)
	}
	var srcs []source
	var unread Errors           // files that are not regular, refused unread
	for _, e := range entries { // ReadDir sorts by name
		name := e.Name()
		if strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		if e.IsDir() {
			continue
		}
		file := filepath.Join(path, name)
		data, err := readCapped(file)
		if nr := (*NotRegularError)(nil); errors.As(err, &nr) {
			if !nr.Mode.IsDir() { // a link to a directory is skipped like one
				unread = append(unread, Error{Pos: Pos{File: file}, Message: nr.describe()})
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load configuration: %w", err)
		}
		srcs = append(srcs, source{name: file, data: data})
	}
	if len(unread) > 0 {
		return nil, unread
	}
	if len(srcs) == 0 {
		return nil, Errors{{Pos: Pos{File: path}, Message: "no *.yaml or *.yml files in directory"}}
	}
	return parse(srcs, opts)
}

// Parse reads one configuration file's contents; file names it in
// positions. It is Load without the file system, for tests and tools.
func Parse(file string, data []byte) (*Config, error) {
	return parse([]source{{name: file, data: data}}, LoadOptions{})
}

type source struct {
	name string
	data []byte
}

// file is one parsed YAML file.
type file struct {
	name string
	root *yaml.Node // the document's content; nil when the file is unusable
	// via names the template instantiation the file is read for, and src
	// is its text (template.go).
	via string
	src []byte
	// broken is set when the file could not be read (invalid YAML, more
	// than one document, over a limit): what it defines is unknown.
	broken bool
	// varRefs is set when a scalar may refer to a variable (checkTree).
	varRefs bool
}

func (f *file) pos(n *yaml.Node) Pos {
	return Pos{File: f.name, Line: n.Line, Col: n.Column, Via: f.via}
}

// loader accumulates the merged configuration and every error.
type loader struct {
	cfg  Config
	errs Errors

	versionSeen bool
	mappings    int // files whose root is a mapping
	prunePos    *Pos

	safetyPos *Pos

	// unreadable is set when a file could not be read: references to
	// what it may define are not reported (unresolved), nor a version it
	// may hold, so that one syntax error does not cascade into errors
	// about the files that could be read.
	unreadable bool

	envs   map[string]Pos // cloud_name → where defined
	users  map[string]Pos // lower-cased email → where defined
	groups map[string]Pos // name → where defined
	// groupFolds are the group names by FoldName (defineGroup).
	groupFolds map[string]nameDef

	// envRefs are cloud names used as references, checked once every file
	// has defined its environments.
	envRefs []envRef

	// opts, sch and tmpl serve variables and templates (vars.go,
	// template.go).
	opts LoadOptions
	sch  *configSchema
	tmpl templateState
	// expanded counts the bytes of the values made with variables, for
	// maxVarTotal (limits.go).
	expanded int
	// strs holds one copy of each value that many objects repeat
	// (intern).
	strs map[string]string
}

// intern returns one copy of s for all the equal values it is given:
// roles, scopes and cloud names repeat across 100,000s of objects, each
// parsed into a string of its own, all kept with the model. Only for
// values that take few distinct forms: the table lives as long as the
// load.
func (l *loader) intern(s string) string {
	if v, ok := l.strs[s]; ok {
		return v
	}
	if l.strs == nil {
		l.strs = map[string]string{}
	}
	l.strs[s] = s
	return s
}

type envRef struct {
	pos       Pos
	path      string
	cloudName string
}

func (l *loader) errorf(pos Pos, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	l.errs = append(l.errs, Error{Pos: pos, Message: msg})
}

// unresolved reports a reference to an object or variable the
// configuration does not define, unless a file could not be read: the
// definition may be in it, and its syntax error is the one to fix.
func (l *loader) unresolved(pos Pos, path, format string, args ...any) {
	if !l.unreadable {
		l.errorf(pos, path, format, args...)
	}
}

func parse(srcs []source, opts LoadOptions) (*Config, error) {
	sch, err := compiledSchema()
	if err != nil {
		return nil, err
	}
	l := &loader{
		envs:   map[string]Pos{},
		users:  map[string]Pos{},
		groups: map[string]Pos{},

		groupFolds: map[string]nameDef{},
		opts:       opts,
		sch:        sch,
	}
	// A file is decoded as soon as it is parsed, and its tree dropped, so
	// that a large configuration is never held as trees all at once: the
	// trees take far more memory than the model. Files from the first
	// one that declares or uses variables (or is a template) on are kept,
	// to be expanded once every declaration is known; decoding them in
	// order keeps "first defined at" the same.
	var files []*file
	for _, src := range srcs {
		if e := checkInput(src); e != nil {
			l.errs = append(l.errs, *e)
			l.unreadable = true
			continue
		}
		f := l.parseYAML(src)
		if f.root == nil {
			l.unreadable = l.unreadable || f.broken
			continue
		}
		f.src = src.data
		if len(files) == 0 && !usesVars(f) && !isTemplate(f.root) {
			l.loadFile(f)
			continue
		}
		files = append(files, f)
	}
	// Variables are expanded before anything reads the values; a template
	// loaded on its own is instantiated with example values (template.go).
	if len(srcs) == 1 && len(files) == 1 && isTemplate(files[0].root) {
		l.loadTemplateAlone(files[0])
	} else {
		files = l.expandConfig(files) // vars.go
		for _, f := range files {
			l.loadFile(f)
		}
		l.instantiateTenants() // template.go
	}
	l.checkIgnore()
	l.checkRenames()                                     // rename.go
	l.checkPermissions(slices.Concat(srcs, l.tmpl.srcs)) // permissions.go
	l.checkAccessTests()                                 // access_tests.go
	for _, r := range l.envRefs {
		if _, ok := l.envs[r.cloudName]; !ok {
			l.unresolved(r.pos, r.path, "unknown environment %q: not defined under environments%s", r.cloudName, didYouMean(r.cloudName, slices.Sorted(maps.Keys(l.envs))))
		}
	}
	if !l.versionSeen && l.mappings > 0 && !l.unreadable {
		l.errorf(Pos{File: srcs[0].name, Line: 1, Col: 1}, "", `missing required key "version" (add version: 1)`)
	}
	l.dropUnexpanded()  // vars.go
	l.dropUnknownForm() // template.go
	if len(l.errs) > 0 {
		return nil, l.errs.sorted()
	}
	l.checkLookalikes() // confusable.go
	l.cfg.Warnings = l.cfg.Warnings.sorted()
	cfg := l.cfg // a copy, so that the loader's indexes are not kept with it
	return &cfg, nil
}

// loadFile checks one parsed (and expanded) file against the schema and
// decodes it, then drops its tree: what later checks need is in the
// model, with positions.
func (l *loader) loadFile(f *file) {
	l.checkSchema(f)
	l.decodeFile(f)
	f.root = nil
}

// checkSchema reports the duplicate keys of a file and where it does not
// satisfy the schema. Most files pass the quick check (quickschema.go);
// the others are converted to JSON values for the validator, whose
// errors are explained at the nodes' positions.
func (l *loader) checkSchema(f *file) {
	if l.sch.quickValid(f.root) {
		return
	}
	v := l.toValue(f, f.root, true)
	l.errs = append(l.errs, l.sch.validate(f, v)...)
}

// usesVars reports whether a parsed file declares variables (a top-level
// vars:) or may use one (hasVarRef).
func usesVars(f *file) bool {
	k, _ := rootKey(f.root, "vars")
	return k != nil || f.varRefs
}

// hasVarRef reports whether a scalar may refer to a variable: it holds
// "${var:" or "$${" (which expands to ${), what varRefRE matches.
// Cedar's ${user:...} and the like are left alone by expansion.
func hasVarRef(s string) bool {
	return strings.Contains(s, "${var:") || strings.Contains(s, "$${")
}

// yamlLine matches yaml.v3's error text, which carries a line but no column.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses one file, which must hold exactly one YAML document.
func (l *loader) parseYAML(src source) *file {
	f := &file{name: src.name}
	dec := yaml.NewDecoder(bytes.NewReader(src.data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	switch {
	case errors.Is(err, io.EOF):
		l.errorf(Pos{File: src.name, Line: 1, Col: 1}, "", "empty file: expected a mapping with version: 1")
		return f
	case err != nil:
		l.errs = append(l.errs, locateYAMLError(src, yamlError(src.name, err)))
		f.broken = true
		return f
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		l.errorf(Pos{File: src.name, Line: next.Line, Col: next.Column}, "", "a file holds one YAML document; split the documents into separate files")
		f.broken = true
		return f
	case !errors.Is(err, io.EOF):
		l.errs = append(l.errs, locateYAMLError(src, yamlError(src.name, err)))
		f.broken = true
		return f
	}
	if f.root = doc.Content[0]; !l.checkTree(f) { // limits.go
		f.root, f.broken = nil, true
	}
	return f
}

func yamlError(file string, err error) Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1]) // the regexp matched digits
		return Error{Pos: Pos{File: file, Line: line}, Message: "invalid YAML: " + m[2]}
	}
	return Error{Pos: Pos{File: file}, Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// Prunes reports whether kind k is authoritative (listed under prune).
func (c *Config) Prunes(k Kind) bool { return slices.Contains(c.Prune, k) }
