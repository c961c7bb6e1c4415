package spec

// A quick check of a file's tree against the schema, for the common case
// of a file without mistakes. The full path (toValue, then the
// jsonschema validator, then explain) builds a copy of the file as JSON
// values and allocates for every keyword it checks: at 100k users it was
// a third of the load's CPU. quickValid walks the yaml.Node tree itself,
// with the schema compiled from the same document into plain structs,
// and answers only "certainly valid": a file it does not pass, for any
// reason (an error, a duplicate key, a value it does not decide, such as
// a float), takes the full path, whose messages are the only ones a user
// sees. So quickValid need only never pass what the schema refuses;
// TestQuickSchemaAgrees holds it to agree both ways on the error corpus
// and its mutations.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// JSON types, as a bit set.
const (
	tNull = 1 << iota
	tBool
	tInteger // matched by "integer" and "number"
	tNumber  // a number that is not an integer: never decided here
	tString
	tObject
	tArray
)

// quickSchema is one compiled subschema; its keywords are ANDed.
type quickSchema struct {
	types    int // 0: any type
	ref      *quickSchema
	props    map[string]*quickSchema
	noAddl   bool
	addl     *quickSchema
	items    *quickSchema
	required []string
	minLen   int // -1: none, as minItems, minProps, maxProps and maxLen
	maxLen   int
	pattern  *regexp.Regexp
	format   func(string) bool
	strs     []string // enum or const of strings
	hasStrs  bool
	num      *float64 // const of a number
	minItems int
	minProps int
	maxProps int
	minimum  *float64
	maximum  *float64
	ifS      *quickSchema
	thenS    *quickSchema
	elseS    *quickSchema
	oneOf    []*quickSchema
}

// quickIgnored are the keywords that do not constrain a value.
var quickIgnored = []string{"$schema", "$id", "$defs", "title", "description", "errorMessage", "patternErrorMessage"}

// compileQuick compiles the schema document raw for quickValid, or fails
// on a keyword it does not know: then every file takes the full path.
func compileQuick(raw map[string]any, formats map[string]func(string) bool) (*quickSchema, error) {
	c := &quickCompiler{root: raw, formats: formats, done: map[string]*quickSchema{}}
	return c.compile(raw, "#")
}

type quickCompiler struct {
	root    map[string]any
	formats map[string]func(string) bool
	done    map[string]*quickSchema // by $ref, so that a cycle ends
}

