package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/emulator"
)

// step is one exchange of the emulator scenario. Path, query and body are
// templates: {name} is replaced by a value an earlier step captured.
type step struct {
	op     string // the operationId the request must route to
	method string
	path   string
	query  string
	body   string // JSON; "example:NAME" takes a reviewed spec example
	// patch overrides top-level fields of an example body (templates too).
	patch map[string]string
	want  int
	// invalid marks a request that breaks the spec on purpose, to get a
	// 400 answer: the validator must flag the request, and the answer must
	// still be valid.
	invalid bool
	// capture stores response fields (JSON pointers) under names.
	capture map[string]string
}

const (
	pv = "/v1_1/provisioning/accounts/{acc}"
	pm = "/v2/accounts/{acc}/permissions"
	pp = "/v2/accounts/permissions/public"
)

// scenario is the whole conversation: every operation's success answer,
// and its 400, 404 and 409 answers where the spec lists them and the
// emulator can be led to them (401 is added for every operation by
// replaying its first success with a wrong secret). Steps run in order
// and depend on each other.
var scenario = []step{
	// Product environments.
	{op: "createProductEnvironment", method: "POST", path: pv + "/sub_accounts", body: `{"name":"Env One","cloud_name":"env_one"}`, want: 200, capture: map[string]string{"env": "/id"}},
	{op: "createProductEnvironment", method: "POST", path: pv + "/sub_accounts", body: `{"name":"Env Two","cloud_name":"env_two","base_sub_account_id":"{env}","custom_attributes":{"team":"b"}}`, want: 200, capture: map[string]string{"env2": "/id"}},
	{op: "createProductEnvironment", method: "POST", path: pv + "/sub_accounts", body: `{"name":"Again","cloud_name":"env_one"}`, want: 409},
	{op: "createProductEnvironment", method: "POST", path: pv + "/sub_accounts", body: `{"cloud_name":"nameless"}`, want: 400, invalid: true},
	{op: "getProductEnvironments", method: "GET", path: pv + "/sub_accounts", want: 200},
	{op: "getProductEnvironments", method: "GET", path: pv + "/sub_accounts", query: "ids={env}&ids={env2}&enabled=true", want: 200},
	{op: "getProductEnvironments", method: "GET", path: pv + "/sub_accounts", query: "enabled=perhaps", want: 400, invalid: true},
	{op: "getProductEnvironment", method: "GET", path: pv + "/sub_accounts/{env}", want: 200},
	{op: "getProductEnvironment", method: "GET", path: pv + "/sub_accounts/nosuchenv", want: 404},
	{op: "updateProductEnvironment", method: "PUT", path: pv + "/sub_accounts/{env}", body: `{"name":"Env One Renamed","enabled":true,"custom_attributes":{"team":"a"}}`, want: 200},
	{op: "updateProductEnvironment", method: "PUT", path: pv + "/sub_accounts/{env2}", body: `{"cloud_name":"env_one"}`, want: 409},
	{op: "updateProductEnvironment", method: "PUT", path: pv + "/sub_accounts/nosuchenv", body: `{"name":"x"}`, want: 404},
	{op: "updateProductEnvironment", method: "PUT", path: pv + "/sub_accounts/{env}", body: `{"enabled":"yes"}`, want: 400, invalid: true},

	// Access keys.
	{op: "generateAccessKey", method: "POST", path: pv + "/sub_accounts/{env}/access_keys", body: `{"name":"ci","enabled":true}`, want: 200, capture: map[string]string{"key": "/api_key"}},
	{op: "generateAccessKey", method: "POST", path: pv + "/sub_accounts/{env}/access_keys", body: `{"name":"other"}`, want: 200, capture: map[string]string{"key2": "/api_key"}},
	{op: "generateAccessKey", method: "POST", path: pv + "/sub_accounts/nosuchenv/access_keys", body: `{"name":"ci"}`, want: 404},
	{op: "generateAccessKey", method: "POST", path: pv + "/sub_accounts/{env}/access_keys", body: `{"enabled":"yes"}`, want: 400, invalid: true},
	{op: "getAccessKeys", method: "GET", path: pv + "/sub_accounts/{env}/access_keys", query: "sort_by=name&sort_order=asc&page=1&page_size=10", want: 200},
	{op: "getAccessKeys", method: "GET", path: pv + "/sub_accounts/nosuchenv/access_keys", want: 404},
	{op: "updateAccessKey", method: "PUT", path: pv + "/sub_accounts/{env}/access_keys/{key}", body: `{"name":"ci-renamed","enabled":false,"dedicated_for":"webhooks"}`, want: 200},
	{op: "updateAccessKey", method: "PUT", path: pv + "/sub_accounts/{env}/access_keys/999999999999999", body: `{"name":"x"}`, want: 404},
	{op: "updateAccessKey", method: "PUT", path: pv + "/sub_accounts/{env}/access_keys/{key}", body: `{"dedicated_for":"email"}`, want: 400, invalid: true},
	{op: "deleteAccessKeyByName", method: "DELETE", path: pv + "/sub_accounts/{env}/access_keys", query: "name=other", want: 200},
	{op: "deleteAccessKeyByName", method: "DELETE", path: pv + "/sub_accounts/{env}/access_keys", query: "name=other", want: 404},
	{op: "deleteAccessKeyByName", method: "DELETE", path: pv + "/sub_accounts/{env}/access_keys", want: 400, invalid: true},

	// Users.
	{op: "createUser", method: "POST", path: pv + "/users", body: "example:CreateUserExample", want: 200, capture: map[string]string{"user": "/id"}},
	{op: "createUser", method: "POST", path: pv + "/users", body: `{"name":"Bob","email":"bob@example.com","role":"technical_admin","sub_account_ids":["{env}"],"enabled":true}`, want: 200, capture: map[string]string{"user2": "/id"}},
	{op: "createUser", method: "POST", path: pv + "/users", body: "example:CreateUserExample", want: 409},
	{op: "createUser", method: "POST", path: pv + "/users", body: `{"name":"Carol","email":"carol@example.com","role":"admin","sub_account_ids":["nosuchenv"]}`, want: 404},
	{op: "createUser", method: "POST", path: pv + "/users", body: `{"name":"Nomail"}`, want: 400, invalid: true},
	{op: "getUsers", method: "GET", path: pv + "/users", want: 200},
	{op: "getUsers", method: "GET", path: pv + "/users", query: "ids={user}&ids={user2}", want: 200},
	{op: "getUsers", method: "GET", path: pv + "/users", query: "prefix=b&sub_account_id={env}&pending=false&sort_by=name&sort_order=asc&page=1&page_size=5", want: 200},
	{op: "getUsers", method: "GET", path: pv + "/users", query: "sub_account_id=nosuchenv", want: 404},
	{op: "getUser", method: "GET", path: pv + "/users/{user2}", want: 200},
	{op: "getUser", method: "GET", path: pv + "/users/nosuchuser", want: 404},
	{op: "updateUser", method: "PUT", path: pv + "/users/{user2}", body: `{"name":"Bob B","email":"bob@example.com","role":"admin","sub_account_ids":["{env}","{env2}"],"enabled":true}`, want: 200},
	{op: "updateUser", method: "PUT", path: pv + "/users/{user2}", body: `{"email":"jenny_bar@example.com"}`, want: 409},
	{op: "updateUser", method: "PUT", path: pv + "/users/nosuchuser", body: `{"name":"x"}`, want: 404},
	{op: "updateUser", method: "PUT", path: pv + "/users/{user2}", body: `{"role":"owner"}`, want: 400, invalid: true},
	{op: "getSubAccountsForUser", method: "GET", path: pv + "/users/{user2}/sub_accounts", want: 200},
	{op: "getSubAccountsForUser", method: "GET", path: pv + "/users/nosuchuser/sub_accounts", want: 404},

	// User groups and membership.
	{op: "createUserGroup", method: "POST", path: pv + "/user_groups", body: `{"name":"Designers"}`, want: 200, capture: map[string]string{"group": "/id"}},
	{op: "createUserGroup", method: "POST", path: pv + "/user_groups", body: `{"name":"Writers"}`, want: 200, capture: map[string]string{"group2": "/id"}},
	{op: "createUserGroup", method: "POST", path: pv + "/user_groups", body: `{"name":"Designers"}`, want: 409},
	{op: "createUserGroup", method: "POST", path: pv + "/user_groups", body: `{"name":5}`, want: 400, invalid: true},
	{op: "updateUserGroup", method: "PUT", path: pv + "/user_groups/{group}", body: "example:UserGroupDesignersRequest", want: 200},
	{op: "updateUserGroup", method: "PUT", path: pv + "/user_groups/{group2}", body: `{"name":"Designers and Creatives"}`, want: 409},
	{op: "updateUserGroup", method: "PUT", path: pv + "/user_groups/nosuchgroup", body: `{"name":"x"}`, want: 404},
	{op: "updateUserGroup", method: "PUT", path: pv + "/user_groups/{group}", body: `{"name":["x"]}`, want: 400, invalid: true},
	{op: "addUserToUserGroup", method: "POST", path: pv + "/user_groups/{group}/users/{user2}", want: 200},
	{op: "addUserToUserGroup", method: "POST", path: pv + "/user_groups/{group}/users/{user}", want: 200},
	{op: "addUserToUserGroup", method: "POST", path: pv + "/user_groups/{group}/users/{user2}", want: 409},
	{op: "addUserToUserGroup", method: "POST", path: pv + "/user_groups/{group}/users/nosuchuser", want: 404},
	{op: "getUserGroups", method: "GET", path: pv + "/user_groups", want: 200},
	{op: "getUserGroups", method: "GET", path: pv + "/user_groups", query: "extended_details=true", want: 200},
	{op: "getUserGroup", method: "GET", path: pv + "/user_groups/{group}", query: "extended_details=true", want: 200},
	{op: "getUserGroup", method: "GET", path: pv + "/user_groups/nosuchgroup", want: 404},
	{op: "getUsersInUserGroup", method: "GET", path: pv + "/user_groups/{group}/users", want: 200},
	{op: "getUsersInUserGroup", method: "GET", path: pv + "/user_groups/nosuchgroup/users", want: 404},
	{op: "getGroupsForUser", method: "GET", path: pv + "/users/{user2}/groups", want: 200},
	{op: "getGroupsForUser", method: "GET", path: pv + "/users/nosuchuser/groups", want: 404},
	{op: "removeUserFromUserGroup", method: "DELETE", path: pv + "/user_groups/{group}/users/{user}", want: 200},
	{op: "removeUserFromUserGroup", method: "DELETE", path: pv + "/user_groups/{group}/users/{user}", want: 404},

	// Billing.
	{op: "getBillingUsage", method: "GET", path: pv + "/billing_usage", query: "year=2025&include_prodenv_breakdown=true", want: 200},
	{op: "getBillingUsage", method: "GET", path: pv + "/billing_usage", query: "year=last", want: 400, invalid: true},

	// Public.
	{op: "getSystemRolesAndPoliciesCatalog", method: "GET", path: pp + "/catalog", want: 200},
	{op: "getCedarSchema", method: "GET", path: pp + "/schema", want: 200},
	{op: "validateCedarPolicy", method: "POST", path: pp + "/validate", body: `{"policy":"permit(principal == Cloudinary::APIKey::\"1234\", action == Cloudinary::Action::\"read\", resource is Cloudinary::Folder) when { resource.ancestor_ids.contains(\"asdfjkl12347890\") };"}`, want: 200},
	// The spec's own invalid example, as what it is: a negative fixture.
	{op: "validateCedarPolicy", method: "POST", path: pp + "/validate", body: `{"policy":"permit(principal == Cloudinary::APIKy::\"1234\", action == Cloudinary::Action::\"read\", resource is Cloudinary::Folder);"}`, want: 200},
	{op: "validateCedarPolicy", method: "POST", path: pp + "/validate", body: `{}`, want: 400, invalid: true},

	// System policies and roles.
	{op: "getSystemPolicies", method: "GET", path: pm + "/policies/system", want: 200},
	{op: "getSystemPolicies", method: "GET", path: pm + "/policies/system", query: "scope_type=prodenv&permission_type=content", want: 200},
	{op: "createRole", method: "POST", path: pm + "/roles", body: "example:CreateGlobalRoleExample", want: 201, capture: map[string]string{"role": "/data/id"}},
	{op: "createRole", method: "POST", path: pm + "/roles", body: "example:CreateContentRoleExample", want: 201, capture: map[string]string{"crole": "/data/id"}},
	{op: "createRole", method: "POST", path: pm + "/roles", body: `{"name":"Account helper","permission_type":"global","scope_type":"account","system_policy_ids":["cld::policy::global::users_and_groups::manage"]}`, want: 201, capture: map[string]string{"arole": "/data/id"}},
	{op: "createRole", method: "POST", path: pm + "/roles", body: "example:CreateGlobalRoleExample", want: 409},
	{op: "createRole", method: "POST", path: pm + "/roles", body: `{"name":"Bad policy","permission_type":"global","scope_type":"account","system_policy_ids":["cld::policy::global::upload_presets::sample"]}`, want: 400},
	{op: "createRole", method: "POST", path: pm + "/roles", body: `{"name":"No type"}`, want: 400, invalid: true},
	{op: "getRoles", method: "GET", path: pm + "/roles", query: "permission_type=global", want: 200},
	{op: "getRoles", method: "GET", path: pm + "/roles", query: "permission_type=content&scope_type=prodenv&management_type=custom&policy_parameters=" + url.QueryEscape(`["folder_id"]`), want: 200},
	{op: "getRole", method: "GET", path: pm + "/roles/{role}", want: 200},
	{op: "getRole", method: "GET", path: pm + "/roles/{crole}", query: "folder_id=asdfjkl12347890", want: 200},
	{op: "getRole", method: "GET", path: pm + "/roles/cld::role::account::master_admin", want: 200},
	{op: "getRole", method: "GET", path: pm + "/roles/nosuchrole", want: 404},
	{op: "updateRole", method: "PUT", path: pm + "/roles/{role}", body: `{"name":"Upload manager","description":"Uploads.","system_policy_ids":["cld::policy::global::upload_presets::manage"]}`, want: 200},
	{op: "updateRole", method: "PUT", path: pm + "/roles/{role}", body: `{"name":"Marketing content contributor","system_policy_ids":["cld::policy::global::upload_presets::manage"]}`, want: 409},
	{op: "updateRole", method: "PUT", path: pm + "/roles/nosuchrole", body: `{"name":"x"}`, want: 404},
	{op: "updateRole", method: "PUT", path: pm + "/roles/{role}", body: `{"name":"Upload manager","system_policy_ids":["cld::global::upload_presets::sample"]}`, want: 400},
	{op: "updateRole", method: "PUT", path: pm + "/roles/{role}", body: `{"description":"no name"}`, want: 400, invalid: true},

	// Assignments.
	{op: "updateRolePrincipals", method: "PUT", path: pm + "/roles/{role}/principals", body: `{"operation":"add","principals":[{"principal_type":"user","principal_id":"{user2}","scope_id":"{env}"},{"principal_type":"apiKey","principal_id":"{key}","scope_id":"{env}"}]}`, want: 200},
	{op: "updateRolePrincipals", method: "PUT", path: pm + "/roles/{crole}/principals", body: `{"operation":"add","principals":[{"principal_type":"group","principal_id":"{group}","scope_id":"{env}","policy_parameters":{"folder_id":"asdfjkl12347890"}}]}`, want: 200},
	{op: "updateRolePrincipals", method: "PUT", path: pm + "/roles/nosuchrole/principals", body: `{"operation":"add","principals":[{"principal_type":"user","principal_id":"{user2}","scope_id":"{env}"}]}`, want: 404},
	{op: "updateRolePrincipals", method: "PUT", path: pm + "/roles/{role}/principals", body: `{"operation":"subtract","principals":[]}`, want: 400, invalid: true},
	{op: "getRolePrincipals", method: "GET", path: pm + "/roles/{role}/principals", query: "verbose=true", want: 200},
	{op: "getRolePrincipals", method: "GET", path: pm + "/roles/{crole}/principals", query: "scope_type=prodenv&scope_id={env}&folder_id=asdfjkl12347890", want: 200},
	{op: "getRolePrincipals", method: "GET", path: pm + "/roles/nosuchrole/principals", want: 404},
	{op: "updatePrincipalRoles", method: "PUT", path: pm + "/principal_roles", body: `{"operation":"add","principal":{"type":"group","id":"{group}"},"roles":[{"id":"{arole}"},{"id":"cld::role::account::reports"}]}`, want: 200},
	{op: "updatePrincipalRoles", method: "PUT", path: pm + "/principal_roles", body: `{"operation":"add","principal":{"type":"user","id":"nosuchuser"},"roles":[{"id":"{arole}"}]}`, want: 404},
	{op: "updatePrincipalRoles", method: "PUT", path: pm + "/principal_roles", body: `{"operation":"subtract","principal":{"type":"user","id":"{user2}"},"roles":[]}`, want: 400, invalid: true},
	{op: "getPrincipalRoles", method: "GET", path: pm + "/principal_roles", query: "principal_type=user&principal_id={user2}&permission_type=global", want: 200},
	{op: "getPrincipalRoles", method: "GET", path: pm + "/principal_roles", query: "principal_type=group&principal_id={group}&permission_type=content&scope_type=prodenv&scope_id={env}", want: 200},
	{op: "getPrincipalRoles", method: "GET", path: pm + "/principal_roles", query: "principal_type=user&principal_id=nosuchuser&permission_type=global", want: 404},
	{op: "getPrincipalRoles", method: "GET", path: pm + "/principal_roles", query: "principal_type=user&permission_type=global", want: 400, invalid: true},
	{op: "inspect", method: "GET", path: pm + "/principal_roles/inspect", query: "scope_type=account", want: 200},
	{op: "inspect", method: "GET", path: pm + "/principal_roles/inspect", query: "scope_type=prodenv&scope_id={env}&principal_type=user&principal_id={user2}", want: 200},
	{op: "inspect", method: "GET", path: pm + "/principal_roles/inspect", query: "scope_type=prodenv&scope_id=nosuchenv", want: 404},
	{op: "inspect", method: "GET", path: pm + "/principal_roles/inspect", want: 400, invalid: true},
	{op: "inspectMultiple", method: "POST", path: pm + "/principal_roles/inspect", body: `{"scope_type":"prodenv","scope_id":"{env}","principals":[{"type":"user","id":"{user2}"},{"type":"group","id":"{group}"}]}`, want: 200},
	{op: "inspectMultiple", method: "POST", path: pm + "/principal_roles/inspect", body: `{"scope_type":"prodenv","scope_id":"nosuchenv","principals":[{"type":"user","id":"{user2}"}]}`, want: 404},
	{op: "inspectMultiple", method: "POST", path: pm + "/principal_roles/inspect", body: `{"scope_type":"prodenv"}`, want: 400, invalid: true},
	{op: "getEffectivePolicies", method: "GET", path: pm + "/policies/effective", query: "scope_type=prodenv&scope_id={env}&principal_type=user&principal_id={user2}", want: 200},
	{op: "getEffectivePolicies", method: "GET", path: pm + "/policies/effective", query: "scope_type=prodenv&scope_id=nosuchenv", want: 404},
	// principal_id is "mandatory if principal_type is provided".
	{op: "getEffectivePolicies", method: "GET", path: pm + "/policies/effective", query: "principal_type=user", want: 400},

	// Custom policies.
	{op: "createCustomPolicy", method: "POST", path: pm + "/policies/custom", body: "example:CreateCustomPolicyExample", patch: map[string]string{"scope_id": `"{env}"`}, want: 201, capture: map[string]string{"policy": "/data/id"}},
	{op: "createCustomPolicy", method: "POST", path: pm + "/policies/custom", body: `{"name":"Account read","policy_statement":"permit(principal == Cloudinary::User::\"{user2}\", action == Cloudinary::Action::\"read\", resource is Cloudinary::Report);","scope_type":"account"}`, want: 201, capture: map[string]string{"policy2": "/data/id"}},
	{op: "createCustomPolicy", method: "POST", path: pm + "/policies/custom", body: "example:CreateCustomPolicyExample", patch: map[string]string{"scope_id": `"{env}"`, "name": `"Same statement"`}, want: 409},
	{op: "createCustomPolicy", method: "POST", path: pm + "/policies/custom", body: `{"name":"Broken","policy_statement":"permit(principal, action, resource)","scope_type":"account"}`, want: 400},
	{op: "createCustomPolicy", method: "POST", path: pm + "/policies/custom", body: `{"name":"No statement","scope_type":"account"}`, want: 400, invalid: true},
	{op: "getCustomPolicies", method: "GET", path: pm + "/policies/custom", want: 200},
	{op: "getCustomPolicies", method: "GET", path: pm + "/policies/custom", query: "scope_type=prodenv&scope_id={env}&enabled=true", want: 200},
	{op: "getCustomPolicy", method: "GET", path: pm + "/policies/custom/{policy}", want: 200},
	{op: "getCustomPolicy", method: "GET", path: pm + "/policies/custom/nosuchpolicy", want: 404},
	{op: "updateCustomPolicy", method: "PUT", path: pm + "/policies/custom/{policy}", body: `{"name":"Read and update","policy_statement":"permit(principal == Cloudinary::APIKey::\"1234\", action == Cloudinary::Action::\"update\", resource is Cloudinary::Folder);","scope_type":"prodenv","scope_id":"{env}","enabled":true}`, want: 200},
	// NOTES.md P2: an identical statement is a 409.
	{op: "updateCustomPolicy", method: "PUT", path: pm + "/policies/custom/{policy}", body: `{"name":"Renamed only","policy_statement":"permit(principal == Cloudinary::APIKey::\"1234\", action == Cloudinary::Action::\"update\", resource is Cloudinary::Folder);","scope_type":"prodenv","scope_id":"{env}","enabled":false}`, want: 409},
	{op: "updateCustomPolicy", method: "PUT", path: pm + "/policies/custom/nosuchpolicy", body: `{"name":"x","policy_statement":"permit(principal, action, resource);","scope_type":"account","enabled":true}`, want: 404},
	{op: "updateCustomPolicy", method: "PUT", path: pm + "/policies/custom/{policy}", body: `{"name":"Broken","policy_statement":"permit(","scope_type":"prodenv","scope_id":"{env}","enabled":true}`, want: 400},
	{op: "updateCustomPolicy", method: "PUT", path: pm + "/policies/custom/{policy}", body: `{"name":"No enabled","policy_statement":"permit(principal, action, resource);","scope_type":"account"}`, want: 400, invalid: true},
	{op: "deleteCustomPolicy", method: "DELETE", path: pm + "/policies/custom/{policy2}", want: 204},
	{op: "deleteCustomPolicy", method: "DELETE", path: pm + "/policies/custom/{policy2}", want: 404},

	// Removals, dependents first.
	{op: "updateRolePrincipals", method: "PUT", path: pm + "/roles/{role}/principals", body: `{"operation":"remove","principals":[{"principal_type":"apiKey","principal_id":"{key}","scope_id":"{env}"}]}`, want: 200},
	{op: "updatePrincipalRoles", method: "PUT", path: pm + "/principal_roles", body: `{"operation":"remove","principal":{"type":"group","id":"{group}"},"roles":[{"id":"cld::role::account::reports"}]}`, want: 200},
	{op: "deleteRole", method: "DELETE", path: pm + "/roles/{role}", query: "force=true", want: 204},
	{op: "deleteRole", method: "DELETE", path: pm + "/roles/{role}", want: 404},
	{op: "deleteAccessKey", method: "DELETE", path: pv + "/sub_accounts/{env}/access_keys/{key}", want: 200},
	{op: "deleteAccessKey", method: "DELETE", path: pv + "/sub_accounts/{env}/access_keys/{key}", want: 404},
	{op: "deleteUserGroup", method: "DELETE", path: pv + "/user_groups/{group2}", want: 200},
	{op: "deleteUserGroup", method: "DELETE", path: pv + "/user_groups/{group2}", want: 404},
	{op: "deleteUser", method: "DELETE", path: pv + "/users/{user}", want: 200},
	{op: "deleteUser", method: "DELETE", path: pv + "/users/{user}", want: 404},
	{op: "deleteProductEnvironment", method: "DELETE", path: pv + "/sub_accounts/{env2}", want: 200},
	{op: "deleteProductEnvironment", method: "DELETE", path: pv + "/sub_accounts/{env2}", want: 404},
}

