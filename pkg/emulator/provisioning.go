package emulator

// The provisioning half: the 26 /v1_1/provisioning/... operations (product
// environments, access keys, users, user groups, memberships, billing usage).
// Handlers live in provisioning_envs.go and provisioning_users.go; seeds in
// provisioning_seed.go, request parsing in provisioning_request.go and the
// creation of ids, secrets, environments and keys in provisioning_create.go.
//
// This is the spec profile. Where Cloudinary's live service answers
// otherwise and we have evidence of it, Options.Profile = ProfileLive answers
// as the live service does instead (live_profile.go has the table).
//
// # PUT semantics
//
// Provisioning PUTs take the strictest reading (NOTES.md P1): every field of
// the body is optional, and a field left out (or sent as null) is reset to its
// default, so a client that sends partial bodies is caught. A field with no
// definable default keeps its value:
//
//	operation                 field              left out of the PUT body
//	updateProductEnvironment  name               kept: required on create, no default
//	                          cloud_name         kept: auto-generated on create; regenerating it is not a default
//	                          custom_attributes  reset to none
//	                          enabled            reset to true (spec: "Default: true")
//	updateAccessKey           name               reset to "" (a key generated without a name has none)
//	                          enabled            reset to true (a generated key is enabled)
//	                          dedicated_for      reset: the key is no longer dedicated to webhooks
//	updateUser                name, email        kept: required on create, no default
//	                          role               reset to DefaultUserRole, the create default
//	                          sub_account_ids    reset to all product environments (spec: "Default: all")
//	                          enabled            reset to true (spec: "Default: true")
//	updateUserGroup           name               required (400): it is the only field ("Update the name")
//
// # Other choices where the spec is silent
//
//   - Bodies are checked strictly: not a JSON object, a wrong JSON type, an
//     unknown field or a field spelled in another case answer 400 naming the
//     field. The spec does not forbid extra fields, but an unknown field is
//     almost always a client typo that the real server would silently ignore.
//     The one exception is "enabled" on createProductEnvironment: the classic
//     SDKs send it although the spec lacks it (P11). It is accepted and
//     IGNORED (the environment starts enabled), the pessimistic reading, so a
//     client must disable with a PUT after creating.
//   - Invalid query parameters answer 400 where the operation lists 400, and
//     404 where it does not (getUsers, getAccessKeys, getUserGroups,
//     getUserGroup): rejecting is stricter than ignoring, and 404 is the only
//     client-error code those operations list besides 401.
//   - cloud_name: lower-case letters, digits, '-' and '_', starting with a
//     letter or digit; unique in the emulator (409).
//   - User email: unique case-insensitively (409); group names: unique
//     case-insensitively (409); access key names: unique within their product
//     environment, case-sensitively as deleteAccessKeyByName matches them (409;
//     unnamed keys may repeat). Adding an existing membership answers 409;
//     removing a missing one 404.
//   - Unknown base_sub_account_id on createProductEnvironment answers 400: the
//     operation lists no 404, and it is a bad field of the request. Unknown
//     sub_account_ids entries on createUser/updateUser answer 404, which both
//     operations list. They are not checked for master_admin, for whom the
//     spec says the field is ignored.
//   - createUser requires name and email (the spec's allOf required list).
//     role defaults to DefaultUserRole. New users are pending (they were sent
//     an invitation); AcceptInvitation makes one active.
//   - The root user (RootUserEmail) cannot be deleted, disabled or given
//     another role: 403, which deleteUser and updateUser list.
//   - sub_account_ids: [] gives access to no product environment; leaving it
//     out (or null) gives access to all, including ones created later.
//   - getUsers: pending=true returns only pending users, pending=false only
//     non-pending ones, no pending returns all (the classic SDKs' reading).
//     Pages are 1-based; the default page is 1 and the default page size
//     UsersDefaultPageSize; page_size above UsersMaxPageSize is silently cut to
//     it, so a short page does not mean the end. The default order is
//     created_at desc (sort_order's documented default). ids/emails ignore
//     every other parameter, paging and sorting included ("other parameters
//     are ignored"); given both, a user matching either is returned.
//     prefix matches the name only, case-insensitively (the spec's wording).
//   - getAccessKeys: without page, every key is returned whatever page_size
//     says ("Default: All pages are returned"); with page and no page_size,
//     pages hold AccessKeysDefaultPageSize keys. Default order created_at desc.
//   - Lists without documented order (product environments, groups, members)
//     come in creation order.
//   - User status is "pending", "disabled" or "active".
//   - Timestamps are ISO-8601 UTC with second precision, like the examples.

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

