//lint:file-ignore S1016 saved plans are read back through the published JSON types, mapped field by field on purpose (see json.go).

package planner

// Saved plans: `cldsync plan --out FILE` writes one, `cldsync apply --plan
// FILE` applies exactly its changes and nothing else.
//
// A saved plan pins what it was computed from, and apply --plan compares
// meaning, not bytes:
//
//   - the account: a plan saved against one account is refused on another
//     ("saved for account acc-staging, this is acc-prod");
//   - the desired model: the loaded configuration normalised
//     (NormalizeConfig: no positions, no comments, no paths), so the plan
//     applies from any directory and after a comment is added, and is
//     refused when the meaning changed;
//   - the options that shaped it: --prune, --allow-deletes,
//     --allow-environment-deletes, --allow-key-removal, --rotate,
//     --secrets-dir, and the --var and --var-file values; a flag missing at apply is named
//     ("saved with --allow-deletes; pass it again"), never reported as drift;
//   - the live values each change assumed: its Before (the live object,
//     ids included; none for a create, which assumed the object absent) and
//     the ids its After and DependsOn refer to. Every object whose live
//     values moved is stale, and Compare names it with what moved;
//   - the changes themselves, through a digest of all of the above: a file
//     edited after plan --out (a change dropped, say) is refused.
//
// Changes that the fresh plan has and the saved one does not (drift in
// objects the saved plan leaves alone) are not stale: they are simply not
// applied, since a saved plan is applied exactly. apply then runs every
// guard on exactly the saved changes against the fresh read (Check).
//
// The file embeds the published plan JSON (json.go) and reads it back
// through the same mapping. It holds no secrets: plans carry names, ids
// and settings, never credentials or access keys. The planner stays pure:
// the fresh read is the caller's.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
)

// SavedFormatVersion is the version of the saved-plan wrapper, written as
// format_version. Readers accept any minor version of their major version.
// 2.0 pins the account, the normalised model, the options and a digest;
// 1.x files are refused with a request to save the plan again. 2.1 adds
// options.secrets_dir, written only when set.
const SavedFormatVersion = "2.1"

// savedKind marks a file as a saved plan, so that `plan --format json`
// output is not mistaken for one.
const savedKind = "cldsync-saved-plan"

// Saved is a plan saved to be applied later, with what it was computed
// from.
type Saved struct {
	// CldsyncVersion is the version of cldsync that saved the plan.
	CldsyncVersion string
	// Account is the id of the account the plan was computed against.
	Account string
	// ConfigPath is where the configuration was (absolute), so that apply
	// --plan finds it from any directory when given none.
	ConfigPath string
	// Model is the normalised desired model and ConfigHash its hash
	// (NormalizeConfig).
	Model      json.RawMessage
	ConfigHash string
	// Options are the flags and variable values the plan was computed
	// with.
	Options SavedOptions
	// Plan is the plan, whose changes are applied exactly.
	Plan *Plan
}

// SavedOptions are the flags and variable values that shaped a saved plan.
type SavedOptions struct {
	Prune                   []spec.Kind
	AllowDeletes            bool
	AllowEnvironmentDeletes bool
	AllowKeyRemoval         bool
	Rotate                  []string
	// SecretsDir is --secrets-dir: it says where new keys' secrets go,
	// which the plan shows and apply delivers to.
	SecretsDir string
	// Vars are the --var flags (NAME=VALUE) and VarFiles the --var-file
	// flags as given, for naming what differs; their effect is in Model.
	Vars     []string
	VarFiles []string
}

type savedJSON struct {
	FormatVersion  string           `json:"format_version"`
	Kind           string           `json:"kind"`
	CldsyncVersion string           `json:"cldsync_version"`
	Account        string           `json:"account"`
	Config         savedConfigJSON  `json:"config"`
	Options        savedOptionsJSON `json:"options"`
	Digest         string           `json:"digest"`
	Plan           json.RawMessage  `json:"plan"`
}

type savedConfigJSON struct {
	Path  string          `json:"path"`
	Hash  string          `json:"hash"`
	Model json.RawMessage `json:"model"`
}

type savedOptionsJSON struct {
	Prune                   []string `json:"prune"`
	AllowDeletes            bool     `json:"allow_deletes"`
	AllowEnvironmentDeletes bool     `json:"allow_environment_deletes"`
	AllowKeyRemoval         bool     `json:"allow_key_removal"`
	Rotate                  []string `json:"rotate"`
	SecretsDir              string   `json:"secrets_dir,omitempty"`
	Vars                    []string `json:"vars"`
	VarFiles                []string `json:"var_files"`
}

func toSavedOptions(o SavedOptions) savedOptionsJSON {
	prune := make([]string, 0, len(o.Prune))
	for _, k := range o.Prune {
		prune = append(prune, string(k))
	}
	return savedOptionsJSON{Prune: prune, AllowDeletes: o.AllowDeletes, AllowEnvironmentDeletes: o.AllowEnvironmentDeletes,
		AllowKeyRemoval: o.AllowKeyRemoval, Rotate: nonNil(o.Rotate), SecretsDir: o.SecretsDir, Vars: nonNil(o.Vars), VarFiles: nonNil(o.VarFiles)}
}

