package state

import (
	"testing"

	"github.com/google/go-cmp/cmp"

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
