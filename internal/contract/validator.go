package contract

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
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
