package contract

// Examples: the spec's own examples, checked against the schemas they
// illustrate and reviewed, so that the good ones can serve as fixtures.
//
// NOTES.md P10 warns that some examples are wrong in ways a schema cannot
// see (ids of the wrong shape, Cedar that does not parse, placeholders), so
// an example passes only if it validates against its schema, declares no
// property the schema does not (StrictProperties), and passes the semantic
// checks of checkSemantics. KnownDefects lists the examples that fail, each
// with the reason; Fixture never returns them.

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/getkin/kin-openapi/openapi3"
)

// Where says what part of the spec an example illustrates.
type Where string

// The places an example can sit.
const (
	InRequest    Where = "request"      // an operation's request body
	InResponse   Where = "response"     // an operation's response body
	InParameter  Where = "parameter"    // a parameter's value
	InSchema     Where = "schema"       // a schema's `example`
	Unreferenced Where = "unreferenced" // a components.examples entry nothing uses
)

// Example is one example of the spec, at one place it is used. A component
// example used by several operations appears once per use.
type Example struct {
	// Name identifies the example: the component name for a
	// components.examples entry ("CreateAcctRoleExample"), otherwise its
	// location ("getUsers/401/example", "schemas/CustomPolicy/policy_statement").
	Name   string
	Op     string // operationId; empty for schema and component-parameter examples
	Status int    // the response status for InResponse, else 0
	Where  Where
	Value  any
	Schema *openapi3.SchemaRef // nil for Unreferenced

	// key is the property or parameter name a scalar example is the
	// value of, so the semantic checks know what it is.
	key string
}

// KnownDefects are the reviewed examples that must not be used as fixtures,
// by Example.Name, each with the reason. The examples test fails if one of
// them stops failing its checks (the list is stale) or an example not listed
// here fails (a new defect to review).
var KnownDefects = map[string]string{
	// NOTES.md P10.
	"CreateAcctRoleExample": "createRole request: system_policy_ids are cld::global::..., which is no " +
		"system policy id; the matching response (and every other example) says cld::policy::global::...",
	"CreateGlobalRoleResponseExample": "createRole 201: policies[1].policy_statement runs two permit " +
		"statements together without the `;` between them, so it is not Cedar",
	"GetRolesExample": "getRoles 200: a system role and a custom role are both named \"Admin\", " +
		"against the 409 rule that role names are unique",
	"InspectMultipleResponseExample": "inspectMultiple 200: policy_parameters holds the unresolved " +
		"placeholder \"<folder_id>\" where an instance id belongs",
	"EffectivePoliciesExample": "getEffectivePolicies 200: statements name Cloudinary::user (lower " +
		"case, no such type), one says pprincipal, the `|` blocks keep literal backslashes before " +
		"quotes, and both custom policies share the id 12jf789l12hwiuencl7aaqey",
	"schemas/CustomPolicy/policy_statement": "a `|` block with literal backslashes before the quotes " +
		"(Cloudinary::APIKey::\\\"1234\\\"), which is not Cedar",
	"schemas/EffectivePolicy/id": "cld::global::api_keys::manage lacks policy::; system policy ids " +
		"are cld::policy::global::... (see InvalidPolicyIDFieldErrorExample)",
	"schemas/ValidateCedarPolicyRequest/policy": "deliberately invalid: Cloudinary::APIKy is no " +
		"entity type; it is the input of the invalid-policy answer, so only a negative fixture",
	// Found by this review, not in NOTES.md.
	"schemas/SystemPolicyResponseData/policy_statement": "the placeholder is written \"\\<folder_id\\>\"; " +
		"\\< is no Cedar string escape, so the statement does not parse",
}

