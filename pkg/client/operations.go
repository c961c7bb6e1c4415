package client

import "net/http"

// Safety says which failures of an operation may be retried without risk of
// doing the operation twice. It is decided per operationId, not per HTTP
// method: two POSTs (validateCedarPolicy, inspectMultiple) only read.
//
//	class      retried on                               why
//	---------  ---------------------------------------  -----------------------------------------
//	Read       420, 429, every 5xx, every transport      nothing changes server side, so any
//	           error (timeouts, resets, dial errors)     failure is safe to repeat
//	Write      420, 429, 502, 503, 504, dial errors      PUTs send full bodies and the
//	                                                     add/remove assignment PUTs are set
//	                                                     operations, so a repeat converges; a
//	                                                     repeated DELETE may answer 404 when an
//	                                                     earlier attempt did act (APIError.Attempts
//	                                                     tells the caller a retry happened). 500
//	                                                     and timeouts are not retried: a 500 is
//	                                                     usually deterministic, and after a
//	                                                     timeout the caller should re-read.
//	Create     420, 429, dial errors only                the server certainly did not act; after a
//	                                                     5xx, a timeout or a reset it may have, and
//	                                                     a second POST would create a duplicate
//	                                                     (or a confusing 409). The caller re-reads
//	                                                     by natural key instead.
type Safety int

const (
	// Read operations change nothing.
	Read Safety = iota + 1
	// Write operations (PUT, DELETE) are idempotent in effect.
	Write
	// Create operations (POST) create something new each time.
	Create
)

func (s Safety) String() string {
	switch s {
	case Read:
		return "read"
	case Write:
		return "write"
	case Create:
		return "create"
	}
	return "invalid"
}

// opSpec is what the client knows about one operation. Method and Path are
// copied from the spec and checked against it by TestOperationsMatchSpec.
type opSpec struct {
	Method string
	Path   string
	Safety Safety
}

const (
	read   = Read
	write  = Write
	create = Create
)

// operations is the one table of all 47 operations, keyed by operationId.
var operations = map[string]opSpec{
	"getProductEnvironments":           {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/sub_accounts", read},
	"createProductEnvironment":         {http.MethodPost, "/v1_1/provisioning/accounts/{account_id}/sub_accounts", create},
	"getProductEnvironment":            {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}", read},
	"updateProductEnvironment":         {http.MethodPut, "/v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}", write},
	"deleteProductEnvironment":         {http.MethodDelete, "/v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}", write},
	"getAccessKeys":                    {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys", read},
	"generateAccessKey":                {http.MethodPost, "/v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys", create},
	"deleteAccessKeyByName":            {http.MethodDelete, "/v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys", write},
	"updateAccessKey":                  {http.MethodPut, "/v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys/{key}", write},
	"deleteAccessKey":                  {http.MethodDelete, "/v1_1/provisioning/accounts/{account_id}/sub_accounts/{sub_account_id}/access_keys/{key}", write},
	"getUsers":                         {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/users", read},
	"createUser":                       {http.MethodPost, "/v1_1/provisioning/accounts/{account_id}/users", create},
	"getUser":                          {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/users/{user_id}", read},
	"updateUser":                       {http.MethodPut, "/v1_1/provisioning/accounts/{account_id}/users/{user_id}", write},
	"deleteUser":                       {http.MethodDelete, "/v1_1/provisioning/accounts/{account_id}/users/{user_id}", write},
	"getGroupsForUser":                 {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/users/{user_id}/groups", read},
	"getSubAccountsForUser":            {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/users/{user_id}/sub_accounts", read},
	"getUserGroups":                    {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/user_groups", read},
	"createUserGroup":                  {http.MethodPost, "/v1_1/provisioning/accounts/{account_id}/user_groups", create},
	"getUserGroup":                     {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}", read},
	"updateUserGroup":                  {http.MethodPut, "/v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}", write},
	"deleteUserGroup":                  {http.MethodDelete, "/v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}", write},
	"getUsersInUserGroup":              {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}/users", read},
	"addUserToUserGroup":               {http.MethodPost, "/v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}/users/{user_id}", create},
	"removeUserFromUserGroup":          {http.MethodDelete, "/v1_1/provisioning/accounts/{account_id}/user_groups/{group_id}/users/{user_id}", write},
	"getBillingUsage":                  {http.MethodGet, "/v1_1/provisioning/accounts/{account_id}/billing_usage", read},
	"getSystemRolesAndPoliciesCatalog": {http.MethodGet, "/v2/accounts/permissions/public/catalog", read},
	"validateCedarPolicy":              {http.MethodPost, "/v2/accounts/permissions/public/validate", read},
	"getCedarSchema":                   {http.MethodGet, "/v2/accounts/permissions/public/schema", read},
	"getSystemPolicies":                {http.MethodGet, "/v2/accounts/{account_id}/permissions/policies/system", read},
	"getCustomPolicies":                {http.MethodGet, "/v2/accounts/{account_id}/permissions/policies/custom", read},
	"createCustomPolicy":               {http.MethodPost, "/v2/accounts/{account_id}/permissions/policies/custom", create},
	"getCustomPolicy":                  {http.MethodGet, "/v2/accounts/{account_id}/permissions/policies/custom/{policy_id}", read},
	"updateCustomPolicy":               {http.MethodPut, "/v2/accounts/{account_id}/permissions/policies/custom/{policy_id}", write},
	"deleteCustomPolicy":               {http.MethodDelete, "/v2/accounts/{account_id}/permissions/policies/custom/{policy_id}", write},
	"getEffectivePolicies":             {http.MethodGet, "/v2/accounts/{account_id}/permissions/policies/effective", read},
	"getRoles":                         {http.MethodGet, "/v2/accounts/{account_id}/permissions/roles", read},
	"createRole":                       {http.MethodPost, "/v2/accounts/{account_id}/permissions/roles", create},
	"getRole":                          {http.MethodGet, "/v2/accounts/{account_id}/permissions/roles/{role_id}", read},
	"updateRole":                       {http.MethodPut, "/v2/accounts/{account_id}/permissions/roles/{role_id}", write},
	"deleteRole":                       {http.MethodDelete, "/v2/accounts/{account_id}/permissions/roles/{role_id}", write},
	"getPrincipalRoles":                {http.MethodGet, "/v2/accounts/{account_id}/permissions/principal_roles", read},
	"updatePrincipalRoles":             {http.MethodPut, "/v2/accounts/{account_id}/permissions/principal_roles", write},
	"inspect":                          {http.MethodGet, "/v2/accounts/{account_id}/permissions/principal_roles/inspect", read},
	"inspectMultiple":                  {http.MethodPost, "/v2/accounts/{account_id}/permissions/principal_roles/inspect", read},
	"getRolePrincipals":                {http.MethodGet, "/v2/accounts/{account_id}/permissions/roles/{role_id}/principals", read},
	"updateRolePrincipals":             {http.MethodPut, "/v2/accounts/{account_id}/permissions/roles/{role_id}/principals", write},
}

// IsReadOnly reports whether the operation with this operationId changes
// nothing on the server. Unknown operationIds are not read-only.
func IsReadOnly(operationID string) bool {
	op, ok := operations[operationID]
	return ok && op.Safety == Read
}

// OperationSafety returns the retry class of an operationId, and false if
// the operationId is unknown.
func OperationSafety(operationID string) (Safety, bool) {
	op, ok := operations[operationID]
	return op.Safety, ok
}
