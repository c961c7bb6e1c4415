package planner

import (
	"slices"

	"github.com/cldsync/cldsync/pkg/spec"
)

// addUnmanaged counts live objects the plan leaves alone, and names them:
// a user created by hand is worth naming, not only counting.
func (p *Plan) addUnmanaged(k spec.Kind, names ...string) {
	if len(names) == 0 {
		return
	}
	if p.Unmanaged == nil {
		p.Unmanaged = map[spec.Kind]int{}
	}
	if p.UnmanagedNames == nil {
		p.UnmanagedNames = map[spec.Kind][]string{}
	}
	p.Unmanaged[k] += len(names)
	p.UnmanagedNames[k] = append(p.UnmanagedNames[k], names...)
}

// addUnmanagedMembers leaves alone the memberships of a live group.
func (p *Plan) addUnmanagedMembers(group string, members []string) {
	names := make([]string, len(members))
	for i, m := range members {
		names[i] = MembershipName(group, m)
	}
	p.addUnmanaged(spec.KindMembership, names...)
}

// UnmanagedOf returns the names of the unmanaged objects of kind k, sorted.
func (p *Plan) UnmanagedOf(k spec.Kind) []string {
	names := slices.Clone(p.UnmanagedNames[k])
	slices.Sort(names)
	return names
}
