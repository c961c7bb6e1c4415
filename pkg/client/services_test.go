package client

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	p1 = "/v1_1/provisioning/accounts/" + testAccount
	p2 = "/v2/accounts/" + testAccount + "/permissions"
)

// serviceCase drives one method against a recorder: it checks the request
// the method sends and decodes the spec's example answer.
type serviceCase struct {
	op     string
	call   func(ctx context.Context, c *Client) (any, error)
	answer answer
	method string
	path   string
	query  string
	body   string // JSON, compared semantically; "" means no body
	check  func(t *testing.T, got any)
}

func ok(body string) answer                   { return answer{status: http.StatusOK, body: body} }
func status(code int) answer                  { return answer{status: code} }
func created(body string) answer              { return answer{status: http.StatusCreated, body: body} }
func exampleOK(t *testing.T, n string) answer { return ok(specExample(t, n)) }

func serviceCases(t *testing.T) []serviceCase {
	const okBody = `{"message":"ok"}`
	return []serviceCase{
		{op: "getProductEnvironments", method: "GET", path: p1 + "/sub_accounts",
			query:  "cloud_names=c1&enabled=true&ids=a&ids=b&prefix=product",
			answer: exampleOK(t, "ProductEnvironments"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ProductEnvironments.List(ctx, &ProductEnvironmentListOptions{Enabled: Ptr(true), IDs: []string{"a", "b"}, CloudNames: []string{"c1"}, Prefix: "product"})
			},
			check: func(t *testing.T, got any) {
				pes := got.([]ProductEnvironment)
				if len(pes) != 2 || pes[0].CloudName != "product1" || pes[0].APIAccessKeys[0].Secret.Reveal() != "asdf1JKL2xyz3ABc4s3c5reT01DfaKez" {
					t.Errorf("decoded %+v", pes)
				}
				if pes[0].CreatedAt.Format("2006-01-02T15:04:05Z") != "2016-09-27T08:00:16Z" {
					t.Errorf("created_at decoded as %v", pes[0].CreatedAt)
				}
			}},
		{op: "createProductEnvironment", method: "POST", path: p1 + "/sub_accounts",
			body: `{"name":"Product3 Application","cloud_name":"product3","base_sub_account_id":"abc"}`, answer: exampleOK(t, "ProductEnvironment3"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ProductEnvironments.Create(ctx, CreateProductEnvironmentRequest{Name: "Product3 Application", CloudName: "product3", BaseSubAccountID: "abc"})
			},
			check: func(t *testing.T, got any) {
				if pe := got.(*ProductEnvironment); pe.ID != "555asdf0000zxcvb3456qwerty" || pe.Enabled {
					t.Errorf("decoded %+v", pe)
				}
			}},
		{op: "getProductEnvironment", method: "GET", path: p1 + "/sub_accounts/abcde1fghij2klmno3pqrst4uvwxy5z", answer: exampleOK(t, "ProductEnvironment1"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ProductEnvironments.Get(ctx, "abcde1fghij2klmno3pqrst4uvwxy5z")
			}},
		{op: "updateProductEnvironment", method: "PUT", path: p1 + "/sub_accounts/pe1",
			body: `{"name":"x","custom_attributes":{},"enabled":false}`, answer: exampleOK(t, "ProductEnvironment1"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ProductEnvironments.Update(ctx, "pe1", UpdateProductEnvironmentRequest{Name: Ptr("x"), CustomAttributes: map[string]any{}, Enabled: Ptr(false)})
			}},
		{op: "deleteProductEnvironment", method: "DELETE", path: p1 + "/sub_accounts/pe1", answer: ok(okBody),
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.ProductEnvironments.Delete(ctx, "pe1")
			}},
		{op: "getAccessKeys", method: "GET", path: p1 + "/sub_accounts/pe1/access_keys",
			query: "page=1&page_size=2&sort_by=name&sort_order=asc", answer: exampleOK(t, "AccessKeys"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.AccessKeys.List(ctx, "pe1", &AccessKeyListOptions{PageSize: 2, Page: 1, SortBy: "name", SortOrder: SortAsc})
			},
			check: func(t *testing.T, got any) {
				l := got.(*AccessKeyList)
				if len(l.AccessKeys) != 2 || l.AccessKeys[0].APISecret.Reveal() != "QcsQcsQcsQcsQcsQcsQcsQcsQcs" || l.Total == 0 {
					t.Errorf("decoded %+v", l)
				}
			}},
		{op: "generateAccessKey", method: "POST", path: p1 + "/sub_accounts/pe1/access_keys",
			body: `{"name":"main_key","enabled":true}`, answer: exampleOK(t, "MainAccessKey"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.AccessKeys.Create(ctx, "pe1", CreateAccessKeyRequest{Name: "main_key", Enabled: Ptr(true)})
			}},
		{op: "deleteAccessKeyByName", method: "DELETE", path: p1 + "/sub_accounts/pe1/access_keys", query: "name=main+key", answer: ok(okBody),
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.AccessKeys.DeleteByName(ctx, "pe1", "main key")
			}},
		{op: "updateAccessKey", method: "PUT", path: p1 + "/sub_accounts/pe1/access_keys/814814814814814",
			body: `{"enabled":false,"dedicated_for":"webhooks"}`, answer: exampleOK(t, "MainAccessKey"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.AccessKeys.Update(ctx, "pe1", "814814814814814", UpdateAccessKeyRequest{Enabled: Ptr(false), DedicatedFor: Ptr("webhooks")})
			}},
		{op: "deleteAccessKey", method: "DELETE", path: p1 + "/sub_accounts/pe1/access_keys/814814814814814", answer: ok(okBody),
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.AccessKeys.Delete(ctx, "pe1", "814814814814814")
			}},
		{op: "getUsers", method: "GET", path: p1 + "/users",
			query:  "from=2024-01-01&last_login=true&page=2&page_size=50&pending=false&prefix=jo&sort_by=name&sort_order=desc&sub_account_id=pe1&to=2024-12-31&union_type=exclude",
			answer: exampleOK(t, "Users"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.List(ctx, &UserListOptions{Pending: Ptr(false), Prefix: "jo", SubAccountID: "pe1", LastLogin: Ptr(true),
					From: "2024-01-01", To: "2024-12-31", UnionType: "exclude", SortOrder: SortDesc, SortBy: "name", Page: 2, PageSize: 50})
			}},
		{op: "createUser", method: "POST", path: p1 + "/users", body: specExample(t, "CreateUserExample"), answer: exampleOK(t, "UserResponseExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.Create(ctx, CreateUserRequest{Name: "jenny_bar", Role: RoleMasterAdmin, Email: "jenny_bar@example.com"})
			},
			check: func(t *testing.T, got any) {
				if u := got.(*User); u.ID != "7f08f1f1fc910bf1f25274aef11d27" || !u.AllSubAccounts || u.LastLogin.Year() != 2022 {
					t.Errorf("decoded %+v", u)
				}
			}},
		{op: "getUser", method: "GET", path: p1 + "/users/0abed8dfcc039ea05e2a1d494fd442", answer: exampleOK(t, "UserJohn"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.Get(ctx, "0abed8dfcc039ea05e2a1d494fd442")
			}},
		{op: "updateUser", method: "PUT", path: p1 + "/users/u1", body: `{"role":"admin","sub_account_ids":[],"enabled":true}`, answer: exampleOK(t, "UserJohn"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.Update(ctx, "u1", UpdateUserRequest{Role: Ptr(RoleAdmin), SubAccountIDs: []string{}, Enabled: Ptr(true)})
			}},
		{op: "deleteUser", method: "DELETE", path: p1 + "/users/u1", answer: ok(okBody),
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Users.Delete(ctx, "u1") }},
		{op: "getGroupsForUser", method: "GET", path: p1 + "/users/u1/groups", answer: exampleOK(t, "UserGroupsList"),
			call: func(ctx context.Context, c *Client) (any, error) { return c.Users.ListGroups(ctx, "u1") },
			check: func(t *testing.T, got any) {
				want := []UserGroupSummary{{"7f08f1f1fc910bf1f25274aef11d27", "user_group_1"}, {"1cc3808888154263ac1e5eb2e5c52d61", "user_group_2"}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}},
		{op: "getSubAccountsForUser", method: "GET", path: p1 + "/users/u1/sub_accounts", answer: exampleOK(t, "UserSubAccounts"),
			call: func(ctx context.Context, c *Client) (any, error) { return c.Users.ListSubAccounts(ctx, "u1") }},
		{op: "getUserGroups", method: "GET", path: p1 + "/user_groups", query: "extended_details=true", answer: exampleOK(t, "UserGroupsExtendedDetails"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UserGroups.List(ctx, &UserGroupListOptions{ExtendedDetails: true})
			},
			check: func(t *testing.T, got any) {
				if gs := got.([]UserGroup); len(gs) != 2 || len(gs[0].Users) != 2 || gs[0].Users[1].Email != "harry.potts@example.com" {
					t.Errorf("decoded %+v", gs)
				}
			}},
		{op: "createUserGroup", method: "POST", path: p1 + "/user_groups", body: specExample(t, "UserGroupDesignersRequest"), answer: exampleOK(t, "UserGroupDesigners"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UserGroups.Create(ctx, UserGroupRequest{Name: "Designers and Creatives"})
			}},
		{op: "getUserGroup", method: "GET", path: p1 + "/user_groups/g1", answer: exampleOK(t, "UserGroupDesignersExtendedDetails"),
			call: func(ctx context.Context, c *Client) (any, error) { return c.UserGroups.Get(ctx, "g1", nil) }},
		{op: "updateUserGroup", method: "PUT", path: p1 + "/user_groups/g1", body: `{"name":"Designers and Creatives"}`, answer: exampleOK(t, "UserGroupUpdate"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UserGroups.Update(ctx, "g1", UserGroupRequest{Name: "Designers and Creatives"})
			}},
		{op: "deleteUserGroup", method: "DELETE", path: p1 + "/user_groups/g1", answer: ok(okBody),
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.UserGroups.Delete(ctx, "g1") }},
		{op: "getUsersInUserGroup", method: "GET", path: p1 + "/user_groups/g1/users", answer: exampleOK(t, "UserGroupUsers"),
			call: func(ctx context.Context, c *Client) (any, error) { return c.UserGroups.ListUsers(ctx, "g1") }},
		{op: "addUserToUserGroup", method: "POST", path: p1 + "/user_groups/g1/users/u1", answer: exampleOK(t, "UserGroupUserJohn"),
			call: func(ctx context.Context, c *Client) (any, error) { return c.UserGroups.AddUser(ctx, "g1", "u1") },
			check: func(t *testing.T, got any) {
				if diff := cmp.Diff(&AddUserAnswer{Member: &UserGroupUser{"0abed8dfcc039ea05e2a1d494fd442", "John Doe", "john.doe@example.com"}}, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}},
		{op: "removeUserFromUserGroup", method: "DELETE", path: p1 + "/user_groups/g1/users/u1", answer: exampleOK(t, "UserGroupUsersNoJohn"),
			call: func(ctx context.Context, c *Client) (any, error) { return c.UserGroups.RemoveUser(ctx, "g1", "u1") }},
		{op: "getBillingUsage", method: "GET", path: p1 + "/billing_usage", query: "include_prodenv_breakdown=true&year=2025",
			answer: exampleOK(t, "BillingUsageResponse_MultiPlan"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Billing.GetUsage(ctx, &BillingUsageOptions{Year: 2025, IncludeProdEnvBreakdown: true})
			},
			check: func(t *testing.T, got any) {
				if b := got.([]BillingUsage); len(b) < 2 || b[0].PlanName != "Advanced PAYG" || len(b[0].MetricUsage) == 0 {
					t.Errorf("decoded %+v", b)
				}
			}},
		{op: "getSystemRolesAndPoliciesCatalog", method: "GET", path: "/v2/accounts/permissions/public/catalog",
			answer: ok(`{"catalog":{"system_policies":[{"id":"cld::policy::global::ml::access","name":"Access the Media Library","category":"Management","permission_type":"global","scope_type":"prodenv","policy":"permit(principal, action, resource);"}],
				"system_roles":[{"id":"cld::role::folder::viewer","name":"Viewer","permission_type":"content","scope_type":"prodenv","system_policy_ids":["cld::policy::content::folder::view_download"]}]}}`),
			call: func(ctx context.Context, c *Client) (any, error) { return c.Public.GetCatalog(ctx) },
			check: func(t *testing.T, got any) {
				cat := got.(*Catalog)
				if len(cat.SystemPolicies) != 1 || cat.SystemPolicies[0].Policy == "" || cat.SystemRoles[0].SystemPolicyIDs[0] != "cld::policy::content::folder::view_download" {
					t.Errorf("decoded %+v", cat)
				}
			}},
		{op: "validateCedarPolicy", method: "POST", path: "/v2/accounts/permissions/public/validate",
			body: `{"policy":"permit(principal, action, resource);"}`, answer: exampleOK(t, "ValidateCedarPolicyResponseExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Public.ValidatePolicy(ctx, ValidateCedarPolicyRequest{Policy: "permit(principal, action, resource);"})
			},
			check: func(t *testing.T, got any) {
				want := &PolicyValidation{Errors: []CedarError{{CedarMessage: "invalid_principal", CedarCode: "ACCOUNTS_00002"}}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}},
		{op: "getCedarSchema", method: "GET", path: "/v2/accounts/permissions/public/schema", answer: ok(`{"schema":{"Cloudinary":{"entityTypes":{}}}}`),
			call: func(ctx context.Context, c *Client) (any, error) { return c.Public.GetSchema(ctx) },
			check: func(t *testing.T, got any) {
				if string(got.(json.RawMessage)) != `{"Cloudinary":{"entityTypes":{}}}` {
					t.Errorf("schema = %s", got)
				}
			}},
		{op: "getSystemPolicies", method: "GET", path: p2 + "/policies/system", query: "permission_type=global&scope_type=prodenv",
			answer: exampleOK(t, "SystemPoliciesExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SystemPolicies.List(ctx, &SystemPolicyListOptions{PermissionType: PermissionGlobal, ScopeType: ScopeProdEnv})
			},
			check: func(t *testing.T, got any) {
				p := got.(*SystemPolicyPage)
				if len(p.Policies) == 0 || p.NextCursor != "3" || p.Policies[0].CreatedAt.Unix() == 0 {
					t.Errorf("decoded %+v", p)
				}
			}},
		{op: "getCustomPolicies", method: "GET", path: p2 + "/policies/custom", query: "cursor=c1&enabled=true&scope_id=975l29lz02jt0836fhwi&scope_type=prodenv",
			answer: exampleOK(t, "CustomPoliciesExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CustomPolicies.List(ctx, &CustomPolicyListOptions{ScopeType: ScopeProdEnv, ScopeID: "975l29lz02jt0836fhwi", Enabled: Ptr(true), Cursor: "c1"})
			}},
		{op: "createCustomPolicy", method: "POST", path: p2 + "/policies/custom", body: specExample(t, "CreateCustomPolicyExample"),
			answer: created(specExample(t, "CreateCustomPolicyResponseExample")),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CustomPolicies.Create(ctx, CreateCustomPolicyRequest{
					Name:            "Read access to Clothing folder",
					PolicyStatement: `permit(principal == Cloudinary::APIKey::"1234",action==Cloudinary::Action::"read",resource is Cloudinary::Folder ) when {resource.ancestor_ids.contains("asdfjkl12347890")} ;`,
					ScopeType:       ScopeProdEnv, ScopeID: "975l29lz02jt0836fhwi",
					Description: Ptr("Permit read access to the Clothing folder with external ID asdfjkl12347890."),
					Enabled:     Ptr(true),
				})
			},
			check: func(t *testing.T, got any) {
				if p := got.(*CustomPolicy); p.ID != "12jf789l12hwiuencl7aaqey" || p.ScopeID != "975l29lz02jt0836fhwi" || p.CreatedAt.Unix() == 0 {
					t.Errorf("decoded %+v", p)
				}
			}},
		{op: "getCustomPolicy", method: "GET", path: p2 + "/policies/custom/12jf789l12hwiuencl7aaqey", answer: exampleOK(t, "CustomPolicyExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CustomPolicies.Get(ctx, "12jf789l12hwiuencl7aaqey")
			}},
		{op: "updateCustomPolicy", method: "PUT", path: p2 + "/policies/custom/12jf789l12hwiuencl7aaqey", body: specExample(t, "UpdateCustomPolicyExample"),
			answer: exampleOK(t, "UpdateCustomPolicyResponseExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CustomPolicies.Update(ctx, "12jf789l12hwiuencl7aaqey", UpdateCustomPolicyRequest{
					Name:            "Read access to Accessories folder",
					PolicyStatement: `permit(principal == Cloudinary::APIKey::"1234",action==Cloudinary::Action::"read",resource is Cloudinary::Folder ) when {resource.ancestor_ids.contains("asdfjkl12347890")} ;`,
					ScopeType:       ScopeProdEnv, ScopeID: Ptr("975l29lz02jt0836fhwi"),
					Description: Ptr("Permit read access to the Accessories folder with external ID asdfjkl12347890."),
					Enabled:     true,
				})
			}},
		{op: "deleteCustomPolicy", method: "DELETE", path: p2 + "/policies/custom/12jf789l12hwiuencl7aaqey", answer: status(http.StatusNoContent),
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.CustomPolicies.Delete(ctx, "12jf789l12hwiuencl7aaqey")
			}},
		{op: "getEffectivePolicies", method: "GET", path: p2 + "/policies/effective", query: "principal_id=1234abc&principal_type=user&scope_id=pe1&scope_type=prodenv",
			answer: exampleOK(t, "EffectivePoliciesExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.EffectivePolicies.Get(ctx, &EffectivePoliciesOptions{ScopeType: ScopeProdEnv, ScopeID: "pe1", PrincipalType: PrincipalUser, PrincipalID: "1234abc"})
			},
			check: func(t *testing.T, got any) {
				e := got.(*EffectivePolicies)
				if len(e.Principals) == 0 || e.Principals[0].PrincipalID != "1234abc" || len(e.Principals[0].Roles[0].SystemPolicies) == 0 || len(e.CustomPolicies) == 0 {
					t.Errorf("decoded %+v", e)
				}
			}},
		{op: "getRoles", method: "GET", path: p2 + "/roles",
			query:  "management_type=custom&permission_type=content&policy_parameters=%5B%22folder_id%22%5D&scope_type=prodenv",
			answer: exampleOK(t, "GetRolesExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Roles.List(ctx, RoleListOptions{PermissionType: PermissionContent, ScopeType: ScopeProdEnv, ManagementType: ManagementCustom, PolicyParameters: PolicyParameterKeys{"folder_id"}})
			}},
		{op: "createRole", method: "POST", path: p2 + "/roles", body: specExample(t, "CreateContentRoleExample"),
			answer: created(specExample(t, "CreateContentRoleResponseExample")),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Roles.Create(ctx, CreateRoleRequest{
					ID: "marketing_content_contributor_1357fhe", PermissionType: PermissionContent, ScopeType: ScopeProdEnv,
					Name:            "Marketing content contributor",
					Description:     Ptr("View all assets in selected folders and contribute to those folders, without permission to download."),
					SystemPolicyIDs: []string{"cld::policy::content::folder::view_download", "cld::policy::content::folder::add_assets"},
				})
			},
			check: func(t *testing.T, got any) {
				r := got.(*Role)
				if r.ID != "marketing_content_contributor_1357fhe" || len(r.Policies) == 0 || r.ManagementType != ManagementCustom || len(r.PolicyParameters) == 0 {
					t.Errorf("decoded %+v", r)
				}
			}},
		{op: "getRole", method: "GET", path: p2 + "/roles/cld::role::prodenv::ml_user", query: "folder_id=f1&param_key=folder_id&param_value=f1",
			answer: exampleOK(t, "GetRoleExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Roles.Get(ctx, "cld::role::prodenv::ml_user", &RoleGetOptions{ContentFilter{FolderID: "f1", ParamKeys: []string{"folder_id"}, ParamValues: []string{"f1"}}})
			}},
		{op: "updateRole", method: "PUT", path: p2 + "/roles/upload_manager_12334565", body: specExample(t, "UpdateRoleExample"),
			answer: exampleOK(t, "UpdateRoleResponseExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Roles.Update(ctx, "upload_manager_12334565", UpdateRoleRequest{
					Name: "Upload manager", Description: Ptr("Responsible for managing uploads and uploading new assets."),
					SystemPolicyIDs: []string{"cld::policy::global::upload_presets::manage", "cld::policy::global::folder_and_asset_management::create_asset"},
				})
			}},
		{op: "deleteRole", method: "DELETE", path: p2 + "/roles/r1", query: "force=true", answer: status(http.StatusNoContent),
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Roles.Delete(ctx, "r1", &RoleDeleteOptions{Force: true})
			}},
		{op: "getPrincipalRoles", method: "GET", path: p2 + "/principal_roles",
			query:  "permission_type=global&principal_id=1234abc&principal_type=user&scope_id=all&scope_type=prodenv",
			answer: exampleOK(t, "GetPrincipalRolesExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Principals.ListRoles(ctx, PrincipalRoleListOptions{PrincipalType: PrincipalUser, PrincipalID: "1234abc", PermissionType: PermissionGlobal, ScopeType: ScopeProdEnv, ScopeID: "all"})
			}},
		{op: "updatePrincipalRoles", method: "PUT", path: p2 + "/principal_roles",
			body: `{"operation":"add","principal":{"type":"user","id":"1234abc"},"roles":[{"id":"upload_manager_12334565","scope_id":"975l29lz02jt0836fhwi"},
				{"id":"marketing_content_contributor_1357fhe","scope_id":"975l29lz02jt0836fhwi","policy_parameters":{"folder_id":"asdfjkl12347890"}},{"id":"cld::role::account::reports"}]}`,
			answer: status(http.StatusOK),
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Principals.UpdateRoles(ctx, UpdatePrincipalRolesRequest{
					Operation: OperationAdd, Principal: Principal{PrincipalUser, "1234abc"},
					Roles: []RoleToManage{
						{ID: "upload_manager_12334565", ScopeID: "975l29lz02jt0836fhwi"},
						{ID: "marketing_content_contributor_1357fhe", ScopeID: "975l29lz02jt0836fhwi", PolicyParameters: PolicyParameters{"folder_id": "asdfjkl12347890"}},
						{ID: "cld::role::account::reports"},
					},
				})
			}},
		{op: "inspect", method: "GET", path: p2 + "/principal_roles/inspect", query: "cursor=x&folder_id=f1&principal_type=apiKey&scope_id=975l29lz02jt0836fhwi&scope_type=prodenv",
			answer: exampleOK(t, "InspectExampleProdEnv"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Principals.Inspect(ctx, InspectOptions{ScopeType: ScopeProdEnv, ScopeID: "975l29lz02jt0836fhwi", PrincipalType: PrincipalAPIKey, ContentFilter: ContentFilter{FolderID: "f1"}, Cursor: "x"})
			},
			check: func(t *testing.T, got any) {
				p := got.(*InspectPage)
				if len(p.Principals) != 2 || p.Principals[1].Type != PrincipalAPIKey || p.Principals[0].Roles[0].PolicyParameters["folder_id"] != "asdfjkl12347890" {
					t.Errorf("decoded %+v", p)
				}
			}},
		{op: "inspectMultiple", method: "POST", path: p2 + "/principal_roles/inspect", body: specExample(t, "InspectMultipleRequestExample"),
			answer: exampleOK(t, "InspectExampleFolder"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Principals.InspectMultiple(ctx, InspectMultipleRequest{
					ScopeType: ScopeProdEnv, ScopeID: "975l29lz02jt0836fhwi",
					Principals:       []Principal{{PrincipalUser, "1234abc"}, {PrincipalUser, "4567xyz"}, {PrincipalAPIKey, "a382ltieo893jhioqpg8urp"}},
					PolicyParameters: PolicyParameters{"folder_id": "asdfjkl12347890"},
				})
			}},
		{op: "getRolePrincipals", method: "GET", path: p2 + "/roles/marketing_content_contributor_1357fhe/principals", query: "scope_type=prodenv&verbose=true",
			answer: exampleOK(t, "GetRolePrincipalsExample"),
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Roles.ListPrincipals(ctx, "marketing_content_contributor_1357fhe", &RolePrincipalListOptions{ScopeType: ScopeProdEnv, Verbose: true})
			},
			check: func(t *testing.T, got any) {
				ps := got.([]RolePrincipal)
				if len(ps) != 2 || ps[0].Type != PrincipalUser || ps[0].PolicyParameters["folder_id"] != "asdfjkl12347890" || ps[1].ID != "akwut728390anvy52sxgti" {
					t.Errorf("decoded %+v", ps)
				}
			}},
		{op: "updateRolePrincipals", method: "PUT", path: p2 + "/roles/r1/principals",
			body: `{"operation":"remove","principals":[{"principal_type":"apiKey","principal_id":"akwut728390anvy52sxgti","scope_id":"975l29lz02jt0836fhwi","policy_parameters":{"folder_id":"asdfjkl12347890"}},
				{"principal_type":"group","principal_id":"g1"}]}`,
			answer: status(http.StatusOK),
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Roles.UpdatePrincipals(ctx, "r1", UpdateRolePrincipalsRequest{Operation: OperationRemove, Principals: []RolePrincipalChange{
					{PrincipalType: PrincipalAPIKey, PrincipalID: "akwut728390anvy52sxgti", ScopeID: "975l29lz02jt0836fhwi", PolicyParameters: PolicyParameters{"folder_id": "asdfjkl12347890"}},
					{PrincipalType: PrincipalGroup, PrincipalID: "g1"},
				}})
			}},
	}
}

