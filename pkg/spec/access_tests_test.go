package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAccessTestsDecode(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`version: 1
environments: [{cloud_name: acme-prod, name: P}]
users: [{email: Ana@acme.test}]
access_tests:
  - name: ana reads
    who: {user: ana@ACME.test}
    in: acme-prod
    can: [cld::role::prodenv::ml_user, {action: move, resource: 'Folder::"f1"', context: {direction: down}}]
    cannot: [{action: read}]
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []AccessTest{{
		Name: "ana reads", Who: Principal{Kind: PrincipalUser, Name: "ana@acme.test"}, In: "acme-prod",
		Can: []AccessCheck{
			{Role: "cld::role::prodenv::ml_user", Pos: Pos{File: "c.yaml", Line: 8, Col: 11}},
			{Action: "move", Resource: `Folder::"f1"`, Context: map[string]any{"direction": "down"}, Pos: Pos{File: "c.yaml", Line: 8, Col: 40}},
		},
		Cannot: []AccessCheck{{Action: "read", Resource: "any", Pos: Pos{File: "c.yaml", Line: 9, Col: 14}}},
		Pos:    Pos{File: "c.yaml", Line: 5, Col: 5}, WhoPos: Pos{File: "c.yaml", Line: 6, Col: 10}, InPos: Pos{File: "c.yaml", Line: 7, Col: 9},
	}}
	if diff := cmp.Diff(want, cfg.AccessTests); diff != "" {
		t.Errorf("access tests (-want +got):\n%s", diff)
	}
}
