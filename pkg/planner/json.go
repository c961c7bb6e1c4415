//lint:file-ignore S1016 the JSON types are mapped field by field on purpose: a conversion would tie the published shape to the internal types.

package planner

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/cldsync/cldsync/pkg/spec"
)

// The JSON types below are the published shape of `cldsync plan --format
// json` (written by pkg/render through WriteJSON), documented by schema/plan.schema.json (a test validates real output
// against it). They are separate from the planner's types and mapped field
// by field, so that renaming a Go field never changes the output; change
// them only together with FormatVersion. Saved plans (saved.go) embed the
// same shape and map it back.

type JSONPlan struct {
	FormatVersion string       `json:"format_version"`
	Summary       JSONSummary  `json:"summary"`
	SummaryLine   string       `json:"summary_line"`
	Changes       []JSONChange `json:"changes"`
	// Refused counts, and RefusedChanges lists, the changes the guards
	// refused (in errors), which changes does not hold: what the plan
	// would have done.
	Refused        JSONSummary    `json:"refused"`
	RefusedChanges []JSONChange   `json:"refused_changes"`
	Unmanaged      map[string]int `json:"unmanaged"`
	// UnmanagedObjects names, per kind, the objects Unmanaged counts,
	// sorted (format 1.1); absent when nothing is left alone.
	UnmanagedObjects map[string][]string `json:"unmanaged_objects,omitempty"`
	// Access is left out when the plan changes no one's access
	// (json_access.go).
	Access []JSONAccess `json:"access,omitempty"`
	// Ignored is left out when no ignore rule matched a live object, so
	// that plans without ignore rules keep their 1.0 shape.
	Ignored  map[string]int `json:"ignored,omitempty"`
	Warnings []string       `json:"warnings"`
	Errors   []JSONError    `json:"errors"`
}

type JSONSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
}

type JSONRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

type JSONChange struct {
	Action    string      `json:"action"`
	Ref       JSONRef     `json:"ref"`
	Before    any         `json:"before"`
	After     any         `json:"after"`
	Fields    []JSONField `json:"fields"`
	DependsOn []JSONRef   `json:"depends_on"`
	Reason    string      `json:"reason"`
	Notes     []string    `json:"notes"`
}

// JSONField is one changed attribute; Old and New are JSON values
// (json_fields.go), null when absent.
type JSONField struct {
	Name string          `json:"name"`
	Old  json.RawMessage `json:"old"`
	New  json.RawMessage `json:"new"`
}

type JSONError struct {
	Ref     JSONRef `json:"ref"`
	Message string  `json:"message"`
	// Range is where the configuration writes the object, when it does
	// (format 1.2).
	Range *JSONRange `json:"range,omitempty"`
}

// JSONRange is a position in a configuration file, as Terraform's JSON
// diagnostics write it: 1-based line and column.
type JSONRange struct {
	Filename string  `json:"filename"`
	Start    JSONPos `json:"start"`
}

// JSONPos is a line and column.
type JSONPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// ToJSONRange is the range of pos, nil when pos has no line.
func ToJSONRange(pos spec.Pos) *JSONRange {
	if pos.Line == 0 {
		return nil
	}
	return &JSONRange{Filename: pos.File, Start: JSONPos{Line: pos.Line, Column: pos.Col}}
}

type jsonEnvironment struct {
	ID               string         `json:"id,omitempty"`
	CloudName        string         `json:"cloud_name"`
	Name             string         `json:"name"`
	Enabled          bool           `json:"enabled"`
	BaseEnvironment  string         `json:"base_environment,omitempty"`
	CustomAttributes map[string]any `json:"custom_attributes,omitempty"`
}

type jsonUser struct {
	ID              string   `json:"id,omitempty"`
	Email           string   `json:"email"`
	Name            string   `json:"name"`
	Role            string   `json:"role,omitempty"`
	Enabled         bool     `json:"enabled"`
	AllEnvironments bool     `json:"all_environments"`
	Environments    []string `json:"environments"`
	Pending         bool     `json:"pending,omitempty"`
	Root            bool     `json:"root,omitempty"`
}

type jsonGroup struct {
	ID      string   `json:"id,omitempty"`
	Name    string   `json:"name"`
	Members []string `json:"members,omitempty"`
}

type jsonMembership struct {
	Group   string `json:"group"`
	GroupID string `json:"group_id,omitempty"`
	User    string `json:"user"`
	UserID  string `json:"user_id,omitempty"`
}

// jsonAction maps actions to their published names. Every Action must
// have a case; a test checks it.
func jsonAction(a Action) (string, error) {
	switch a {
	case Create:
		return "create", nil
	case Update:
		return "update", nil
	case Delete:
		return "delete", nil
	case Replace:
		return "replace", nil
	}
	return "", fmt.Errorf("render json: invalid action %d", int(a))
}

