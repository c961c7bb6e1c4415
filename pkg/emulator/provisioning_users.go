package emulator

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Users, user groups, memberships and billing usage. See provisioning.go for
// the choices made where the spec is silent.

// userJSON is the spec's User.
type userJSON struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	FirstName        string         `json:"first_name"`
	LastName         string         `json:"last_name"`
	Role             string         `json:"role"`
	Email            string         `json:"email"`
	Pending          bool           `json:"pending"`
	Enabled          bool           `json:"enabled"`
	CreatedAt        string         `json:"created_at"`
	UpdatedAt        string         `json:"updated_at"`
	LastLogin        string         `json:"last_login,omitempty"` // absent until the first login
	AllSubAccounts   bool           `json:"all_sub_accounts"`
	Providers        []string       `json:"providers"`
	EmailPreferences map[string]any `json:"email_preferences"`
	AccountID        string         `json:"account_id"`
	TwoFactor        bool           `json:"two_factor"`
	Status           string         `json:"status"`
	Root             bool           `json:"root"`
	GroupCount       int            `json:"group_count"`
	SubAccountCount  int            `json:"sub_account_count"`
}

// memberJSON is the spec's UserGroupUser.
type memberJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// groupJSON is the spec's UserGroup; users, created_at and updated_at only
// with extended details (an empty member list is then [], not absent).
type groupJSON struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Users     []memberJSON `json:"users,omitzero"`
	CreatedAt string       `json:"created_at,omitempty"`
	UpdatedAt string       `json:"updated_at,omitempty"`
}

// subAccountSummaryJSON is the spec's SubAccountSummary. Product
// environments have no description in this API, so it is left out.
type subAccountSummaryJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CloudName string `json:"cloud_name"`
	Enabled   bool   `json:"enabled"`
}

func (u *provUser) status() string {
	switch {
	case u.pending:
		return "pending"
	case !u.enabled:
		return "disabled"
	}
	return "active"
}

func (s *provState) userJSON(u *provUser) userJSON {
	first, last, _ := strings.Cut(u.name, " ")
	j := userJSON{
		ID: u.id, Name: u.name, FirstName: first, LastName: last, Role: u.role, Email: u.email,
		Pending: u.pending, Enabled: u.enabled, CreatedAt: isoTime(u.created), UpdatedAt: isoTime(u.updated),
		AllSubAccounts: u.allSubAccounts, Providers: []string{}, EmailPreferences: map[string]any{},
		AccountID: s.e.opts.AccountID, Status: u.status(), Root: u.root,
		GroupCount: s.groupCount[u.id], SubAccountCount: s.subAccountCount(u),
	}
	if !u.lastLogin.IsZero() {
		j.LastLogin = isoTime(u.lastLogin)
	}
	return j
}

// subAccountCount is how many product environments u can access.
func (s *provState) subAccountCount(u *provUser) int {
	if u.allSubAccounts {
		return len(s.envs)
	}
	// subAccounts holds existing environments, each once: setAccess and
	// seeding dedupe, deleteProductEnvironment removes (checkIndexes).
	return len(u.subAccounts)
}

// envsOfUser returns the product environments u can access, in creation order.
func (s *provState) envsOfUser(u *provUser) []*provEnv {
	var out []*provEnv
	for _, v := range s.envs {
		if u.hasAccess(v.id) {
			out = append(out, v)
		}
	}
	return out
}

func (s *provState) groupJSON(g *provGroup, extended bool) groupJSON {
	j := groupJSON{ID: g.id, Name: g.name}
	if extended {
		j.Users = s.members(g)
		j.CreatedAt, j.UpdatedAt = isoTime(g.created), isoTime(g.updated)
	}
	return j
}

func (s *provState) members(g *provGroup) []memberJSON {
	out := make([]memberJSON, 0, len(g.members))
	for _, id := range g.members {
		if u := s.user(id); u != nil {
			out = append(out, memberJSON{ID: u.id, Name: u.name, Email: u.email})
		}
	}
	return out
}

