package apply_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cldsync/cldsync/internal/contract"
	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/render"
	"github.com/cldsync/cldsync/pkg/spec"
)

// Configurations the convergence tests apply. Each is a complete account
// description; later ones change earlier ones in every way the engine
// supports.
var configs = map[string]string{
	"v1": `version: 1
environments:
  - {cloud_name: acme-prod, name: Acme Production, custom_attributes: {team: web}}
users:
  - {email: ana@acme.test, name: Ana Lopez, role: master_admin}
  - {email: raj@acme.test, name: Raj Patel, role: media_library_user, environments: [acme-prod]}
groups:
  - {name: designers, members: [raj@acme.test]}
`,
	"v2": `version: 1
environments:
  - {cloud_name: acme-prod, name: Acme Prod}
  - {cloud_name: acme-staging, name: Acme Staging, enabled: false, base_environment: acme-prod}
users:
  - {email: ana@acme.test, name: Ana López, role: master_admin}
  - {email: raj@acme.test, name: Raj Patel, role: admin, environments: [acme-staging, acme-prod]}
  - {email: mei@acme.test, name: Mei Chen, role: reports, environments: []}
groups:
  - {name: designers, members: [raj@acme.test, mei@acme.test]}
  - {name: reviewers, members: [ana@acme.test]}
`,
	"v3": `version: 1
prune: [users, groups, environments]
environments:
  - {cloud_name: acme-staging, name: Acme Staging, enabled: true}
users:
  - {email: ana@acme.test, name: Ana López, role: master_admin}
  - {email: mei@acme.test, name: Mei Chen, role: media_library_admin, environments: all, enabled: false}
groups:
  - {name: reviewers, members: []}
  - {name: auditors, members: [mei@acme.test, ana@acme.test]}
`,
	"unmanaged-fields": `version: 1
environments:
  - {cloud_name: acme-prod, name: Acme Production}
users:
  - {email: raj@acme.test}
groups:
  - {name: designers}
`,
}

// Starting accounts, as emulator seeds.
var accounts = map[string]string{
	"empty": ``,
	"partly matching": `
environments: [{cloud_name: acme-prod, name: Acme Production}]
users: [{email: raj@acme.test, name: Raj Patel, role: media_library_user, environments: [acme-prod]}]
`,
	"drifted": `
environments: [{cloud_name: acme-prod, name: Old Name, enabled: false}]
users:
  - {email: RAJ@acme.test, name: R. Patel, role: billing}
  - {email: ana@acme.test, name: Ana, role: reports, enabled: false}
groups: [{name: designers, members: [ana@acme.test]}]
`,
	"with unmanaged objects": `
environments: [{cloud_name: other-team, name: Other Team}]
users: [{email: contractor@partner.test, name: Contractor, role: reports, environments: [other-team]}]
groups: [{name: partners, members: [contractor@partner.test]}]
`,
}

// account is an emulator behind a client whose every request and
// response is validated against the OpenAPI spec.
type account struct {
	emu *emulator.Emulator
	c   *client.Client

	mu       sync.Mutex
	findings []string
}

func newValidatedAccount(t *testing.T, seed string) *account {
	t.Helper()
	v, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := &account{emu: emulator.New(emulator.Options{})}
	if err := a.emu.LoadSeed(strings.NewReader(seed)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.emu)
	t.Cleanup(srv.Close)
	hc := &http.Client{Transport: v.Transport(http.DefaultTransport, func(f contract.Finding) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.findings = append(a.findings, fmt.Sprintf("%s %d: %v", f.Op, f.Status, f.Err))
	})}
	a.c, err = client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"), client.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, f := range a.findings {
			t.Errorf("contract: %s", f)
		}
		for _, v := range a.emu.Violations() {
			t.Errorf("emulator: %s", v)
		}
	})
	return a
}

// converge applies cfg and asserts the next plan is empty.
func (a *account) converge(t *testing.T, name, cfgText string) {
	t.Helper()
	cfg, err := spec.Parse(name+".yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	p, live := plan(t, a.c, cfg)
	if len(p.Errors) > 0 {
		t.Fatalf("%s: plan refused: %v", name, p.Errors)
	}
	rep := apply.Apply(t.Context(), apply.FromClient(a.c), p, live, apply.Options{})
	if rep.Failed() {
		var b strings.Builder
		render.RenderReport(&b, rep)
		t.Fatalf("%s: apply failed:\n%s", name, b.String())
	}
	again, _ := plan(t, a.c, cfg)
	if again.HasChanges() || len(again.Errors) > 0 {
		var b strings.Builder
		render.RenderText(&b, again, render.TextOptions{})
		t.Fatalf("%s: plan after apply is not empty:\n%s", name, b.String())
	}
}

func TestConvergence(t *testing.T) {
	for accName, seed := range accounts {
		for cfgName, cfg := range configs {
			t.Run(accName+"/"+cfgName, func(t *testing.T) {
				t.Parallel()
				newValidatedAccount(t, seed).converge(t, cfgName, cfg)
			})
		}
	}
}

// TestConvergenceSequence applies v1, v2 and v3 in turn on each starting
// account: every step converges.
func TestConvergenceSequence(t *testing.T) {
	for accName, seed := range accounts {
		t.Run(accName, func(t *testing.T) {
			t.Parallel()
			a := newValidatedAccount(t, seed)
			for _, v := range []string{"v1", "v2", "v3"} {
				a.converge(t, v, configs[v])
			}
			// Pruning in v3 removed what it does not list, except the root user.
			users, _, err := a.c.Users.ListAll(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var emails []string
			for _, u := range users {
				emails = append(emails, strings.ToLower(u.Email))
			}
			if got := strings.Join(emails, ","); !strings.Contains(got, "ana@acme.test") || !strings.Contains(got, "owner@example.com") || strings.Contains(got, "raj@") {
				t.Errorf("users after v3: %s", got)
			}
		})
	}
}