// jsonValue maps a Value to its JSON type; nil stays nil (JSON null).
func jsonValue(v Value) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case EnvironmentValue:
		return jsonEnvironment{
			ID:               v.ID,
			CloudName:        v.CloudName,
			Name:             v.Name,
			Enabled:          v.Enabled,
			BaseEnvironment:  v.BaseEnvironment,
			CustomAttributes: v.CustomAttributes,
		}, nil
	case UserValue:
		return jsonUser{
			ID:              v.ID,
			Email:           v.Email,
			Name:            v.Name,
			Role:            v.Role,
			Enabled:         v.Enabled,
			AllEnvironments: v.AllEnvironments,
			Environments:    nonNil(v.Environments),
			Pending:         v.Pending,
			Root:            v.Root,
		}, nil
	case GroupValue:
		return jsonGroup{ID: v.ID, Name: v.Name, Members: v.Members}, nil
	case MembershipValue:
		return jsonMembership{Group: v.Group, GroupID: v.GroupID, User: v.User, UserID: v.UserID}, nil
	case RoleValue, PolicyValue, AssignmentValue:
		return jsonPermValue(v), nil // json_permissions.go
	case AccessKeyValue:
		return jsonAccessKeyValue(v), nil // json_access_keys.go
	}
	return nil, fmt.Errorf("render json: unknown value type %T", v)
}

func toJSONRef(r Ref) JSONRef { return JSONRef{Kind: string(r.Kind), Name: r.Name} }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// WriteJSON writes the plan's published JSON as one indented document
// with format_version first. Lists keep the plan's order (apply order) and
// are [] rather than null when empty; object keys are snake_case. The
// renderers (pkg/render) publish it as `plan --format json`.
func WriteJSON(w io.Writer, p *Plan) error {
	out, err := ToJSON(p)
	if err != nil {
		return err
	}
	return EncodeJSON(w, out)
}

// EncodeJSON writes v indented, without HTML escaping, as every JSON
// document cldsync publishes is written.
func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("render json: %w", err)
	}
	return nil
}

// ToJSON maps the plan to its published JSON shape; saved plans embed the
// same shape, and the renderers build the drift report's JSON from it.
// toJSONChange is one change in the published shape.
func toJSONChange(c *Change) (JSONChange, error) {
	action, err := jsonAction(c.Action)
	if err != nil {
		return JSONChange{}, fmt.Errorf("%w (%s)", err, c.Ref)
	}
	jc := JSONChange{
		Action:    action,
		Ref:       toJSONRef(c.Ref),
		Fields:    make([]JSONField, 0, len(c.Fields)),
		DependsOn: make([]JSONRef, 0, len(c.DependsOn)),
		Reason:    c.Reason,
		Notes:     nonNil(c.Notes),
	}
	if jc.Before, err = jsonValue(c.Before); err != nil {
		return JSONChange{}, err
	}
	if jc.After, err = jsonValue(c.After); err != nil {
		return JSONChange{}, err
	}
	for _, f := range c.Fields {
		jc.Fields = append(jc.Fields, JSONField{Name: f.Name, Old: fieldValue(f.Old), New: fieldValue(f.New)})
	}
	for _, r := range c.DependsOn {
		jc.DependsOn = append(jc.DependsOn, toJSONRef(r))
	}
	return jc, nil
}

func ToJSON(p *Plan) (JSONPlan, error) {
	s := p.Summary()
	out := JSONPlan{
		FormatVersion: p.FormatVersion,
		Summary:       JSONSummary{Add: s.Add, Change: s.Change, Destroy: s.Destroy},
		SummaryLine:   p.SummaryLine(),
		Changes:       make([]JSONChange, 0, len(p.Changes)),
		Unmanaged:     make(map[string]int, len(p.Unmanaged)),
		Warnings:      nonNil(p.Warnings),
		Errors:        make([]JSONError, 0, len(p.Errors)),
	}
	for i := range p.Changes {
		jc, err := toJSONChange(&p.Changes[i])
		if err != nil {
			return JSONPlan{}, err
		}
		out.Changes = append(out.Changes, jc)
	}
	refused := p.RefusedChanges()
	r := p.RefusedSummary()
	out.Refused = JSONSummary{Add: r.Add, Change: r.Change, Destroy: r.Destroy}
	out.RefusedChanges = make([]JSONChange, 0, len(refused))
	for i := range refused {
		jc, err := toJSONChange(&refused[i])
		if err != nil {
			return JSONPlan{}, err
		}
		out.RefusedChanges = append(out.RefusedChanges, jc)
	}
	// encoding/json writes map keys sorted, so this map is stable.
	for k, n := range p.Unmanaged {
		out.Unmanaged[string(k)] = n
		if names := p.UnmanagedOf(k); len(names) > 0 {
			if out.UnmanagedObjects == nil {
				out.UnmanagedObjects = map[string][]string{}
			}
			out.UnmanagedObjects[string(k)] = names
		}
	}
	for k, n := range p.Ignored {
		if n > 0 {
			if out.Ignored == nil {
				out.Ignored = map[string]int{}
			}
			out.Ignored[string(k)] = n
		}
	}
	for _, e := range p.Errors {
		out.Errors = append(out.Errors, JSONError{Ref: toJSONRef(e.Ref), Message: e.Message, Range: ToJSONRange(e.Pos)})
	}
	access, err := ToJSONAccess(p.Access)
	if err != nil {
		return JSONPlan{}, err
	}
	out.Access = access
	return out, nil
}