func (s *provState) userParam(c *call) (*provUser, reply, bool) {
	id := c.param("user_id")
	u := s.user(id)
	if u == nil {
		return nil, c.fail(http.StatusNotFound, fmt.Sprintf("user %q not found", id)), false
	}
	return u, reply{}, true
}

func (s *provState) groupParam(c *call) (*provGroup, reply, bool) {
	id := c.param("group_id")
	g := s.group(id)
	if g == nil {
		return nil, c.fail(http.StatusNotFound, fmt.Sprintf("user group %q not found", id)), false
	}
	return g, reply{}, true
}

// ---- users ----

var userSortBy = []string{"name", "role", "status", "activity", "created_at"}

func (s *provState) getUsers(c *call) reply {
	ids, emails, rep, ok := usersNarrowing(c)
	if !ok {
		return rep
	}
	byCreated := func(a, b *provUser) int { return -cmp.Compare(a.seq, b.seq) }
	if len(ids) > 0 || len(emails) > 0 {
		// "When provided, other parameters are ignored": no filters, no
		// paging, the default order.
		var hits []*provUser
		for _, u := range s.users {
			if slices.Contains(ids, u.id) || slices.ContainsFunc(emails, func(e string) bool { return strings.EqualFold(e, u.email) }) {
				hits = append(hits, u)
			}
		}
		slices.SortFunc(hits, byCreated)
		return ok200(s.usersBody(hits))
	}
	pending, hasPending, rep, ok := c.boolParam("pending")
	if !ok {
		return rep
	}
	var env *provEnv
	if id := c.query().Get("sub_account_id"); id != "" {
		if env = s.env(id); env == nil {
			return c.fail(http.StatusNotFound, fmt.Sprintf("sub_account_id %q: product environment not found", id))
		}
	}
	inRange, rep, ok := s.lastLoginFilter(c)
	if !ok {
		return rep
	}
	pg, rep, ok := usersPaging(c)
	if !ok {
		return rep
	}
	prefix := strings.ToLower(c.query().Get("prefix"))

	// Every page of a listing filters and orders the same list: once per
	// state of the account (index.go).
	hits := cachedList(s.e, c.listKey("page"), func() []*provUser {
		return s.filterUsers(hasPending, pending, env, prefix, inRange, pg.sortBy, pg.dir)
	})
	return ok200(s.usersBody(pageOf(hits, pg.page, pg.size)))
}

// filterUsers is getUsers' list before paging.
func (s *provState) filterUsers(hasPending, pending bool, env *provEnv, prefix string, inRange func(*provUser) bool, sortBy string, dir int) []*provUser {
	var hits []*provUser
	candidates := s.users
	if env != nil {
		candidates = s.usersWithAccess(env)
	}
	for _, u := range candidates {
		if hasPending && u.pending != pending {
			continue
		}
		if prefix != "" && !strings.HasPrefix(strings.ToLower(u.name), prefix) {
			continue
		}
		if inRange != nil && !inRange(u) {
			continue
		}
		hits = append(hits, u)
	}
	if sortBy == "created_at" && dir < 0 {
		// The default order: newest first. The list is in creation order,
		// so reversed it is sorted already, and sorting it again for every
		// page of a large account is the handler's whole cost.
		slices.Reverse(hits)
	}
	order := func(a, b *provUser) int {
		var r int
		switch sortBy {
		case "name":
			r = cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
		case "role":
			r = cmp.Compare(a.role, b.role)
		case "status":
			r = cmp.Compare(a.status(), b.status())
		case "activity":
			r = a.lastLogin.Compare(b.lastLogin)
		default:
			r = a.created.Compare(b.created)
		}
		return dir * cmp.Or(r, cmp.Compare(a.seq, b.seq))
	}
	if !slices.IsSortedFunc(hits, order) { // seq breaks every tie: the order is total
		slices.SortFunc(hits, order)
	}
	return hits
}

