package planner

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// A FieldDiff holds display literals ("\"admin\"", "true", "all", a list of
// quoted names, compact JSON of custom attributes). The JSON plan writes
// them as JSON values (format 2.0: before, field diffs were JSON text
// inside strings, "old": "\"technical_admin\""), and a saved plan read back
// turns them into literals again.

// fieldValue is the JSON value a display literal shows: a string for a
// quoted string or a bare word (all, a secret sink), true/false, a number,
// an array of names, an object; null for no value (a create's old side).
func fieldValue(lit string) json.RawMessage {
	if lit == "" {
		return json.RawMessage("null")
	}
	if strings.HasPrefix(lit, `"`) {
		if s, err := strconv.Unquote(lit); err == nil {
			return marshalString(s)
		}
	}
	if json.Valid([]byte(lit)) {
		var b bytes.Buffer
		if json.Compact(&b, []byte(lit)) == nil {
			return b.Bytes()
		}
	}
	return marshalString(lit)
}

func marshalString(s string) json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil { // a string always marshals
		return json.RawMessage(`""`)
	}
	return b
}

// fieldLiteral is fieldValue's inverse, for a saved plan read back: the
// display literal of a JSON value of field name.
func fieldLiteral(name string, v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		if name == "environments" && s == "all" {
			return "all" // formatAccess's bare word
		}
		if name == "secret" {
			return s // SinkString's bare "file PATH", as plan showed it
		}
		return quote(s)
	}
	var list []string
	if v[0] == '[' && json.Unmarshal(v, &list) == nil {
		return quoteList(list)
	}
	return string(v)
}
