package render

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cldsync/cldsync/pkg/planner"

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
		}}
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
