package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestCustomAttributesResetNoted: an environment update PUTs the whole
// body, which resets custom_attributes when they are left out (NOTES P1),
// and the API never returns them, so cldsync cannot send the live value.
// An update whose configuration does not set them says so, on the change
// and in one plan warning; one that sets them sends them again; a create
// has nothing to lose.
func TestCustomAttributesResetNoted(t *testing.T) {
	t.Parallel()
	const (
		reset = "  note: " + customAttributesResetNote + "\n"
		again = "  note: custom_attributes is sent again: the API never returns it, so it is not compared\n"
	)
	warning := func(what string) string {
		return "warning: " + what + " resets custom_attributes, which the configuration does not set: the API never returns them, so cldsync cannot send them back; set custom_attributes to keep them\n"
	}
	prod := model.Environment{ID: "e1", CloudName: "prod", Name: "Prod", Enabled: true}
	stage := model.Environment{ID: "e2", CloudName: "stage", Name: "Stage", Enabled: false}
	tests := []struct {
		name    string
		desired []spec.Environment
		live    []model.Environment
		want    string
	}{
		{
			name:    "rename of the display name, custom_attributes not set",
			desired: []spec.Environment{{CloudName: "prod", Name: "Production"}},
			live:    []model.Environment{prod},
			want: `update environments/prod
  name: "Prod" → "Production"
` + reset + warning("environment prod: updating it"),
		},
		{
			name:    "enable toggle, custom_attributes not set",
			desired: []spec.Environment{{CloudName: "stage", Enabled: ptr(true)}},
			live:    []model.Environment{stage},
			want: `update environments/stage
  enabled: false → true
` + reset + warning("environment stage: updating it"),
		},
		{
			name:    "custom_attributes set: sent again, no warning",
			desired: []spec.Environment{{CloudName: "prod", Name: "Production", CustomAttributes: map[string]any{"team": "web"}}},
			live:    []model.Environment{prod},
			want: `update environments/prod
  name: "Prod" → "Production"
` + again,
		},
		{
			name:    "custom_attributes set to none: sent as none, no warning",
			desired: []spec.Environment{{CloudName: "prod", Name: "Production", CustomAttributes: map[string]any{}}},
			live:    []model.Environment{prod},
			want: `update environments/prod
  name: "Prod" → "Production"
` + again,
		},
		{
			name: "two environments: one warning naming both",
			desired: []spec.Environment{
				{CloudName: "prod", Name: "Production"},
				{CloudName: "stage", Enabled: ptr(true)},
			},
			live: []model.Environment{prod, stage},
			want: `update environments/prod
  name: "Prod" → "Production"
` + reset + `update environments/stage
  enabled: false → true
` + reset + warning("environments prod, stage: updating them"),
		},
		{
			name:    "cloud_name rename only",
			desired: []spec.Environment{{CloudName: "production", Name: "Prod", Previously: prev("prod")}},
			live:    []model.Environment{prod},
			want: `update environments/production
  cloud_name: "prod" → "production"
  note: the cloud_name is in every delivery URL of the environment's assets, which change with it; the API refuses it for environments with 1000 or more images
` + reset + warning("environment production: updating it"),
		},
		{
			name:    "no update: nothing is sent, nothing said",
			desired: []spec.Environment{{CloudName: "prod", Name: "Prod"}},
			live:    []model.Environment{prod},
			want:    ``,
		},
		{
			name:    "create, then disable: what the create does not send, the environment does not have",
			desired: []spec.Environment{{CloudName: "new", Name: "New", Enabled: ptr(false)}},
			want: `create environments/new
  name: "New"
  enabled: false
  note: created, then disabled: the create request has no enabled field
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Diff(&spec.Config{Environments: tt.desired}, &model.Account{Environments: tt.live}, Options{})
			if err != nil {
				t.Fatalf("Diff returned error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, dump(p)); diff != "" {
				t.Errorf("Diff plan mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