func (c *quickCompiler) compile(m map[string]any, at string) (*quickSchema, error) {
	s := &quickSchema{minLen: -1, maxLen: -1, minItems: -1, minProps: -1, maxProps: -1}
	sub := func(v any, kw string) (*quickSchema, error) {
		sm, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s/%s: not a schema", at, kw)
		}
		return c.compile(sm, at+"/"+kw)
	}
	count := func(v any, kw string) (int, error) {
		f, ok := v.(float64)
		if !ok || f < 0 || f != float64(int(f)) {
			return 0, fmt.Errorf("%s/%s: not a count", at, kw)
		}
		return int(f), nil
	}
	subs := map[string]**quickSchema{"items": &s.items, "if": &s.ifS, "then": &s.thenS, "else": &s.elseS}
	counts := map[string]*int{"minLength": &s.minLen, "maxLength": &s.maxLen, "minItems": &s.minItems,
		"minProperties": &s.minProps, "maxProperties": &s.maxProps}
	var err error
	for kw, v := range m {
		switch kw {
		case "type":
			switch t := v.(type) {
			case string:
				s.types, err = typeBits(t)
			case []any:
				for _, x := range t {
					name, _ := x.(string)
					b, e := typeBits(name)
					if e != nil {
						return nil, e
					}
					s.types |= b
				}
			default:
				err = fmt.Errorf("%s/type: unexpected %T", at, v)
			}
		case "$ref":
			ref, _ := v.(string)
			if t, ok := c.done[ref]; ok {
				s.ref = t
				break
			}
			target, ok := c.resolveRef(ref)
			if !ok {
				return nil, fmt.Errorf("%s: $ref %q is not local", at, ref)
			}
			t := &quickSchema{}
			c.done[ref] = t
			compiled, e := c.compile(target, ref)
			if e != nil {
				return nil, e
			}
			*t = *compiled
			s.ref = t
		case "properties":
			pm, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s/properties: not a mapping", at)
			}
			s.props = map[string]*quickSchema{}
			for name, ps := range pm {
				if s.props[name], err = sub(ps, "properties/"+name); err != nil {
					return nil, err
				}
			}
		case "additionalProperties":
			if b, ok := v.(bool); ok {
				s.noAddl = !b
				break
			}
			s.addl, err = sub(v, kw)
		case "oneOf":
			list, _ := v.([]any)
			for i, x := range list {
				o, e := sub(x, fmt.Sprintf("oneOf/%d", i))
				if e != nil {
					return nil, e
				}
				s.oneOf = append(s.oneOf, o)
			}
		case "required":
			list, _ := v.([]any)
			for _, x := range list {
				name, ok := x.(string)
				if !ok {
					return nil, fmt.Errorf("%s/required: not a string", at)
				}
				s.required = append(s.required, name)
			}
		case "minimum", "maximum":
			f, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("%s/%s: not a number", at, kw)
			}
			if kw == "minimum" {
				s.minimum = &f
			} else {
				s.maximum = &f
			}
		case "pattern":
			p, _ := v.(string)
			s.pattern, err = regexp.Compile(p) // as the validator compiles it
		case "format":
			name, _ := v.(string)
			if s.format = c.formats[name]; s.format == nil {
				err = fmt.Errorf("%s/format: %q is not known", at, name)
			}
		case "enum", "const":
			vals, _ := v.([]any)
			if kw == "const" {
				vals = []any{v}
			}
			for _, x := range vals {
				switch x := x.(type) {
				case string:
					s.strs = append(s.strs, x)
				case float64:
					if kw != "const" {
						return nil, fmt.Errorf("%s/enum: only strings are decided", at)
					}
					s.num = &x
				default:
					return nil, fmt.Errorf("%s/%s: %T is not decided", at, kw, x)
				}
			}
			s.hasStrs = true
		default:
			if p := subs[kw]; p != nil {
				*p, err = sub(v, kw)
			} else if p := counts[kw]; p != nil {
				*p, err = count(v, kw)
			} else if !slices.Contains(quickIgnored, kw) {
				return nil, fmt.Errorf("%s: keyword %q is not decided", at, kw)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func typeBits(t string) (int, error) {
	switch t {
	case "null":
		return tNull, nil
	case "boolean":
		return tBool, nil
	case "integer":
		return tInteger, nil
	case "number":
		return tInteger | tNumber, nil
	case "string":
		return tString, nil
	case "object":
		return tObject, nil
	case "array":
		return tArray, nil
	}
	return 0, fmt.Errorf("unknown type %q", t)
}

// resolveRef finds a local reference (#/$defs/name) in the document.
func (c *quickCompiler) resolveRef(ref string) (map[string]any, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	var cur any = c.root
	for _, t := range pointerTokens(frag) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur = m[t]
	}
	m, ok := cur.(map[string]any)
	return m, ok
}

// quickValid reports whether the tree under root certainly satisfies the
// schema and holds no duplicate key: false means "take the full path".
func (cs *configSchema) quickValid(root *yaml.Node) bool {
	if cs.quick == nil || !plainKeys(root) {
		return false
	}
	q := &quickRun{}
	return q.valid(cs.quick, root) && !q.unsure
}

// plainKeys reports whether every mapping in the tree as written has
// scalar keys, each once: toValue reports a duplicate, and a key that is
// not a scalar is not decided here.
func plainKeys(n *yaml.Node) bool {
	if n.Kind == yaml.MappingNode {
		var seen map[string]bool
		if len(n.Content) > 2*smallMapping {
			seen = make(map[string]bool, len(n.Content)/2)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return false
			}
			if seen == nil && keyBefore(n.Content, i) || seen[k.Value] {
				return false
			}
			if seen != nil {
				seen[k.Value] = true
			}
		}
	}
	for _, c := range n.Content {
		if !plainKeys(c) {
			return false
		}
	}
	return true
}

// quickRun is one quickValid; unsure is set by any value it does not
// decide, which makes the whole answer "take the full path".
type quickRun struct {
	unsure bool
}

