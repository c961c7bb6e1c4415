package state

import (
	"fmt"
	"testing"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/spec"
)

// finishFixture is a permReader holding n assignments of users, groups
// and API keys over a few roles and scopes, as a large account's read
// leaves it before finish.
func finishFixture(n int) *permReader {
	acc := &Account{Incomplete: map[spec.Kind]string{}}
	users, groups := n/2, max(1, n/50)
	for i := range users {
		acc.Users = append(acc.Users, User{ID: fmt.Sprintf("u%029x", i), Email: fmt.Sprintf("user-%06d@scale.example.com", i)})
	}
	for i := range groups {
		acc.Groups = append(acc.Groups, Group{ID: fmt.Sprintf("g%029x", i), Name: fmt.Sprintf("group-%04d", i)})
	}
	r := &permReader{acc: acc, out: &Permissions{}, envName: map[string]string{"e1": "prod", "e2": "staging"}}
	for i := range n {
		var ptype, pid string
		switch i % 10 {
		case 0:
			ptype, pid = "group", acc.Groups[i%groups].ID
		case 1:
			ptype, pid = "apiKey", fmt.Sprintf("%015d", i)
		default:
			ptype, pid = "user", acc.Users[(i*7)%users].ID
		}
		scope := []string{"", "all", "e1", "e2"}[i%4]
		scopeType := "prodenv"
		if scope == "" {
			scopeType = "account"
		}
		r.addAssignment(client.PrincipalType(ptype), pid, fmt.Sprintf("cld::role::r%d", i%37), client.ScopeType(scopeType), scope, nil)
	}
	return r
}

// BenchmarkFinish: naming and sorting 100,000 assignments.
func BenchmarkFinish(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		r := finishFixture(100_000)
		b.StartTimer()
		if out := r.finish(); len(out.Assignments) == 0 {
			b.Fatal("no assignments")
		}
	}
}