// Examples walks every example of the spec: components.examples, and the
// inline `example`/`examples` of media types, parameters and schemas
// (component schemas and the inline schemas of operations, recursively).
func (v *Validator) Examples() []Example {
	var out []Example
	used := map[string]bool{}
	for _, path := range v.doc.Paths.InMatchingOrder() {
		item := v.doc.Paths.Value(path)
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.GetOperation(method)
			id := op.OperationID
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value == nil {
					continue
				}
				base := id + "/parameter/" + p.Value.Name
				if p.Ref != "" {
					base = "parameters/" + refName(p.Ref)
				}
				schema := p.Value.Schema
				if schema == nil {
					for _, mt := range p.Value.Content {
						schema = mt.Schema
					}
				}
				n := len(out)
				out = appendExamples(out, used, base, id, 0, InParameter, schema, p.Value.Example, p.Value.Examples)
				for ct, mt := range p.Value.Content {
					out = appendExamples(out, used, base+"/"+ct, id, 0, InParameter, mt.Schema, mt.Example, mt.Examples)
				}
				for i := n; i < len(out); i++ {
					out[i].key = p.Value.Name
				}
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				for _, ct := range slices.Sorted(maps.Keys(rb.Value.Content)) {
					mt := rb.Value.Content[ct]
					out = appendExamples(out, used, id+"/request", id, 0, InRequest, mt.Schema, mt.Example, mt.Examples)
				}
			}
			for _, code := range slices.Sorted(maps.Keys(op.Responses.Map())) {
				resp := op.Responses.Map()[code]
				status, _ := strconv.Atoi(code)
				base := id + "/" + code
				if resp.Ref != "" {
					base = "responses/" + refName(resp.Ref)
				}
				for _, ct := range slices.Sorted(maps.Keys(resp.Value.Content)) {
					mt := resp.Value.Content[ct]
					out = appendExamples(out, used, base, id, status, InResponse, mt.Schema, mt.Example, mt.Examples)
				}
			}
		}
	}
	// Schema examples, each once, under the component that holds it.
	seen := map[*openapi3.Schema]bool{}
	for _, name := range slices.Sorted(maps.Keys(v.doc.Components.Schemas)) {
		out = schemaExamples(out, seen, "schemas/"+name, v.doc.Components.Schemas[name])
	}
	for _, path := range v.doc.Paths.InMatchingOrder() {
		item := v.doc.Paths.Value(path)
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.GetOperation(method)
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				for _, ct := range slices.Sorted(maps.Keys(rb.Value.Content)) {
					out = schemaExamples(out, seen, op.OperationID+"/request/schema", rb.Value.Content[ct].Schema)
				}
			}
			for _, code := range slices.Sorted(maps.Keys(op.Responses.Map())) {
				for _, ct := range slices.Sorted(maps.Keys(op.Responses.Map()[code].Value.Content)) {
					out = schemaExamples(out, seen, op.OperationID+"/"+code+"/schema", op.Responses.Map()[code].Value.Content[ct].Schema)
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(v.doc.Components.Examples)) {
		if !used[name] {
			ex := v.doc.Components.Examples[name]
			out = append(out, Example{Name: name, Where: Unreferenced, Value: ex.Value.Value})
		}
	}
	return out
}

func appendExamples(out []Example, used map[string]bool, base, op string, status int, where Where, schema *openapi3.SchemaRef, example any, examples openapi3.Examples) []Example {
	if example != nil {
		out = append(out, Example{Name: base + "/example", Op: op, Status: status, Where: where, Value: example, Schema: schema})
	}
	for _, key := range slices.Sorted(maps.Keys(examples)) {
		ref := examples[key]
		if ref == nil || ref.Value == nil {
			continue
		}
		name := base + "/examples/" + key
		if ref.Ref != "" {
			name = refName(ref.Ref)
			used[name] = true
		}
		out = append(out, Example{Name: name, Op: op, Status: status, Where: where, Value: ref.Value.Value, Schema: schema})
	}
	return out
}

// schemaExamples collects the `example` of a schema and of every schema
// nested in it. A schema reached through a $ref is left to its component.
func schemaExamples(out []Example, seen map[*openapi3.Schema]bool, path string, ref *openapi3.SchemaRef) []Example {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return out
	}
	if ref.Ref != "" && !strings.HasPrefix(path, "schemas/") {
		return out
	}
	if ref.Ref != "" && path != "schemas/"+refName(ref.Ref) {
		return out
	}
	s := ref.Value
	seen[s] = true
	if s.Example != nil {
		out = append(out, Example{Name: path, Where: InSchema, Value: s.Example, Schema: ref, key: path[strings.LastIndex(path, "/")+1:]})
	}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		out = schemaExamples(out, seen, path+"/"+name, s.Properties[name])
	}
	if s.Items != nil {
		out = schemaExamples(out, seen, path+"/items", s.Items)
	}
	for kind, group := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "oneOf": s.OneOf, "anyOf": s.AnyOf} {
		for i, sub := range group {
			out = schemaExamples(out, seen, fmt.Sprintf("%s/%s/%d", path, kind, i), sub)
		}
	}
	if ap := s.AdditionalProperties.Schema; ap != nil {
		out = schemaExamples(out, seen, path+"/additionalProperties", ap)
	}
	return out
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