// TestServices runs every operation once and checks the request on the
// wire and the decoding of the spec's example answer.
func TestServices(t *testing.T) {
	t.Parallel()
	cases := serviceCases(t)
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.op] = true
		t.Run(tc.op, func(t *testing.T) {
			t.Parallel()
			c, rec, _ := serve(t, tc.answer)
			got, err := tc.call(t.Context(), c)
			if err != nil {
				t.Fatalf("%s returned error %v", tc.op, err)
			}
			reqs := rec.requests()
			if len(reqs) != 1 {
				t.Fatalf("%s sent %d requests, want 1", tc.op, len(reqs))
			}
			r := reqs[0]
			if r.Method != tc.method || r.Path != tc.path {
				t.Errorf("%s sent %s %s, want %s %s", tc.op, r.Method, r.Path, tc.method, tc.path)
			}
			if want := operations[tc.op]; want.Method != tc.method {
				t.Errorf("table says %s for %s, case says %s", want.Method, tc.op, tc.method)
			}
			if r.Query != tc.query {
				t.Errorf("%s sent query %q, want %q", tc.op, r.Query, tc.query)
			}
			if !jsonEqual(t, tc.body, r.Body) {
				t.Errorf("%s sent body %s, want %s", tc.op, r.Body, tc.body)
			}
			if ct := r.Header.Get("Content-Type"); (tc.body != "") != (ct == "application/json") {
				t.Errorf("%s sent Content-Type %q with body %q", tc.op, ct, r.Body)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
	for _, op := range specOperations(t) {
		if !covered[op.ID] {
			t.Errorf("no service case for %s", op.ID)
		}
	}
}
