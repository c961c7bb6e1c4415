package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// call is one request being handled.
type call struct {
	e    *Emulator
	op   operation
	r    *http.Request
	body []byte
}

// reply is what a handler answers. A nil body sends no body (204, or the
// permissions assignment PUTs' bare 200).
type reply struct {
	status int
	body   any
	header http.Header
	knob   bool // produced by rate limiting or fault injection, outside the spec's table
}

func ok(body any) reply      { return reply{status: http.StatusOK, body: body} }
func created(body any) reply { return reply{status: http.StatusCreated, body: body} }
func noContent() reply       { return reply{status: http.StatusNoContent} }

// okMessage is the provisioning delete answer: 200 {"message":"ok"}.
func okMessage() reply { return ok(map[string]string{"message": "ok"}) }

// param returns a path parameter.
func (c *call) param(name string) string { return c.r.PathValue(name) }

// query returns the request's query parameters.
func (c *call) query() url.Values { return c.r.URL.Query() }

// queryBool parses a boolean query parameter. present is false when it is
// absent; ok is false when it is present but not a boolean.
func (c *call) queryBool(name string) (v, present, ok bool) {
	s, has := c.query()[name]
	if !has || len(s) == 0 {
		return false, false, true
	}
	b, err := strconv.ParseBool(s[0])
	return b, true, err == nil
}

// queryInt parses an integer query parameter; ok is false when it is
// present but not an integer.
func (c *call) queryInt(name string) (v int, present, ok bool) {
	s, has := c.query()[name]
	if !has || len(s) == 0 {
		return 0, false, true
	}
	n, err := strconv.Atoi(s[0])
	return n, true, err == nil
}

// queryList returns an array query parameter. The spec gives no style, so
// OpenAPI's default applies (form, explode: ids=a&ids=b); a comma-joined
// value and the ids[]= form are accepted too, as Cloudinary's classic SDKs
// send them.
func (c *call) queryList(name string) []string {
	q := c.query()
	var out []string
	for _, v := range append(q[name], q[name+"[]"]...) {
		for _, p := range strings.Split(v, ",") {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// decode reads the JSON body into v. It returns false and a 400 reply when
// the body is missing or not valid JSON or has the wrong types.
func (c *call) decode(v any) (reply, bool) {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return c.fail(http.StatusBadRequest, "request body is required"), false
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return c.failFields(http.StatusBadRequest, "invalid request", "malformed JSON: "+err.Error()), false
	}
	return reply{}, true
}

// Provisioning (/v1_1) error body: {"error":{"message":"..."}}.
type provisioningError struct {
	Error errorMessage `json:"error"`
}
type errorMessage struct {
	Message string `json:"message"`
}

// Permissions (/v2) error body: {"error":{"category","code","message","details"}}.
type permissionsError struct {
	Error permissionsErrorBody `json:"error"`
}
type permissionsErrorBody struct {
	Category string         `json:"category"`
	Code     string         `json:"code"`
	Message  string         `json:"message"`
	Details  map[string]any `json:"details,omitempty"`
}

// fail answers status with the error shape of the operation's family. For
// permissions errors the category and code follow the spec's examples
// (NOTES.md 6.1); use failFields to add details.
func (c *call) fail(status int, message string) reply {
	return c.failDetails(status, message, nil)
}

// failFields answers a permissions error with details {"fields": fields}, or
// a provisioning error with the message alone.
func (c *call) failFields(status int, message string, fields ...any) reply {
	return c.failDetails(status, message, map[string]any{"fields": fields})
}

func (c *call) failDetails(status int, message string, details map[string]any) reply {
	if !c.op.permissions() {
		return reply{status: status, body: provisioningError{Error: errorMessage{Message: message}}}
	}
	category, code := "user_error", "ACCOUNTS_00005"
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusConflict:
		code = "ACCOUNTS_00006"
	case status == http.StatusNotFound:
		category, code = "server_error", "ACCOUNTS_00003"
	case status >= 500:
		category, code = "server_error", "ACCOUNTS_00001"
	}
	return reply{status: status, body: permissionsError{Error: permissionsErrorBody{Category: category, Code: code, Message: message, Details: details}}}
}

// failCedar answers the spec's CedarErrorExample shape: code ACCOUNTS_00002
// with the statement and its cedar_errors in details.fields.
func (c *call) failCedar(statement string, cedarMessages ...string) reply {
	errs := make([]map[string]string, len(cedarMessages))
	for i, m := range cedarMessages {
		errs[i] = map[string]string{"cedar_message": m}
	}
	return reply{status: http.StatusBadRequest, body: permissionsError{Error: permissionsErrorBody{
		Category: "user_error", Code: "ACCOUNTS_00002", Message: "invalid request",
		Details: map[string]any{"fields": []any{
			map[string]string{"policy_statement": statement},
			map[string]any{"cedar_errors": errs},
		}},
	}}}
}