func (s *provState) usersBody(us []*provUser) map[string]any {
	out := make([]userJSON, len(us))
	for i, u := range us {
		out[i] = s.userJSON(u)
	}
	return map[string]any{"users": out}
}

// userBody is UserRequest.
type userBody struct {
	Name          *string  `json:"name"`
	Email         *string  `json:"email"`
	Role          *string  `json:"role"`
	SubAccountIDs []string `json:"sub_account_ids"`
	Enabled       *bool    `json:"enabled"`
}

// checkUserBody validates the fields present in a user body; self is the
// user being updated (nil on create).
func (s *provState) checkUserBody(c *call, b *userBody, self *provUser) (reply, bool) {
	if b.Name != nil && strings.TrimSpace(*b.Name) == "" {
		return c.fail(http.StatusBadRequest, "name must not be empty"), false
	}
	if b.Email != nil {
		if !validEmail(*b.Email) {
			return c.fail(http.StatusBadRequest, fmt.Sprintf("invalid email %q", *b.Email)), false
		}
		if other := s.userWithEmail(*b.Email); other != nil && other != self {
			return c.fail(http.StatusConflict, fmt.Sprintf("a user with email %q already exists", *b.Email)), false
		}
	}
	if b.Role != nil && !slices.Contains(userRoles, *b.Role) {
		return c.fail(http.StatusBadRequest, fmt.Sprintf("invalid role %q: expected one of %s", *b.Role, strings.Join(userRoles, ", "))), false
	}
	if b.SubAccountIDs != nil && roleOf(b) != "master_admin" {
		for _, id := range b.SubAccountIDs {
			if s.env(id) == nil {
				return c.fail(http.StatusNotFound, fmt.Sprintf("sub_account_ids: product environment %q not found", id)), false
			}
		}
	}
	return reply{}, true
}

func roleOf(b *userBody) string {
	if b.Role == nil {
		return DefaultUserRole
	}
	return *b.Role
}

// setAccess applies sub_account_ids: ignored for master_admin, absent means
// all product environments.
func setAccess(u *provUser, ids []string) {
	u.allSubAccounts = u.role == "master_admin" || ids == nil
	u.subAccounts = nil
	if !u.allSubAccounts {
		u.subAccounts = []string{}
		for _, id := range ids {
			if !slices.Contains(u.subAccounts, id) {
				u.subAccounts = append(u.subAccounts, id)
			}
		}
	}
}

func (s *provState) createUser(c *call) reply {
	var b userBody
	if rep, ok := c.decodeStrict(&b); !ok {
		return rep
	}
	if b.Name == nil {
		return c.fail(http.StatusBadRequest, "name is required")
	}
	if b.Email == nil {
		return c.fail(http.StatusBadRequest, "email is required")
	}
	if rep, ok := s.checkUserBody(c, &b, nil); !ok {
		return rep
	}
	now := s.e.now()
	u := &provUser{id: s.uniqueID(30), name: *b.Name, email: *b.Email, role: roleOf(&b),
		enabled: boolOr(b.Enabled, true), pending: true, created: now, updated: now, seq: s.nextSeq()}
	setAccess(u, b.SubAccountIDs)
	s.addUser(u)
	return ok(s.userJSON(u))
}

func (s *provState) getUser(c *call) reply {
	u, rep, ok := s.userParam(c)
	if !ok {
		return rep
	}
	return ok200(s.userJSON(u))
}

func (s *provState) updateUser(c *call) reply {
	u, rep, found := s.userParam(c)
	if !found {
		return rep
	}
	var b userBody
	if rep, ok := c.decodeStrict(&b); !ok {
		return rep
	}
	if rep, ok := s.checkUserBody(c, &b, u); !ok {
		return rep
	}
	// Strict PUT (provisioning.go): role, sub_account_ids and enabled reset
	// to their defaults when absent; name and email are kept.
	role, enabled := roleOf(&b), boolOr(b.Enabled, true)
	if u.root && (role != "master_admin" || !enabled) {
		return c.fail(http.StatusForbidden, fmt.Sprintf("the root user must stay an enabled master_admin (body gives role %q, enabled %v)", role, enabled))
	}
	if b.Name != nil {
		u.name = *b.Name
	}
	if b.Email != nil {
		s.setEmail(u, *b.Email)
	}
	u.role, u.enabled = role, enabled
	setAccess(u, b.SubAccountIDs)
	u.updated = s.e.now()
	return ok(s.userJSON(u))
}