// untested lists the declared 400, 404 and 409 answers the scenario does
// not produce, each with the reason. The test fails when one is neither
// produced nor listed, and when a listed one is produced after all.
var untested = map[string]string{
	"getProductEnvironments 404": "a list has nothing to miss; boilerplate (NOTES.md P16)",
	"getProductEnvironments 409": "a 409 on a GET is a copy-paste artefact (NOTES.md 2.1)",
	"getProductEnvironment 400":  "a GET by id has no input to get wrong beyond the id (404)",
	"createUserGroup 404":        "the body names nothing that could be missing (NOTES.md P16)",
	"deleteProductEnvironment 400": "no spec-valid delete request is bad; an undeclared query " +
		"would be the client's fault, not a contract answer",
	"deleteUser 400":              "as deleteProductEnvironment 400",
	"deleteUserGroup 400":         "as deleteProductEnvironment 400",
	"deleteAccessKey 400":         "as deleteProductEnvironment 400",
	"removeUserFromUserGroup 400": "as deleteProductEnvironment 400",
	"addUserToUserGroup 400":      "the operation has no body and no query: nothing to get wrong",
	"generateAccessKey 409":       "access key name uniqueness is not stated (NOTES.md P23)",
	"updateAccessKey 409":         "as generateAccessKey 409",
	"getBillingUsage 404":         "boilerplate: nothing to miss",
	"getUserGroups 404":           "a list without filters has nothing to miss (NOTES.md P16)",
	"getCedarSchema 400": "a public GET without parameters has nothing to get wrong; " +
		"the 400 has no body schema (NOTES.md 6.1)",
	"getSystemRolesAndPoliciesCatalog 400": "as getCedarSchema 400",
}

