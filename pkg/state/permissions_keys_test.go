package state_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/state"
)

const keysSeed = `
environments:
  - {cloud_name: acme-prod, name: Acme Production, id: env-prod, access_keys: [{name: ci, api_key: "111111111111111"}]}
  - {cloud_name: acme-dev, name: Acme Dev, id: env-dev, access_keys: [{name: dev, api_key: "222222222222222"}]}
  - {cloud_name: acme-staging, name: Acme Staging, id: env-staging, access_keys: [{name: stage, api_key: "333333333333333"}]}
  - {cloud_name: acme-other, name: Acme Other, id: env-other, access_keys: [{name: other, api_key: "444444444444444"}]}
  - {cloud_name: acme-qa, name: Acme QA, id: env-qa, access_keys: [{name: qa, api_key: "555555555555555"}]}
policies:
  # Scoped to acme-qa, naming its key: acme-qa's keys are read.
  - {name: qa-reads, scope_type: prodenv, scope: acme-qa, policy_statement: 'permit(principal == Cloudinary::APIKey::"555555555555555", action == Cloudinary::Action::"read", resource);'}
  # Scoped to acme-prod, naming one of its keys: acme-prod's keys are read.
  - {name: ci-reads, scope_type: prodenv, scope: acme-prod, policy_statement: 'permit(principal == Cloudinary::APIKey::"111111111111111", action == Cloudinary::Action::"read", resource);'}
  - {name: ci-writes, scope_type: prodenv, scope: acme-prod, policy_statement: 'permit(principal == Cloudinary::APIKey::"111111111111111", action == Cloudinary::Action::"create", resource);'}
  # Scoped to "all" and to the account: the key's environment is not known
  # without reading every environment's keys, so these read nothing.
  - {name: dev-reads, scope_type: prodenv, scope: all, policy_statement: 'permit(principal == Cloudinary::APIKey::"222222222222222", action == Cloudinary::Action::"read", resource);'}
  - {name: stage-reads, scope_type: account, policy_statement: 'permit(principal == Cloudinary::APIKey::"333333333333333", action == Cloudinary::Action::"read", resource);'}
  # Scoped to acme-other, naming no key.
  - {name: users-read, scope_type: prodenv, scope: acme-other, policy_statement: 'permit(principal is Cloudinary::User, action == Cloudinary::Action::"read", resource);'}
assignments:
  # acme-prod again: its keys are still read once, whichever tells first.
  - {principal_type: apiKey, principal: "111111111111111", role_id: cld::role::prodenv::ml_user, scope: acme-prod}
`

// TestReadKeysNamedByPolicies: the access keys of an environment are read,
// once, when a custom policy scoped to it names an APIKey entity, so that
// the key is named (and Unresolve writes ${api_key:…}); keys named only in
// "all" or account policies are named when their environment's keys are
// read for another reason (here, the configuration naming acme-dev).
func TestReadKeysNamedByPolicies(t *testing.T) {
	tests := []struct {
		name     string
		named    []string
		wantKeys []state.APIKey
	}{
		{name: "policies and assignments", wantKeys: []state.APIKey{
			{Environment: "acme-prod", Name: "ci", Key: "111111111111111"},
			{Environment: "acme-qa", Name: "qa", Key: "555555555555555"},
		}},
		{name: "and the configuration", named: []string{"acme-dev", "acme-qa"}, wantKeys: []state.APIKey{
			{Environment: "acme-dev", Name: "dev", Key: "222222222222222"},
			{Environment: "acme-prod", Name: "ci", Key: "111111111111111"},
			{Environment: "acme-qa", Name: "qa", Key: "555555555555555"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, c := newAccount(t, keysSeed)
			emu.ResetStats()
			got, err := state.Read(t.Context(), state.FromClient(c), state.Options{Permissions: true, APIKeyEnvironments: tt.named})
			if err != nil {
				t.Fatal(err)
			}
			p := got.Permissions
			if diff := cmp.Diff(tt.wantKeys, p.APIKeys); diff != "" {
				t.Errorf("API keys (-want +got):\n%s", diff)
			}
			if n, want := emu.Stats()["getAccessKeys"].Requests, len(tt.wantKeys); n != want {
				t.Errorf("getAccessKeys: %d requests, want %d", n, want)
			}
			stmts := map[string]string{}
			for _, pol := range p.Policies {
				stmts[pol.Name] = p.Unresolve(got, pol.Statement)
			}
			wantDev := `Cloudinary::APIKey::"222222222222222"`
			if len(tt.named) > 0 {
				wantDev = `Cloudinary::APIKey::"${api_key:acme-dev/dev}"`
			}
			for name, want := range map[string]string{
				"qa-reads":    `Cloudinary::APIKey::"${api_key:acme-qa/qa}"`,
				"ci-reads":    `Cloudinary::APIKey::"${api_key:acme-prod/ci}"`,
				"dev-reads":   wantDev,
				"stage-reads": `Cloudinary::APIKey::"333333333333333"`,
			} {
				if !strings.Contains(stmts[name], want) {
					t.Errorf("policy %s unresolved as %s, want it to hold %s", name, stmts[name], want)
				}
			}
		})
	}
}
