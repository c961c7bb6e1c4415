package contract

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
)

// TestClientContract drives pkg/client against the emulator through the
// validating transport: every request the client builds and every answer
// it reads, for all 47 operations, must match the spec.
func TestClientContract(t *testing.T) {
	for _, f := range clientContract(t, emulator.ProfileSpec) {
		t.Errorf("finding: %v", f)
	}
}

// TestClientContractLive runs the same calls against the emulator's live
// profile: the client's requests still match the spec exactly, and the
// answers depart from it only in operations of the live table
// (docs/live-api.md), so the live profile changes nothing it does not
// document.
func TestClientContractLive(t *testing.T) {
	documented := map[string]bool{}
	for _, r := range emulator.LiveRows() {
		for _, op := range r.Operations {
			documented[op] = true
		}
	}
	departed := map[string]bool{}
	for _, f := range clientContract(t, emulator.ProfileLive) {
		departed[f.Op] = true
		if f.Stage != StageResponse || !documented[f.Op] {
			t.Errorf("finding outside the live table: %v", f)
		}
	}
	// And it does answer as the live service: these answers break the spec.
	for _, op := range []string{"addUserToUserGroup", "deleteUserGroup", "generateAccessKey", "updateAccessKey", "getAccessKeys"} {
		if !departed[op] {
			t.Errorf("%s answered as the spec says in the live profile", op)
		}
	}
}