// Check validates an example against its schema (as a request or a
// response, per Where), then StrictProperties, then the semantic checks.
// Unreferenced examples get the semantic checks only.
func (v *Validator) Check(ex Example) error {
	var errs []error
	if ex.Schema != nil && ex.Schema.Value != nil {
		opts := []openapi3.SchemaValidationOption{openapi3.MultiErrors()}
		switch ex.Where {
		case InResponse:
			opts = append(opts, openapi3.VisitAsResponse())
		case InRequest:
			opts = append(opts, openapi3.VisitAsRequest())
		}
		// Round-trip through JSON: the loader keeps YAML's value types.
		val, err := jsonValue(ex.Value)
		if err != nil {
			return err
		}
		if err := ex.Schema.Value.VisitJSON(val, opts...); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, undeclaredProperties(ex.Schema, val, "", nil)...)
	}
	val := ex.Value
	if ex.key != "" {
		val = map[string]any{ex.key: val}
	}
	errs = append(errs, checkSemantics(val, "")...)
	return errors.Join(errs...)
}

func jsonValue(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode example: %w", err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decode example: %w", err)
	}
	return out, nil
}

var (
	systemPolicyID = regexp.MustCompile(`^cld::policy::(global|content)::[a-z0-9_]+(::[a-z0-9_]+)*$`)
	systemID       = regexp.MustCompile(`^cld::(policy::(global|content)|role::[a-z_]+)::[a-z0-9_]+(::[a-z0-9_]+)*$`)
	placeholder    = regexp.MustCompile(`^<[^>]*>$`)
	cedarEntityUID = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+)::"`)
	cedarIsType    = regexp.MustCompile(`\bis\s+([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+)`)
)

// cedarTypes are the entity types the spec's statements may name: the
// Cedar schema example's, plus those its statements use (NOTES.md 5.1). The
// schema example is partial, so the statements' own types are listed too.
var cedarTypes = map[string]bool{
	"Cloudinary::User": true, "Cloudinary::Group": true, "Cloudinary::APIKey": true,
	"Cloudinary::Folder": true, "Cloudinary::Asset": true, "Cloudinary::Collection": true,
	"Cloudinary::Feature": true, "Cloudinary::UploadPreset": true, "Cloudinary::UploadMapping": true,
	"Cloudinary::ProductEnvironment": true, "Cloudinary::Report": true, "Cloudinary::Account": true,
	"Cloudinary::Action":   true,
	"MediaFlows::EasyFlow": true, "MediaFlows::PowerFlow": true, "MediaFlows::LogEntry": true,
	"MediaFlows::Action": true,
}

// checkCedar parses a statement and checks the entity types it names.
func checkCedar(path, stmt string) []error {
	if _, err := cedar.NewPolicySetFromBytes("example", []byte(stmt)); err != nil {
		return []error{fmt.Errorf("%s: Cedar does not parse: %v", path, err)}
	}
	var errs []error
	for _, re := range []*regexp.Regexp{cedarEntityUID, cedarIsType} {
		for _, m := range re.FindAllStringSubmatch(stmt, -1) {
			if !cedarTypes[m[1]] {
				errs = append(errs, fmt.Errorf("%s: unknown Cedar entity type %s", path, m[1]))
			}
		}
	}
	return errs
}