// account is the emulator's account and credentials for the scenario.
const (
	account = "acc"
	apiKey  = "key"
	secret  = "secret"
)

func TestEmulatorContract(t *testing.T) {
	tests := map[string]func(v *Validator, emu http.Handler, report func(Finding)) (*http.Client, string, func()){
		// The validator sits in the client's transport.
		"transport": func(v *Validator, emu http.Handler, report func(Finding)) (*http.Client, string, func()) {
			srv := httptest.NewServer(emu)
			return &http.Client{Transport: v.Transport(srv.Client().Transport, report)}, srv.URL, srv.Close
		},
		// The validator wraps the server.
		"middleware": func(v *Validator, emu http.Handler, report func(Finding)) (*http.Client, string, func()) {
			srv := httptest.NewServer(v.Middleware(emu, report))
			return srv.Client(), srv.URL, srv.Close
		},
	}
	for name, setup := range tests {
		t.Run(name, func(t *testing.T) {
			v := mustLoad(t)
			emu := emulator.New(emulator.Options{AccountID: account, APIKey: apiKey, APISecret: secret, RandSeed: 1})
			r := newRunner(t, v)
			c, base, done := setup(v, emu, r.report)
			defer done()
			r.c, r.base = c, base
			for i, s := range scenario {
				r.run(i, s)
			}
			if got := emu.Violations(); len(got) > 0 {
				t.Errorf("the emulator answered statuses the spec does not list:\n%s", strings.Join(got, "\n"))
			}
			checkCoverage(t, v)
		})
	}
}