// clientContract calls every operation through the validating transport
// against the emulator in profile and returns the findings.
func clientContract(t *testing.T, profile emulator.Profile) []Finding {
	t.Helper()
	v := mustLoad(t)
	emu := emulator.New(emulator.Options{AccountID: account, APIKey: apiKey, APISecret: secret, RandSeed: 2, Profile: profile})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	var findings []Finding
	hc := &http.Client{Transport: v.Transport(srv.Client().Transport, func(f Finding) { findings = append(findings, f) })}
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithHTTPClient(hc), client.WithCredentials(account, apiKey, secret))
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	ctx := t.Context()
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	yes, no := client.Ptr(true), client.Ptr(false)

	// Provisioning.
	env, err := c.ProductEnvironments.Create(ctx, client.CreateProductEnvironmentRequest{Name: "Env One", CloudName: "env_one", CustomAttributes: map[string]any{"team": "a"}})
	check("create product environment", err)
	_, err = c.ProductEnvironments.Update(ctx, env.ID, client.UpdateProductEnvironmentRequest{Name: client.Ptr("Env One"), Enabled: yes})
	check("update product environment", err)
	_, err = c.ProductEnvironments.Get(ctx, env.ID)
	check("get product environment", err)
	_, err = c.ProductEnvironments.List(ctx, &client.ProductEnvironmentListOptions{Enabled: yes, Prefix: "env"})
	check("list product environments", err)
	_, err = c.ProductEnvironments.ListByCloudNames(ctx, []string{"env_one", "nope"})
	check("list product environments by cloud name", err)
	if _, err := c.ProductEnvironments.Get(ctx, "nosuchenv"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("get missing product environment returned %v, want ErrNotFound", err)
	}

	key, err := c.AccessKeys.Create(ctx, env.ID, client.CreateAccessKeyRequest{Name: "ci", Enabled: yes})
	check("create access key", err)
	_, err = c.AccessKeys.Create(ctx, env.ID, client.CreateAccessKeyRequest{Name: "other"})
	check("create access key", err)
	_, err = c.AccessKeys.Update(ctx, env.ID, key.APIKey, client.UpdateAccessKeyRequest{Name: client.Ptr("ci2"), Enabled: no, DedicatedFor: client.Ptr("webhooks")})
	check("update access key", err)
	_, err = c.AccessKeys.List(ctx, env.ID, &client.AccessKeyListOptions{PageSize: 10, Page: 1, SortBy: "name"})
	check("list access keys", err)
	check("delete access key by name", c.AccessKeys.DeleteByName(ctx, env.ID, "other"))

	admin, err := c.Users.Create(ctx, client.CreateUserRequest{Name: "Jenny", Email: "jenny@example.com", Role: client.RoleMasterAdmin})
	check("create user", err)
	bob, err := c.Users.Create(ctx, client.CreateUserRequest{Name: "Bob", Email: "bob@example.com", Role: "technical_admin", SubAccountIDs: []string{env.ID}, Enabled: yes})
	check("create user", err)
	_, err = c.Users.Update(ctx, bob.ID, client.UpdateUserRequest{Name: client.Ptr("Bob B"), SubAccountIDs: []string{env.ID}, Enabled: yes})
	check("update user", err)
	_, err = c.Users.Get(ctx, bob.ID)
	check("get user", err)
	_, err = c.Users.List(ctx, &client.UserListOptions{Prefix: "b", SubAccountID: env.ID, Pending: no, Page: 1, PageSize: 10})
	check("list users", err)
	_, err = c.Users.ListByEmails(ctx, []string{"bob@example.com"})
	check("list users by email", err)
	_, err = c.Users.ListSubAccounts(ctx, bob.ID)
	check("list user's product environments", err)
	if _, err := c.Users.Create(ctx, client.CreateUserRequest{Name: "Bob", Email: "bob@example.com"}); !errors.Is(err, client.ErrConflict) {
		t.Errorf("create duplicate user returned %v, want ErrConflict", err)
	}

	group, err := c.UserGroups.Create(ctx, client.UserGroupRequest{Name: "Designers"})
	check("create group", err)
	_, err = c.UserGroups.Update(ctx, group.ID, client.UserGroupRequest{Name: "Designers and Creatives"})
	check("update group", err)
	_, err = c.UserGroups.AddUser(ctx, group.ID, bob.ID)
	check("add user to group", err)
	_, err = c.UserGroups.AddUser(ctx, group.ID, admin.ID)
	check("add user to group", err)
	_, err = c.UserGroups.List(ctx, &client.UserGroupListOptions{ExtendedDetails: true})
	check("list groups", err)
	_, err = c.UserGroups.Get(ctx, group.ID, &client.UserGroupListOptions{ExtendedDetails: true})
	check("get group", err)
	_, err = c.UserGroups.ListUsers(ctx, group.ID)
	check("list group members", err)
	_, err = c.Users.ListGroups(ctx, bob.ID)
	check("list user's groups", err)
	_, err = c.UserGroups.RemoveUser(ctx, group.ID, admin.ID)
	check("remove user from group", err)
	_, err = c.Billing.GetUsage(ctx, &client.BillingUsageOptions{Year: 2025, IncludeProdEnvBreakdown: true})
	check("billing usage", err)

	// Public.
	_, err = c.Public.GetCatalog(ctx)
	check("catalog", err)
	_, err = c.Public.GetSchema(ctx)
	check("cedar schema", err)
	_, err = c.Public.ValidatePolicy(ctx, client.ValidateCedarPolicyRequest{Policy: `permit(principal, action == Cloudinary::Action::"read", resource is Cloudinary::Folder);`})
	check("validate policy", err)

	// Permissions.
	_, err = c.SystemPolicies.List(ctx, &client.SystemPolicyListOptions{ScopeType: client.ScopeProdEnv})
	check("list system policies", err)
	role, err := c.Roles.Create(ctx, client.CreateRoleRequest{ID: "upload_manager", PermissionType: client.PermissionGlobal, ScopeType: client.ScopeProdEnv, Name: "Upload manager", SystemPolicyIDs: []string{"cld::policy::global::upload_presets::manage"}})
	check("create role", err)
	content, err := c.Roles.Create(ctx, client.CreateRoleRequest{PermissionType: client.PermissionContent, ScopeType: client.ScopeProdEnv, Name: "Folder viewer", SystemPolicyIDs: []string{"cld::policy::content::folder::view_download"}})
	check("create content role", err)
	_, err = c.Roles.Update(ctx, role.ID, client.UpdateRoleRequest{Name: "Upload manager", Description: client.Ptr("Uploads."), SystemPolicyIDs: []string{"cld::policy::global::upload_presets::manage", "cld::policy::global::folder_and_asset_management::create_asset"}})
	check("update role", err)
	_, err = c.Roles.Get(ctx, content.ID, &client.RoleGetOptions{ContentFilter: client.ContentFilter{FolderID: "asdfjkl12347890"}})
	check("get role", err)
	_, err = c.Roles.List(ctx, client.RoleListOptions{PermissionType: client.PermissionContent, PolicyParameters: client.PolicyParameterKeys{"folder_id"}})
	check("list roles", err)
	check("update role principals", c.Roles.UpdatePrincipals(ctx, role.ID, client.UpdateRolePrincipalsRequest{Operation: client.OperationAdd, Principals: []client.RolePrincipalChange{
		{PrincipalType: client.PrincipalUser, PrincipalID: bob.ID, ScopeID: env.ID},
		{PrincipalType: client.PrincipalAPIKey, PrincipalID: key.APIKey, ScopeID: env.ID},
	}}))
	_, err = c.Roles.ListPrincipals(ctx, role.ID, &client.RolePrincipalListOptions{Verbose: true})
	check("list role principals", err)
	check("update principal roles", c.Principals.UpdateRoles(ctx, client.UpdatePrincipalRolesRequest{Operation: client.OperationAdd, Principal: client.Principal{Type: client.PrincipalGroup, ID: group.ID}, Roles: []client.RoleToManage{
		{ID: content.ID, ScopeID: env.ID, PolicyParameters: client.PolicyParameters{"folder_id": "asdfjkl12347890"}},
	}}))
	_, err = c.Principals.ListRoles(ctx, client.PrincipalRoleListOptions{PrincipalType: client.PrincipalUser, PrincipalID: bob.ID, PermissionType: client.PermissionGlobal})
	check("list principal roles", err)
	_, err = c.Principals.Inspect(ctx, client.InspectOptions{ScopeType: client.ScopeProdEnv, ScopeID: env.ID})
	check("inspect", err)
	_, err = c.Principals.InspectMultiple(ctx, client.InspectMultipleRequest{ScopeType: client.ScopeProdEnv, ScopeID: env.ID, Principals: []client.Principal{{Type: client.PrincipalUser, ID: bob.ID}}})
	check("inspect multiple", err)
	_, err = c.EffectivePolicies.Get(ctx, &client.EffectivePoliciesOptions{ScopeType: client.ScopeProdEnv, ScopeID: env.ID, PrincipalType: client.PrincipalUser, PrincipalID: bob.ID})
	check("effective policies", err)

	policy, err := c.CustomPolicies.Create(ctx, client.CreateCustomPolicyRequest{Name: "Read clothing", ScopeType: client.ScopeProdEnv, ScopeID: env.ID, Enabled: yes,
		PolicyStatement: `permit(principal == Cloudinary::APIKey::"1234", action == Cloudinary::Action::"read", resource is Cloudinary::Folder) when { resource.ancestor_ids.contains("asdfjkl12347890") };`})
	check("create custom policy", err)
	_, err = c.CustomPolicies.Update(ctx, policy.ID, client.UpdateCustomPolicyRequest{Name: "Update clothing", ScopeType: client.ScopeProdEnv, ScopeID: client.Ptr(env.ID), Enabled: true,
		PolicyStatement: `permit(principal == Cloudinary::APIKey::"1234", action == Cloudinary::Action::"update", resource is Cloudinary::Folder);`})
	check("update custom policy", err)
	_, err = c.CustomPolicies.Get(ctx, policy.ID)
	check("get custom policy", err)
	_, err = c.CustomPolicies.List(ctx, &client.CustomPolicyListOptions{ScopeType: client.ScopeProdEnv, ScopeID: env.ID, Enabled: yes})
	check("list custom policies", err)
	check("delete custom policy", c.CustomPolicies.Delete(ctx, policy.ID))

	// Removals.
	check("delete role", c.Roles.Delete(ctx, role.ID, &client.RoleDeleteOptions{Force: true}))
	check("delete access key", c.AccessKeys.Delete(ctx, env.ID, key.APIKey))
	check("delete group", c.UserGroups.Delete(ctx, group.ID))
	check("delete user", c.Users.Delete(ctx, admin.ID))
	check("delete product environment", c.ProductEnvironments.Delete(ctx, env.ID))

	if missing := v.Coverage().Missing(v.Operations()); len(missing) > 0 {
		t.Errorf("operations the client never called: %s", strings.Join(missing, ", "))
	}
	if got := emu.Violations(); len(got) > 0 {
		t.Errorf("the emulator answered statuses the spec does not list:\n%s", strings.Join(got, "\n"))
	}
	return findings
}
