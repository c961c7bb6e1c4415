package emulator

// Indexes and memoised listings, so that answering a page of a large
// account costs about the page, not the account (issue 18):
//
//   - A paged listing (getUsers, inspect) filters and orders its whole list
//     once per state of the account, not once per page: listCache keeps
//     the filtered list of the last few queries (query without its page or
//     cursor), valid while the account does not change. Every request
//     that is not a GET, and every Go method that changes the account
//     (Seed, AcceptInvitation), starts a new generation, which empties it.
//   - Role assignments are indexed by role, by scope and by tuple
//     (assignIndex), so getRolePrincipals reads the role's assignments,
//     inspect the scope's, and adding one finds a duplicate without a scan.
//   - Users are indexed by email (userByEmail), which seeding and
//     principal lookups use per user.

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// listCacheSize bounds how many filtered lists are kept: a read walks
// about as many listings at once as it has requests in flight.
const listCacheSize = 64

// listCache memoises the filtered, ordered lists behind paged listings.
// Guarded by Emulator.mu.
type listCache struct {
	gen     uint64 // the account generation the entries belong to
	tick    uint64
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	v    any
	used uint64
}

// changed starts a new generation of the account: every memoised list is
// dropped. Must hold e.mu.
func (e *Emulator) changed() {
	e.gen++
	e.perm.idx = nil
}

// cachedList returns the list memoised under key for the account's
// current generation, building it with build when there is none. Must
// hold e.mu.
func cachedList[T any](e *Emulator, key string, build func() T) T {
	c := &e.lists
	if c.gen != e.gen || c.entries == nil {
		c.gen, c.entries = e.gen, map[string]*cacheEntry{}
	}
	c.tick++
	if ent, ok := c.entries[key]; ok {
		ent.used = c.tick
		return ent.v.(T)
	}
	v := build()
	if len(c.entries) >= listCacheSize {
		// Drop the least recently used.
		var oldest string
		least := c.tick
		for k, ent := range c.entries {
			if ent.used < least {
				oldest, least = k, ent.used
			}
		}
		delete(c.entries, oldest)
	}
	c.entries[key] = &cacheEntry{v: v, used: c.tick}
	return v
}

// listKey is the memo key of a listing: the operation and its query
// without the parameters that only select a page.
func (c *call) listKey(pageParams ...string) string {
	q := c.query()
	for _, p := range pageParams {
		q.Del(p)
	}
	return c.op.ID + "?" + q.Encode()
}

// assignIndex indexes permState.assigns. Built on first use, extended by
// addAssign, and dropped (rebuilt on next use) by any removal.
type assignIndex struct {
	byRole  map[string][]*assignment // in creation order
	byScope map[string][]*assignment // by ScopeID ("" for account roles), in creation order
	byTuple map[string]*assignment
}

// tupleKey is an assignment's identity as a string.
func (a *assignment) tupleKey() string {
	var b strings.Builder
	b.WriteString(a.PrincipalType)
	b.WriteByte(0)
	b.WriteString(a.PrincipalID)
	b.WriteByte(0)
	b.WriteString(a.RoleID)
	b.WriteByte(0)
	b.WriteString(a.ScopeID)
	for _, k := range slices.Sorted(mapKeys(a.Params)) {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(a.Params[k])
	}
	return b.String()
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// index returns the assignment index, building it if needed. Must hold e.mu.
func (s *permState) index() *assignIndex {
	if s.idx != nil {
		return s.idx
	}
	s.idx = &assignIndex{byRole: map[string][]*assignment{}, byScope: map[string][]*assignment{}, byTuple: map[string]*assignment{}}
	for _, a := range s.assigns {
		s.idx.add(a)
	}
	return s.idx
}

func (x *assignIndex) add(a *assignment) {
	x.byRole[a.RoleID] = append(x.byRole[a.RoleID], a)
	x.byScope[a.ScopeID] = append(x.byScope[a.ScopeID], a)
	x.byTuple[a.tupleKey()] = a
}

// addAssign appends a new assignment. Must hold e.mu.
func (s *permState) addAssign(a *assignment) {
	s.seq++
	a.seq = s.seq
	s.assigns = append(s.assigns, a)
	if s.idx != nil {
		s.idx.add(a)
	}
}

// removeAssigns deletes the assignments drop selects. Must hold e.mu.
func (s *permState) removeAssigns(drop func(*assignment) bool) {
	n := len(s.assigns)
	s.assigns = slices.DeleteFunc(s.assigns, drop)
	if len(s.assigns) != n {
		s.idx = nil
	}
}

// assignsOfScope returns the assignments that can show in a read of
// (scopeType, scopeID), in creation order: for one environment, its own
// and those scoped "all"; for the account, the account roles'. Callers
// still check assignmentInScope. Must hold e.mu.
func (s *permState) assignsOfScope(scopeType, scopeID string) []*assignment {
	x := s.index()
	switch {
	case scopeType == "account":
		return x.byScope[""]
	case scopeType == "prodenv" && scopeID == "all":
		return x.byScope["all"]
	case scopeType == "prodenv" && scopeID != "":
		own, all := x.byScope[scopeID], x.byScope["all"]
		out := make([]*assignment, 0, len(own)+len(all))
		out = append(out, own...)
		out = append(out, all...)
		slices.SortFunc(out, func(a, b *assignment) int { return cmp.Compare(a.seq, b.seq) })
		return out
	}
	return s.assigns
}

// checkAssignIndex reports an assignment index that disagrees with the
// list (for tests).
func (s *permState) checkAssignIndex() error {
	if s.idx == nil {
		return nil
	}
	got := s.idx
	s.idx = nil
	want := s.index()
	s.idx = got
	if len(got.byTuple) != len(want.byTuple) {
		return fmt.Errorf("assignment index has %d tuples, the list %d", len(got.byTuple), len(want.byTuple))
	}
	for k, m := range map[string][2]map[string][]*assignment{"role": {got.byRole, want.byRole}, "scope": {got.byScope, want.byScope}} {
		for id, list := range m[1] {
			if !slices.Equal(m[0][id], list) {
				return fmt.Errorf("assignment index by %s %q: %d assignments, the list has %d", k, id, len(m[0][id]), len(list))
			}
		}
	}
	return nil
}

// usersByEnv indexes the users granted product environments by id, not
// by all_sub_accounts: for each environment id, its users in creation
// order; every holds the users who have every environment.
type usersByEnv struct {
	byEnv map[string][]*provUser
	every []*provUser
}

// usersWithAccess is the users who can access env, in creation order, so
// that a getUsers listing narrowed to one environment filters that
// environment's users, not the account's. The index is built in one pass
// over the users once per state of the account (cachedList). Must hold
// e.mu.
func (s *provState) usersWithAccess(env *provEnv) []*provUser {
	idx := cachedList(s.e, "\x00users by environment", func() *usersByEnv {
		idx := &usersByEnv{byEnv: map[string][]*provUser{}}
		for _, u := range s.users {
			if u.allSubAccounts {
				idx.every = append(idx.every, u)
				continue
			}
			for _, id := range u.subAccounts {
				idx.byEnv[id] = append(idx.byEnv[id], u)
			}
		}
		return idx
	})
	// Merge two lists in creation order (s.users is in seq order).
	a, b := idx.byEnv[env.id], idx.every
	out := make([]*provUser, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].seq < b[0].seq {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}
