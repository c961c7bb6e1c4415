package planner

// The desired model a saved plan pins: the loaded configuration reduced to
// its meaning. Positions (spec.Pos values, whatever the field is called),
// template and tenant file paths and comments are left out, so that a plan
// saved in one directory applies from another and a comment added after
// plan --out changes nothing; any change of meaning does.

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/cldsync/cldsync/pkg/spec"
)

var posType = reflect.TypeFor[spec.Pos]()

// pathFields are the fields that hold where a file is, not what it says:
// a template's path and a tenant's template path (its content is already
// expanded into the configuration).
var pathFields = map[reflect.Type]map[string]bool{
	reflect.TypeFor[spec.TemplateRef](): {"Path": true},
	reflect.TypeFor[spec.Tenant]():      {"Template": true},
}

// NormalizeConfig returns the normalised desired model of cfg, as
// canonical JSON (object keys sorted), and its hash, "sha256:" and the hex
// digest of that JSON.
func NormalizeConfig(cfg *spec.Config) (model json.RawMessage, hash string, err error) {
	model, err = json.Marshal(canonical(reflect.ValueOf(cfg)))
	if err != nil {
		return nil, "", fmt.Errorf("normalise configuration: %w", err)
	}
	return model, modelHash(model), nil
}

// modelHash is the hash of a normalised model.
func modelHash(model []byte) string {
	sum := sha256.Sum256(model)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// canonical maps a Go value to plain JSON data (maps, slices, scalars),
// leaving out positions and paths. nil and empty stay distinct: in a
// configuration, a nil list is not managed and an empty one means none.
func canonical(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return canonical(v.Elem())
	case reflect.Struct:
		if marshals(v) {
			return v.Interface() // time.Time and the like: their JSON is their meaning
		}
		out := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Type == posType || pathFields[t][f.Name] {
				continue
			}
			out[f.Name] = canonical(v.Field(i))
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = canonical(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[fmt.Sprint(it.Key().Interface())] = canonical(it.Value())
		}
		return out
	case reflect.Invalid:
		return nil
	}
	return v.Interface()
}

// marshals reports whether v encodes itself (json.Marshaler or
// encoding.TextMarshaler), as types without exported fields do.
func marshals(v reflect.Value) bool {
	if !v.CanInterface() {
		return false
	}
	switch v.Interface().(type) {
	case json.Marshaler, encoding.TextMarshaler:
		return true
	}
	return false
}
