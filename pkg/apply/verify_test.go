package apply_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/emulator"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/render"
	"github.com/cldsync/cldsync/pkg/spec"
)

// rewrite is a transport that edits the JSON answers of the requests
// match selects, to play a server that stores or reports something else.
type rewrite struct {
	next  http.RoundTripper
	match func(r *http.Request) bool
	edit  func(data map[string]any)
}

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := rw.next.RoundTrip(r)
	if err != nil || !rw.match(r) || resp.StatusCode >= 300 {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	data, ok := doc["data"].(map[string]any) // the permissions API's envelope
	if !ok {
		data = doc
	}
	rw.edit(data)
	if body, err = json.Marshal(doc); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// rewriteSetup is permSetup with a client whose answers rw edits.
func rewriteSetup(t *testing.T, match func(*http.Request) bool, edit func(map[string]any)) (*emulator.Emulator, *client.Client) {
	t.Helper()
	emu := emulator.New(emulator.Options{})
	if err := emu.LoadSeed(strings.NewReader(permAccount)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	hc := &http.Client{Transport: rewrite{next: http.DefaultTransport, match: match, edit: edit}}
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials("acc", "key", "secret"), client.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return emu, c
}

func isEffective(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/permissions/policies/effective")
}

func applyVerified(t *testing.T, c *client.Client, cfgText string) (*apply.Report, *planner.Plan) {
	t.Helper()
	cfg, err := spec.Parse("cldsync.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	p, live := permPlan(t, c, cfg)
	if len(p.Access) == 0 {
		t.Fatal("the plan changes no one's access")
	}
	rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{VerifyAccess: true})
	if rep.Failed() {
		var b strings.Builder
		_ = render.RenderReport(&b, rep)
		t.Fatalf("apply failed:\n%s", b.String())
	}
	return rep, p
}

// TestVerifyAccessConfirms applies the permissions configuration and asks
// getEffectivePolicies once per principal and scope whose access changes;
// the emulator confirms every one.
func TestVerifyAccessConfirms(t *testing.T) {
	emu, c := rewriteSetup(t, func(*http.Request) bool { return false }, nil)
	rep, p := applyVerified(t, c, permConfig)
	if len(rep.Warnings) > 0 {
		t.Errorf("warnings: %q", rep.Warnings)
	}
	checks := map[string]bool{}
	for _, a := range p.Access {
		if a.Principal.Kind != "" {
			checks[a.Principal.String()+" "+a.Scope] = true
		}
	}
	if got, want := emu.Stats()["getEffectivePolicies"].Requests, len(checks); got != want {
		t.Errorf("getEffectivePolicies requests = %d, want %d (one per principal and scope)", got, want)
	}
	var b strings.Builder
	if err := render.RenderReport(&b, rep); err != nil {
		t.Fatal(err)
	}
	if want := "Effective access: getEffectivePolicies confirms the plan for 4 principals and scopes.\n"; !strings.Contains(b.String(), want) || len(checks) != 4 {
		t.Errorf("the report does not say %q (%d checks):\n%s", want, len(checks), b.String())
	}
	// Without the option, nothing is asked.
	emu2, c2 := rewriteSetup(t, func(*http.Request) bool { return false }, nil)
	cfg, err := spec.Parse("cldsync.yaml", []byte(permConfig))
	if err != nil {
		t.Fatal(err)
	}
	p2, live2 := permPlan(t, c2, cfg)
	apply.Apply(t.Context(), apply.FromClient(c2), p2, live2, apply.Options{})
	if n := emu2.Stats()["getEffectivePolicies"].Requests; n != 0 {
		t.Errorf("getEffectivePolicies requests without VerifyAccess = %d, want 0", n)
	}
}

// TestVerifyAccessMismatch plays a service whose effective policies
// disagree with the plan: every mismatch is a warning naming the
// principal, the scope and the role or policy.
func TestVerifyAccessMismatch(t *testing.T) {
	_, c := rewriteSetup(t, isEffective, func(data map[string]any) {
		for _, pr := range data["principals"].([]any) {
			pr := pr.(map[string]any)
			var roles []any
			for _, r := range pr["roles"].([]any) {
				if r.(map[string]any)["id"] != "acme-asset-reviewer" {
					roles = append(roles, r)
				}
			}
			if pr["principal_type"] == "apiKey" {
				roles = append(roles, map[string]any{"id": "cld::role::prodenv::reports", "system_policies": []any{}})
			}
			pr["roles"] = append([]any{}, roles...)
		}
		data["custom_policies"] = []any{}
	})
	rep, _ := applyVerified(t, c, permConfig)
	want := []string{
		"access check: getEffectivePolicies for key acme-prod/ci on every environment: custom policy all/ci-reads is missing, though the plan gives it",
		"access check: getEffectivePolicies for key acme-prod/ci on every environment: role cld::role::prodenv::reports is held, though the plan does not give it",
		"access check: getEffectivePolicies for raj@acme.test on acme-staging: custom policy acme-staging/designers-upload-staging is missing, though the plan gives it",
		"access check: getEffectivePolicies for raj@acme.test on acme-staging: role acme-asset-reviewer is missing, though the plan gives it",
	}
	if diff := cmp.Diff(want, rep.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	var b strings.Builder
	if err := render.RenderReport(&b, rep); err != nil {
		t.Fatal(err)
	}
	wantReport := "Warnings:\n  " + strings.Join(want, "\n  ") + "\n" +
		"Effective access: getEffectivePolicies was asked about 4 principals and scopes and does not confirm the plan everywhere (see the warnings).\n" +
		"Apply complete: 16 applied, 0 failed, 0 skipped.\n"
	if diff := cmp.Diff(wantReport, b.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	// The JSON report carries them, as schema/plan.schema.json says.
	var js bytes.Buffer
	if err := render.RenderReportJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	c2 := jsonschema.NewCompiler()
	c2.Draft = jsonschema.Draft2020
	schema, err := c2.Compile("../../schema/plan.schema.json#/$defs/applyReport")
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Errorf("the JSON report does not match the schema: %v\n%s", err, js.Bytes())
	}
	if doc["access_checks"] != float64(4) || len(doc["warnings"].([]any)) != len(want) {
		t.Errorf("access_checks = %v, warnings = %v; want 4 and %d", doc["access_checks"], doc["warnings"], len(want))
	}
}
