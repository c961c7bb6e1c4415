package export

import (
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/state"
)

// TestExportAccessKeys: keys are written by name, enabled only when false,
// dedicated_for when the live answer carried it;
// unnamed, duplicate and retired keys are left out, and no secret or
// api_key is ever written.
func TestExportAccessKeys(t *testing.T) {
	acc := &state.Account{
		Environments: []state.Environment{{ID: "e1", CloudName: "acme-prod", Name: "Acme", Enabled: true}, {ID: "e2", CloudName: "acme-dev", Name: "Dev", Enabled: true}},
		AccessKeys: []state.AccessKey{
			{Environment: "acme-prod", Name: "main", Key: "100000000000001", Enabled: true},
			{Environment: "acme-prod", Name: "ci", Key: "100000000000002"},
			{Environment: "acme-prod", Name: "hooks", Key: "100000000000008", Enabled: true, DedicatedFor: "webhooks", DedicatedForKnown: true},
			{Environment: "acme-prod", Name: "", Key: "100000000000003", Enabled: true},
			{Environment: "acme-prod", Name: "twin", Key: "100000000000004", Enabled: true},
			{Environment: "acme-prod", Name: "twin", Key: "100000000000005", Enabled: true},
			{Environment: "acme-prod", Name: "ci (retired 2026-11-01)", Key: "100000000000006"},
			{Environment: "acme-dev", Name: "", Key: "100000000000007", Enabled: true},
		},
	}
	out, err := Single(acc, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	want := `  - cloud_name: acme-prod
    name: Acme
    access_keys:
      - name: ci
        enabled: false
      - name: hooks
        dedicated_for: webhooks
      - name: main
`
	if !strings.Contains(got, want) {
		t.Errorf("export:\n%s\nwant it to hold:\n%s", got, want)
	}
	for _, bad := range []string{"twin", "retired", "1000000000000", "acme-dev\n    name: Dev\n    access_keys"} {
		if strings.Contains(got, bad) {
			t.Errorf("export holds %q:\n%s", bad, got)
		}
	}
}