// runner runs scenario steps against one server.
type runner struct {
	t            *testing.T
	v            *Validator
	c            *http.Client
	base         string
	vars         map[string]string
	unauthorized map[string]bool // operations already replayed with bad credentials
	pending      []Finding       // findings of the exchange under way
}

func newRunner(t *testing.T, v *Validator) *runner {
	return &runner{t: t, v: v, vars: map[string]string{"acc": account}, unauthorized: map[string]bool{}}
}

// report collects the findings of the exchange under way. Exchanges run
// one at a time, so no lock is needed.
func (r *runner) report(f Finding) { r.pending = append(r.pending, f) }

func (r *runner) expand(s string) string {
	for k, val := range r.vars {
		s = strings.ReplaceAll(s, "{"+k+"}", val)
	}
	return s
}

func (r *runner) body(s step) []byte {
	t := r.t
	body := s.body
	if name, ok := strings.CutPrefix(body, "example:"); ok {
		raw, ok := r.v.Named(name)
		if !ok {
			t.Fatalf("no reviewed example %s", name)
		}
		if len(s.patch) > 0 {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("example %s is not an object: %v", name, err)
			}
			for k, val := range s.patch {
				m[k] = json.RawMessage(val)
			}
			raw, _ = json.Marshal(m)
		}
		body = string(raw)
	}
	return []byte(r.expand(body))
}

