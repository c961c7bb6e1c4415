package contract

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	prov = "/v1_1/provisioning/accounts/acc"
	perm = "/v2/accounts/acc/permissions"
)

// canned is a server that answers every request with one fixed answer, so
// each test case controls exactly what the validator sees.
func canned(status int, contentType, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

const userJSON = `{"id":"0abed8dfcc039ea05e2a1d494fd442","name":"a","email":"a@example.com","role":"admin","enabled":true,"pending":false,"created_at":"2020-01-02T03:04:05Z"}`

func TestTransport(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		target      string
		body        string
		noAuth      bool
		relax       []Relaxation // nil: DefaultRelaxations
		status      int
		contentType string
		respBody    string
		wantOp      string
		want        []Stage // the stages of the findings, in order
	}{
		{name: "good GET", method: "GET", target: prov + "/users/u1", status: 200, contentType: "application/json", respBody: userJSON, wantOp: "getUser"},
		{name: "good error answer", method: "GET", target: prov + "/users/u1", status: 404, contentType: "application/json", respBody: `{"error":{"message":"not found"}}`, wantOp: "getUser"},
		{name: "no Authorization", method: "GET", target: prov + "/users/u1", noAuth: true, status: 401, contentType: "application/json", respBody: `{"error":{"message":"Invalid credentials"}}`, wantOp: "getUser", want: []Stage{StageRequest}},
		// The spec requires nothing in error bodies; the error-shape check does.
		{name: "provisioning error shape on a permissions answer", method: "GET", target: perm + "/roles/r1", status: 404, contentType: "application/json", respBody: `{"error":{"message":"not found"}}`, wantOp: "getRole", want: []Stage{StageResponse}},
		{name: "permissions error shape", method: "GET", target: perm + "/roles/r1", status: 404, contentType: "application/json", respBody: `{"error":{"category":"server_error","code":"ACCOUNTS_00003","message":"not found","details":{"fields":[{"role_id":"r1"}]}}}`, wantOp: "getRole"},
		{name: "undeclared status", method: "GET", target: prov + "/users/u1", status: 409, contentType: "application/json", respBody: `{"error":{"message":"x"}}`, wantOp: "getUser", want: []Stage{StageResponse}},
		{name: "wrong type in answer", method: "GET", target: prov + "/users/u1", status: 200, contentType: "application/json", respBody: `{"id":1}`, wantOp: "getUser", want: []Stage{StageResponse}},
		// User.groups was removed in 0.2.0 (NOTES.md 0): StrictProperties.
		{name: "undeclared property in answer", method: "GET", target: prov + "/users/u1", status: 200, contentType: "application/json", respBody: `{"id":"u1","groups":[]}`, wantOp: "getUser", want: []Stage{StageResponse}},
		{name: "undeclared query parameter", method: "GET", target: prov + "/users?page_sise=2", status: 200, contentType: "application/json", respBody: `{"users":[]}`, wantOp: "getUsers", want: []Stage{StageRequest}},
		{name: "array query, form explode", method: "GET", target: prov + "/users?ids=a&ids=b", status: 200, contentType: "application/json", respBody: `{"users":[]}`, wantOp: "getUsers"},
		{name: "undeclared path", method: "GET", target: prov + "/nothing", status: 404, contentType: "application/json", respBody: `{}`, want: []Stage{StageRoute}},
		{name: "request body violates schema", method: "POST", target: prov + "/users", body: `{"name":"a"}`, status: 400, contentType: "application/json", respBody: `{"error":{"message":"email"}}`, wantOp: "createUser", want: []Stage{StageRequest}},
		{name: "undeclared property in request", method: "POST", target: prov + "/users", body: `{"name":"a","email":"a@example.com","sub_account_idz":[]}`, status: 200, contentType: "application/json", respBody: userJSON, wantOp: "createUser", want: []Stage{StageRequest}},
		{name: "body on an operation without one", method: "POST", target: prov + "/user_groups/g/users/u", body: `{"x":1}`, status: 200, contentType: "application/json", respBody: `{"id":"u","name":"a","email":"a@example.com"}`, wantOp: "addUserToUserGroup", want: []Stage{StageRequest}},
		{name: "204 without body", method: "DELETE", target: perm + "/roles/r1", status: 204, wantOp: "deleteRole"},
		{name: "204 with a body", method: "DELETE", target: perm + "/roles/r1", status: 200, contentType: "application/json", respBody: `{}`, wantOp: "deleteRole", want: []Stage{StageResponse}},
		// NOTES.md 6.3: the assignment PUTs answer a bare 200.
		{name: "bare 200 with a body", method: "PUT", target: perm + "/principal_roles", body: `{"operation":"add","principal":{"type":"user","id":"u"},"roles":[{"id":"r"}]}`, status: 200, contentType: "application/json", respBody: `{"ok":true}`, wantOp: "updatePrincipalRoles", want: []Stage{StageResponse}},
		{name: "bare 200", method: "PUT", target: perm + "/principal_roles", body: `{"operation":"add","principal":{"type":"user","id":"u"},"roles":[{"id":"r"}]}`, status: 200, wantOp: "updatePrincipalRoles"},
		// NOTES.md 1.4: policy_parameters is a JSON-encoded array.
		{name: "JSON-encoded policy_parameters", method: "GET", target: perm + `/roles?permission_type=content&policy_parameters=%5B%22folder_id%22%5D`, status: 200, contentType: "application/json", respBody: `{"data":[]}`, wantOp: "getRoles"},
		{name: "bare policy_parameters", method: "GET", target: perm + `/roles?permission_type=content&policy_parameters=folder_id`, status: 200, contentType: "application/json", respBody: `{"data":[]}`, wantOp: "getRoles", want: []Stage{StageRequest}},
		{name: "missing required query", method: "GET", target: perm + `/roles`, status: 200, contentType: "application/json", respBody: `{"data":[]}`, wantOp: "getRoles", want: []Stage{StageRequest}},
		// Relaxations: each one on, then off.
		{name: "P15 public without auth", method: "GET", target: "/v2/accounts/permissions/public/schema", noAuth: true, status: 200, contentType: "application/json", respBody: `{"schema":{}}`, wantOp: "getCedarSchema"},
		{name: "P15 public without auth, strict", method: "GET", target: "/v2/accounts/permissions/public/schema", noAuth: true, relax: []Relaxation{AnyHost}, status: 200, contentType: "application/json", respBody: `{"schema":{}}`, wantOp: "getCedarSchema", want: []Stage{StageRequest}},
		{name: "P9 system policies cursor", method: "GET", target: perm + "/policies/system?cursor=3", status: 200, contentType: "application/json", respBody: `{"data":[]}`, wantOp: "getSystemPolicies"},
		{name: "P9 system policies cursor, strict", method: "GET", target: perm + "/policies/system?cursor=3", relax: []Relaxation{AnyHost}, status: 200, contentType: "application/json", respBody: `{"data":[]}`, wantOp: "getSystemPolicies", want: []Stage{StageRequest}},
		{name: "P11 enabled on create", method: "POST", target: prov + "/sub_accounts", body: `{"name":"a","enabled":false}`, status: 409, contentType: "application/json", respBody: `{"error":{"message":"x"}}`, wantOp: "createProductEnvironment"},
		{name: "P11 enabled on create, strict", method: "POST", target: prov + "/sub_accounts", body: `{"name":"a","enabled":false}`, relax: []Relaxation{AnyHost}, status: 409, contentType: "application/json", respBody: `{"error":{"message":"x"}}`, wantOp: "createProductEnvironment", want: []Stage{StageRequest}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			relax := tc.relax
			if relax == nil {
				relax = DefaultRelaxations
			}
			v, err := LoadWith(relax...)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(canned(tc.status, tc.contentType, tc.respBody))
			defer srv.Close()
			var reported []Finding
			c := &http.Client{Transport: v.Transport(srv.Client().Transport, func(f Finding) { reported = append(reported, f) })}
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequestWithContext(t.Context(), tc.method, srv.URL+tc.target, body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if !tc.noAuth {
				req.SetBasicAuth("key", "secret")
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if diff := cmp.Diff(tc.respBody, string(got)); diff != "" {
				t.Errorf("the caller's body changed in transit (-want +got):\n%s", diff)
			}
			var stages []Stage
			for _, f := range reported {
				stages = append(stages, f.Stage)
			}
			if diff := cmp.Diff(tc.want, stages); diff != "" {
				t.Errorf("finding stages mismatch (-want +got):\n%s\nfindings: %v", diff, reported)
			}
			if diff := cmp.Diff(reported, v.Findings(), cmp.Comparer(func(a, b error) bool { return a.Error() == b.Error() })); diff != "" {
				t.Errorf("Findings differs from what was reported (-reported +Findings):\n%s", diff)
			}
			if tc.wantOp != "" {
				want := Coverage{tc.wantOp: {tc.status: 1}}
				if diff := cmp.Diff(want, v.Coverage()); diff != "" {
					t.Errorf("Coverage mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	v := mustLoad(t)
	var reported []Finding
	h := v.Middleware(canned(200, "application/json", `{"id":1}`), func(f Finding) { reported = append(reported, f) })
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+prov+"/users/u1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("key", "secret")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != `{"id":1}` {
		t.Errorf("Middleware passed on %d %s, want 200 {\"id\":1}", resp.StatusCode, got)
	}
	if len(reported) != 1 || reported[0].Stage != StageResponse || reported[0].Op != "getUser" {
		t.Errorf("Middleware reported %v, want one response finding on getUser", reported)
	}
}

func TestOperations(t *testing.T) {
	v := mustLoad(t)
	ops := v.Operations()
	if len(ops) != 47 {
		t.Errorf("Operations returned %d operations, want the spec's 47", len(ops))
	}
	if !slices.IsSorted(ops) || len(slices.Compact(slices.Clone(ops))) != len(ops) {
		t.Errorf("Operations returned %v, want sorted and unique", ops)
	}
	req := httptest.NewRequest("GET", "https://api-eu.cloudinary.com"+perm+"/roles/r1/principals", nil)
	if got, err := v.OperationID(req); err != nil || got != "getRolePrincipals" {
		t.Errorf("OperationID = %q, %v, want getRolePrincipals", got, err)
	}
	if _, err := LoadWith("made-up"); err == nil {
		t.Errorf("LoadWith(made-up) succeeded, want an error for an unknown relaxation")
	}
}