const (
	// RootUserEmail is the email of the root user a new account starts
	// with (unless Options.Bare).
	RootUserEmail = "owner@example.com"
	// RootUserName is the root user's name.
	RootUserName = "Account Owner"

	// DefaultUserRole is the role createUser gives when the body has none,
	// and updateUser resets to when the body leaves it out. The spec
	// documents no default; the least privileged role is the safe guess.
	DefaultUserRole = "media_library_user"

	// UsersDefaultPageSize is getUsers' page size when page_size is absent.
	UsersDefaultPageSize = 50
	// UsersMaxPageSize is the largest page getUsers returns; a larger
	// page_size is silently cut to it (the spec documents no maximum).
	UsersMaxPageSize = 100

	// AccessKeysDefaultPageSize is getAccessKeys' page size when page is
	// given without page_size.
	AccessKeysDefaultPageSize = 50
	// AccessKeysMaxPage is the largest page getAccessKeys accepts (spec:
	// "maximum pages 100").
	AccessKeysMaxPage = 100

	// maxFilterValues bounds the ids/emails/cloud_names list filters.
	maxFilterValues = 100
)

// userRoles is UserRequest.role's enum.
var userRoles = []string{"master_admin", "admin", "billing", "technical_admin", "reports", "media_library_admin", "media_library_user"}

// provState is the provisioning half of the account. Guarded by Emulator.mu.
// Every list is kept in creation order.
type provState struct {
	e      *Emulator
	issued []string // every access-key secret generated (clock.go)
	seq    int
	envs   []*provEnv
	users  []*provUser
	groups []*provGroup

	// Indexes, so that the handlers of a large account answer in time
	// proportional to their answer, not to the account. Only addUser,
	// deleteUser, addMember, removeMember and deleteGroup change them
	// (with users and group members); checkIndexes verifies them in tests.
	userByID    map[string]*provUser
	userByEmail map[string]*provUser // by lower-case email
	groupCount  map[string]int       // user id → how many groups it belongs to
}

type provEnv struct {
	id, cloudName, name string
	enabled             bool
	customAttributes    map[string]any
	keys                []*provKey
	created, updated    time.Time
	seq                 int
}

type provKey struct {
	name, apiKey, apiSecret string
	enabled                 bool
	root                    bool // the first key of its environment: live_profile.go
	dedicatedFor            string
	created, updated        time.Time
	seq                     int
}

type provUser struct {
	id, name, email, role string
	enabled, pending      bool
	root                  bool
	// allSubAccounts gives access to every product environment, present
	// and future; otherwise subAccounts lists the ids the user may access.
	allSubAccounts   bool
	subAccounts      []string
	created, updated time.Time
	lastLogin        time.Time // zero: never logged in
	seq              int
}

type provGroup struct {
	id, name         string
	members          []string // user ids, in the order they were added
	created, updated time.Time
	seq              int
}

func newProvState(e *Emulator) *provState {
	return &provState{e: e, userByID: map[string]*provUser{}, userByEmail: map[string]*provUser{}, groupCount: map[string]int{}}
}

// addUser adds a new user, last in creation order.
func (s *provState) addUser(u *provUser) {
	s.users = append(s.users, u)
	s.userByID[u.id] = u
	s.userByEmail[strings.ToLower(u.email)] = u
}

// setEmail changes a user's email.
func (s *provState) setEmail(u *provUser, email string) {
	delete(s.userByEmail, strings.ToLower(u.email))
	u.email = email
	s.userByEmail[strings.ToLower(email)] = u
}

// removeUser deletes a user and its group memberships.
func (s *provState) removeUser(u *provUser) {
	now := s.e.now()
	for _, g := range s.groups {
		if s.removeMember(g, u.id) {
			g.updated = now
		}
	}
	s.users = slices.DeleteFunc(s.users, func(x *provUser) bool { return x == u })
	delete(s.userByID, u.id)
	delete(s.userByEmail, strings.ToLower(u.email))
	delete(s.groupCount, u.id)
}