func (r *runner) run(i int, s step) {
	t := r.t
	t.Helper()
	body := r.body(s)
	label := fmt.Sprintf("step %d %s %d", i, s.op, s.want)
	r.pending = nil
	status, resp := r.do(label, s, body, secret)
	for _, f := range r.pending {
		if f.Stage == StageRequest && s.invalid {
			continue
		}
		t.Errorf("%s: finding: %v", label, f)
	}
	if s.invalid && !slices.ContainsFunc(r.pending, func(f Finding) bool { return f.Stage == StageRequest }) {
		t.Errorf("%s: the request breaks the spec on purpose, but the validator did not flag it", label)
	}
	if status != s.want {
		t.Errorf("%s: %s %s answered %d %s, want %d", label, s.method, r.expand(s.path), status, resp, s.want)
		return
	}
	for name, ptr := range s.capture {
		val, err := pointer(resp, ptr)
		if err != nil {
			t.Fatalf("%s: capture %s: %v in %s", label, name, err, resp)
		}
		r.vars[name] = val
	}
	// 401: replay the first success of each operation with a wrong secret.
	if status < 300 && !r.unauthorized[s.op] && r.declares(s.op, 401) {
		r.unauthorized[s.op] = true
		r.pending = nil
		label := fmt.Sprintf("step %d %s 401", i, s.op)
		if got, resp := r.do(label, s, body, "wrong"); got != http.StatusUnauthorized {
			t.Errorf("%s: with a wrong secret answered %d %s, want 401", label, got, resp)
		}
		for _, f := range r.pending {
			t.Errorf("%s: finding: %v", label, f)
		}
	}
}

