package emulator

// The provisioning half: the 26 /v1_1/provisioning/... operations (product
// environments, access keys, users, user groups, memberships, billing usage).
// Handlers live in provisioning_envs.go and provisioning_users.go.
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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/mail"
	"reflect"
	"regexp"
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

// ---- creation, shared by handlers and seeds ----

// uniqueID returns a fresh hex id of n characters unused by any object.
func (s *provState) uniqueID(n int) string {
	for {
		id := s.e.newID(n)
		if s.env(id) == nil && s.user(id) == nil && s.group(id) == nil {
			return id
		}
	}
}

// newSecret returns a random api_secret: 27 characters of [A-Za-z0-9].
func (s *provState) newSecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 27)
	for i := range b {
		b[i] = alphabet[s.e.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (s *provState) newAPIKey() string {
	for {
		k := s.e.newDigits(15)
		if !s.accessKeyExists(k) {
			return k
		}
	}
}

// newCloudName returns an unused auto-generated cloud name.
func (s *provState) newCloudName() string {
	for {
		c := "d" + s.e.newID(9)
		if s.envByCloudName(c) == nil {
			return c
		}
	}
}

func (s *provState) addEnv(id, cloud, name string, enabled bool, attrs map[string]any) *provEnv {
	now := s.e.now()
	v := &provEnv{id: id, cloudName: cloud, name: name, enabled: enabled, customAttributes: attrs,
		created: now, updated: now, seq: s.nextSeq()}
	s.envs = append(s.envs, v)
	return v
}

func (s *provState) addKey(v *provEnv, name, apiKey string, enabled bool) *provKey {
	if apiKey == "" {
		apiKey = s.newAPIKey()
	}
	now := s.e.now()
	k := &provKey{name: name, apiKey: apiKey, apiSecret: s.newSecret(), enabled: enabled, root: len(v.keys) == 0,
		created: now, updated: now, seq: s.nextSeq()}
	s.issued = append(s.issued, k.apiSecret) // clock.go: IssuedSecrets
	v.keys = append(v.keys, k)
	return k
}

// ---- seed ----

// ProvisioningSeed is the provisioning part of a Seed. Objects refer to each
// other by natural key; ids are generated unless given.
//
//	environments:
//	  - cloud_name: acme-prod
//	    name: Acme production    # default: the cloud_name
//	    id: 0aaaaa1bbbbb2ccccc3ddddd4eeeee5f  # default: generated
//	    enabled: true            # default true
//	    custom_attributes: {tier: gold}
//	    access_keys:             # omitted: one generated key; []: none
//	      - {name: main, enabled: true, api_key: "123456789012345"}
//	users:
//	  - email: ann@example.com
//	    name: Ann                # default: the email's local part
//	    role: admin              # default DefaultUserRole
//	    enabled: true            # default true
//	    pending: false           # default false: seeded users are established
//	    environments: [acme-prod] # omitted: all environments; []: none
//	groups:
//	  - name: Designers          # unique case-insensitively
//	    members: [ann@example.com]
//
// Seeded ids must be unique; seeded api_keys must be 15 digits.
type ProvisioningSeed struct {
	Environments []SeedEnvironment `yaml:"environments,omitempty" json:"environments,omitempty"`
	Users        []SeedUser        `yaml:"users,omitempty" json:"users,omitempty"`
	Groups       []SeedGroup       `yaml:"groups,omitempty" json:"groups,omitempty"`
}

// SeedEnvironment is a product environment of a seed.
type SeedEnvironment struct {
	CloudName        string          `yaml:"cloud_name" json:"cloud_name"`
	Name             string          `yaml:"name,omitempty" json:"name,omitempty"`
	Enabled          *bool           `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	ID               string          `yaml:"id,omitempty" json:"id,omitempty"`
	CustomAttributes map[string]any  `yaml:"custom_attributes,omitempty" json:"custom_attributes,omitempty"`
	AccessKeys       []SeedAccessKey `yaml:"access_keys" json:"access_keys"`
}

// SeedAccessKey is an access key of a seeded product environment.
type SeedAccessKey struct {
	Name    string `yaml:"name,omitempty" json:"name,omitempty"`
	Enabled *bool  `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	APIKey  string `yaml:"api_key,omitempty" json:"api_key,omitempty"`
	// CreatedAt is the key's creation time; default the emulator's now.
	CreatedAt *time.Time `yaml:"created_at,omitempty" json:"created_at,omitempty"`
}

// SeedUser is a user of a seed.
type SeedUser struct {
	Email        string   `yaml:"email" json:"email"`
	Name         string   `yaml:"name,omitempty" json:"name,omitempty"`
	Role         string   `yaml:"role,omitempty" json:"role,omitempty"`
	Enabled      *bool    `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	Pending      bool     `yaml:"pending,omitempty" json:"pending,omitempty"`
	ID           string   `yaml:"id,omitempty" json:"id,omitempty"`
	Environments []string `yaml:"environments" json:"environments"`
	// CreatedAt is when the user was invited; default the emulator's now.
	CreatedAt *time.Time `yaml:"created_at,omitempty" json:"created_at,omitempty"`
}

// SeedGroup is a user group of a seed, with its members by email.
type SeedGroup struct {
	Name    string   `yaml:"name" json:"name"`
	ID      string   `yaml:"id,omitempty" json:"id,omitempty"`
	Members []string `yaml:"members,omitempty" json:"members,omitempty"`
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// seed adds the seed's objects. It checks what the API would check
// (formats, enums, uniqueness, references) and names the offending object.
// Must hold e.mu. On error the objects seeded before the bad one stay.
func (s *provState) seed(sd ProvisioningSeed) error {
	for i, se := range sd.Environments {
		where := fmt.Sprintf("environment %d (%q)", i, se.CloudName)
		if !cloudNameRE.MatchString(se.CloudName) {
			return fmt.Errorf("%s: cloud_name must be lower-case letters, digits, '-' or '_'", where)
		}
		if s.envByCloudName(se.CloudName) != nil {
			return fmt.Errorf("%s: cloud_name already exists", where)
		}
		id := se.ID
		if id == "" {
			id = s.uniqueID(32)
		} else if s.env(id) != nil {
			return fmt.Errorf("%s: id %q already exists", where, id)
		}
		name := se.Name
		if name == "" {
			name = se.CloudName
		}
		v := s.addEnv(id, se.CloudName, name, boolOr(se.Enabled, true), cloneMap(se.CustomAttributes))
		if se.AccessKeys == nil {
			s.addKey(v, "", "", true)
		}
		for j, sk := range se.AccessKeys {
			if sk.Name != "" && v.keyByName(sk.Name) != nil {
				return fmt.Errorf("%s: access key %d: name %q already exists", where, j, sk.Name)
			}
			if sk.APIKey != "" {
				if !apiKeyRE.MatchString(sk.APIKey) {
					return fmt.Errorf("%s: access key %d: api_key %q is not 15 digits", where, j, sk.APIKey)
				}
				if s.accessKeyExists(sk.APIKey) {
					return fmt.Errorf("%s: access key %d: api_key %q already exists", where, j, sk.APIKey)
				}
			}
			k := s.addKey(v, sk.Name, sk.APIKey, boolOr(sk.Enabled, true))
			if sk.CreatedAt != nil {
				k.created, k.updated = sk.CreatedAt.UTC(), sk.CreatedAt.UTC()
			}
		}
	}
	for i, su := range sd.Users {
		where := fmt.Sprintf("user %d (%q)", i, su.Email)
		if !validEmail(su.Email) {
			return fmt.Errorf("%s: invalid email", where)
		}
		if s.userWithEmail(su.Email) != nil {
			return fmt.Errorf("%s: email already exists", where)
		}
		role := su.Role
		if role == "" {
			role = DefaultUserRole
		}
		if !slices.Contains(userRoles, role) {
			return fmt.Errorf("%s: role %q is not one of %s", where, role, strings.Join(userRoles, ", "))
		}
		id := su.ID
		if id == "" {
			id = s.uniqueID(30)
		} else if s.user(id) != nil {
			return fmt.Errorf("%s: id %q already exists", where, id)
		}
		name := su.Name
		if name == "" {
			name, _, _ = strings.Cut(su.Email, "@")
		}
		now := s.e.now()
		created := now
		if su.CreatedAt != nil {
			created = su.CreatedAt.UTC()
		}
		u := &provUser{id: id, name: name, email: su.Email, role: role, enabled: boolOr(su.Enabled, true),
			pending: su.Pending, created: created, updated: created, seq: s.nextSeq()}
		if !su.Pending {
			u.lastLogin = now
		}
		if su.Environments == nil || role == "master_admin" {
			u.allSubAccounts = true
		} else {
			u.subAccounts = []string{}
			for _, cloud := range su.Environments {
				v := s.envByCloudName(cloud)
				if v == nil {
					return fmt.Errorf("%s: unknown environment %q", where, cloud)
				}
				if !slices.Contains(u.subAccounts, v.id) {
					u.subAccounts = append(u.subAccounts, v.id)
				}
			}
		}
		s.addUser(u)
	}
	for i, sg := range sd.Groups {
		where := fmt.Sprintf("group %d (%q)", i, sg.Name)
		if strings.TrimSpace(sg.Name) == "" {
			return fmt.Errorf("%s: name is required", where)
		}
		if s.groupByName(sg.Name) != nil {
			return fmt.Errorf("%s: name already exists", where)
		}
		id := sg.ID
		if id == "" {
			id = s.uniqueID(32)
		} else if s.group(id) != nil {
			return fmt.Errorf("%s: id %q already exists", where, id)
		}
		now := s.e.now()
		g := &provGroup{id: id, name: sg.Name, members: []string{}, created: now, updated: now, seq: s.nextSeq()}
		for _, email := range sg.Members {
			u := s.userWithEmail(email)
			if u == nil {
				return fmt.Errorf("%s: unknown member %q", where, email)
			}
			if slices.Contains(g.members, u.id) {
				return fmt.Errorf("%s: member %q listed twice", where, email)
			}
			g.members = append(g.members, u.id)
		}
		s.groups = append(s.groups, g)
		for _, id := range g.members {
			s.groupCount[id]++
		}
	}
	return nil
}

// addRootUser adds the enabled root master_admin user a new account has:
// RootUserEmail, active (not pending), with access to everything.
func (s *provState) addRootUser() {
	now := s.e.now()
	s.addUser(&provUser{
		id: s.uniqueID(30), name: RootUserName, email: RootUserEmail, role: "master_admin",
		enabled: true, root: true, allSubAccounts: true,
		created: now, updated: now, lastLogin: now, seq: s.nextSeq(),
	})
}

// ---- request helpers ----

var (
	cloudNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	apiKeyRE    = regexp.MustCompile(`^[1-9][0-9]{14}$`)
)

// validEmail accepts a bare address (no display name) whose domain has a dot.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// cloneMap copies a JSON object shallowly; nil stays nil. (The package has
// its own maps function, which hides the standard package.)
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// invalid answers a bad request: 400 where the operation lists it, else 404
// (see the package comment above).
func (c *call) invalid(format string, args ...any) reply {
	msg := fmt.Sprintf(format, args...)
	if c.op.allows(http.StatusBadRequest) {
		return c.fail(http.StatusBadRequest, msg)
	}
	return c.fail(http.StatusNotFound, msg)
}

// decodeStrict reads the JSON body into v, a pointer to a struct whose
// fields carry json tags. Unlike call.decode it rejects keys that are not
// exactly one of v's tags (encoding/json would match them
// case-insensitively or drop them) and names the field of a type error.
func (c *call) decodeStrict(v any) (reply, bool) {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return c.fail(http.StatusBadRequest, "request body is required"), false
	}
	var raw any
	if err := json.Unmarshal(c.body, &raw); err != nil {
		return c.fail(http.StatusBadRequest, "malformed JSON: "+err.Error()), false
	}
	obj, isObj := raw.(map[string]any)
	if !isObj {
		return c.fail(http.StatusBadRequest, fmt.Sprintf("request body must be a JSON object, not %s", jsonKind(raw))), false
	}
	allowed := jsonTags(v)
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(allowed, k) {
			return c.fail(http.StatusBadRequest, fmt.Sprintf("unknown field %q; expected one of %s", k, strings.Join(allowed, ", "))), false
		}
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return c.fail(http.StatusBadRequest, fmt.Sprintf("field %q must be %s, not %s", field, goKindName(te.Type), te.Value)), false
		}
		return c.fail(http.StatusBadRequest, "malformed JSON: "+err.Error()), false
	}
	return reply{}, true
}

func jsonTags(v any) []string {
	t := reflect.TypeOf(v).Elem()
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

func goKindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// sortOrder parses sort_order: desc (default) or asc. It returns -1 for
// desc, 1 for asc.
func (c *call) sortOrder() (int, reply, bool) {
	switch o := c.query().Get("sort_order"); o {
	case "", "desc":
		return -1, reply{}, true
	case "asc":
		return 1, reply{}, true
	default:
		return 0, c.invalid("invalid sort_order %q: expected desc or asc", o), false
	}
}

// positiveInt parses an optional positive integer query parameter.
func (c *call) positiveInt(name string) (n int, present bool, rep reply, ok bool) {
	n, present, valid := c.queryInt(name)
	if !valid || (present && n < 1) {
		return 0, present, c.invalid("invalid %s %q: expected a positive integer", name, c.query().Get(name)), false
	}
	return n, present, reply{}, true
}

// boolParam parses an optional boolean query parameter.
func (c *call) boolParam(name string) (v, present bool, rep reply, ok bool) {
	v, present, valid := c.queryBool(name)
	if !valid {
		return false, true, c.invalid("invalid %s %q: expected true or false", name, c.query().Get(name)), false
	}
	return v, present, reply{}, true
}

// listParam reads an array query parameter of at most maxFilterValues values.
func (c *call) listParam(name string) ([]string, reply, bool) {
	vs := c.queryList(name)
	if len(vs) > maxFilterValues {
		return nil, c.invalid("%s has %d values; at most %d are allowed", name, len(vs), maxFilterValues), false
	}
	return vs, reply{}, true
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
