package plantest

import (
	"fmt"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// LargeInputs builds a configuration and a live account of the given size
// that mostly agree, with some drift of every sort: missing, changed and
// extra users, groups and members.
func LargeInputs(nUsers, nGroups, membersPerGroup int) (*spec.Config, *state.Account) {
	desired := &spec.Config{Prune: []spec.Kind{spec.KindUser}}
	live := &state.Account{}
	const nEnvs = 10
	for i := range nEnvs {
		cn := fmt.Sprintf("env-%02d", i)
		desired.Environments = append(desired.Environments, spec.Environment{CloudName: cn, Name: "Env " + cn})
		if i != 0 { // env-00 is created
			live.Environments = append(live.Environments, state.Environment{ID: "e" + cn, CloudName: cn, Name: "Env " + cn, Enabled: true})
		}
	}
	email := func(i int) string { return fmt.Sprintf("user%06d@acme.test", i) }
	for i := range nUsers {
		access := []string{fmt.Sprintf("env-%02d", i%nEnvs)}
		desired.Users = append(desired.Users, spec.User{
			Email:        email(i),
			Name:         Ptr(fmt.Sprintf("User %d", i)),
			Role:         Ptr("media_library_user"),
			Environments: &spec.EnvironmentAccess{CloudNames: access},
		})
		if i%100 == 99 { // 1% are created
			continue
		}
		name := fmt.Sprintf("User %d", i)
		if i%10 == 3 { // 10% renamed
			name += " (old)"
		}
		liveAccess := access
		if i%50 == 7 { // 2% have other access
			liveAccess = []string{"env-05", "env-06"}
		}
		live.Users = append(live.Users, state.User{
			ID: fmt.Sprintf("u%d", i), Email: email(i), Name: name, Role: "media_library_user",
			Enabled: true, Environments: liveAccess,
		})
	}
	for i := range nUsers / 100 { // extra live users, pruned
		live.Users = append(live.Users, state.User{ID: fmt.Sprintf("x%d", i), Email: fmt.Sprintf("extra%06d@acme.test", i)})
	}
	for g := range nGroups {
		name := fmt.Sprintf("group-%05d", g)
		var members []string
		for m := range membersPerGroup {
			members = append(members, email((g*membersPerGroup+m)%max(nUsers, 1)))
		}
		desired.Groups = append(desired.Groups, spec.Group{Name: name, Members: members, MembersManaged: true})
		if g%100 == 42 { // 1% of groups are created
			continue
		}
		liveMembers := members
		if g%10 == 5 { // 10% have one member missing and one extra
			liveMembers = append(append([]string{}, members[1:]...), fmt.Sprintf("extra%06d@acme.test", g%max(nUsers/100, 1)))
		}
		live.Groups = append(live.Groups, state.Group{ID: fmt.Sprintf("g%d", g), Name: name, Members: liveMembers})
	}
	return desired, live
}
