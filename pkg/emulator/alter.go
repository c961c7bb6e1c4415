package emulator

import (
	"bytes"
	"encoding/json"
	"maps"
)

// AlterResponse makes the next request for operation op (any operation
// when op is "") be handled normally and then answer with fields
// overridden: Fault{Op: op, Rewrite: fields}. Tests of a client that
// checks what the server stored use it to play a server that dropped or
// changed a field.
func (e *Emulator) AlterResponse(op string, fields map[string]any) {
	e.InjectFault(Fault{Op: op, Rewrite: maps.Clone(fields)})
}

// rewriteReply overrides fields of rep's JSON object body (Fault.Rewrite).
// A /v2 answer {"data": {...}} has its fields set inside data; any other
// object, a /v2 list's envelope included, at the top level. The reply is
// marked as a knob's, so Violations does not count it. Must hold e.mu.
func rewriteReply(rep reply, op operation, fields map[string]any) reply {
	rep.knob = true
	if rep.body == nil {
		return rep
	}
	raw, err := json.Marshal(rep.body)
	if err != nil {
		return rep
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return rep // not an object: nothing to override
	}
	target := obj
	if data, ok := obj["data"].(map[string]any); ok && op.permissions() {
		target = data
	}
	for k, v := range fields {
		if v == nil {
			delete(target, k)
			continue
		}
		target[k] = v
	}
	rep.body = obj
	return rep
}
