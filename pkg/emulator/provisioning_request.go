package emulator

// Reading provisioning requests: formats, strict bodies and query
// parameters, and the 400/404 answers to bad ones.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/mail"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

var (
	cloudNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	apiKeyRE    = regexp.MustCompile(`^[1-9][0-9]{14}$`)
)

// validEmail accepts a bare address (no display name) whose domain has a dot.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// cloneMap copies a JSON object shallowly; nil stays nil. (The package has
// its own maps function, which hides the standard package.)
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// invalid answers a bad request: 400 where the operation lists it, else 404
// (see the package comment above).
func (c *call) invalid(format string, args ...any) reply {
	msg := fmt.Sprintf(format, args...)
	if c.op.allows(http.StatusBadRequest) {
		return c.fail(http.StatusBadRequest, msg)
	}
	return c.fail(http.StatusNotFound, msg)
}

// decodeStrict reads the JSON body into v, a pointer to a struct whose
// fields carry json tags. Unlike call.decode it rejects keys that are not
// exactly one of v's tags (encoding/json would match them
// case-insensitively or drop them) and names the field of a type error.
func (c *call) decodeStrict(v any) (reply, bool) {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return c.fail(http.StatusBadRequest, "request body is required"), false
	}
	var raw any
	if err := json.Unmarshal(c.body, &raw); err != nil {
		return c.fail(http.StatusBadRequest, "malformed JSON: "+err.Error()), false
	}
	obj, isObj := raw.(map[string]any)
	if !isObj {
		return c.fail(http.StatusBadRequest, fmt.Sprintf("request body must be a JSON object, not %s", jsonKind(raw))), false
	}
	allowed := jsonTags(v)
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(allowed, k) {
			return c.fail(http.StatusBadRequest, fmt.Sprintf("unknown field %q; expected one of %s", k, strings.Join(allowed, ", "))), false
		}
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return c.fail(http.StatusBadRequest, fmt.Sprintf("field %q must be %s, not %s", field, goKindName(te.Type), te.Value)), false
		}
		return c.fail(http.StatusBadRequest, "malformed JSON: "+err.Error()), false
	}
	return reply{}, true
}

func jsonTags(v any) []string {
	t := reflect.TypeOf(v).Elem()
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

func goKindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// sortOrder parses sort_order: desc (default) or asc. It returns -1 for
// desc, 1 for asc.
func (c *call) sortOrder() (int, reply, bool) {
	switch o := c.query().Get("sort_order"); o {
	case "", "desc":
		return -1, reply{}, true
	case "asc":
		return 1, reply{}, true
	default:
		return 0, c.invalid("invalid sort_order %q: expected desc or asc", o), false
	}
}

// positiveInt parses an optional positive integer query parameter.
func (c *call) positiveInt(name string) (n int, present bool, rep reply, ok bool) {
	n, present, valid := c.queryInt(name)
	if !valid || (present && n < 1) {
		return 0, present, c.invalid("invalid %s %q: expected a positive integer", name, c.query().Get(name)), false
	}
	return n, present, reply{}, true
}

// boolParam parses an optional boolean query parameter.
func (c *call) boolParam(name string) (v, present bool, rep reply, ok bool) {
	v, present, valid := c.queryBool(name)
	if !valid {
		return false, true, c.invalid("invalid %s %q: expected true or false", name, c.query().Get(name)), false
	}
	return v, present, reply{}, true
}

// listParam reads an array query parameter of at most maxFilterValues values.
func (c *call) listParam(name string) ([]string, reply, bool) {
	vs := c.queryList(name)
	if len(vs) > maxFilterValues {
		return nil, c.invalid("%s has %d values; at most %d are allowed", name, len(vs), maxFilterValues), false
	}
	return vs, reply{}, true
}
