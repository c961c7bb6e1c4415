package state

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/spec"
)

// TestPrincipalsIncomplete: an incomplete users or groups listing marks
// the assignments incomplete, naming the cause; the reason of the
// assignment listing itself comes first; complete listings mark nothing.
func TestPrincipalsIncomplete(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		incomplete map[spec.Kind]string
		want       string // the assignments' reason, "" for none
	}{
		{name: "complete"},
		{
			name:       "policies only",
			incomplete: map[spec.Kind]string{spec.KindPolicy: "account: cut"},
		},
		{
			name:       "users",
			incomplete: map[spec.Kind]string{spec.KindUser: "page 2 repeats page 1"},
			want:       "principals missing from the incomplete users listing cannot be named: page 2 repeats page 1",
		},
		{
			name:       "groups",
			incomplete: map[spec.Kind]string{spec.KindGroup: "timeout"},
			want:       "principals missing from the incomplete user groups listing cannot be named: timeout",
		},
		{
			name: "everything",
			incomplete: map[spec.Kind]string{
				spec.KindAssignment: "account: cut",
				spec.KindUser:       "page 2 repeats page 1",
				spec.KindGroup:      "timeout",
			},
			want: "account: cut; principals missing from the incomplete users listing cannot be named: page 2 repeats page 1; principals missing from the incomplete user groups listing cannot be named: timeout",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			acc := &Account{Incomplete: map[spec.Kind]string{}}
			for k, v := range tt.incomplete {
				acc.Incomplete[k] = v
			}
			r := &permReader{acc: acc, out: &Permissions{}, envName: map[string]string{}}
			r.finish()
			if diff := cmp.Diff(tt.want, acc.Incomplete[spec.KindAssignment]); diff != "" {
				t.Errorf("assignments' reason (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFinishSortsAssignments: finish orders assignments as sorting by
// assignmentSortKey does (principal name, role, scope, folder,
// collection, id), with names that sort differently from their ids,
// unnamed principals and separators inside names; ties (same key, other
// principal type or scope id) come out in one order whatever the order
// they were read in.
func TestFinishSortsAssignments(t *testing.T) {
	t.Parallel()
	read := func(reverse bool) []Assignment {
		acc := &Account{
			Incomplete: map[spec.Kind]string{},
			Users:      []User{{ID: "u1", Email: "zed@x.test"}, {ID: "u2", Email: "amy@x.test"}, {ID: "u3", Email: "amy@x.test\x00b"}},
			Groups:     []Group{{ID: "g1", Name: "amy@x.test"}},
		}
		r := &permReader{acc: acc, out: &Permissions{}, envName: map[string]string{"e1": "prod", "e2": "prod"}}
		adds := []func(){
			func() { r.addAssignment("user", "u1", "r1", "prodenv", "e1", nil) },
			func() { r.addAssignment("user", "u2", "r2", "account", "", nil) },
			func() { r.addAssignment("user", "u2", "r1", "prodenv", "all", nil) },
			func() { r.addAssignment("user", "u3", "r1", "account", "", nil) },
			func() { r.addAssignment("group", "g1", "r1", "account", "", nil) },
			func() { r.addAssignment("user", "u9", "r1", "account", "", nil) },
			func() { r.addAssignment("provisioningKey", "k1", "r1", "account", "", nil) },
			func() {
				r.addAssignment("user", "u2", "r1", "prodenv", "e1", client.PolicyParameters{"folder_id": "f1"})
			},
			// The same key twice: environments e1 and e2 are both "prod".
			func() { r.addAssignment("user", "u1", "r3", "prodenv", "e2", nil) },
			func() { r.addAssignment("user", "u1", "r3", "prodenv", "e1", nil) },
		}
		if reverse {
			slices.Reverse(adds)
		}
		for _, add := range adds {
			add()
		}
		return r.finish().Assignments
	}
	got := read(false)
	if len(got) != 10 {
		t.Fatalf("%d assignments, want 10", len(got))
	}
	if !slices.IsSortedFunc(got, func(a, b Assignment) int {
		return strings.Compare(assignmentSortKey(&a), assignmentSortKey(&b))
	}) {
		t.Errorf("not sorted by assignmentSortKey: %+v", got)
	}
	var names []string
	for i := range got {
		names = append(names, got[i].PrincipalName()+" "+got[i].Role+" "+got[i].ScopeID)
	}
	want := []string{
		"group:amy@x.test r1 ",
		"provisioningKey:k1 r1 ",
		"user:amy@x.test\x00b r1 ", // the key joins fields with NUL
		"user:amy@x.test r1 all",
		"user:amy@x.test r1 e1",
		"user:amy@x.test r2 ",
		"user:u9 r1 ",
		"user:zed@x.test r1 e1",
		"user:zed@x.test r3 e1",
		"user:zed@x.test r3 e2",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(got, read(true)); diff != "" {
		t.Errorf("order depends on the read order (-first +reversed):\n%s", diff)
	}
}
