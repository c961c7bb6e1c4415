package contract

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// SpecFile is the spec's path relative to the module root.
const SpecFile = "api/provisioning.openapi.yml"

// Relaxation names one place where the validator accepts traffic that a
// literal reading of the spec would reject, because the spec itself is
// wrong or silent there. Each one cites the NOTES.md section it comes from.
// Nothing is relaxed unless it is listed here and enabled.
type Relaxation string

const (
	// AnyHost matches requests to any host and scheme. The spec's servers
	// are https://{region}.cloudinary.com and https://{host}; the contract
	// is about paths, methods and bodies, and the emulator answers on a
	// loopback httptest address (NOTES.md 1.1).
	AnyHost Relaxation = "any-host"

	// PublicWithoutAuth lets the three public operations (catalog, schema,
	// validate) go without an Authorization header. Their tag says they
	// "don't require authentication", yet the spec has no `security: []`
	// override, so the global basicAuth formally applies (NOTES.md P15).
	PublicWithoutAuth Relaxation = "public-without-auth"

	// SystemPoliciesCursor accepts a `cursor` query parameter on
	// getSystemPolicies. Its response carries next_cursor, but the
	// operation declares no cursor parameter (NOTES.md P9); a client that
	// follows next_cursor has to send it anyway.
	SystemPoliciesCursor Relaxation = "system-policies-cursor"

	// CreateProductEnvironmentEnabled accepts `enabled` in the
	// createProductEnvironment body. ProductEnvironmentRequest has no such
	// field, but both classic SDKs send it and the spec's own create
	// response example shows enabled:false (NOTES.md P11). It only matters
	// with StrictProperties.
	CreateProductEnvironmentEnabled Relaxation = "create-product-environment-enabled"
)

// DefaultRelaxations are the relaxations Load enables: all of them. Each
// is a defect or silence of the spec that real traffic has to get past.
var DefaultRelaxations = []Relaxation{AnyHost, PublicWithoutAuth, SystemPoliciesCursor, CreateProductEnvironmentEnabled}

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

// Stage says which half of an exchange a Finding is about.
type Stage string

// The stages of an exchange.
const (
	StageRoute    Stage = "route"
	StageRequest  Stage = "request"
	StageResponse Stage = "response"
)

// Finding is one contract violation seen in traffic.
type Finding struct {
	Op     string // operationId; empty when the request matched none
	Method string
	Path   string
	Status int // the answer's status; 0 for a request finding
	Stage  Stage
	Err    error
}

func (f Finding) String() string {
	op := f.Op
	if op == "" {
		op = "(no operation)"
	}
	if f.Stage == StageResponse {
		return fmt.Sprintf("%s %s %s: response %d: %v", op, f.Method, f.Path, f.Status, f.Err)
	}
	return fmt.Sprintf("%s %s %s: %s: %v", op, f.Method, f.Path, f.Stage, f.Err)
}

// Coverage counts the answers seen per operationId and status code.
type Coverage map[string]map[int]int

// Missing returns the operations in ops that were never seen, sorted.
func (c Coverage) Missing(ops []string) []string {
	var out []string
	for _, op := range ops {
		if len(c[op]) == 0 {
			out = append(out, op)
		}
	}
	slices.Sort(out)
	return out
}

// Validator checks requests and responses against the spec. It is safe for
// concurrent use; it also records the coverage and findings of the traffic
// that passed through its Transport and Middleware.
type Validator struct {
	doc         *openapi3.T
	router      routers.Router
	relaxations map[Relaxation]bool

	mu       sync.Mutex
	coverage Coverage
	findings []Finding
}

// Load reads the spec from the module root with DefaultRelaxations.
func Load() (*Validator, error) { return LoadWith(DefaultRelaxations...) }

// LoadWith reads the spec from the module root with exactly the given
// relaxations.
func LoadWith(relax ...Relaxation) (*Validator, error) {
	path, err := SpecPath()
	if err != nil {
		return nil, err
	}
	doc, err := loadDoc(path)
	if err != nil {
		return nil, err
	}
	v := &Validator{doc: doc, relaxations: map[Relaxation]bool{}, coverage: Coverage{}}
	for _, r := range relax {
		if !slices.Contains(DefaultRelaxations, r) {
			return nil, fmt.Errorf("load validator: unknown relaxation %q", r)
		}
		v.relaxations[r] = true
	}
	if v.relaxations[AnyHost] {
		// One relative server: gorillamux then matches on the path alone.
		doc.Servers = openapi3.Servers{{URL: "/"}}
	}
	v.router, err = gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("build router: %w", err)
	}
	return v, nil
}

// loadDoc parses and validates the spec, examples included.
func loadDoc(path string) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("validate %s: %w", path, err)
	}
	return doc, nil
}

// SpecPath finds api/provisioning.openapi.yml: it walks up from this source
// file, then from the working directory, to the directory holding go.mod.
func SpecPath() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				p := filepath.Join(dir, filepath.FromSlash(SpecFile))
				if _, err := os.Stat(p); err == nil {
					return p, nil
				}
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("find %s: no module root with it above %v", SpecFile, starts)
}

// Doc returns the loaded spec. Callers must not modify it.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Relaxed reports whether relaxation r is enabled.
func (v *Validator) Relaxed(r Relaxation) bool { return v.relaxations[r] }

// Operations returns every operationId of the spec, sorted.
func (v *Validator) Operations() []string {
	var ids []string
	for _, item := range v.doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	slices.Sort(ids)
	return ids
}

