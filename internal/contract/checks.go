package contract

// What a request or an answer must be, beyond what openapi3filter checks.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Checks the validator makes on top of openapi3filter, which by itself lets
// through an undeclared status, an undeclared query parameter, a body on an
// answer that declares none and any undeclared JSON property. They are not
// optional: the emulator and the client must both stay inside the spec.
//
//   - status: the answer's status code must be one the operation lists
//     (openapi3filter.Options.IncludeResponseStatus).
//   - undeclared query parameter: every query key must be a declared
//     parameter of the operation.
//   - body: a request to an operation with no requestBody carries no body;
//     an answer whose response declares no content (every 204, the bare
//     200 of the assignment PUTs, NOTES.md 6.3) carries no body.
//   - StrictProperties: JSON objects may only carry properties some schema
//     in scope declares (properties of the schema and of its allOf, oneOf
//     and anyOf), unless the schema declares additionalProperties or no
//     properties at all (free-form objects such as custom_attributes,
//     details, catalog and schema). The spec leaves additionalProperties
//     open almost everywhere, so this is stricter than the spec; it is what
//     catches an emulator inventing fields (for example User.groups, removed
//     in 0.2.0, NOTES.md 0) or a client misspelling one.
//   - error shape: the spec marks nothing required in its two error
//     schemas, so {} or the provisioning shape would pass as a permissions
//     error. An answer whose schema is ErrorResponse must carry
//     error.message, and one whose schema is PermissionsErrorResponse must
//     carry error.category, error.code and error.message, as NOTES.md 1.5
//     and 6.1 and every example of the spec have them.

// ValidateRequest checks a request, whose body is given separately (the
// request's own Body is not read).
func (v *Validator) ValidateRequest(r *http.Request, body []byte) error {
	_, err := v.validateRequest(r, body)
	return err
}

func (v *Validator) validateRequest(r *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		return nil, fmt.Errorf("route %s %s: %w", r.Method, r.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    withBody(r, body),
		PathParams: params,
		Route:      route,
		Options:    v.options(),
	}
	var errs []error
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		errs = append(errs, err)
	}
	// openapi3filter checks only the parameters it knows of.
	errs = append(errs, v.checkQueryKeys(route, r)...)
	if rb := route.Operation.RequestBody; rb != nil && len(bytes.TrimSpace(body)) > 0 {
		if mt := rb.Value.Content.Get(r.Header.Get("Content-Type")); mt != nil && mt.Schema != nil {
			var val any
			if err := json.Unmarshal(body, &val); err == nil {
				allow := map[string]bool{}
				if v.relaxations[CreateProductEnvironmentEnabled] && route.Operation.OperationID == "createProductEnvironment" {
					allow["enabled"] = true
				}
				errs = append(errs, undeclaredProperties(mt.Schema, val, "", allow)...)
			}
		}
	}
	return in, errors.Join(errs...)
}

// checkQueryKeys reports query keys that are not declared parameters.
func (v *Validator) checkQueryKeys(route *routers.Route, r *http.Request) []error {
	declared := map[string]bool{}
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p.Value.In == openapi3.ParameterInQuery {
				declared[p.Value.Name] = true
			}
		}
	}
	if v.relaxations[SystemPoliciesCursor] && route.Operation.OperationID == "getSystemPolicies" {
		declared["cursor"] = true
	}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(r.URL.Query())) {
		if !declared[k] {
			errs = append(errs, fmt.Errorf("query parameter %q is not declared by %s", k, route.Operation.OperationID))
		}
	}
	return errs
}

// ValidateResponse checks the answer to a request.
func (v *Validator) ValidateResponse(r *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		return fmt.Errorf("route %s %s: %w", r.Method, r.URL.Path, err)
	}
	err = v.validateResponse(&openapi3filter.RequestValidationInput{
		Request:    withBody(r, reqBody),
		PathParams: params,
		Route:      route,
		Options:    v.options(),
	}, status, header, respBody)
	if err != nil {
		return fmt.Errorf("%s response %d: %w", route.Operation.OperationID, status, err)
	}
	return nil
}

