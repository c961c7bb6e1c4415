package doctor

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// account is a small account with something for every check: a product
// environment with two keys (one holding a role there), a pending user and
// an established one who has logged in and may access only that
// environment, a group.
const account = `
environments:
  - {cloud_name: acme-prod, name: Acme Production, access_keys: [{name: main, api_key: "123456789012345"}, {name: hooks, api_key: "123456789012346"}]}
users:
  - {email: raj@acme.test, name: Raj Patel, role: admin, environments: [acme-prod]}
  - {email: mei@acme.test, name: Mei Chen, role: admin, pending: true}
groups:
  - {name: designers, members: [raj@acme.test]}
assignments:
  - {principal_type: apiKey, principal: "123456789012346", role_id: "cld::role::prodenv::ml_user", scope: acme-prod}
`

const secret = "s3cr3t-never-shown"

// start serves account in one profile, with rate limiting on and a fixed
// clock so that the headers are the same every run, and dedicates the
// hooks key to webhooks. The emulator's log starts empty.
func start(t *testing.T, p emulator.Profile) (*emulator.Emulator, client.Config) {
	t.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	emu := emulator.New(emulator.Options{AccountID: "acc", APIKey: "key", APISecret: secret, Profile: p, RandSeed: 7,
		RateLimit: 100, Now: func() time.Time { return now }})
	if err := emu.LoadSeed(strings.NewReader(account)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	cfg := client.Config{AccountID: "acc", APIKey: "key", APISecret: secret, BaseURL: srv.URL, APIKeyFrom: client.EnvAccountURL}
	c, err := client.New(cfg.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	envs, err := c.ProductEnvironments.List(t.Context(), nil)
	if err != nil || len(envs) != 1 {
		t.Fatalf("environments %v, %v", envs, err)
	}
	if _, err := c.AccessKeys.Update(t.Context(), envs[0].ID, "123456789012346",
		client.UpdateAccessKeyRequest{Name: client.Ptr("hooks"), Enabled: client.Ptr(true), DedicatedFor: client.Ptr("webhooks")}); err != nil {
		t.Fatal(err)
	}
	emu.ResetStats()
	return emu, cfg
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestDoctorAgainstBothProfiles runs the probe against the emulator in
// each profile: the report (golden, text and JSON) tells the two apart row
// by row (a spec server never says whether a key is dedicated, so that row
// stays inconclusive), shows no secret, and the emulator received no write.
func TestDoctorAgainstBothProfiles(t *testing.T) {
	for _, p := range emulator.Profiles {
		t.Run(string(p), func(t *testing.T) {
			emu, cfg := start(t, p)
			r, err := Run(t.Context(), cfg, Options{Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			var text, js bytes.Buffer
			if err := RenderText(&text, r); err != nil {
				t.Fatal(err)
			}
			if err := RenderJSON(&js, r); err != nil {
				t.Fatal(err)
			}
			golden(t, string(p)+".txt", text.Bytes())
			golden(t, string(p)+".json", js.Bytes())
			var writes []string
			for _, rec := range emu.Log() {
				if rec.Method != http.MethodGet {
					writes = append(writes, rec.Method+" "+rec.Path)
				}
			}
			if len(writes) != 0 || r.Writes != 0 {
				t.Errorf("doctor wrote: %v (report: %d writes)", writes, r.Writes)
			}
			if r.Requests != len(emu.Log()) || r.Requests == 0 {
				t.Errorf("report counts %d requests, the emulator saw %d", r.Requests, len(emu.Log()))
			}
			for _, out := range []string{text.String(), js.String()} {
				if strings.Contains(out, secret) || strings.Contains(out, "api_secret\":\"") {
					t.Errorf("the report shows a secret:\n%s", out)
				}
			}
			for _, a := range r.Assumptions {
				if a.Result != "holds" {
					t.Errorf("assumption %s: %s (%s), want holds: the emulator makes them all", a.Row, a.Result, a.Why)
				}
			}
			want := map[emulator.Profile]string{emulator.ProfileSpec: "spec", emulator.ProfileLive: "live"}[p]
			for _, l := range r.Live {
				if l.Result != want && l.Result != "not checked" && (l.Row != "access-key-dedicated-for" || l.Result != "inconclusive") {
					t.Errorf("row %s: %s (%s), want %s or not checked", l.Row, l.Result, l.Why, want)
				}
			}
		})
	}
}

// TestDoctorPermissionsOff: an account whose Permissions API answers 403
// is reported as such, and the probe goes on.
func TestDoctorPermissionsOff(t *testing.T) {
	emu, cfg := start(t, emulator.ProfileSpec)
	emu.InjectFault(emulator.Fault{Op: "getRoles", Status: http.StatusForbidden})
	r, err := Run(t.Context(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Half{{"provisioning", "answers"}, {"permissions", "403 forbidden: the Permissions API is off for this account or these credentials (403 Forbidden: Forbidden); run cldsync without permissions"}}
	if diff := cmp.Diff(want, r.Halves); diff != "" {
		t.Errorf("halves (-want +got):\n%s", diff)
	}
	if len(r.Live) != len(liveRowIDs) {
		t.Errorf("the probe stopped: %d live rows reported", len(r.Live))
	}
}

// TestDoctorRefused: refused credentials are the report's answer, and an
// error wrapping ErrRefused; nothing else is asked.
func TestDoctorRefused(t *testing.T) {
	emu, cfg := start(t, emulator.ProfileSpec)
	cfg.APISecret = "wrong"
	r, err := Run(t.Context(), cfg, Options{})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("Run returned %v, want ErrRefused", err)
	}
	if r.Credentials != "refused (401): 401 Unauthorized: Invalid credentials" || len(emu.Log()) != 1 {
		t.Errorf("credentials %q after %d requests", r.Credentials, len(emu.Log()))
	}
}

// TestShapesMatchTheSpec: the field lists the probe compares with are the
// spec's.
func TestShapesMatchTheSpec(t *testing.T) {
	raw, err := os.ReadFile("../../api/provisioning.openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var props func(name string) []string
	props = func(name string) []string {
		s := doc.Components.Schemas[name]
		var out []string
		if all, ok := s["allOf"].([]any); ok {
			for _, a := range all {
				if ref, ok := a.(map[string]any)["$ref"].(string); ok {
					out = append(out, props(ref[strings.LastIndex(ref, "/")+1:])...)
				}
			}
		}
		for k := range s["properties"].(map[string]any) {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	for op, schemas := range map[string][2]string{
		"getProductEnvironments": {"ProductEnvironmentsResponse", "ProductEnvironment"},
		"getUsers":               {"UsersResponse", "User"},
		"getUserGroups":          {"UserGroupsResponse", "UserGroup"},
		"getAccessKeys":          {"AccessKeysResponse", "AccessKey"},
		"getRoles":               {"RolesResponse", "RoleResponseData"},
		"getCustomPolicies":      {"CustomPoliciesResponse", "CustomPolicyResponseData"},
	} {
		sh := shapes[op]
		top, item := slices.Sorted(slices.Values(sh.top)), slices.Sorted(slices.Values(sh.item))
		if diff := cmp.Diff(props(schemas[0]), top); diff != "" {
			t.Errorf("%s answer fields (-spec +doctor):\n%s", op, diff)
		}
		if diff := cmp.Diff(props(schemas[1]), item); diff != "" {
			t.Errorf("%s item fields (-spec +doctor):\n%s", op, diff)
		}
	}
}

// TestLiveRowsMatchTheEmulator: the probe reports on every row of the
// emulator's live table, in its order, and the live fields it expects are
// rows of it.
func TestLiveRowsMatchTheEmulator(t *testing.T) {
	var ids []string
	for _, r := range emulator.LiveRows() {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff(ids, liveRowIDs); diff != "" {
		t.Errorf("rows (-emulator +doctor):\n%s", diff)
	}
	for op, sh := range shapes {
		for field, row := range sh.liveItem {
			if !slices.Contains(ids, row) {
				t.Errorf("%s field %s: no live row %s", op, field, row)
			}
		}
	}
}

// TestDoctorPageCap: with more users than the server's page cap, the probe
// finds the cap and the default page size.
func TestDoctorPageCap(t *testing.T) {
	emu, cfg := start(t, emulator.ProfileSpec)
	if err := emu.Generate(emulator.GenerateOptions{Users: emulator.UsersMaxPageSize + 20}); err != nil {
		t.Fatal(err)
	}
	r, err := Run(t.Context(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("getUsers: %d users without paging parameters, %d with page_size=500, and page 2 holds more: the server caps page_size at %d; the default page size is %d",
		emulator.UsersDefaultPageSize, emulator.UsersMaxPageSize, emulator.UsersMaxPageSize, emulator.UsersDefaultPageSize)
	if len(r.Pages) == 0 || r.Pages[0] != want {
		t.Errorf("pages %q\nwant %q", r.Pages, want)
	}
}

// TestDoctorAssumptionFails: a service that does not take a product
// environment's id as a permissions scope_id is reported as such.
func TestDoctorAssumptionFails(t *testing.T) {
	emu, cfg := start(t, emulator.ProfileSpec)
	emu.InjectFault(emulator.Fault{Op: "inspect", Status: http.StatusNotFound})
	r, err := Run(t.Context(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(r.Assumptions, func(a LiveItem) bool { return a.Row == "scope-id-is-environment-id" })
	if i < 0 || r.Assumptions[i].Result != "does not hold" {
		t.Errorf("assumptions %+v", r.Assumptions)
	}
}

// TestDocumented: every live-table row and every assumption the report
// names is in docs/live-api.md, where the report sends its reader.
func TestDocumented(t *testing.T) {
	raw, err := os.ReadFile("../../docs/live-api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, id := range liveRowIDs {
		if !strings.Contains(doc, "| `"+id+"` |") {
			t.Errorf("live row %s is not a row of docs/live-api.md's table", id)
		}
	}
	for _, id := range assumptionIDs {
		if !strings.Contains(doc, "\n### "+id+"\n") {
			t.Errorf("assumption %s has no heading in docs/live-api.md", id)
		}
	}
}
