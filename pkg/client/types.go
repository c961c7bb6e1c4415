package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Ptr returns a pointer to v, for the pointer fields of update requests:
// client.Ptr(false) sends "enabled": false where nil sends nothing.
func Ptr[T any](v T) *T { return &v }

// Secret is a credential: an Account API secret, a product environment's
// api_secret. Printing or logging it shows REDACTED; JSON encoding (the
// wire) keeps the value. Use Reveal to read it on purpose.
type Secret string

const redacted = "REDACTED"

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns REDACTED (or "" for an empty secret, so absence shows).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// Format makes every fmt verb print String().
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprint(f, strconv.Quote(s.String()))
		return
	}
	fmt.Fprint(f, s.String())
}

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Timestamp is a provisioning (/v1_1) timestamp: an ISO-8601 string on the
// wire, for example "2016-09-27T08:00:16Z". Null and "" decode to the zero
// time.
type Timestamp struct{ time.Time }

// Equal reports whether both are the same instant (for go-cmp).
func (t Timestamp) Equal(u Timestamp) bool { return t.Time.Equal(u.Time) }

// UnmarshalJSON accepts an RFC 3339 string, "" or null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	s, ok := plainString(b)
	if !ok {
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("timestamp: want an ISO-8601 string, got %s", truncate(string(b), 40))
		}
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", s, err)
	}
	t.Time = v
	return nil
}

// plainString returns the value of the JSON string b when it needs no
// decoding (quoted printable ASCII without escapes), as every timestamp
// the service sends does: a users page holds 300 of them, and decoding
// each with encoding/json cost a third of the page's decode.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	for _, c := range b[1 : len(b)-1] {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(b[1 : len(b)-1]), true
}

// plainInt returns the value of the JSON number b when it is an integer
// of at most 18 digits (no fraction, exponent or leading zero), which
// needs no decoding by encoding/json.
func plainInt(b []byte) (int64, bool) {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || digits[0] == '0' && len(digits) > 1 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if b[0] == '-' {
		n = -n
	}
	return n, true
}

// MarshalJSON writes RFC 3339, or null for the zero time.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// EpochTime is a permissions (/v2) timestamp: integer seconds since the
// Unix epoch on the wire, for example 1719475216.
type EpochTime struct{ time.Time }

// Equal reports whether both are the same instant (for go-cmp).
func (t EpochTime) Equal(u EpochTime) bool { return t.Time.Equal(u.Time) }

// UnmarshalJSON accepts an integer (or a number with a fraction) or null.
func (t *EpochTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	if i, ok := plainInt(b); ok { // every epoch time the service sends
		t.Time = time.Unix(i, 0).UTC()
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("epoch time: want seconds as a number, got %s", truncate(string(b), 40))
	}
	if i, err := n.Int64(); err == nil {
		t.Time = time.Unix(i, 0).UTC()
		return nil
	}
	f, err := n.Float64()
	if err != nil {
		return fmt.Errorf("epoch time %s: %w", n, err)
	}
	t.Time = time.UnixMilli(int64(f * 1000)).UTC()
	return nil
}

// MarshalJSON writes integer seconds, or null for the zero time.
func (t EpochTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatInt(t.Unix(), 10)), nil
}

// ScopeType is ScopeTypeEnum.
type ScopeType string

// ScopeType values.
const (
	ScopeAccount ScopeType = "account"
	ScopeProdEnv ScopeType = "prodenv"
)

// PrincipalType is PrincipalTypeEnum.
type PrincipalType string

// PrincipalType values.
const (
	PrincipalUser            PrincipalType = "user"
	PrincipalGroup           PrincipalType = "group"
	PrincipalAPIKey          PrincipalType = "apiKey"
	PrincipalProvisioningKey PrincipalType = "provisioningKey"
)

// PermissionType is PermissionTypeEnum.
type PermissionType string

// PermissionType values.
const (
	PermissionGlobal  PermissionType = "global"
	PermissionContent PermissionType = "content"
)

// ManagementType is ManagementTypeEnum.
type ManagementType string

// ManagementType values.
const (
	ManagementSystem ManagementType = "system"
	ManagementCustom ManagementType = "custom"
)

// Operation is OperationEnum, for the incremental assignment PUTs.
type Operation string

// Operation values.
const (
	OperationAdd    Operation = "add"
	OperationRemove Operation = "remove"
)

// SortOrder orders the access-key and user lists.
type SortOrder string

// SortOrder values.
const (
	SortDesc SortOrder = "desc"
	SortAsc  SortOrder = "asc"
)

// PolicyParameterKeys are content *types* a role or system policy takes,
// for example ["folder_id"]: RoleResponseData.policy_parameters,
// SystemPolicyResponseData.policy_parameters and the getRoles query. NOTES
// P5: the same JSON name is an object elsewhere (PolicyParameters).
type PolicyParameterKeys []string

// PolicyParameters bind a content role to an instance, for example
// {"folder_id": "asdfjkl12347890"} (an external folder id, not a path):
// PrincipalRolesData, PrincipalResponseData, RoleToManage,
// UpdateRolePrincipal and InspectRequest.
type PolicyParameters map[string]string

// CedarError is one Cedar validation problem.
type CedarError struct {
	CedarMessage string `json:"cedar_message"`
	CedarCode    string `json:"cedar_code,omitempty"`
}

// Principal identifies a principal with the type/id naming (Principal,
// PrincipalRolesInspectData). NOTES P6: other schemas say
// principal_type/principal_id; see RolePrincipalChange and
// EffectivePrincipal.
type Principal struct {
	Type PrincipalType `json:"type"`
	ID   string        `json:"id"`
}

// successResponse is SuccessResponse {"message":"ok"}; deletes discard it.
// deleteUserGroup answers {"ok":true} on the live service instead
// (docs/live-api.md): a 2xx is success whichever it is.
type successResponse struct {
	Message string `json:"message"`
	OK      *bool  `json:"ok"`
}

// LogValue keeps slog (whose JSON handler would otherwise marshal the
// secret) to the key's identity.
func (k APIAccessKey) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key", k.Key), slog.String("secret", k.Secret.String()), slog.Bool("enabled", k.Enabled))
}

// LogValue keeps slog from printing the api_secret.
func (k AccessKey) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", k.Name), slog.String("api_key", k.APIKey),
		slog.String("api_secret", k.APISecret.String()), slog.Bool("enabled", k.Enabled))
}

// LogValue keeps slog from printing the access keys' secrets.
func (p ProductEnvironment) LogValue() slog.Value {
	keys := make([]string, len(p.APIAccessKeys))
	for i, k := range p.APIAccessKeys {
		keys[i] = k.Key
	}
	return slog.GroupValue(slog.String("id", p.ID), slog.String("cloud_name", p.CloudName), slog.String("name", p.Name),
		slog.Bool("enabled", p.Enabled), slog.Any("api_keys", keys))
}
