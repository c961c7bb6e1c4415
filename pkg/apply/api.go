package apply

import (
	"context"
	"iter"

	"github.com/cldsync/cldsync/pkg/client"
)

// API is what apply needs of an account: for each service, only the calls
// apply makes, as state.API is what state needs to read. FromClient builds
// one from a client; a test may supply its own. Apply holds nothing else
// that can reach the account.
type API struct {
	ProductEnvironments EnvironmentsAPI
	Users               UsersAPI
	UserGroups          GroupsAPI
	Roles               RolesAPI
	CustomPolicies      PoliciesAPI
	AccessKeys          KeysAPI
	EffectivePolicies   EffectivePoliciesAPI
}

// FromClient returns the API of c.
func FromClient(c *client.Client) *API {
	return &API{
		ProductEnvironments: c.ProductEnvironments,
		Users:               c.Users,
		UserGroups:          c.UserGroups,
		Roles:               c.Roles,
		CustomPolicies:      c.CustomPolicies,
		AccessKeys:          c.AccessKeys,
		EffectivePolicies:   c.EffectivePolicies,
	}
}

// EnvironmentsAPI is what apply calls of product environments.
type EnvironmentsAPI interface {
	List(ctx context.Context, opts *client.ProductEnvironmentListOptions) ([]client.ProductEnvironment, error)
	ListByIDs(ctx context.Context, ids []string) ([]client.ProductEnvironment, error)
	ListByCloudNames(ctx context.Context, cloudNames []string) ([]client.ProductEnvironment, error)
	Create(ctx context.Context, body client.CreateProductEnvironmentRequest) (*client.ProductEnvironment, error)
	Update(ctx context.Context, subAccountID string, body client.UpdateProductEnvironmentRequest) (*client.ProductEnvironment, error)
	Delete(ctx context.Context, subAccountID string) error
}

// UsersAPI is what apply calls of users.
type UsersAPI interface {
	ListAll(ctx context.Context, opts *client.UserListOptions) ([]client.User, client.Listing, error)
	ListByEmails(ctx context.Context, emails []string) ([]client.User, error)
	ListByIDs(ctx context.Context, ids []string) ([]client.User, error)
	Create(ctx context.Context, body client.CreateUserRequest) (*client.User, error)
	Update(ctx context.Context, userID string, body client.UpdateUserRequest) (*client.User, error)
	Delete(ctx context.Context, userID string) error
}

// GroupsAPI is what apply calls of user groups and their members.
type GroupsAPI interface {
	List(ctx context.Context, opts *client.UserGroupListOptions) ([]client.UserGroup, error)
	Get(ctx context.Context, groupID string, opts *client.UserGroupListOptions) (*client.UserGroup, error)
	Create(ctx context.Context, body client.UserGroupRequest) (*client.UserGroup, error)
	Update(ctx context.Context, groupID string, body client.UserGroupRequest) (*client.UserGroup, error)
	Delete(ctx context.Context, groupID string) error
	ListUsers(ctx context.Context, groupID string) ([]client.UserGroupUser, error)
	AddUser(ctx context.Context, groupID, userID string) (*client.AddUserAnswer, error)
	RemoveUser(ctx context.Context, groupID, userID string) ([]client.UserGroupUser, error)
}

// RolesAPI is what apply calls of custom roles and their principals.
type RolesAPI interface {
	Get(ctx context.Context, roleID string, opts *client.RoleGetOptions) (*client.Role, error)
	Create(ctx context.Context, body client.CreateRoleRequest) (*client.Role, error)
	Update(ctx context.Context, roleID string, body client.UpdateRoleRequest) (*client.Role, error)
	Delete(ctx context.Context, roleID string, opts *client.RoleDeleteOptions) error
	UpdatePrincipals(ctx context.Context, roleID string, body client.UpdateRolePrincipalsRequest) error
}

// PoliciesAPI is what apply calls of custom policies.
type PoliciesAPI interface {
	ListIter(ctx context.Context, opts *client.CustomPolicyListOptions) iter.Seq2[client.CustomPolicy, error]
	Get(ctx context.Context, policyID string) (*client.CustomPolicy, error)
	Create(ctx context.Context, body client.CreateCustomPolicyRequest) (*client.CustomPolicy, error)
	Update(ctx context.Context, policyID string, body client.UpdateCustomPolicyRequest) (*client.CustomPolicy, error)
	Delete(ctx context.Context, policyID string) error
}

// KeysAPI is what apply calls of access keys.
type KeysAPI interface {
	ListIter(ctx context.Context, subAccountID string, opts *client.AccessKeyListOptions) iter.Seq2[client.AccessKey, error]
	Create(ctx context.Context, subAccountID string, body client.CreateAccessKeyRequest) (*client.AccessKey, error)
	Update(ctx context.Context, subAccountID, apiKey string, body client.UpdateAccessKeyRequest) (*client.AccessKey, error)
	Delete(ctx context.Context, subAccountID, apiKey string) error
}

// EffectivePoliciesAPI is what apply asks to confirm access (verify.go).
type EffectivePoliciesAPI interface {
	Get(ctx context.Context, opts *client.EffectivePoliciesOptions) (*client.EffectivePolicies, error)
}
