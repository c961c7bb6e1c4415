package planner

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// TestWarnLegacyRolesUnmanaged checks the api/NOTES.md P19 warning on an
// account where hundreds of users hold a legacy role that disagrees with
// their account permission role: a user the configuration lists, or names
// in an assignment, gets a warning of its own; the rest share one line
// that counts them and names the first few.
func TestWarnLegacyRolesUnmanaged(t *testing.T) {
	t.Parallel()
	const n = 500
	live := &model.Account{Permissions: &model.Permissions{Catalog: spec.BuiltinCatalog()}}
	for i := range n {
		email := fmt.Sprintf("u%03d@acme.test", i)
		live.Users = append(live.Users, model.User{ID: fmt.Sprint("u", i), Email: email, Role: "media_library_user", Enabled: true, AllEnvironments: true})
		live.Permissions.Assignments = append(live.Permissions.Assignments, model.Assignment{
			PrincipalType: "user", PrincipalID: fmt.Sprint("u", i), Principal: spec.Principal{Kind: spec.PrincipalUser, Name: email},
			Role: "cld::role::account::admin", Scope: "account",
		})
	}
	user := func(email string) spec.Assignment {
		return spec.Assignment{Principal: spec.Principal{Kind: spec.PrincipalUser, Name: email}, Role: "cld::role::account::admin", Scope: "account"}
	}
	tests := []struct {
		name string
		cfg  *spec.Config
		want []string
	}{
		{
			name: "nothing managed",
			cfg:  &spec.Config{Version: 1},
			want: []string{
				`500 users not in the configuration have a legacy role and account permission roles that look contradictory (u000@acme.test, u001@acme.test, u002@acme.test and 497 more); the API does not say how they combine`,
			},
		},
		{
			name: "listed and assigned users warned of one by one",
			cfg: &spec.Config{
				Version:     1,
				Users:       []spec.User{{Email: "u007@acme.test"}},
				Assignments: []spec.Assignment{user("u123@acme.test")},
			},
			want: []string{
				`user u007@acme.test: the legacy role "media_library_user" and the permission roles ["cld::role::account::admin"] look contradictory; the API does not say how they combine`,
				`user u123@acme.test: the legacy role "media_library_user" and the permission roles ["cld::role::account::admin"] look contradictory; the API does not say how they combine`,
				`498 users not in the configuration have a legacy role and account permission roles that look contradictory (u000@acme.test, u001@acme.test, u002@acme.test and 495 more); the API does not say how they combine`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Diff(tt.cfg, live, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p.Warnings); diff != "" {
				t.Errorf("warnings mismatch (-want +got):\n%s", diff)
			}
		})
	}

	// One unmanaged user: singular, no "more".
	one := &model.Account{Users: live.Users[:1], Permissions: &model.Permissions{
		Catalog: spec.BuiltinCatalog(), Assignments: live.Permissions.Assignments[:1],
	}}
	p, err := Diff(&spec.Config{Version: 1}, one, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`1 user not in the configuration has a legacy role and account permission roles that look contradictory (u000@acme.test); the API does not say how they combine`}
	if diff := cmp.Diff(want, p.Warnings); diff != "" {
		t.Errorf("warnings for one user mismatch (-want +got):\n%s", diff)
	}
}