func (v *Validator) validateResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                in.Options,
	}
	out.SetBodyBytes(body)
	var errs []error
	if err := openapi3filter.ValidateResponse(in.Request.Context(), out); err != nil {
		errs = append(errs, err)
	}
	resp := in.Route.Operation.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return errors.Join(errs...) // the status finding is already in errs
	}
	if len(resp.Value.Content) == 0 {
		if len(body) > 0 {
			errs = append(errs, fmt.Errorf("response %d declares no body, got %d bytes: %.80q", status, len(body), body))
		}
		return errors.Join(errs...)
	}
	if mt := resp.Value.Content.Get(header.Get("Content-Type")); mt != nil && mt.Schema != nil {
		var val any
		if err := json.Unmarshal(body, &val); err == nil {
			errs = append(errs, undeclaredProperties(mt.Schema, val, "", nil)...)
			errs = append(errs, checkErrorShape(mt.Schema.Ref, val)...)
		}
	}
	return errors.Join(errs...)
}

// errorFields are the fields each error schema must carry (see "error
// shape" above).
var errorFields = map[string][]string{
	"#/components/schemas/ErrorResponse":            {"message"},
	"#/components/schemas/PermissionsErrorResponse": {"category", "code", "message"},
}

func checkErrorShape(ref string, val any) []error {
	fields, ok := errorFields[ref]
	if !ok {
		return nil
	}
	obj, _ := val.(map[string]any)
	inner, _ := obj["error"].(map[string]any)
	var errs []error
	for _, f := range fields {
		if s, ok := inner[f].(string); !ok || s == "" {
			errs = append(errs, fmt.Errorf("error body lacks error.%s, which %s always has", f, refName(ref)))
		}
	}
	return errs
}

// withBody returns a shallow copy of r reading body.
func withBody(r *http.Request, body []byte) *http.Request {
	c := r.Clone(r.Context())
	if len(body) == 0 {
		c.Body = http.NoBody
		c.ContentLength = 0
		return c
	}
	c.Body = io.NopCloser(bytes.NewReader(body))
	c.ContentLength = int64(len(body))
	return c
}

// undeclaredProperties reports JSON object keys that no schema in scope
// declares (see StrictProperties above). allow names top-level keys that a
// relaxation admits.
func undeclaredProperties(ref *openapi3.SchemaRef, val any, path string, allow map[string]bool) []error {
	if ref == nil || ref.Value == nil {
		return nil
	}
	schemas := flatten(ref.Value, nil)
	switch val := val.(type) {
	case map[string]any:
		props := map[string]*openapi3.SchemaRef{}
		open := true
		for _, s := range schemas {
			for name, p := range s.Properties {
				if _, dup := props[name]; !dup {
					props[name] = p
				}
			}
		}
		if len(props) > 0 {
			open = false
		}
		for _, s := range schemas {
			ap := s.AdditionalProperties
			if (ap.Has != nil && *ap.Has) || ap.Schema != nil {
				open = true
			}
		}
		var errs []error
		for _, k := range slices.Sorted(maps.Keys(val)) {
			p, ok := props[k]
			switch {
			case ok:
				errs = append(errs, undeclaredProperties(p, val[k], path+"/"+k, nil)...)
			case !open && !allow[k]:
				errs = append(errs, fmt.Errorf("property %q at %q is not declared by the schema", k, path+"/"))
			}
		}
		return errs
	case []any:
		var errs []error
		for _, s := range schemas {
			if s.Items != nil {
				for i, item := range val {
					errs = append(errs, undeclaredProperties(s.Items, item, fmt.Sprintf("%s/%d", path, i), nil)...)
				}
				break
			}
		}
		return errs
	}
	return nil
}

// flatten returns s with every schema reachable through allOf, oneOf and
// anyOf.
func flatten(s *openapi3.Schema, seen []*openapi3.Schema) []*openapi3.Schema {
	if s == nil || slices.Contains(seen, s) {
		return seen
	}
	seen = append(seen, s)
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, sub := range group {
			if sub != nil {
				seen = flatten(sub.Value, seen)
			}
		}
	}
	return seen
}
