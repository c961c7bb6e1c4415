package main

import (
	"strings"
	"testing"
	"time"

	"github.com/cldsync/cldsync/pkg/state"
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		sent int64
		pr   state.Progress
		want string
	}{
		{0, state.Progress{}, "Reading the live account: 0 requests"},
		{12, state.Progress{Estimated: 6650, Environments: 100, Users: 1200},
			"Reading the live account: 12 of about 6650 requests; 100 environments, 1200 users so far"},
		// Never "7000 of about 6650": the estimate grows with what was sent.
		{7000, state.Progress{Estimated: 6650, Users: 20000, Groups: 500, Roles: 200, Policies: 900, Assignments: 20000},
			"Reading the live account: 7000 of about 7000 requests; 20000 users, 500 groups, 200 custom roles, 900 policies, 20000 assignments so far"},
	}
	for _, tc := range tests {
		if got := progressLine(tc.sent, tc.pr); got != tc.want {
			t.Errorf("progressLine(%d, %+v) =\n%q, want\n%q", tc.sent, tc.pr, got, tc.want)
		}
	}
}

// TestReadProgressOnATerminal: the line is rewritten in place and erased
// at the end, so nothing of it stays.
func TestReadProgressOnATerminal(t *testing.T) {
	var out lockedBuffer // interrupt_test.go
	sent := int64(5)
	p := startReadProgress(&out, true, func() int64 { return sent })
	p.Update(state.Progress{Estimated: 10, Users: 3})
	time.Sleep(3 * readProgressTick)
	p.Close()
	got := out.String()
	want := eraseLine + "Reading the live account: 5 of about 10 requests; 3 users so far"
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, eraseLine) || strings.Contains(got, "\n") {
		t.Errorf("terminal output %q, want %q rewritten in place, then erased", got, want)
	}
}
