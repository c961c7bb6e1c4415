// Package plantest holds the configurations and live accounts that the
// planner's and the renderers' tests share, so that a rendering golden and
// the planner test of the same plan cannot drift apart.
package plantest

import (
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// Ptr returns a pointer to v, for optional configuration fields.
func Ptr[T any](v T) *T { return &v }

// SampleConfig and SampleLive make a plan with every sort of entry: creates with dependencies
// and notes, updates, deletes of several kinds, membership changes,
// unmanaged counts, warnings and an error.
func SampleConfig() *spec.Config {
	return &spec.Config{
		Environments: []spec.Environment{
			{CloudName: "acme-prod", Name: "Acme Production", Enabled: Ptr(true), CustomAttributes: map[string]any{"cost_center": "42"}},
			{CloudName: "acme-staging", Name: "Acme Staging", BaseEnvironment: "acme-prod", Enabled: Ptr(false)},
		},
		Users: []spec.User{
			{Email: "ana@acme.test", Name: Ptr("Ana Lima"), Role: Ptr("admin"), Environments: &spec.EnvironmentAccess{CloudNames: []string{"acme-staging"}}},
			{Email: "raj@acme.test", Role: Ptr("media_library_user"), Enabled: Ptr(true)},
			{Email: "boss@acme.test", Environments: &spec.EnvironmentAccess{CloudNames: []string{"acme-prod"}}},
		},
		Groups: []spec.Group{
			{Name: "editors", Members: []string{"ana@acme.test", "Raj@acme.test"}, MembersManaged: true},
			{Name: "ops", Members: []string{"raj@acme.test"}, MembersManaged: true},
			{Name: "media <team>", Members: []string{"raj@acme.test"}, MembersManaged: true},
		},
		Prune: []spec.Kind{spec.KindUser, spec.KindGroup},
	}
}

// SampleLive is the live account SampleConfig is planned against.
func SampleLive() *state.Account {
	return &state.Account{
		Environments: []state.Environment{
			{ID: "e1", CloudName: "acme-prod", Name: "Acme Prod", Enabled: true},
			{ID: "e2", CloudName: "legacy", Name: "Legacy", Enabled: true},
		},
		Users: []state.User{
			{ID: "u0", Email: "owner@acme.test", Name: "Owner", Role: "master_admin", Root: true, AllEnvironments: true, Enabled: true},
			{ID: "u1", Email: "raj@acme.test", Name: "Raj", Role: "admin", Enabled: true, Environments: []string{"acme-prod"}},
			{ID: "u2", Email: "boss@acme.test", Name: "Boss", Role: "master_admin", Enabled: true, AllEnvironments: true},
			{ID: "u3", Email: "leaver@acme.test", Name: "Leaver", Role: "reports", Enabled: true, Environments: []string{"acme-prod"}},
		},
		Groups: []state.Group{
			{ID: "g1", Name: "ops", Members: []string{"boss@acme.test", "raj@acme.test"}},
			{ID: "g2", Name: "old", Members: []string{"leaver@acme.test", "raj@acme.test"}},
			{ID: "g3", Name: "media <team>"},
			{ID: "g4", Name: "media <team>"},
		},
	}
}

// AccessLive is an account where ana is in designers, designers hold
// Reviewer on acme-staging, a policy lets designers upload there, and the
// ci key of acme-prod holds Media Library User and may create in a folder.
func AccessLive() *state.Account {
	return &state.Account{
		Environments: []state.Environment{{ID: "e1", CloudName: "acme-prod", Enabled: true}, {ID: "e2", CloudName: "acme-staging", Enabled: true}},
		Users: []state.User{
			{ID: "u1", Email: "ana@acme.test", Role: "admin", Enabled: true, AllEnvironments: true},
			{ID: "u2", Email: "raj@acme.test", Role: "admin", Enabled: true, AllEnvironments: true},
		},
		Groups: []state.Group{{ID: "g1", Name: "designers", Members: []string{"ana@acme.test"}}},
		Permissions: &state.Permissions{
			Catalog: spec.BuiltinCatalog(),
			Roles: []state.Role{{ID: "reviewer", Name: "Asset reviewer", PermissionType: "global", ScopeType: "prodenv",
				SystemPolicies: []string{"cld::policy::global::assets::moderate"}}},
			Policies: []state.Policy{
				{ID: "p1", Name: "upload", Scope: "acme-staging", ScopeID: "e2", Enabled: true,
					Statement: "permit (\n    principal == Cloudinary::Group::\"g1\",\n    action == Cloudinary::Action::\"create\",\n    resource is Cloudinary::Asset\n);"},
				{ID: "p2", Name: "ci-writes", Scope: "acme-prod", ScopeID: "e1", Enabled: true,
					Statement: "permit (principal == Cloudinary::APIKey::\"123456789012345\", action == Cloudinary::Action::\"create\", resource == Cloudinary::Folder::\"f8a5c2e1\");"},
			},
			Assignments: []state.Assignment{
				{PrincipalType: "group", PrincipalID: "g1", Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "designers"}, Role: "reviewer", Scope: "acme-staging", ScopeID: "e2"},
				{PrincipalType: "apiKey", PrincipalID: "123456789012345", Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}, Role: "cld::role::prodenv::ml_user", Scope: "acme-prod", ScopeID: "e1"},
				{PrincipalType: "provisioningKey", PrincipalID: "pk1", Role: "cld::role::account::admin", Scope: "account"},
			},
			APIKeys: []state.APIKey{{Environment: "acme-prod", Name: "ci", Key: "123456789012345"}},
		},
	}
}

// AccessConfig is the configuration AccessLive matches.
func AccessConfig() *spec.Config {
	return &spec.Config{
		Version:      1,
		Environments: []spec.Environment{{CloudName: "acme-prod"}, {CloudName: "acme-staging"}},
		Users:        []spec.User{{Email: "ana@acme.test"}, {Email: "raj@acme.test"}},
		Groups:       []spec.Group{{Name: "designers", Members: []string{"ana@acme.test"}, MembersManaged: true}},
		Roles: []spec.Role{{ID: "reviewer", Name: "Asset reviewer", PermissionType: "global", ScopeType: "prodenv",
			SystemPolicies: []string{"cld::policy::global::assets::moderate"}}},
		Policies: []spec.Policy{
			{Name: "upload", Scope: "acme-staging",
				Statement: "permit(principal == Cloudinary::Group::\"${group:designers}\", action == Cloudinary::Action::\"create\", resource is Cloudinary::Asset);"},
			{Name: "ci-writes", Scope: "acme-prod",
				Statement: "permit(principal == Cloudinary::APIKey::\"${api_key:acme-prod/ci}\", action == Cloudinary::Action::\"create\", resource == Cloudinary::Folder::\"f8a5c2e1\");"},
		},
		Assignments: []spec.Assignment{
			{Principal: spec.Principal{Kind: spec.PrincipalGroup, Name: "designers"}, Role: "reviewer", Scope: "acme-staging"},
			{Principal: spec.Principal{Kind: spec.PrincipalAPIKey, Name: "acme-prod/ci"}, Role: "cld::role::prodenv::ml_user", Scope: "acme-prod"},
		},
		Prune: []spec.Kind{spec.KindUser, spec.KindGroup, spec.KindRole, spec.KindPolicy, spec.KindAssignment},
	}
}

// Root is the account's root user: an enabled master admin that the
// planner never deletes.
func Root() state.User {
	return state.User{ID: "root", Email: "root@acme.test", Name: "Root", Role: "master_admin", Enabled: true, Root: true, AllEnvironments: true}
}