func fromSavedOptions(j savedOptionsJSON) SavedOptions {
	o := SavedOptions{AllowDeletes: j.AllowDeletes, AllowEnvironmentDeletes: j.AllowEnvironmentDeletes,
		AllowKeyRemoval: j.AllowKeyRemoval, Rotate: j.Rotate, SecretsDir: j.SecretsDir, Vars: j.Vars, VarFiles: j.VarFiles}
	for _, k := range j.Prune {
		o.Prune = append(o.Prune, spec.Kind(k))
	}
	return o
}

// digest covers everything a saved plan pins but its path: the account,
// the model's hash, the options and the plan, canonically encoded.
func digest(account, hash string, opts savedOptionsJSON, plan JSONPlan) (string, error) {
	data, err := json.Marshal(struct {
		Account string           `json:"account"`
		Hash    string           `json:"hash"`
		Options savedOptionsJSON `json:"options"`
		Plan    JSONPlan         `json:"plan"`
	}{account, hash, opts, plan})
	if err != nil {
		return "", err
	}
	return modelHash(data), nil
}

// jsonPlanIn and jsonChangeIn read the published plan JSON back; values
// are decoded by the change's kind.
type jsonPlanIn struct {
	FormatVersion string         `json:"format_version"`
	Summary       JSONSummary    `json:"summary"`
	SummaryLine   string         `json:"summary_line"`
	Changes       []jsonChangeIn `json:"changes"`
	// Refused and RefusedChanges are not read back: a saved plan with
	// errors is refused as a whole.
	Refused          JSONSummary         `json:"refused"`
	RefusedChanges   []jsonChangeIn      `json:"refused_changes"`
	Unmanaged        map[string]int      `json:"unmanaged"`
	UnmanagedObjects map[string][]string `json:"unmanaged_objects"`
	Access           []JSONAccess        `json:"access"`
	Ignored          map[string]int      `json:"ignored"`
	Warnings         []string            `json:"warnings"`
	Errors           []JSONError         `json:"errors"`
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

// WriteSaved writes s as indented JSON, with its digest.
func WriteSaved(w io.Writer, s *Saved) error {
	jp, err := ToJSON(s.Plan)
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	var plan bytes.Buffer
	if err := EncodeJSON(&plan, jp); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	model := s.Model
	if len(model) == 0 {
		model = json.RawMessage("null")
	}
	opts := toSavedOptions(s.Options)
	sum, err := digest(s.Account, s.ConfigHash, opts, jp)
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return EncodeJSON(w, savedJSON{
		FormatVersion:  SavedFormatVersion,
		Kind:           savedKind,
		CldsyncVersion: s.CldsyncVersion,
		Account:        s.Account,
		Config:         savedConfigJSON{Path: s.ConfigPath, Hash: s.ConfigHash, Model: model},
		Options:        opts,
		Digest:         sum,
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
		return nil, fmt.Errorf("read saved plan: format_version %q, this cldsync reads %s.x; save the plan again with cldsync plan --out", sj.FormatVersion, major(SavedFormatVersion))
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
	if err := checkDigest(&sj, p); err != nil {
		return nil, err
	}
	return &Saved{CldsyncVersion: sj.CldsyncVersion, Account: sj.Account, ConfigPath: sj.Config.Path, Model: sj.Config.Model,
		ConfigHash: sj.Config.Hash, Options: fromSavedOptions(sj.Options), Plan: p}, nil
}

// errEdited is the refusal of a saved plan changed after plan --out.
var errEdited = errors.New("read saved plan: its content is not what plan --out wrote (the file was edited: a change added, dropped or altered, or the account, options or configuration it pins); save the plan again with cldsync plan --out and review it")

// checkDigest refuses a file whose model, options, account or changes are
// not the ones plan --out wrote.
func checkDigest(sj *savedJSON, p *Plan) error {
	if string(sj.Config.Model) != "null" && modelHash(compactJSON(sj.Config.Model)) != sj.Config.Hash {
		return errEdited
	}
	jp, err := ToJSON(p)
	if err != nil {
		return fmt.Errorf("read saved plan: %w", err)
	}
	sum, err := digest(sj.Account, sj.Config.Hash, sj.Options, jp)
	if err != nil {
		return fmt.Errorf("read saved plan: %w", err)
	}
	if sum != sj.Digest {
		return errEdited
	}
	return nil
}

// compactJSON is data without insignificant space, as json.Marshal writes
// it, so that an indented model hashes as the one marshalled.
func compactJSON(data []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return data
	}
	return b.Bytes()
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
	for k, names := range jp.UnmanagedObjects {
		if p.UnmanagedNames == nil {
			p.UnmanagedNames = map[spec.Kind][]string{}
		}
		p.UnmanagedNames[spec.Kind(k)] = names
	}
	if len(jp.Ignored) > 0 {
		p.Ignored = make(map[spec.Kind]int, len(jp.Ignored))
		for k, n := range jp.Ignored {
			p.Ignored[spec.Kind(k)] = n
		}
	}
	for _, e := range jp.Errors {
		pe := PlanError{Ref: fromJSONRef(e.Ref), Message: e.Message}
		if e.Range != nil {
			pe.Pos = spec.Pos{File: e.Range.Filename, Line: e.Range.Start.Line, Col: e.Range.Start.Column}
		}
		p.Errors = append(p.Errors, pe)
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
		c.Fields = append(c.Fields, FieldDiff{Name: f.Name, Old: fieldLiteral(f.Name, f.Old), New: fieldLiteral(f.Name, f.New)})
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
