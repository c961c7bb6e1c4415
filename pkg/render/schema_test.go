package render

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// planSchema compiles one definition of schema/plan.schema.json ("" for
// the root, the plan).
func planSchema(t *testing.T, def string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	url := "../../schema/plan.schema.json"
	if def != "" {
		url += "#/$defs/" + def
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", url, err)
	}
	return s
}

func validateJSON(t *testing.T, s *jsonschema.Schema, data []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("output does not match the schema: %#v\n%s", err, data)
	}
}

// TestJSONMatchesSchema validates every JSON document cldsync publishes
// against schema/plan.schema.json; a bite case shows the schema rejects.
func TestJSONMatchesSchema(t *testing.T) {
	t.Parallel()
	plans := map[string]func(*testing.T) *planner.Plan{"sample": samplePlan, "nochanges": noChangePlan,
		"access test refused": func(t *testing.T) *planner.Plan {
			p := samplePlan(t)
			p.Errors = append(p.Errors, planner.PlanError{Ref: planner.Ref{Kind: "access_tests", Name: "contractors never administer production"},
				Message: "refusing the plan: it breaks this access test, which holds in the live account: cannot cld::role::prodenv::master_admin: holds it via group ops → role Master Admin"})
			return p
		},
		"access keys": accessKeyPlan}
	for name, mk := range plans {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var plan, drift, saved bytes.Buffer
			if err := RenderJSON(&plan, mk(t)); err != nil {
				t.Fatal(err)
			}
			if err := RenderDriftJSON(&drift, mk(t)); err != nil {
				t.Fatal(err)
			}
			s := &planner.Saved{CldsyncVersion: "test", ConfigPath: ".", ConfigHash: "sha256:" + string(bytes.Repeat([]byte("ab"), 32)), Plan: mk(t)}
			if err := planner.WriteSaved(&saved, s); err != nil {
				t.Fatal(err)
			}
			validateJSON(t, planSchema(t, ""), plan.Bytes())
			validateJSON(t, planSchema(t, "driftReport"), drift.Bytes())
			validateJSON(t, planSchema(t, "savedPlan"), saved.Bytes())
		})
	}
	t.Run("bite", func(t *testing.T) {
		t.Parallel()
		var b bytes.Buffer
		if err := RenderJSON(&b, samplePlan(t)); err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(b.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		v["changes"].([]any)[0].(map[string]any)["action"] = "rename"
		if err := planSchema(t, "").Validate(v); err == nil {
			t.Errorf("the schema accepts an unknown action")
		}
	})
}

// accessKeyPlan has a key create, a rotation and a delete.
func accessKeyPlan(*testing.T) *planner.Plan {
	old := planner.AccessKeyValue{Environment: "acme-prod", EnvironmentID: "e1", Name: "ci", Key: "123456789012345", Enabled: true,
		CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	sink := &spec.SecretSink{Command: []string{"gh", "secret", "set", "X"}}
	return &planner.Plan{FormatVersion: planner.FormatVersion, Changes: []planner.Change{
		{Action: planner.Create, Ref: planner.Ref{Kind: spec.KindAccessKey, Name: "acme-prod/hooks"},
			After: planner.AccessKeyValue{Environment: "acme-prod", EnvironmentID: "e1", Name: "hooks", Enabled: true, DedicatedFor: "webhooks", Secret: sink}},
		{Action: planner.Create, Ref: old.Ref(), Before: old,
			After: planner.AccessKeyValue{Environment: "acme-prod", EnvironmentID: "e1", Name: "ci", Enabled: true, Secret: sink, RetiredName: "ci (retired 2026-04-11)"}},
		{Action: planner.Delete, Ref: planner.Ref{Kind: spec.KindAccessKey, Name: "acme-prod/old"},
			Before: planner.AccessKeyValue{Environment: "acme-prod", EnvironmentID: "e1", Name: "old", Key: "123456789012346"}},
	}}
}
