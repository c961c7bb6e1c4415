//lint:file-ignore S1016 saved plans are read back through the published JSON types, mapped field by field on purpose (see json.go).

package planner

// Saved plans: `cldsync plan --out FILE` writes one, `cldsync apply --plan
// FILE` applies exactly its changes and nothing else.
//
// A saved plan must only be applied while it still says what will happen.
// Two things can make it lie, and both are refused:
//
//   - The configuration changed. The plan records ConfigHash: a digest of the
//     loaded configuration (positions left out, so comments and reformatting
//     do not count) and of the planning options.
//   - An object the plan touches changed in the live account. Each change
//     records what the plan saw of its object: Before is the live object with
//     its ids (nil, for a create, records that it was absent), and the
//     change's After, DependsOn and membership ids record the objects it
//     refers to. apply reads the live account again and plans anew from the
//     same configuration; every object whose change is not exactly the
//     saved one is stale, and Compare names it with what moved.
//
// Changes that the fresh plan has and the saved one does not (drift in
// objects the saved plan leaves alone) are not stale: they are simply not
// applied, since a saved plan is applied exactly.
//
// The file is the published plan JSON (json.go) wrapped with the
// configuration's identity, and is read back through the same mapping, so
// the saved shape is versioned like the JSON output. It holds no secrets:
// plans carry names, ids and settings, never credentials or access keys.
// The planner stays pure: the fresh read is the caller's.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
)

// SavedFormatVersion is the version of the saved-plan wrapper, written as
// format_version. Readers accept any minor version of their major version.
const SavedFormatVersion = "1.0"

// savedKind marks a file as a saved plan, so that `plan --format json`
// output is not mistaken for one.
const savedKind = "cldsync-saved-plan"

// Saved is a plan saved to be applied later, with the identity of what it
// was computed from.
type Saved struct {
	// CldsyncVersion is the version of cldsync that saved the plan.
	CldsyncVersion string
	// ConfigPath is the configuration path the plan was computed from, as
	// given on the command line.
	ConfigPath string
	// ConfigHash identifies the configuration and options (see ConfigHash).
	ConfigHash string
	// Prune is the --prune override the plan was computed with; nil for
	// none. It is part of ConfigHash.
	Prune []spec.Kind
	// Plan is the plan, whose changes are applied exactly.
	Plan *Plan
}

type savedJSON struct {
	FormatVersion  string          `json:"format_version"`
	Kind           string          `json:"kind"`
	CldsyncVersion string          `json:"cldsync_version"`
	Config         savedConfigJSON `json:"config"`
	Plan           json.RawMessage `json:"plan"`
}

type savedConfigJSON struct {
	Path  string   `json:"path"`
	Hash  string   `json:"hash"`
	Prune []string `json:"prune"`
}

// jsonPlanIn and jsonChangeIn read the published plan JSON back; values
// are decoded by the change's kind.
type jsonPlanIn struct {
	FormatVersion string         `json:"format_version"`
	Summary       JSONSummary    `json:"summary"`
	SummaryLine   string         `json:"summary_line"`
	Changes       []jsonChangeIn `json:"changes"`
	Unmanaged     map[string]int `json:"unmanaged"`
	Access        []JSONAccess   `json:"access"`
	Ignored       map[string]int `json:"ignored"`
	Warnings      []string       `json:"warnings"`
	Errors        []JSONError    `json:"errors"`
}