func (s *provState) deleteUser(c *call) reply {
	u, rep, ok := s.userParam(c)
	if !ok {
		return rep
	}
	if u.root {
		return c.fail(http.StatusForbidden, "the root user cannot be deleted")
	}
	s.removeUser(u)
	s.e.perm.forgetPrincipal("user", u.id)
	return okMessage()
}

func (s *provState) getGroupsForUser(c *call) reply {
	u, rep, ok := s.userParam(c)
	if !ok {
		return rep
	}
	out := []groupJSON{}
	for _, g := range s.groups {
		if slices.Contains(g.members, u.id) {
			out = append(out, groupJSON{ID: g.id, Name: g.name})
		}
	}
	return ok200(map[string]any{"groups": out})
}

func (s *provState) getSubAccountsForUser(c *call) reply {
	u, rep, ok := s.userParam(c)
	if !ok {
		return rep
	}
	out := []subAccountSummaryJSON{}
	for _, v := range s.envsOfUser(u) {
		out = append(out, subAccountSummaryJSON{ID: v.id, Name: v.name, CloudName: v.cloudName, Enabled: v.enabled})
	}
	return ok200(map[string]any{"sub_accounts": out})
}

// ---- user groups ----

// extendedParam reads the extended_details query parameter.
func (c *call) extendedParam() (bool, reply, bool) {
	v, _, rep, ok := c.boolParam("extended_details")
	return v, rep, ok
}

func (s *provState) getUserGroups(c *call) reply {
	ext, rep, ok := c.extendedParam()
	if !ok {
		return rep
	}
	out := make([]groupJSON, len(s.groups))
	for i, g := range s.groups {
		out[i] = s.groupJSON(g, ext)
	}
	return ok200(map[string]any{"user_groups": out})
}

func (s *provState) getUserGroup(c *call) reply {
	g, rep, ok := s.groupParam(c)
	if !ok {
		return rep
	}
	ext, rep, ok := c.extendedParam()
	if !ok {
		return rep
	}
	return ok200(s.groupJSON(g, ext))
}

// groupBody is UserGroupRequest. extended_details is a response-shape flag
// that leaked into the body (NOTES.md 2.4); it is honoured.
type groupBody struct {
	Name            *string `json:"name"`
	ExtendedDetails *bool   `json:"extended_details"`
}

func (s *provState) checkGroupName(c *call, b *groupBody, self *provGroup) (reply, bool) {
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return c.fail(http.StatusBadRequest, "name is required"), false
	}
	if other := s.groupByName(*b.Name); other != nil && other != self {
		return c.fail(http.StatusConflict, fmt.Sprintf("a user group named %q already exists", *b.Name)), false
	}
	return reply{}, true
}

func (s *provState) createUserGroup(c *call) reply {
	var b groupBody
	if rep, ok := c.decodeStrict(&b); !ok {
		return rep
	}
	if rep, ok := s.checkGroupName(c, &b, nil); !ok {
		return rep
	}
	now := s.e.now()
	g := &provGroup{id: s.uniqueID(32), name: *b.Name, members: []string{}, created: now, updated: now, seq: s.nextSeq()}
	s.groups = append(s.groups, g)
	return ok(s.groupJSON(g, boolOr(b.ExtendedDetails, false)))
}

