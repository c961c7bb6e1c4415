package apply_test

import (
	"testing"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

func TestChangeName(t *testing.T) {
	group := func(name string) planner.GroupValue { return planner.GroupValue{ID: "g1", Name: name} }
	user := func(email, name string) planner.UserValue {
		return planner.UserValue{ID: "u1", Email: email, Name: name}
	}
	tests := []struct {
		ch   planner.Change
		want string
	}{
		{planner.Change{Action: planner.Create, Ref: planner.Ref{Kind: spec.KindUser, Name: "raj@acme.test"}, After: user("raj@acme.test", "Raj")},
			"create user raj@acme.test"},
		{planner.Change{Action: planner.Update, Ref: planner.Ref{Kind: spec.KindGroup, Name: "designers"}, Before: group("designers"), After: group("designers")},
			"update group designers"},
		{planner.Change{Action: planner.Update, Ref: planner.Ref{Kind: spec.KindGroup, Name: "brand-designers"}, Before: group("designers"), After: group("brand-designers")},
			"rename group designers → brand-designers"},
		// A rename folded into an update of other fields is still named a rename.
		{planner.Change{Action: planner.Update, Ref: planner.Ref{Kind: spec.KindUser, Name: "raj.patel@acme.test"}, Before: user("raj@acme.test", "Raj"), After: user("raj.patel@acme.test", "Raj Patel")},
			"rename user raj@acme.test → raj.patel@acme.test"},
		{planner.Change{Action: planner.Delete, Ref: planner.Ref{Kind: spec.KindGroup, Name: "designers"}, Before: group("designers")},
			"delete group designers"},
	}
	for _, tt := range tests {
		if got := apply.ChangeName(tt.ch); got != tt.want {
			t.Errorf("ChangeName(%s %s) = %q, want %q", tt.ch.Action, tt.ch.Ref, got, tt.want)
		}
	}
}