// OperationID returns the operationId the request is routed to.
func (v *Validator) OperationID(r *http.Request) (string, error) {
	route, _, err := v.router.FindRoute(r)
	if err != nil {
		return "", fmt.Errorf("route %s %s: %w", r.Method, r.URL.Path, err)
	}
	return route.Operation.OperationID, nil
}

// Coverage returns a copy of the answers seen so far per operation and status.
func (v *Validator) Coverage() Coverage {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(Coverage, len(v.coverage))
	for op, byStatus := range v.coverage {
		m := make(map[int]int, len(byStatus))
		for s, n := range byStatus {
			m[s] = n
		}
		out[op] = m
	}
	return out
}

// Findings returns every finding recorded so far by Transport and Middleware.
func (v *Validator) Findings() []Finding {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.findings)
}

func (v *Validator) options() *openapi3filter.Options {
	return &openapi3filter.Options{
		IncludeResponseStatus:             true,
		RejectWhenRequestBodyNotSpecified: true,
		MultiError:                        true,
		// The validator only looks: defaults must not be written into the
		// request it is checking.
		SkipSettingDefaults: true,
		AuthenticationFunc:  v.authenticate,
		// Findings name the failing path and rule; the schema and value
		// dumps would bury them.
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
	}
}

// authenticate implements the spec's only security scheme, basicAuth: a
// well-formed "Authorization: Basic base64(key:secret)" must be present.
// Whether the credentials are right is the server's business (401).
func (v *Validator) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "http" || !strings.EqualFold(s.Scheme, "basic") {
		return in.NewError(fmt.Errorf("unsupported security scheme %q", in.SecuritySchemeName))
	}
	r := in.RequestValidationInput.Request
	if v.relaxations[PublicWithoutAuth] && isPublic(in.RequestValidationInput.Route) && r.Header.Get("Authorization") == "" {
		return nil
	}
	h := r.Header.Get("Authorization")
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return in.NewError(fmt.Errorf("want an Authorization: Basic header, got %q", redact(h)))
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil || !bytes.Contains(raw, []byte(":")) {
		return in.NewError(errors.New("basic credentials in Authorization are not base64(key:secret)"))
	}
	return nil
}

func redact(h string) string {
	if scheme, _, ok := strings.Cut(h, " "); ok {
		return scheme + " REDACTED"
	}
	if h == "" {
		return ""
	}
	return "REDACTED"
}

// isPublic reports whether the route is one of the account-less public
// operations (NOTES.md 2.14-2.16).
func isPublic(route *routers.Route) bool {
	return route != nil && strings.HasPrefix(route.Path, "/v2/accounts/permissions/public/")
}

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

// observe validates one exchange, records its coverage and findings, and
// reports the findings.
func (v *Validator) observe(r *http.Request, reqBody []byte, status int, header http.Header, respBody []byte, exchangeErr error, report func(Finding)) {
	var found []Finding
	add := func(stage Stage, op string, status int, err error) {
		found = append(found, Finding{Op: op, Method: r.Method, Path: r.URL.Path, Status: status, Stage: stage, Err: err})
	}
	in, err := v.validateRequest(r, reqBody)
	op := ""
	if in != nil {
		op = in.Route.Operation.OperationID
	}
	switch {
	case in == nil:
		add(StageRoute, "", 0, err)
	case err != nil:
		add(StageRequest, op, 0, err)
	}
	if in != nil && exchangeErr == nil {
		if err := v.validateResponse(in, status, header, respBody); err != nil {
			add(StageResponse, op, status, err)
		}
	}
	v.mu.Lock()
	if op != "" && exchangeErr == nil {
		if v.coverage[op] == nil {
			v.coverage[op] = map[int]int{}
		}
		v.coverage[op][status]++
	}
	v.findings = append(v.findings, found...)
	v.mu.Unlock()
	if report != nil {
		for _, f := range found {
			report(f)
		}
	}
}

// Transport returns a RoundTripper that validates every request and answer
// passing through it, records coverage and findings on v, and hands each
// finding to report (which may be nil). Bodies are buffered and restored,
// so the caller sees exactly what the server sent. A transport error is
// passed through and counts as no answer.
func (v *Validator) Transport(next http.RoundTripper, report func(Finding)) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		var reqBody []byte
		if r.Body != nil && r.Body != http.NoBody {
			b, err := io.ReadAll(r.Body)
			_ = r.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("contract: read request body: %w", err)
			}
			reqBody = b
			// A RoundTripper must not modify the caller's request.
			r = r.Clone(r.Context())
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		}
		resp, err := next.RoundTrip(r)
		if err != nil {
			v.observe(r, reqBody, 0, nil, nil, err, report)
			return nil, err
		}
		respBody, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
		if rerr != nil {
			v.observe(r, reqBody, 0, nil, nil, rerr, report)
			return nil, fmt.Errorf("contract: read response body: %w", rerr)
		}
		v.observe(r, reqBody, resp.StatusCode, resp.Header, respBody, nil, report)
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Middleware returns a handler that validates every request next receives
// and every answer it writes, recording and reporting findings like
// Transport. The answer is buffered and written out once next returns.
func (v *Validator) Middleware(next http.Handler, report func(Finding)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody []byte
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			_ = r.Body.Close()
			if err != nil {
				http.Error(w, "contract: read request body", http.StatusBadRequest)
				return
			}
			reqBody = b
		}
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		rec := &recorder{header: http.Header{}}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		v.observe(r, reqBody, rec.status, rec.header, rec.body.Bytes(), nil, report)
		for k, vs := range rec.header {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// recorder buffers an answer for Middleware.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
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
