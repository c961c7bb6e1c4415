package export_test

import (
	"bytes"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/export"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/render"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "update golden files")

var accounts = map[string]string{
	"new account": ``,
	"small": `
environments:
  - {cloud_name: acme-prod, name: Acme Production}
  - {cloud_name: acme-staging, name: Acme Staging, enabled: false}
users:
  - {email: Ana@Acme.test, name: Ana Lopez, role: master_admin}
  - {email: raj@acme.test, name: Raj Patel, role: media_library_user, environments: [acme-staging, acme-prod]}
  - {email: mei@acme.test, name: Mei Chen, role: admin}
  - {email: lee@acme.test, name: Lee, role: reports, environments: [], enabled: false}
groups:
  - {name: designers, members: [raj@acme.test, Ana@Acme.test]}
  - {name: empty}
`,
	// Roles, policies naming users, groups, environments and API keys by
	// id, and assignments of every principal kind, content roles included.
	"permissions": `
environments:
  - {cloud_name: acme-prod, name: Acme Production, id: env-prod, access_keys: [{name: ci, api_key: "111222333444555"}]}
  - {cloud_name: acme-staging, name: Acme Staging, id: env-staging, access_keys: [{name: uploader, api_key: "999888777666555"}]}
users:
  - {email: ana@acme.test, name: Ana Lopez, role: admin, id: u-ana}
  - {email: raj@acme.test, name: Raj Patel, role: media_library_user, environments: [acme-prod], id: u-raj}
groups:
  - {name: designers, members: [raj@acme.test], id: g-designers}
roles:
  - {id: reviewer, name: Asset reviewer, description: Reviews assets, permission_type: global, scope_type: prodenv,
     system_policy_ids: [cld::policy::global::assets::moderate, cld::policy::global::folder_and_asset_management::view]}
  - {id: folder-viewer, name: Folder viewer, permission_type: content, scope_type: prodenv,
     system_policy_ids: [cld::policy::content::folder::view_download]}
policies:
  - name: designers-upload
    description: Designers may upload to staging
    scope_type: prodenv
    scope: acme-staging
    policy_statement: 'permit(principal == Cloudinary::Group::"g-designers", action == Cloudinary::Action::"create", resource is Cloudinary::Asset);'
  - name: ci-reads-prod
    scope_type: prodenv
    scope: acme-prod
    enabled: false
    policy_statement: 'permit(principal == Cloudinary::APIKey::"111222333444555", action == Cloudinary::Action::"read", resource);'
  - name: uploader-in-staging
    scope_type: prodenv
    scope: all
    policy_statement: 'permit(principal == Cloudinary::APIKey::"999888777666555", action, resource) when { context.env == "env-staging" && principal != Cloudinary::User::"u-ana" };'
assignments:
  - {principal_type: group, principal: designers, role_id: reviewer, scope: acme-staging}
  - {principal_type: user, principal: ana@acme.test, role_id: cld::role::account::admin, scope: account}
  - {principal_type: user, principal: raj@acme.test, role_id: folder-viewer, scope: acme-prod, policy_parameters: {folder_id: f8a5c2e1}}
  - {principal_type: apiKey, principal: "111222333444555", role_id: cld::role::prodenv::ml_user, scope: acme-prod}
`,
}

func read(t *testing.T, seed string) (*state.Account, *emulator.Emulator, *client.Client) {
	t.Helper()
	return readWith(t, seed, emulator.Options{})
}