func (s *provState) updateUserGroup(c *call) reply {
	g, rep, found := s.groupParam(c)
	if !found {
		return rep
	}
	var b groupBody
	if rep, ok := c.decodeStrict(&b); !ok {
		return rep
	}
	if rep, ok := s.checkGroupName(c, &b, g); !ok {
		return rep
	}
	g.name = *b.Name
	g.updated = s.e.now()
	return ok(s.groupJSON(g, boolOr(b.ExtendedDetails, false)))
}

func (s *provState) deleteUserGroup(c *call) reply {
	g, rep, ok := s.groupParam(c)
	if !ok {
		return rep
	}
	s.removeGroup(g)
	s.e.perm.forgetPrincipal("group", g.id)
	return okMessage()
}

func (s *provState) getUsersInUserGroup(c *call) reply {
	g, rep, ok := s.groupParam(c)
	if !ok {
		return rep
	}
	return ok200(map[string]any{"users": s.members(g)})
}

func (s *provState) addUserToUserGroup(c *call) reply {
	g, rep, found := s.groupParam(c)
	if !found {
		return rep
	}
	u, rep, found := s.userParam(c)
	if !found {
		return rep
	}
	if !s.addMember(g, u.id) {
		return c.fail(http.StatusConflict, fmt.Sprintf("user %q is already a member of user group %q", u.id, g.id))
	}
	g.updated = s.e.now()
	return ok(memberJSON{ID: u.id, Name: u.name, Email: u.email})
}

func (s *provState) removeUserFromUserGroup(c *call) reply {
	g, rep, found := s.groupParam(c)
	if !found {
		return rep
	}
	u, rep, found := s.userParam(c)
	if !found {
		return rep
	}
	if !s.removeMember(g, u.id) {
		return c.fail(http.StatusNotFound, fmt.Sprintf("user %q is not a member of user group %q", u.id, g.id))
	}
	g.updated = s.e.now()
	// The answer is the remaining members.
	return ok(map[string]any{"users": s.members(g)})
}

// ---- billing usage ----

// getBillingUsage answers a plausible, static BillingUsageResponse: one
// "Advanced PAYG" plan with one monthly credit cycle starting on the first
// of the current month. A year other than that cycle's answers [] (no cycle
// began then). include_prodenv_breakdown adds one zero-usage entry per
// product environment.
func (s *provState) getBillingUsage(c *call) reply {
	year, hasYear, valid := c.queryInt("year")
	if !valid {
		return c.fail(http.StatusBadRequest, fmt.Sprintf("invalid year %q: expected an integer", c.query().Get("year")))
	}
	breakdown, _, rep, ok := c.boolParam("include_prodenv_breakdown")
	if !ok {
		return rep
	}
	now := s.e.now()
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if hasYear && year != from.Year() {
		return ok200([]any{})
	}
	cycle := map[string]any{
		"from_day": from.Format(time.DateOnly),
		"to_day":   from.AddDate(0, 1, -1).Format(time.DateOnly),
		"usage":    412.75,
		"breakdown": map[string]float64{
			"storage_image": 120.5, "storage_video": 40.25, "storage_raw": 0,
			"transformations_image": 150, "transformations_video": 20,
			"bandwidth_image": 60, "bandwidth_video": 22, "bandwidth_raw": 0,
			"image_impressions": 0, "video_seconds": 0,
		},
	}
	if breakdown {
		per := []map[string]any{}
		for _, v := range s.envs {
			per = append(per, map[string]any{
				"cloud_name": v.cloudName, "storage_image": 0, "storage_video": 0, "storage_raw": 0,
				"transformations_image": 0, "transformations_video": 0,
				"bandwidth_image": 0, "bandwidth_video": 0, "bandwidth_raw": 0,
				"image_impressions": 0, "video_seconds": 0,
			})
		}
		cycle["product_environment_breakdown"] = per
	}
	return ok200([]any{map[string]any{
		"plan_name": "Advanced PAYG",
		"metric_usage": []any{map[string]any{
			"metric": "credit",
			"limit":  1100,
			"cycles": []any{cycle},
		}},
	}})
}
