package emulator

import (
	"slices"
	"strings"
)

// operation is one operation of the OpenAPI spec: operations_gen.go lists
// them all, generated from the spec.
type operation struct {
	ID     string
	Method string
	Path   string
	Codes  []int // status codes the spec declares for it, sorted
}

// allows reports whether the spec lists status for the operation.
func (o operation) allows(status int) bool { return slices.Contains(o.Codes, status) }

// permissions reports whether the operation belongs to the /v2 permissions
// family, whose errors, timestamps and envelopes differ from provisioning.
func (o operation) permissions() bool { return strings.HasPrefix(o.Path, "/v2/") }

// public reports whether the operation needs no credentials and no account id.
func (o operation) public() bool {
	return strings.HasPrefix(o.Path, "/v2/accounts/permissions/public/")
}

// rateLimited reports whether the spec lets the operation answer 420 or 429,
// the only operations the rate limiter may refuse.
func (o operation) rateLimited() bool { return o.allows(429) || o.allows(420) }
