package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/apply"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
)

func TestProgress(t *testing.T) {
	t.Parallel()
	user := planner.Change{Action: planner.Create, Ref: planner.Ref{Kind: spec.KindUser, Name: "ana@x.test"}}
	group := planner.Change{Action: planner.Update, Ref: planner.Ref{Kind: spec.KindGroup, Name: "ops"}}
	member := planner.Change{Action: planner.Create, Ref: planner.Ref{Kind: spec.KindMembership, Name: "ops / ana@x.test"}}
	events := func(p *progress) {
		p.Started(user)
		p.Started(group)
		p.Finished(apply.Entry{Change: group, Outcome: apply.Applied})
		p.Finished(apply.Entry{Change: user, Outcome: apply.Failed, Err: errors.New("409 Conflict")})
		p.Finished(apply.Entry{Change: member, Outcome: apply.Skipped, Reason: "depends on create user ana@x.test, which failed"})
		p.Close()
	}
	tests := []struct {
		name     string
		terminal bool
		want     []string
	}{
		{
			name: "log",
			want: []string{
				"create user ana@x.test: started",
				"update group ops: started",
				"update group ops: done",
				"create user ana@x.test: failed: 409 Conflict",
				"create membership ops / ana@x.test: skipped: depends on create user ana@x.test, which failed",
				"",
			},
		},
		{
			name:     "terminal",
			terminal: true,
			want: []string{
				eraseLine + "create user ana@x.test: started",
				"Applying: 0 of 3 done, 1 running" + eraseLine + "update group ops: started",
				"Applying: 0 of 3 done, 2 running" + eraseLine + "update group ops: done",
				"Applying: 1 of 3 done, 1 running" + eraseLine + "create user ana@x.test: failed: 409 Conflict",
				"Applying: 2 of 3 done, 0 running" + eraseLine + "create membership ops / ana@x.test: skipped: depends on create user ana@x.test, which failed",
				"Applying: 3 of 3 done, 0 running" + eraseLine,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			events(newProgress(&b, 3, tt.terminal))
			if diff := cmp.Diff(tt.want, strings.Split(b.String(), "\n")); diff != "" {
				t.Errorf("progress output mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
