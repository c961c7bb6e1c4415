package spec

// Schema errors are rewritten into the words the rest of cldsync uses
// ("unexpected key X; expected one of ...") from the schema itself: the
// keyword location of each error points into the schema, so the allowed
// keys, required keys, enum values and constants are read from there rather
// than repeated in Go. Two non-standard keywords that editors also honour
// (VS Code's JSON service, yaml-language-server) give hand-written
// messages: patternErrorMessage for a pattern, errorMessage for a whole
// subschema.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/cldsync/cldsync/schema"
)

type configSchema struct {
	compiled *jsonschema.Schema
	raw      any // the schema document, to look keywords up
	// quick decides most valid files without the validator
	// (quickschema.go); nil when it cannot decide this schema.
	quick *quickSchema
}

// schemaFormats are the formats the schema asserts. Formats are asserted
// so that names get nameProblem (names.go); emails are checked by decode
// (validEmail), with better messages.
// The validator passes them any value, a string as "" (format checks
// strings); the quick check passes strings only.
var schemaFormats = map[string]func(string) bool{
	"email":    func(string) bool { return true },
	nameFormat: func(s string) bool { return nameProblem(s) == "" },
}

var compiledSchema = sync.OnceValues(func() (*configSchema, error) {
	var raw map[string]any
	if err := json.Unmarshal(schema.JSON, &raw); err != nil {
		return nil, fmt.Errorf("read embedded schema: %w", err)
	}
	id, _ := raw["$id"].(string)
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	for name, f := range schemaFormats {
		c.Formats[name] = func(v any) bool { s, _ := v.(string); return f(s) }
	}
	c.LoadURL = func(u string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema %s: remote references are not loaded", u)
	}
	if err := c.AddResource(id, bytes.NewReader(schema.JSON)); err != nil {
		return nil, fmt.Errorf("add embedded schema: %w", err)
	}
	s, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("compile embedded schema: %w", err)
	}
	quick, _ := compileQuick(raw, schemaFormats) // without it, every file takes the validator
	return &configSchema{compiled: s, raw: raw, quick: quick}, nil
})

// validate checks one file's value against the schema and explains every
// failure at the position of the offending node.
func (cs *configSchema) validate(f *file, v any) Errors {
	err := cs.compiled.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return Errors{{Pos: Pos{File: f.name}, Message: fmt.Sprintf("validate against schema: %v", err)}}
	}
	var out Errors
	for _, leaf := range leaves(ve, nil) {
		out = append(out, cs.explain(f, v, leaf)...)
	}
	return out
}

func leaves(ve *jsonschema.ValidationError, acc []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return append(acc, ve)
	}
	for _, c := range ve.Causes {
		acc = leaves(c, acc)
	}
	return acc
}

// lookup returns the schema value at a JSON pointer's tokens, or nil.
func (cs *configSchema) lookup(toks []string) any {
	cur := cs.raw
	for _, t := range toks {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func (cs *configSchema) explain(f *file, v any, ve *jsonschema.ValidationError) Errors {
	inst := pointerTokens(ve.InstanceLocation)
	node, _ := nodeAt(f.root, inst)
	if node == nil {
		node = f.root
	}
	path := displayPath(inst, f.root)
	value := valueAt(v, inst)
	at := func(n *yaml.Node, msg string) Error {
		if path != "" {
			msg = path + ": " + msg
		}
		return Error{Pos: f.pos(n), Message: msg}
	}

	_, frag, _ := strings.Cut(ve.AbsoluteKeywordLocation, "#")
	kw := pointerTokens(frag)
	if len(kw) == 0 {
		return Errors{at(node, ve.Message)}
	}
	keyword := kw[len(kw)-1]
	parent, _ := cs.lookup(kw[:len(kw)-1]).(map[string]any)

	switch keyword {
	case "additionalProperties":
		props, _ := parent["properties"].(map[string]any)
		var errs Errors
		for _, kv := range fields(node) {
			if _, ok := props[kv[0].Value]; !ok {
				keys := slices.Sorted(maps.Keys(props))
				errs = append(errs, at(kv[0], fmt.Sprintf("unexpected key %q%s; expected one of %s", kv[0].Value, didYouMean(kv[0].Value, keys), strings.Join(keys, ", "))))
			}
		}
		return errs
	case "required":
		m, _ := value.(map[string]any)
		req, _ := parent["required"].([]any)
		var errs Errors
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				errs = append(errs, at(node, fmt.Sprintf("missing required key %q", r)))
			}
		}
		return errs
	case "pattern":
		if msg, ok := parent["patternErrorMessage"].(string); ok {
			return Errors{at(node, fmt.Sprintf("invalid value %s: %s", describe(value), msg))}
		}
	}
	// errorMessage on the nearest enclosing subschema replaces the
	// keyword's own words.
	for i := len(kw) - 1; i > 0; i-- {
		if s, ok := cs.lookup(kw[:i]).(map[string]any); ok {
			if msg, ok := s["errorMessage"].(string); ok {
				return Errors{at(node, fmt.Sprintf("%s, got %s", msg, describeTyped(value)))}
			}
		}
	}
	var msg string
	switch keyword {
	case "type":
		var want []string
		switch t := parent["type"].(type) {
		case string:
			want = []string{yamlType(t)}
		case []any:
			for _, x := range t {
				want = append(want, yamlType(x.(string)))
			}
		}
		msg = fmt.Sprintf("expected %s, got %s", strings.Join(want, " or "), describeTyped(value))
	case "const":
		msg = fmt.Sprintf("expected %s, got %s", describe(parent["const"]), describe(value))
	case "enum":
		var want []string
		enum, _ := parent["enum"].([]any)
		for _, e := range enum {
			want = append(want, fmt.Sprint(e))
		}
		hint := ""
		if sv, ok := value.(string); ok {
			hint = didYouMean(sv, want)
		}
		msg = fmt.Sprintf("unexpected value %s%s; expected one of %s", describe(value), hint, strings.Join(want, ", "))
	case "minLength":
		msg = "must not be empty"
	case "format":
		sv, _ := value.(string)
		if p := nameProblem(sv); parent["format"] == nameFormat && p != "" {
			msg = p
		} else {
			msg = ve.Message
		}
	case "maxLength":
		sv, _ := value.(string)
		msg = fmt.Sprintf("is %d characters long; the limit is %v", utf8.RuneCountInString(sv), parent["maxLength"])
	default:
		msg = ve.Message
	}
	return Errors{at(node, msg)}
}

// valueAt walks toks in a value built by toValue.
func valueAt(v any, toks []string) any {
	for _, t := range toks {
		switch c := v.(type) {
		case map[string]any:
			v = c[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// yamlType names a JSON Schema type the way a YAML author thinks of it.
func yamlType(t string) string {
	switch t {
	case "object":
		return "mapping"
	case "array":
		return "list"
	}
	return t
}

// describe renders a value for a message.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// describeTyped is describe with the value's type, for type mismatches:
// "got number 5" says why 5 is not a string.
func describeTyped(v any) string {
	switch v.(type) {
	case nil, map[string]any, []any:
		return describe(v)
	case string:
		return "string " + describe(v)
	case bool:
		return "boolean " + describe(v)
	}
	return "number " + describe(v)
}