// addMember adds userID to g; false if it already is a member.
func (s *provState) addMember(g *provGroup, userID string) bool {
	if slices.Contains(g.members, userID) {
		return false
	}
	g.members = append(g.members, userID)
	s.groupCount[userID]++
	return true
}

// removeMember removes userID from g; false if it is not a member.
func (s *provState) removeMember(g *provGroup, userID string) bool {
	if !slices.Contains(g.members, userID) {
		return false
	}
	g.members = slices.DeleteFunc(g.members, func(id string) bool { return id == userID })
	if s.groupCount[userID]--; s.groupCount[userID] <= 0 {
		delete(s.groupCount, userID)
	}
	return true
}

// removeGroup deletes a group and its memberships.
func (s *provState) removeGroup(g *provGroup) {
	for _, id := range slices.Clone(g.members) {
		s.removeMember(g, id)
	}
	s.groups = slices.DeleteFunc(s.groups, func(x *provGroup) bool { return x == g })
}

// checkIndexes reports an index that disagrees with the lists (for tests).
func (s *provState) checkIndexes() error {
	if len(s.userByID) != len(s.users) {
		return fmt.Errorf("userByID has %d users, the list %d", len(s.userByID), len(s.users))
	}
	count := map[string]int{}
	if len(s.userByEmail) != len(s.users) {
		return fmt.Errorf("userByEmail has %d users, the list %d", len(s.userByEmail), len(s.users))
	}
	for _, u := range s.users {
		if s.userByID[u.id] != u {
			return fmt.Errorf("userByID[%s] is not the listed user", u.id)
		}
		if s.userByEmail[strings.ToLower(u.email)] != u {
			return fmt.Errorf("userByEmail[%s] is not the listed user", u.email)
		}
	}
	for _, u := range s.users {
		for i, id := range u.subAccounts {
			if s.env(id) == nil || slices.Index(u.subAccounts, id) != i {
				return fmt.Errorf("user %s: sub-account %s missing or repeated", u.id, id)
			}
		}
	}
	for _, g := range s.groups {
		for _, id := range g.members {
			count[id]++
		}
	}
	if !maps.Equal(count, s.groupCount) {
		return fmt.Errorf("groupCount %v, the groups say %v", s.groupCount, count)
	}
	return nil
}

func (s *provState) nextSeq() int { s.seq++; return s.seq }