func (r *runner) declares(op string, status int) bool {
	for _, item := range r.v.Doc().Paths.Map() {
		for _, o := range item.Operations() {
			if o.OperationID == op {
				return o.Responses.Status(status) != nil
			}
		}
	}
	return false
}

func (r *runner) do(label string, s step, body []byte, pass string) (int, []byte) {
	t := r.t
	u := r.base + r.expand(s.path)
	if s.query != "" {
		u += "?" + r.expand(s.query)
	}
	var rd io.Reader
	if s.body != "" {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), s.method, u, rd)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if s.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth(apiKey, pass)
	if op, err := r.v.OperationID(req); err != nil || op != s.op {
		t.Fatalf("%s: %s %s routes to %q (%v), want %s", label, s.method, u, op, err, s.op)
	}
	resp, err := r.c.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: read answer: %v", label, err)
	}
	return resp.StatusCode, got
}

// pointer returns the string at a JSON pointer of the document.
func pointer(doc []byte, ptr string) (string, error) {
	var cur any
	if err := json.Unmarshal(doc, &cur); err != nil {
		return "", err
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(c) {
				return "", fmt.Errorf("no %s", ptr)
			}
			cur = c[i]
		default:
			return "", fmt.Errorf("no %s", ptr)
		}
	}
	s, ok := cur.(string)
	if !ok {
		return "", fmt.Errorf("%s is %T, not a string", ptr, cur)
	}
	return s, nil
}

