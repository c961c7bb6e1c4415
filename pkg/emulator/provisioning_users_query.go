package emulator

import (
	"slices"
	"strings"
	"time"
)

// getUsers' query parameters, read the same way by the spec profile's
// handler (provisioning_users.go) and the live profile's (live_profile.go).

// usersNarrowing reads getUsers' ids and emails.
func usersNarrowing(c *call) (ids, emails []string, rep reply, ok bool) {
	if ids, rep, ok = c.listParam("ids"); !ok {
		return nil, nil, rep, false
	}
	emails, rep, ok = c.listParam("emails")
	return ids, emails, rep, ok
}

// userPage is getUsers' order and page.
type userPage struct {
	sortBy          string
	dir, page, size int
}

// usersPaging reads getUsers' sort_by, sort_order, page and page_size.
func usersPaging(c *call) (userPage, reply, bool) {
	pg := userPage{sortBy: c.query().Get("sort_by")}
	if pg.sortBy == "" {
		pg.sortBy = "created_at"
	} else if !slices.Contains(userSortBy, pg.sortBy) {
		return pg, c.invalid("invalid sort_by %q: expected one of %s", pg.sortBy, strings.Join(userSortBy, ", ")), false
	}
	var rep reply
	var ok, hasPage, hasSize bool
	if pg.dir, rep, ok = c.sortOrder(); !ok {
		return pg, rep, false
	}
	if pg.page, hasPage, rep, ok = c.positiveInt("page"); !ok {
		return pg, rep, false
	}
	if !hasPage {
		pg.page = 1
	}
	if pg.size, hasSize, rep, ok = c.positiveInt("page_size"); !ok {
		return pg, rep, false
	}
	if !hasSize {
		pg.size = UsersDefaultPageSize
	}
	pg.size = min(pg.size, UsersMaxPageSize) // silently, like an undocumented server cap
	return pg, reply{}, true
}

// lastLoginFilter reads last_login, from, to and union_type. It returns a
// nil filter unless last_login=true. Users who never logged in are outside
// every range.
func (s *provState) lastLoginFilter(c *call) (func(*provUser) bool, reply, bool) {
	on, _, rep, ok := c.boolParam("last_login")
	if !ok {
		return nil, rep, false
	}
	in, rep, ok := loginRange(c)
	if !ok || !on {
		return nil, rep, ok
	}
	return in, reply{}, true
}

// loginRange reads from, to and union_type: whether a user's last login is
// in the range (include, the default) or outside it (exclude).
func loginRange(c *call) (func(*provUser) bool, reply, bool) {
	q := c.query()
	var from, to time.Time
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return nil, c.invalid("invalid %s %q: expected yyyy-mm-dd", p.name, v), false
			}
			*p.t = t
		}
	}
	union := q.Get("union_type")
	if union != "" && union != "include" && union != "exclude" {
		return nil, c.invalid("invalid union_type %q: expected include or exclude", union), false
	}
	return func(u *provUser) bool {
		in := !u.lastLogin.IsZero() &&
			(from.IsZero() || !u.lastLogin.Before(from)) &&
			(to.IsZero() || u.lastLogin.Before(to.AddDate(0, 0, 1)))
		return in == (union != "exclude")
	}, reply{}, true
}
