package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAPIErrorSentinels(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrRateLimited, ErrServer}
	tests := []struct {
		status int
		want   error // nil: matches none
	}{
		{400, ErrBadRequest}, {401, ErrUnauthorized}, {403, ErrForbidden}, {404, ErrNotFound},
		{409, ErrConflict}, {420, ErrRateLimited}, {429, ErrRateLimited},
		{500, ErrServer}, {502, ErrServer}, {503, ErrServer}, {418, nil},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			c, _, _ := serve(t, answer{status: tc.status, body: `{"error":{"message":"boom"}}`})
			// getUser's ids route through the same path as every call; a
			// create so that nothing is retried.
			_, err := c.UserGroups.Create(t.Context(), UserGroupRequest{Name: "x"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("Create returned %v, want *APIError", err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Message != "boom" || apiErr.OperationID != "createUserGroup" || apiErr.Method != "POST" {
				t.Errorf("APIError = %+v", apiErr)
			}
			for _, s := range sentinels {
				if got, want := errors.Is(err, s), s == tc.want; got != want {
					t.Errorf("errors.Is(%d, %v) = %v, want %v", tc.status, s, got, want)
				}
			}
		})
	}
}

func TestAPIErrorShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		status     int
		want       APIError // compared on the decoded fields only
		fields     []string
	}{
		{name: "provisioning", status: 401, body: `{"error":{"message":"Invalid credentials"}}`,
			want: APIError{Message: "Invalid credentials"}},
		{name: "permissions missing fields", status: 400, body: specExample(t, "MissingFieldsErrorExample"),
			want: APIError{Message: "missing fields", Category: "user_error", Code: "ACCOUNTS_00005"}, fields: []string{`"name"`}},
		{name: "permissions invalid field", status: 400, body: specExample(t, "InvalidFieldErrorExample"),
			want: APIError{Message: "invalid request", Category: "user_error", Code: "ACCOUNTS_00005"}, fields: []string{`{"scope_type":"account"}`}},
		{name: "cedar errors", status: 400, body: specExample(t, "CedarErrorExample"),
			want: APIError{Message: "invalid request", Category: "user_error", Code: "ACCOUNTS_00002",
				CedarErrors: []CedarError{{CedarMessage: "invalid_principal"}}}},
		{name: "not found is server_error", status: 404, body: specExample(t, "RoleNotFoundErrorExample"),
			want: APIError{Message: "not found", Category: "server_error", Code: "ACCOUNTS_00003"}, fields: []string{`{"role_id":"manage_transformations_q1829qwnkli"}`}},
		{name: "html", status: 502, body: "<html><body>Bad Gateway</body></html>", want: APIError{}},
		{name: "empty", status: 403, body: "", want: APIError{}},
		{name: "json but not an error", status: 400, body: `["x"]`, want: APIError{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := serve(t, answer{status: tc.status, body: tc.body, header: map[string]string{"Content-Type": "text/plain"}})
			_, err := c.Roles.Create(t.Context(), CreateRoleRequest{Name: "x", PermissionType: PermissionGlobal, ScopeType: ScopeAccount})
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("Create returned %v, want *APIError", err)
			}
			got := APIError{Message: apiErr.Message, Category: apiErr.Category, Code: apiErr.Code, CedarErrors: apiErr.CedarErrors}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(APIError{})); diff != "" {
				t.Errorf("decoded error (-want +got):\n%s", diff)
			}
			if tc.fields != nil {
				var gotFields []string
				for _, f := range apiErr.Fields {
					gotFields = append(gotFields, string(f))
				}
				if diff := cmp.Diff(tc.fields, gotFields); diff != "" {
					t.Errorf("Fields (-want +got):\n%s", diff)
				}
			}
			if string(apiErr.Body) != tc.body {
				t.Errorf("Body = %q, want %q", apiErr.Body, tc.body)
			}
			if !strings.Contains(err.Error(), "createRole: POST ") {
				t.Errorf("Error() = %q, want the operation and method", err)
			}
		})
	}
}

func TestAPIErrorBodyLimit(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 3*maxErrorBody)
	c, _, _ := serve(t, answer{status: 400, body: big, header: map[string]string{"Content-Type": "text/html"}})
	_, err := c.Users.Get(t.Context(), "u1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("Get returned %v", err)
	}
	if len(apiErr.Body) != maxErrorBody {
		t.Errorf("len(Body) = %d, want %d", len(apiErr.Body), maxErrorBody)
	}
}

func TestSanitizeURL(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://key:secret@api.cloudinary.com/v1_1/x?page=2":           "https://api.cloudinary.com/v1_1/x?page=2",
		"https://api.cloudinary.com/x?api_secret=abc&name=k":            "https://api.cloudinary.com/x?api_secret=REDACTED&name=k",
		"https://api.cloudinary.com/x?note=account%3A%2F%2Fk%3As%40a":   "https://api.cloudinary.com/x?note=REDACTED",
		"https://api.cloudinary.com/x?client_secret=abc&sort_order=asc": "https://api.cloudinary.com/x?client_secret=REDACTED&sort_order=asc",
		"::not a url api_secret=abc":                                    "REDACTED (unparsable URL)",
		"http://h/%zz?api_secret=abc":                                   "REDACTED (unparsable URL)",
	}
	for in, want := range tests {
		if got := sanitizeURLString(in); got != want {
			t.Errorf("sanitizeURLString(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAPIErrorFieldsStayRaw(t *testing.T) {
	t.Parallel()
	// details.fields mixes strings and objects; both survive as raw JSON.
	c, _, _ := serve(t, answer{status: 400, body: `{"error":{"message":"m","details":{"fields":["a",{"b":"c"}]}}}`})
	_, err := c.Roles.Get(t.Context(), "r1", nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("Get returned %v", err)
	}
	want := []json.RawMessage{json.RawMessage(`"a"`), json.RawMessage(`{"b":"c"}`)}
	if diff := cmp.Diff(want, apiErr.Fields); diff != "" {
		t.Errorf("Fields (-want +got):\n%s", diff)
	}
}