// checkCoverage asserts that all 47 operations were seen, each with a
// success answer and 401 where listed, and every declared 400, 404 and 409
// unless untested explains why not.
func checkCoverage(t *testing.T, v *Validator) {
	t.Helper()
	ops := v.Operations()
	if diff := cmp.Diff(emulator.Operations(), ops); diff != "" {
		t.Errorf("the emulator's operations differ from the spec's (-emulator +spec):\n%s", diff)
	}
	cov := v.Coverage()
	if missing := cov.Missing(ops); len(missing) > 0 {
		t.Errorf("operations never exercised: %v", missing)
	}
	var gaps []string
	for _, op := range ops {
		declared := declaredStatuses(v, op)
		success := false
		for _, s := range declared {
			if s < 300 && cov[op][s] > 0 {
				success = true
			}
		}
		if !success {
			gaps = append(gaps, op+" success")
		}
		for _, s := range []int{400, 401, 404, 409} {
			if !slices.Contains(declared, s) {
				continue
			}
			key := fmt.Sprintf("%s %d", op, s)
			_, excused := untested[key]
			switch seen := cov[op][s] > 0; {
			case !seen && !excused:
				gaps = append(gaps, key)
			case seen && excused:
				t.Errorf("untested lists %q (%s), but the scenario produced it: drop it from the list", key, untested[key])
			}
		}
	}
	for key := range untested {
		op, code, _ := strings.Cut(key, " ")
		s, _ := strconv.Atoi(code)
		if !slices.Contains(declaredStatuses(v, op), s) {
			t.Errorf("untested lists %q, which the spec does not declare", key)
		}
	}
	slices.Sort(gaps)
	if len(gaps) > 0 {
		t.Errorf("declared answers never produced (add a step, or a reason to untested):\n%s", strings.Join(gaps, "\n"))
	}
}

