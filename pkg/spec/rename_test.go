package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePreviously(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`version: 1
environments:
  - cloud_name: acme-prod
    name: Acme Production
    previously: [acme-production, acme-old]
users:
  - email: Raj@Acme.test
    previously: [Raj.Patel@Acme.test]
groups:
  - name: reviewers
    previously: [old reviewers]
  - name: designers
`))
	if err != nil {
		t.Fatalf("Parse returned %v", err)
	}
	got := map[string][]Previous{
		"environment": cfg.Environments[0].Previously,
		"user":        cfg.Users[0].Previously,
		"group":       cfg.Groups[0].Previously,
		"unset":       cfg.Groups[1].Previously,
	}
	want := map[string][]Previous{
		"environment": {{"acme-production", Pos{File: "c.yaml", Line: 5, Col: 18}}, {"acme-old", Pos{File: "c.yaml", Line: 5, Col: 35}}},
		"user":        {{"raj.patel@acme.test", Pos{File: "c.yaml", Line: 8, Col: 18}}},
		"group":       {{"old reviewers", Pos{File: "c.yaml", Line: 11, Col: 18}}},
		"unset":       nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Previously mismatch (-want +got):\n%s", diff)
	}
}