// readWith is read against an emulator made with opts.
func readWith(t *testing.T, seed string, opts emulator.Options) (*state.Account, *emulator.Emulator, *client.Client) {
	t.Helper()
	emu := emulator.New(opts)
	if err := emu.LoadSeed(strings.NewReader(seed)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := export.Read(t.Context(), state.FromClient(c), 4)
	if err != nil {
		t.Fatal(err)
	}
	return acc, emu, c
}

// TestRoundTrip: export, then plan the exported configuration against the
// same account: no changes. Exporting again gives identical files.
func TestRoundTrip(t *testing.T) {
	for name, seed := range accounts {
		t.Run(name, func(t *testing.T) {
			acc, emu, c := read(t, seed)
			files, err := export.Files(acc, nil)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			for _, f := range files {
				if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := spec.Load(dir)
			if err != nil {
				t.Fatalf("exported configuration does not load: %v", err)
			}
			if p, text := planOf(t, c, cfg); p.HasChanges() || len(p.Errors) > 0 || len(p.Unmanaged) > 0 {
				t.Errorf("plan of the export is not empty, or leaves objects unmanaged:\n%s", text)
			}
			reread, err := export.Read(t.Context(), state.FromClient(c), 4)
			if err != nil {
				t.Fatal(err)
			}
			again, err := export.Files(reread, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(files, again); diff != "" {
				t.Errorf("a second export differs (-first +second):\n%s", diff)
			}
			if len(emu.Writes()) != 0 {
				t.Errorf("export wrote to the account: %v", emu.Writes())
			}
		})
	}
}

// TestGolden pins the output format: key order, defaults omitted, inline
// lists, members always written.
func TestGolden(t *testing.T) {
	for _, name := range []string{"small", "permissions"} {
		t.Run(name, func(t *testing.T) { golden(t, name) })
	}
}

func golden(t *testing.T, name string) {
	acc, _, _ := read(t, accounts[name])
	got, err := export.Single(acc, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", name+".yaml")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("export differs from %s (-want +got):\n%s\nrun: go test ./pkg/export -run TestGolden -update", golden, cmp.Diff(string(want), string(got)))
	}
}

func TestKinds(t *testing.T) {
	acc, _, _ := read(t, accounts["small"])
	files, err := export.Files(acc, []spec.Kind{spec.KindGroup})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name != "groups.yaml" || bytes.Contains(files[0].Content, []byte("users:")) {
		t.Errorf("--kinds groups wrote %d files: %+v", len(files), files)
	}
	if _, err := export.Files(acc, []spec.Kind{"widgets"}); err == nil {
		t.Error("an unknown kind was accepted")
	}
	// Single too: it used to write a document of headers.
	if doc, err := export.Single(acc, []spec.Kind{spec.KindGroup, "policys"}); err == nil || !strings.Contains(err.Error(), `unknown kind "policys"`) {
		t.Errorf("Single with an unknown kind returned %q, %v; want the unknown kind refused", doc, err)
	}
}

// TestNotExported: what has no configuration form is named at the top of
// its file, and the plan of the export leaves only it alone.
func TestNotExported(t *testing.T) {
	acc, _, _ := read(t, `
users:
  - {email: ana@acme.test, name: Ana, role: admin}
assignments:
  - {principal_type: provisioningKey, principal: pk-123, role_id: cld::role::account::admin, scope: account}
  - {principal_type: user, principal: ana@acme.test, role_id: cld::role::account::admin, scope: account}
`)
	files, err := export.Files(acc, []spec.Kind{spec.KindAssignment})
	if err != nil {
		t.Fatal(err)
	}
	want := "# Not exported: assignment of provisioningKey:pk-123 to cld::role::account::admin in account: the principal has no configuration form\n"
	if got := string(fileNamed(t, files, "assignments.yaml").Content); !strings.Contains(got, want) || strings.Count(got, "principal:") != 1 {
		t.Errorf("assignments.yaml =\n%s\nwant the note %q and one assignment", got, want)
	}
}

func fileNamed(t *testing.T, files []export.File, name string) export.File {
	t.Helper()
	for _, f := range files {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no %s among the files written", name)
	return export.File{}
}

// TestKindsValidate: any choice of kinds writes a configuration that
// validates on its own and plans to no changes: what the chosen kinds
// refer to (environments users access, principals and roles of
// assignments, objects policies name) is exported too, only those objects,
// with a note saying so.
func TestKindsValidate(t *testing.T) {
	acc, _, c := read(t, accounts["permissions"])
	for _, kinds := range [][]spec.Kind{
		{spec.KindUser}, {spec.KindUser, spec.KindGroup}, {spec.KindGroup}, {spec.KindPolicy},
		{spec.KindAssignment}, {spec.KindRole, spec.KindAssignment}, {spec.KindEnvironment},
	} {
		t.Run(fmt.Sprint(kinds), func(t *testing.T) {
			files, err := export.Files(acc, kinds)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var names []string
			for _, f := range files {
				names = append(names, f.Name)
				if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := spec.Load(dir)
			if err != nil {
				t.Fatalf("export --kinds %v (files %v) does not validate:\n%v", kinds, names, err)
			}
			// The single document validates too.
			doc, err := export.Single(acc, kinds)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := spec.Parse("export.yaml", doc); err != nil {
				t.Fatalf("export --kinds %v to stdout does not validate:\n%v\n%s", kinds, err, doc)
			}
			if p, text := planOf(t, c, cfg); p.HasChanges() || len(p.Errors) > 0 {
				t.Errorf("plan of export --kinds %v is not empty:\n%s", kinds, text)
			}
		})
	}
	// users alone: only the environment the users access, said so.
	files, err := export.Files(acc, []spec.Kind{spec.KindUser})
	if err != nil {
		t.Fatal(err)
	}
	envs := string(fileNamed(t, files, "environments.yaml").Content)
	if !strings.Contains(envs, "# Exported in part: environments: only those the exported objects refer to (export --kinds environments for all)\n") ||
		!strings.Contains(envs, "cloud_name: acme-prod") || strings.Contains(envs, "acme-staging") {
		t.Errorf("environments.yaml for --kinds users =\n%s\nwant acme-prod only, with a note", envs)
	}
}

// planOf plans cfg against the account c reads, and renders the plan.
func planOf(t *testing.T, c *client.Client, cfg *spec.Config) (*planner.Plan, string) {
	t.Helper()
	live, err := state.Read(t.Context(), state.FromClient(c), state.Options{Permissions: true, APIKeyEnvironments: cfg.APIKeyEnvironments(), AccessKeyEnvironments: cfg.ManagesAccessKeys()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.Diff(cfg, live, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	render.RenderText(&b, p, render.TextOptions{})
	return p, b.String()
}