func declaredStatuses(v *Validator, op string) []int {
	for _, item := range v.Doc().Paths.Map() {
		for _, o := range item.Operations() {
			if o.OperationID != op {
				continue
			}
			var out []int
			for _, code := range slices.Sorted(maps.Keys(o.Responses.Map())) {
				if s, err := strconv.Atoi(code); err == nil {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return nil
}

// TestEmulatorContractBites corrupts one kind of answer of a real emulator
// and checks that the scenario's validator reports it: the harness must
// fail when the emulator drifts, not only pass when it does not.
func TestEmulatorContractBites(t *testing.T) {
	tests := map[string]struct {
		op      string
		on      int // the status of the answers to corrupt
		corrupt func(status int, body map[string]any) (int, map[string]any)
	}{
		"undeclared field (User.groups, removed in 0.2.0)": {"getUser", 200, func(s int, b map[string]any) (int, map[string]any) {
			b["groups"] = []any{}
			return s, b
		}},
		"required field missing": {"getRole", 200, func(s int, b map[string]any) (int, map[string]any) {
			delete(b["data"].(map[string]any), "management_type")
			return s, b
		}},
		"ISO time where epoch is due (NOTES.md P8)": {"getCustomPolicy", 200, func(s int, b map[string]any) (int, map[string]any) {
			b["data"].(map[string]any)["created_at"] = "2024-06-27T08:00:16Z"
			return s, b
		}},
		"200 where the spec says 201": {"createRole", 201, func(s int, b map[string]any) (int, map[string]any) {
			return http.StatusOK, b
		}},
		"provisioning error shape on a permissions call": {"getRole", 404, func(s int, b map[string]any) (int, map[string]any) {
			return s, map[string]any{"error": map[string]any{"message": "not found"}}
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := mustLoad(t)
			emu := emulator.New(emulator.Options{AccountID: account, APIKey: apiKey, APISecret: secret, RandSeed: 1})
			corrupting := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				rec := httptest.NewRecorder()
				emu.ServeHTTP(rec, req)
				op, _ := v.OperationID(req)
				status, raw := rec.Code, rec.Body.Bytes()
				var body map[string]any
				if op == tc.op && rec.Code == tc.on && json.Unmarshal(raw, &body) == nil {
					status, body = tc.corrupt(status, body)
					raw, _ = json.Marshal(body)
				}
				maps.Copy(w.Header(), rec.Header())
				w.WriteHeader(status)
				_, _ = w.Write(raw)
			})
			srv := httptest.NewServer(corrupting)
			defer srv.Close()
			r := newRunner(t, v)
			r.base = srv.URL
			r.c = &http.Client{Transport: v.Transport(srv.Client().Transport, r.report)}
			for i, s := range scenario {
				if s.op == tc.op {
					break // the steps before the corrupted operation's first
				}
				r.run(i, s)
			}
			r.pending = nil
			for _, s := range scenario {
				if s.op != tc.op {
					continue
				}
				_, _ = r.do(s.op, s, r.body(s), secret)
			}
			if !slices.ContainsFunc(r.pending, func(f Finding) bool { return f.Op == tc.op && f.Stage == StageResponse }) {
				t.Errorf("corrupted %s answers went unreported; findings: %v", tc.op, r.pending)
			}
			for _, f := range r.pending {
				t.Logf("reported as it should: %v", f)
			}
		})
	}
}