type jsonChangeIn struct {
	Action    string          `json:"action"`
	Ref       JSONRef         `json:"ref"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
	Fields    []JSONField     `json:"fields"`
	DependsOn []JSONRef       `json:"depends_on"`
	Reason    string          `json:"reason"`
	Notes     []string        `json:"notes"`
}

// WriteSaved writes s as indented JSON.
func WriteSaved(w io.Writer, s *Saved) error {
	jp, err := ToJSON(s.Plan)
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	var plan bytes.Buffer
	if err := EncodeJSON(&plan, jp); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	prune := make([]string, 0, len(s.Prune))
	for _, k := range s.Prune {
		prune = append(prune, string(k))
	}
	return EncodeJSON(w, savedJSON{
		FormatVersion:  SavedFormatVersion,
		Kind:           savedKind,
		CldsyncVersion: s.CldsyncVersion,
		Config:         savedConfigJSON{Path: s.ConfigPath, Hash: s.ConfigHash, Prune: prune},
		Plan:           json.RawMessage(bytes.TrimSpace(plan.Bytes())),
	})
}

// ReadSaved reads a plan written by WriteSaved. It refuses other JSON
// (such as `plan --format json` output) and other major versions.
func ReadSaved(r io.Reader) (*Saved, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	if head.Kind != savedKind {
		return nil, errors.New("read saved plan: not a saved plan (write one with `cldsync plan --out FILE`)")
	}
	var sj savedJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sj); err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	if major(sj.FormatVersion) != major(SavedFormatVersion) {
		return nil, fmt.Errorf("read saved plan: format_version %q, this cldsync reads %s.x", sj.FormatVersion, major(SavedFormatVersion))
	}
	var jp jsonPlanIn
	dec = json.NewDecoder(bytes.NewReader(sj.Plan))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&jp); err != nil {
		return nil, fmt.Errorf("read saved plan: plan: %w", err)
	}
	if major(jp.FormatVersion) != major(FormatVersion) {
		return nil, fmt.Errorf("read saved plan: plan format_version %q, this cldsync reads %s.x", jp.FormatVersion, major(FormatVersion))
	}
	p, err := fromJSONPlan(jp)
	if err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	s := &Saved{CldsyncVersion: sj.CldsyncVersion, ConfigPath: sj.Config.Path, ConfigHash: sj.Config.Hash, Plan: p}
	for _, k := range sj.Config.Prune {
		s.Prune = append(s.Prune, spec.Kind(k))
	}
	return s, nil
}

func major(v string) string {
	m, _, _ := strings.Cut(v, ".")
	return m
}

func fromJSONPlan(jp jsonPlanIn) (*Plan, error) {
	p := &Plan{FormatVersion: jp.FormatVersion, Warnings: jp.Warnings}
	for i, jc := range jp.Changes {
		c, err := fromJSONChange(jc)
		if err != nil {
			return nil, fmt.Errorf("change %d (%s/%s): %w", i, jc.Ref.Kind, jc.Ref.Name, err)
		}
		p.Changes = append(p.Changes, c)
	}
	if len(jp.Unmanaged) > 0 {
		p.Unmanaged = make(map[spec.Kind]int, len(jp.Unmanaged))
		for k, n := range jp.Unmanaged {
			p.Unmanaged[spec.Kind(k)] = n
		}
	}
	if len(jp.Ignored) > 0 {
		p.Ignored = make(map[spec.Kind]int, len(jp.Ignored))
		for k, n := range jp.Ignored {
			p.Ignored[spec.Kind(k)] = n
		}
	}
	for _, e := range jp.Errors {
		p.Errors = append(p.Errors, PlanError{Ref: fromJSONRef(e.Ref), Message: e.Message})
	}
	access, err := fromJSONAccess(jp.Access) // json_access.go
	if err != nil {
		return nil, err
	}
	p.Access = access
	return p, nil
}

func fromJSONRef(r JSONRef) Ref { return Ref{Kind: spec.Kind(r.Kind), Name: r.Name} }

func fromJSONChange(jc jsonChangeIn) (Change, error) {
	c := Change{Ref: fromJSONRef(jc.Ref), Reason: jc.Reason, Notes: jc.Notes}
	for _, a := range Actions {
		if name, _ := jsonAction(a); name == jc.Action {
			c.Action = a
		}
	}
	if c.Action == 0 {
		return Change{}, fmt.Errorf("unknown action %q", jc.Action)
	}
	var err error
	if c.Before, err = fromJSONValue(c.Ref.Kind, jc.Before); err != nil {
		return Change{}, fmt.Errorf("before: %w", err)
	}
	if c.After, err = fromJSONValue(c.Ref.Kind, jc.After); err != nil {
		return Change{}, fmt.Errorf("after: %w", err)
	}
	for _, f := range jc.Fields {
		c.Fields = append(c.Fields, FieldDiff{Name: f.Name, Old: f.Old, New: f.New})
	}
	for _, r := range jc.DependsOn {
		c.DependsOn = append(c.DependsOn, fromJSONRef(r))
	}
	return c, nil
}

// fromJSONValue is jsonValue's inverse; the kind says which type raw holds.
// Every Value type needs a case here (TestSavedRoundTrip checks them).
func fromJSONValue(kind spec.Kind, raw json.RawMessage) (Value, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	decode := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	switch kind {
	case spec.KindEnvironment:
		var v jsonEnvironment
		if err := decode(&v); err != nil {
			return nil, err
		}
		return EnvironmentValue{ID: v.ID, CloudName: v.CloudName, Name: v.Name, Enabled: v.Enabled,
			BaseEnvironment: v.BaseEnvironment, CustomAttributes: v.CustomAttributes}, nil
	case spec.KindUser:
		var v jsonUser
		if err := decode(&v); err != nil {
			return nil, err
		}
		return UserValue{ID: v.ID, Email: v.Email, Name: v.Name, Role: v.Role, Enabled: v.Enabled,
			AllEnvironments: v.AllEnvironments, Environments: v.Environments, Pending: v.Pending, Root: v.Root}, nil
	case spec.KindGroup:
		var v jsonGroup
		if err := decode(&v); err != nil {
			return nil, err
		}
		return GroupValue{ID: v.ID, Name: v.Name, Members: v.Members}, nil
	case spec.KindMembership:
		var v jsonMembership
		if err := decode(&v); err != nil {
			return nil, err
		}
		return MembershipValue{Group: v.Group, GroupID: v.GroupID, User: v.User, UserID: v.UserID}, nil
	case spec.KindAccessKey:
		return fromJSONAccessKey(decode) // json_access_keys.go
	}
	// Roles, policies and assignments: json_permissions.go.
	if v, ok, err := fromJSONPermValue(kind, decode); ok {
		return v, err
	}
	return nil, fmt.Errorf("this cldsync cannot read a saved %s value", kind)
}

// ConfigHash identifies a loaded configuration together with the --prune
// override it is planned with: "sha256:" and the hex digest of a canonical
// JSON encoding. Positions are left out, so moving, commenting or
// reformatting YAML does not change the hash; any change of meaning does.
func ConfigHash(cfg *spec.Config, prune []spec.Kind) (string, error) {
	data, err := json.Marshal(cfg)
	if err != nil {
		return "", fmt.Errorf("hash configuration: %w", err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return "", fmt.Errorf("hash configuration: %w", err)
	}
	// encoding/json writes map keys sorted, so the encoding is canonical.
	canon, err := json.Marshal(struct {
		Config any         `json:"config"`
		Prune  []spec.Kind `json:"prune"`
	}{stripPositions(v), prune})
	if err != nil {
		return "", fmt.Errorf("hash configuration: %w", err)
	}
	sum := sha256.Sum256(canon)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// stripPositions drops every "Pos" member (spec.Pos) from a decoded JSON
// value, at any depth.
func stripPositions(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "Pos")
		for k, x := range v {
			v[k] = stripPositions(x)
		}
	case []any:
		for i, x := range v {
			v[i] = stripPositions(x)
		}
	}
	return v
}

// Stale is an object that a saved plan touches whose change no longer
// holds, and why.
type Stale struct {
	Ref    Ref
	Reason string
}

// String is "user raj@acme.test: changed in the live account since …".
func (s Stale) String() string { return Noun(s.Ref.Kind) + " " + s.Ref.Name + ": " + s.Reason }

// Compare checks the saved plan against fresh: a plan computed now from
// the same configuration and a fresh read of the live account. It returns,
// in the saved plan's order, each object the saved plan touches whose
// change would now be different. Objects the saved plan does not touch are
// never stale (see Untouched).
func (s *Saved) Compare(fresh *Plan) ([]Stale, error) {
	saved, order, err := changesByRef(s.Plan)
	if err != nil {
		return nil, err
	}
	now, _, err := changesByRef(fresh)
	if err != nil {
		return nil, err
	}
	var out []Stale
	for _, ref := range order {
		if reason := staleReason(saved[ref], now[ref]); reason != "" {
			out = append(out, Stale{Ref: ref, Reason: reason})
		}
	}
	return out, nil
}

// Untouched returns the objects that fresh would change and the saved plan
// does not touch, in fresh's order: drift that applying the saved plan
// leaves alone.
func (s *Saved) Untouched(fresh *Plan) []Ref {
	touched := map[Ref]bool{}
	for _, c := range s.Plan.Changes {
		touched[c.Ref] = true
	}
	var out []Ref
	for _, c := range fresh.Changes {
		if !touched[c.Ref] && !slices.Contains(out, c.Ref) {
			out = append(out, c.Ref)
		}
	}
	return out
}

// changesByRef maps a plan's changes to their published JSON, grouped by
// object, and lists the objects in plan order.
func changesByRef(p *Plan) (map[Ref][]JSONChange, []Ref, error) {
	jp, err := ToJSON(p)
	if err != nil {
		return nil, nil, err
	}
	by := map[Ref][]JSONChange{}
	var order []Ref
	for _, jc := range jp.Changes {
		ref := fromJSONRef(jc.Ref)
		if _, ok := by[ref]; !ok {
			order = append(order, ref)
		}
		by[ref] = append(by[ref], jc)
	}
	return by, order, nil
}

// staleReason is "" when the saved and fresh changes of one object are the
// same, else why they differ, in terms of what moved.
func staleReason(saved, fresh []JSONChange) string {
	a, _ := json.Marshal(saved)
	b, _ := json.Marshal(fresh)
	if bytes.Equal(a, b) {
		return ""
	}
	s := saved[0]
	if len(fresh) == 0 {
		if s.Before == nil {
			return "was created in the live account since the plan"
		}
		if s.After == nil {
			return "was deleted from the live account since the plan"
		}
		return "changed in the live account since the plan, which now needs no change"
	}
	f := fresh[0]
	switch {
	case s.Before == nil && f.Before != nil:
		return "was created in the live account since the plan"
	case s.Before != nil && f.Before == nil:
		return "was deleted from the live account since the plan"
	case s.Before != nil:
		if d := valueDiff(s.Before, f.Before); d != "" {
			return "changed in the live account since the plan: " + d
		}
	}
	return "its change is different now: an object it refers to changed in the live account since the plan"
}

// valueDiff is `role "admin" → "reports", enabled true → false` for the
// members of two JSON values that differ, in key order.
func valueDiff(was, now any) string {
	wm, nm := jsonObject(was), jsonObject(now)
	var keys []string
	for k := range wm {
		keys = append(keys, k)
	}
	for k := range nm {
		if _, ok := wm[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		w, _ := json.Marshal(wm[k])
		n, _ := json.Marshal(nm[k])
		if !bytes.Equal(w, n) {
			parts = append(parts, k+" "+string(w)+" → "+string(n))
		}
	}
	return strings.Join(parts, ", ")
}

func jsonObject(v any) map[string]json.RawMessage {
	data, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(data, &m)
	return m
}