// env, user, group and key find objects by id; nil when absent.
func (s *provState) env(id string) *provEnv {
	for _, v := range s.envs {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (s *provState) envByCloudName(cloud string) *provEnv {
	for _, v := range s.envs {
		if v.cloudName == cloud {
			return v
		}
	}
	return nil
}

func (s *provState) user(id string) *provUser { return s.userByID[id] }

func (s *provState) userWithEmail(email string) *provUser {
	return s.userByEmail[strings.ToLower(email)]
}

func (s *provState) group(id string) *provGroup {
	for _, g := range s.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}

func (s *provState) groupByName(name string) *provGroup {
	for _, g := range s.groups {
		if strings.EqualFold(g.name, name) {
			return g
		}
	}
	return nil
}

func (v *provEnv) key(apiKey string) *provKey {
	for _, k := range v.keys {
		if k.apiKey == apiKey {
			return k
		}
	}
	return nil
}

func (v *provEnv) keyByName(name string) *provKey {
	for _, k := range v.keys {
		if k.name == name {
			return k
		}
	}
	return nil
}

// hasAccess reports whether u may access product environment envID.
func (u *provUser) hasAccess(envID string) bool {
	return u.allSubAccounts || slices.Contains(u.subAccounts, envID)
}

// Lookups the permissions half uses to check principals and scopes. Must
// hold e.mu.

func (s *provState) userExists(id string) bool       { return s.user(id) != nil }
func (s *provState) groupExists(id string) bool      { return s.group(id) != nil }
func (s *provState) subAccountExists(id string) bool { return s.env(id) != nil }

// accessKeyExists reports whether apiKey is the api_key of an access key of
// any product environment.
func (s *provState) accessKeyExists(apiKey string) bool {
	for _, v := range s.envs {
		if v.key(apiKey) != nil {
			return true
		}
	}
	return false
}

// groupsOfUser returns the ids of the groups userID belongs to, in group
// creation order.
func (s *provState) groupsOfUser(userID string) []string {
	var out []string
	if s.groupCount[userID] == 0 {
		return out
	}
	for _, g := range s.groups {
		if slices.Contains(g.members, userID) {
			out = append(out, g.id)
		}
	}
	return out
}

// userIDByEmail finds a user by email, case-insensitively.
func (s *provState) userIDByEmail(email string) (string, bool) {
	if u := s.userWithEmail(email); u != nil {
		return u.id, true
	}
	return "", false
}

// groupIDByName finds a group by name, case-insensitively (names are unique
// that way).
func (s *provState) groupIDByName(name string) (string, bool) {
	if g := s.groupByName(name); g != nil {
		return g.id, true
	}
	return "", false
}

// subAccountIDByCloudName finds a product environment by cloud_name.
func (s *provState) subAccountIDByCloudName(cloud string) (string, bool) {
	if v := s.envByCloudName(cloud); v != nil {
		return v.id, true
	}
	return "", false
}

// apiKeyByName finds the api_key of the access key named keyName in the
// product environment cloud, for seeds that name apiKey principals by
// (cloud_name, key name).
func (s *provState) apiKeyByName(cloud, keyName string) (string, bool) {
	v := s.envByCloudName(cloud)
	if v == nil {
		return "", false
	}
	if k := v.keyByName(keyName); k != nil {
		return k.apiKey, true
	}
	return "", false
}

// CustomAttributes returns a copy of the custom_attributes last written to
// the product environment cloudName (write-only in the API, NOTES.md P11),
// or nil when it has none or does not exist.
func (e *Emulator) CustomAttributes(cloudName string) map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	v := e.prov.envByCloudName(cloudName)
	if v == nil || v.customAttributes == nil {
		return nil
	}
	return cloneMap(v.customAttributes)
}

// AcceptInvitation makes the pending user with this email active, as if
// they had followed the invitation and logged in (last_login is now).
func (e *Emulator) AcceptInvitation(email string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.prov.userWithEmail(email)
	if u == nil {
		return fmt.Errorf("accept invitation: no user %q", email)
	}
	u.pending = false
	u.lastLogin = e.now()
	e.changed()
	return nil
}

// DedicatedFor returns the dedicated_for of the access key apiKey (write-only
// in the API), or "" when it has none or does not exist.
func (e *Emulator) DedicatedFor(apiKey string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range e.prov.envs {
		if k := v.key(apiKey); k != nil {
			return k.dedicatedFor
		}
	}
	return ""
}

// provisioningHandlers maps the 26 provisioning operationIds to handlers.
func (e *Emulator) provisioningHandlers() map[string]handler {
	s := e.prov
	return map[string]handler{
		"getProductEnvironments":   s.getProductEnvironments,
		"createProductEnvironment": s.createProductEnvironment,
		"getProductEnvironment":    s.getProductEnvironment,
		"updateProductEnvironment": s.updateProductEnvironment,
		"deleteProductEnvironment": s.deleteProductEnvironment,
		"getAccessKeys":            s.getAccessKeys,
		"generateAccessKey":        s.generateAccessKey,
		"deleteAccessKeyByName":    s.deleteAccessKeyByName,
		"updateAccessKey":          s.updateAccessKey,
		"deleteAccessKey":          s.deleteAccessKey,
		"getUsers":                 s.getUsers,
		"createUser":               s.createUser,
		"getUser":                  s.getUser,
		"updateUser":               s.updateUser,
		"deleteUser":               s.deleteUser,
		"getGroupsForUser":         s.getGroupsForUser,
		"getSubAccountsForUser":    s.getSubAccountsForUser,
		"getUserGroups":            s.getUserGroups,
		"createUserGroup":          s.createUserGroup,
		"getUserGroup":             s.getUserGroup,
		"updateUserGroup":          s.updateUserGroup,
		"deleteUserGroup":          s.deleteUserGroup,
		"getUsersInUserGroup":      s.getUsersInUserGroup,
		"addUserToUserGroup":       s.addUserToUserGroup,
		"removeUserFromUserGroup":  s.removeUserFromUserGroup,
		"getBillingUsage":          s.getBillingUsage,
	}
}