// scalarValue is a scalar as toValue reads it, and its type bit; a
// string is returned as str (not boxed in val, which would allocate).
func scalarValue(n *yaml.Node) (str string, val any, typ int) {
	if n.ShortTag() == "!!str" {
		return n.Value, nil, tString
	}
	switch v := scalar(n).(type) {
	case nil:
		return "", nil, tNull
	case bool:
		return "", v, tBool
	case string:
		return v, nil, tString
	case int, int64, uint64:
		return "", v, tInteger
	default:
		return "", v, tNumber
	}
}

// exactInt returns an integer value as a float64 when that is exact.
func exactInt(v any) (float64, bool) {
	const limit = 1 << 53
	switch x := v.(type) {
	case int:
		return float64(x), x > -limit && x < limit
	case int64:
		return float64(x), x > -limit && x < limit
	case uint64:
		return float64(x), x < limit
	}
	return 0, false
}

func (q *quickRun) valid(s *quickSchema, n *yaml.Node) bool {
	n = resolve(n)
	var (
		str string
		val any
		typ int
	)
	switch n.Kind {
	case yaml.MappingNode:
		typ = tObject
	case yaml.SequenceNode:
		typ = tArray
	case yaml.ScalarNode:
		str, val, typ = scalarValue(n)
	default:
		q.unsure = true
		return false
	}
	if typ == tNumber {
		q.unsure = true // floats are rare; the validator decides them
		return false
	}
	if s.types != 0 && s.types&typ == 0 {
		return false
	}
	if s.hasStrs {
		switch {
		case typ == tString:
			if !slices.Contains(s.strs, str) {
				return false
			}
		case typ == tInteger && s.num != nil:
			f, exact := exactInt(val)
			if !exact {
				q.unsure = true
				return false
			}
			if f != *s.num {
				return false
			}
		default:
			return false
		}
	}
	if s.format != nil {
		if typ != tString {
			q.unsure = true
			return false
		}
		if !s.format(str) {
			return false
		}
	}
	switch typ {
	case tString:
		if s.minLen >= 0 || s.maxLen >= 0 {
			l := utf8.RuneCountInString(str)
			if (s.minLen >= 0 && l < s.minLen) || (s.maxLen >= 0 && l > s.maxLen) {
				return false
			}
		}
		if s.pattern != nil && !s.pattern.MatchString(str) {
			return false
		}
	case tInteger:
		if s.minimum != nil || s.maximum != nil {
			f, exact := exactInt(val)
			if !exact {
				q.unsure = true
				return false
			}
			if (s.minimum != nil && f < *s.minimum) || (s.maximum != nil && f > *s.maximum) {
				return false
			}
		}
	case tObject:
		if !q.object(s, n) {
			return false
		}
	case tArray:
		if s.minItems >= 0 && len(n.Content) < s.minItems {
			return false
		}
		if s.items != nil {
			for _, c := range n.Content {
				if !q.valid(s.items, c) {
					return false
				}
			}
		}
	}
	if s.ref != nil && !q.valid(s.ref, n) {
		return false
	}
	if s.ifS != nil {
		if q.valid(s.ifS, n) {
			if s.thenS != nil && !q.valid(s.thenS, n) {
				return false
			}
		} else if s.elseS != nil && !q.valid(s.elseS, n) {
			return false
		}
	}
	if len(s.oneOf) > 0 {
		passed := 0
		for _, o := range s.oneOf {
			if q.valid(o, n) {
				passed++
			}
		}
		if passed != 1 {
			return false
		}
	}
	return true
}

// object checks a mapping's keywords; plainKeys has made its keys unique.
func (q *quickRun) object(s *quickSchema, n *yaml.Node) bool {
	keys := len(n.Content) / 2
	if (s.minProps >= 0 && keys < s.minProps) || (s.maxProps >= 0 && keys > s.maxProps) {
		return false
	}
	for _, r := range s.required {
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == r {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if s.props == nil && s.addl == nil && !s.noAddl {
		return true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		p, known := s.props[n.Content[i].Value]
		switch {
		case known:
		case s.noAddl:
			return false
		default:
			p = s.addl
		}
		if p != nil && !q.valid(p, n.Content[i+1]) {
			return false
		}
	}
	return true
}
