package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cedar-policy/cedar-go/types"

	"github.com/cldsync/cldsync/pkg/spec"
)

// Namespace is the Cedar namespace of Cloudinary's entity types; a type or
// action written without one is in it.
const Namespace = "Cloudinary"

// anyID is the id of the stand-in resource of each type for "any".
const anyID = "*"

// Request is a question put to the authorizer: may the principal do
// Action on Resource (nil: on some resource), in Context.
type Request struct {
	Action   types.EntityUID
	Resource *types.EntityUID
	Context  types.Record
}

// String is "read on any resource" or `read on Folder::"f1"`.
func (r Request) String() string {
	res := "any resource"
	if r.Resource != nil {
		res = ShortEntity(*r.Resource)
	}
	return ShortEntity(r.Action) + " on " + res
}

// ShortEntity writes an entity without the Cloudinary namespace, and an
// action by its id alone: `Folder::"f1"`, "read"; the stand-in resource of
// "any" is "some Asset".
func ShortEntity(e types.EntityUID) string {
	t := strings.TrimPrefix(string(e.Type), Namespace+"::")
	switch {
	case t == "Action":
		return string(e.ID)
	case e.ID == anyID:
		return "some " + t
	}
	return t + "::" + fmt.Sprintf("%q", string(e.ID))
}

// ParseRequest reads a request as a configuration writes it: an action
// ("read", or `MediaFlows::Action::"read"`), a resource ("any", or an
// entity literal such as `Folder::"f8a5c2e1"`, the namespace optional) and
// a context (YAML values: strings, numbers, booleans, lists, maps).
func ParseRequest(action, resource string, context map[string]any) (Request, error) {
	var r Request
	act, err := ParseAction(action)
	if err != nil {
		return r, err
	}
	r.Action = act
	if resource != "" && resource != "any" {
		e, err := ParseEntity(resource)
		if err != nil {
			return r, err
		}
		r.Resource = &e
	}
	rec, err := cedarValue(context)
	if err != nil {
		return r, fmt.Errorf("context: %w", err)
	}
	r.Context = rec.(types.Record)
	return r, nil
}

// ParseAction reads "read" or `Namespace::Action::"read"`.
func ParseAction(s string) (types.EntityUID, error) {
	if s == "" {
		return types.EntityUID{}, fmt.Errorf("no action")
	}
	if !strings.Contains(s, "::") {
		return types.NewEntityUID(Namespace+"::Action", types.String(s)), nil
	}
	e, err := ParseEntity(s)
	if err != nil {
		return e, err
	}
	if !strings.HasSuffix(string(e.Type), "::Action") && e.Type != "Action" {
		return e, fmt.Errorf("%q is not an action (Namespace::Action::\"name\")", s)
	}
	return e, nil
}

// ParseEntity reads an entity literal, `Folder::"f1"` or
// `Cloudinary::Folder::"f1"`.
func ParseEntity(s string) (types.EntityUID, error) {
	q := strings.IndexByte(s, '"')
	if q < 2 || !strings.HasSuffix(s[:q], "::") {
		return types.EntityUID{}, fmt.Errorf(`%q is not an entity: write Type::"id", such as Folder::"f8a5c2e1"`, s)
	}
	if !strings.Contains(s[:q-2], "::") {
		s = Namespace + "::" + s
	}
	var e types.EntityUID
	if err := e.UnmarshalCedar([]byte(s)); err != nil {
		return e, fmt.Errorf(`%q is not an entity: write Type::"id", such as Folder::"f8a5c2e1"`, s)
	}
	return e, nil
}

// cedarValue converts a YAML value to a Cedar value; nil is the empty
// record.
func cedarValue(v any) (types.Value, error) {
	switch v := v.(type) {
	case nil:
		return types.NewRecord(nil), nil
	case string:
		return types.String(v), nil
	case bool:
		return types.Boolean(v), nil
	case int:
		return types.Long(v), nil
	case int64:
		return types.Long(v), nil
	case float64:
		if v != float64(int64(v)) {
			return nil, fmt.Errorf("%v: Cedar has no fractions", v)
		}
		return types.Long(int64(v)), nil
	case []any:
		vals := make([]types.Value, 0, len(v))
		for _, e := range v {
			c, err := cedarValue(e)
			if err != nil {
				return nil, err
			}
			vals = append(vals, c)
		}
		return types.NewSet(vals...), nil
	case map[string]any:
		m := types.RecordMap{}
		for k, e := range v {
			c, err := cedarValue(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			m[types.String(k)] = c
		}
		return types.NewRecord(m), nil
	}
	return nil, fmt.Errorf("%v: not a Cedar value", v)
}

// resourceEntity is the entity of a requested resource: a Folder is
// inside itself, an Asset is in no folder.
func resourceEntity(e types.EntityUID) types.Entity {
	attrs := types.RecordMap{}
	switch e.Type {
	case "Cloudinary::Folder":
		attrs["ancestor_ids"] = types.NewSet(types.String(e.ID))
		attrs["name"] = e.ID
	case "Cloudinary::Asset":
		attrs["ancestor_ids"] = types.NewSet()
		attrs["resource_type"] = types.String("image")
	}
	return types.Entity{UID: e, Attributes: types.NewRecord(attrs)}
}

// candidates are the resources "any" tries: the stand-in of each type,
// assets and folders first (what most questions are about), then the
// resources named, sorted.
func candidates(named []types.EntityUID) []types.EntityUID {
	out := make([]types.EntityUID, 0, len(spec.CedarResourceTypes)+len(named))
	first := []string{"Cloudinary::Asset", "Cloudinary::Folder"}
	for _, t := range slices.Concat(first, spec.CedarResourceTypes) {
		u := types.NewEntityUID(types.EntityType(t), anyID)
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	named = slices.Clone(named)
	slices.SortFunc(named, func(a, b types.EntityUID) int { return strings.Compare(a.String(), b.String()) })
	return append(out, slices.Compact(named)...)
}
