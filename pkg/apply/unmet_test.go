package apply_test

import (
	"strings"
	"testing"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/spec"
)

// TestApplySkipsUnmetDependency: the scenario of issue 13. A plan promotes
// bob and then demotes alice, the demotion waiting for the promotion. With
// the promotion edited out, the demotion must not run: it is skipped,
// naming what it waited for, and nothing is written.
func TestApplySkipsUnmetDependency(t *testing.T) {
	cfg, err := spec.Parse("cldsync.yaml", []byte(`version: 1
safety:
  min_master_admins: 2 # the emulator's root user and alice
users:
  - email: alice@acme.test
    role: admin
  - email: bob@acme.test
    role: master_admin
`))
	if err != nil {
		t.Fatal(err)
	}
	emu, c := setup(t, `users:
  - email: alice@acme.test
    name: Alice
    role: master_admin
  - email: bob@acme.test
    name: Bob
    role: admin
`)
	p, live := plan(t, c, cfg)
	if len(p.Changes) != 2 || p.Changes[0].Ref.Name != "bob@acme.test" || len(p.Changes[1].DependsOn) != 1 {
		t.Fatalf("plan = %+v, want the promotion of bob and the demotion of alice after it", p.Changes)
	}
	p.Changes = p.Changes[1:] // "promote bob" edited out
	writes := len(emu.Writes())
	rep := apply.Apply(t.Context(), apply.FromClient(c), p, live, apply.Options{Parallelism: 2})
	if len(rep.Entries) != 1 || rep.Entries[0].Outcome != apply.Skipped ||
		!strings.Contains(rep.Entries[0].Reason, "depends on user bob@acme.test, which is not in the plan") {
		t.Errorf("report = %+v, want the demotion skipped for its missing dependency", rep.Entries)
	}
	if n := len(emu.Writes()) - writes; n != 0 {
		t.Errorf("%d writes, want none", n)
	}
}