// checkSemantics finds the NOTES.md P10 kinds of defect that no schema can
// see. It skips error bodies, which quote bad input on purpose.
//   - Every Cedar statement (policy_statement, and the catalog's and the
//     validate request's `policy`) parses.
//   - Every system policy id (system_policy_ids items, the ids of a role's
//     policies and of an effective role's system_policies) has the
//     cld::policy::{global|content}:: shape.
//   - policy_parameters instance maps hold no "<...>" placeholder.
//   - Lists of roles, policies, users, groups and product environments
//     hold no duplicate id, and lists of roles no duplicate name.
func checkSemantics(val any, path string) []error {
	var errs []error
	switch val := val.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(val)) {
			if k == "error" && path == "" {
				continue
			}
			p := path + "/" + k
			child := val[k]
			switch k {
			case "policy_statement", "policy":
				if s, ok := child.(string); ok {
					errs = append(errs, checkCedar(p, s)...)
				}
				continue
			case "system_policy_ids":
				if items, ok := child.([]any); ok {
					for i, it := range items {
						if s, ok := it.(string); ok && !systemPolicyID.MatchString(s) {
							errs = append(errs, fmt.Errorf("%s/%d: %q is not a system policy id (cld::policy::...)", p, i, s))
						}
					}
				}
				continue
			case "policies", "system_policies":
				if items, ok := child.([]any); ok {
					for i, it := range items {
						if m, ok := it.(map[string]any); ok {
							if s, ok := m["id"].(string); ok && !systemPolicyID.MatchString(s) {
								errs = append(errs, fmt.Errorf("%s/%d/id: %q is not a system policy id (cld::policy::...)", p, i, s))
							}
						}
					}
				}
			case "policy_parameters":
				if m, ok := child.(map[string]any); ok {
					for _, pk := range slices.Sorted(maps.Keys(m)) {
						if s, ok := m[pk].(string); ok && placeholder.MatchString(s) {
							errs = append(errs, fmt.Errorf("%s/%s: unresolved placeholder %q", p, pk, s))
						}
					}
				}
			}
			switch k {
			case "data", "policies", "system_policies", "custom_policies", "users", "user_groups", "groups", "sub_accounts", "roles":
				errs = append(errs, checkUnique(child, p)...)
			}
			errs = append(errs, checkSemantics(child, p)...)
		}
	case string:
		if strings.HasPrefix(val, "cld::") && !systemID.MatchString(val) {
			errs = append(errs, fmt.Errorf("%s: %q is not a system policy or role id (cld::policy::... or cld::role::...)", path, val))
		}
	case []any:
		for i, it := range val {
			errs = append(errs, checkSemantics(it, fmt.Sprintf("%s/%d", path, i))...)
		}
	}
	return errs
}

// checkUnique reports duplicate ids in a list of objects, and duplicate
// names in a list of roles (objects with a management_type). Role lists of
// an assignment (PrincipalRolesData) may repeat a role id for another
// scope, so an id only repeats wrongly when scope_id and policy_parameters
// repeat too.
func checkUnique(val any, path string) []error {
	items, ok := val.([]any)
	if !ok {
		return nil
	}
	var errs []error
	ids, names := map[string]int{}, map[string]int{}
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if id, ok := m["id"].(string); ok {
			key := id
			if _, scoped := m["scope_id"]; scoped {
				raw, _ := json.Marshal([]any{id, m["scope_id"], m["policy_parameters"]})
				key = string(raw)
			}
			if j, dup := ids[key]; dup {
				errs = append(errs, fmt.Errorf("%s/%d: id %q repeats %s/%d", path, i, id, path, j))
			}
			ids[key] = i
		}
		if _, role := m["management_type"]; role {
			if name, ok := m["name"].(string); ok {
				if j, dup := names[name]; dup {
					errs = append(errs, fmt.Errorf("%s/%d: role name %q repeats %s/%d", path, i, name, path, j))
				}
				names[name] = i
			}
		}
	}
	return errs
}

// Fixture returns the value of the first reviewed example (not in
// KnownDefects) for an operation's request body (status 0) or for its
// response with that status, as JSON, and its name.
func (v *Validator) Fixture(op string, status int) (json.RawMessage, string, bool) {
	where := InResponse
	if status == 0 {
		where = InRequest
	}
	for _, ex := range v.Examples() {
		if ex.Op != op || ex.Status != status || ex.Where != where {
			continue
		}
		if _, bad := KnownDefects[ex.Name]; bad {
			continue
		}
		raw, err := json.Marshal(ex.Value)
		if err != nil {
			continue
		}
		return raw, ex.Name, true
	}
	return nil, "", false
}

// Fixtures returns every reviewed example for an operation's request body
// (status 0) or response status, by name.
func (v *Validator) Fixtures(op string, status int) map[string]json.RawMessage {
	where := InResponse
	if status == 0 {
		where = InRequest
	}
	out := map[string]json.RawMessage{}
	for _, ex := range v.Examples() {
		if ex.Op != op || ex.Status != status || ex.Where != where {
			continue
		}
		if _, bad := KnownDefects[ex.Name]; bad {
			continue
		}
		if raw, err := json.Marshal(ex.Value); err == nil {
			out[ex.Name] = raw
		}
	}
	return out
}

// Named returns the reviewed example with that name (see Example.Name) as
// JSON; ok is false when there is none or it is in KnownDefects.
func (v *Validator) Named(name string) (json.RawMessage, bool) {
	if _, bad := KnownDefects[name]; bad {
		return nil, false
	}
	for _, ex := range v.Examples() {
		if ex.Name == name {
			raw, err := json.Marshal(ex.Value)
			return raw, err == nil
		}
	}
	return nil, false
}
