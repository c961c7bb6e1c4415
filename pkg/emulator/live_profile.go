package emulator

// The live profile: where Cloudinary's live service answers differently
// from the OpenAPI spec, and we have evidence of it, the emulator can answer
// as the live service does. The evidence is Cloudinary's own hand-written
// SDKs, whose integration tests ran against the live API with real
// provisioning credentials. Every difference is one row of liveRows, with
// its source; the handlers of the live profile are in liveHandlers, keyed
// by operation, and wrap the spec profile's handlers, which stay exactly
// the spec. Options.Profile picks the profile; the zero value is the spec.
//
// Sources (read at these commits; docs/live-api.md has the whole story):
//
//	pycloudinary   test/test_provisioning_api.py      85f4b40 (2026-08), b17110f (2024-01)
//	cloudinary_npm test/integration/api/provisioning/  f75fb55; access_keys_spec.js was re-run
//	               account_spec.js, access_keys_spec.js  by hand against the live API in 82ab7f7
//	                                                  (2025-12, "provisioning api local testing
//	                                                  fixed"), which added root to every key
//	cloudinary_gem spec/account_api_spec.rb           da05bad; lib/cloudinary/account_api.rb
//	CloudinaryDotNet CloudinaryDotNet.IntegrationTests/Provisioning/  37776a4
//	cloudinary_java cloudinary-test-common/.../AbstractAccountApiTest.java  e4f0019
//
// Where the evidence leaves a detail open, the row's Inferred says what the
// emulator does and why.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Profile selects how the emulator answers where the live service and the
// spec differ.
type Profile string

// Profiles.
const (
	// ProfileSpec answers exactly as the OpenAPI spec says (the default).
	ProfileSpec Profile = "spec"
	// ProfileLive answers as the live service does for every row of
	// LiveRows.
	ProfileLive Profile = "live"
)

// Profiles lists the valid profiles.
var Profiles = []Profile{ProfileSpec, ProfileLive}

// ParseProfile returns the named profile; "" is the spec.
func ParseProfile(s string) (Profile, error) {
	switch Profile(s) {
	case "", ProfileSpec:
		return ProfileSpec, nil
	case ProfileLive:
		return ProfileLive, nil
	}
	return "", fmt.Errorf("unknown profile %q: expected spec or live", s)
}

// LiveRow is one way the live service answers differently from the spec.
type LiveRow struct {
	ID         string   // short, stable name, e.g. "add-member-answer"
	Operations []string // the operationIds it concerns
	Spec       string   // what the spec (and the spec profile) does
	Live       string   // what the live service does, per Source
	Source     string   // repository, path, test and what it asserts
	Inferred   string   // what the live profile fills in beyond the evidence, if anything
}

// LiveRows returns the live table, in a stable order.
func LiveRows() []LiveRow { return slices.Clone(liveRows) }

var liveRows = []LiveRow{
	{
		ID: "add-member-answer", Operations: []string{"addUserToUserGroup"},
		Spec: "200 UserGroupUser {id, name, email}: the member added",
		Live: `200 {"users": [...]}: the group's members after the add`,
		Source: "pycloudinary test/test_provisioning_api.py test_add_remove_user_from_group: len(res[\"users\"]) == 1 after adding one user to a new group; " +
			"cloudinary_npm test/integration/api/provisioning/account_spec.js 'Adds and remove a user from a group': res.users.length == 1; " +
			"cloudinary_gem spec/account_api_spec.rb 'should add and remove a user from a group': res[\"users\"].count == 1",
	},
	{
		ID: "delete-group-answer", Operations: []string{"deleteUserGroup"},
		Spec: `200 SuccessResponse {"message": "ok"}`,
		Live: `200 {"ok": true}`,
		Source: "cloudinary_npm account_spec.js after(): expect(delGroupRes.ok).to.eql(true) \"notice the different response structure\" (deleteUser and deleteSubAccount: message == 'ok'); " +
			"pycloudinary test_provisioning_api.py tearDownClass: assert delete_user_group['ok']; " +
			"cloudinary_gem account_api_spec.rb after(:all): del_group_res[\"ok\"] == true",
	},
	{
		ID: "access-key-root", Operations: []string{"getAccessKeys", "generateAccessKey", "updateAccessKey"},
		Spec: "AccessKey {name, api_key, api_secret, created_at, updated_at, enabled}: no root",
		Live: "every key also has root (boolean)",
		Source: "cloudinary_npm test/integration/api/provisioning/access_keys_spec.js 'List access keys', 'Generate new access key', 'Update access key': " +
			"Object.keys(key) == [name, api_key, api_secret, created_at, updated_at, enabled, (dedicated_for,) root] (root added in 82ab7f7 after a run against the live API)",
		Inferred: "root is true for the key generated with the product environment (a new one has exactly one key: cloudinary_gem 'should list access keys' total == 1), false for keys generated later; " +
			"the emulator marks the first key added to an environment that has none",
	},
	{
		ID: "access-key-dedicated-for", Operations: []string{"getAccessKeys", "updateAccessKey"},
		Spec: "dedicated_for is write-only (a string in AccessKeyUpdateRequest), never answered",
		Live: `a dedicated key answers dedicated_for as an array, e.g. ["webhooks"]`,
		Source: "cloudinary_npm access_keys_spec.js 'Update access key': updatedAccessKey.dedicated_for is an array of length 1, [0] == 'webhooks'; " +
			"pycloudinary test_provisioning_api.py test_update_access_key: len(res[\"dedicated_for\"]) == 1 and res[\"dedicated_for\"][0] == \"webhooks\"",
		Inferred: "keys that are not dedicated leave dedicated_for out (generateAccessKey's answer has no such key in the npm test); the list shows it as the update does",
	},
	{
		ID: "users-prefix-email", Operations: []string{"getUsers"},
		Spec: "prefix: the user's name begins with it",
		Live: "prefix: the user's name or email begins with it, case-insensitively",
		Source: "cloudinary_npm lib/provisioning/account.js users(): \"Returns users where the name or email address begins with the specified case-insensitive string\"; " +
			"cloudinary_gem lib/cloudinary/account_api.rb users: \"Search by prefix of the user's name or email. Case-insensitive\" (documentation; the tests only try a name prefix)",
	},
	{
		ID: "users-ids-filters", Operations: []string{"getUsers"},
		Spec: "ids/emails: \"When provided, other parameters are ignored\"",
		Live: "ids: the other filters still apply (pending, last_login, ...)",
		Source: "cloudinary_npm account_spec.js 'Gets non-pending users': users(pending=false, ids=[new user]) has 0 users; " +
			"cloudinary_gem account_api_spec.rb 'should get non-pending users': the same, 0; " +
			"pycloudinary test_provisioning_api.py test_get_non_pending_users (ids + status=active: 0) and test_get_users_by_login (ids + last_login=true, from=to=today: 0)",
		Inferred: "emails behave like ids; paging still does not apply to an ids/emails listing (no evidence either way)",
	},
	{
		ID: "users-last-login-false", Operations: []string{"getUsers"},
		Spec: "last_login=false: no filter",
		Live: "last_login=false: the users who did not log in in the range, users who never logged in included",
		Source: "cloudinary_npm account_spec.js 'Gets users by last login': users(ids=[new user], lastLogin=false) has 1 user; " +
			"cloudinary_gem account_api_spec.rb 'should get user by last login false' (from=to=today): 1; " +
			"pycloudinary test_get_users_by_login: last_login=false, from=to=today: 1",
	},
	{
		ID: "users-status", Operations: []string{"getUsers"},
		Spec: "no status query parameter",
		Live: "status=pending|active|... filters by user status",
		Source: "pycloudinary cloudinary/provisioning/account.py users(status=...) and test_provisioning_api.py at 85f4b40: " +
			"test_get_pending_users (ids + status=pending: 1), test_get_non_pending_users (ids + status=active: 0)",
		Inferred: "the values are the User.status values the emulator gives: pending, active, disabled",
	},
	{
		ID: "users-unknown-sub-account", Operations: []string{"getUsers"},
		Spec: "unknown sub_account_id: 404 (any message)",
		Live: `404 {"error": {"message": "Cannot find sub account with id <id>"}}`,
		Source: "pycloudinary test_get_users_by_nonexistent_sub_account_id: NotFound matching \"Cannot find sub account with id {id}\"; " +
			"cloudinary_npm 'Should throw an error when attempting to get users by a nonexistent sub_account_id': error.message == `Cannot find sub account with id ${id}`; " +
			"cloudinary_gem 'should throw an error when attempting to get users by a nonexistent sub_account_id'",
	},
	{
		ID: "user-sub-account-ids", Operations: []string{"createUser", "updateUser", "getUser", "getUsers"},
		Spec: "User has no sub_account_ids (removed in spec 0.2.0)",
		Live: "a user's answer lists the product environments it may access, sub_account_ids",
		Source: "CloudinaryDotNet CloudinaryDotNet.IntegrationTests/Provisioning/ProvisioningIntegrationTestBase.cs CreateUser: " +
			"createUserResult.SubAccountIds has length 1 and is the environment sent (since 42cde77, 2020-11; written against the API before spec 0.2.0, so it may have changed since)",
		Inferred: "every User answer carries it, for users restricted to a list of environments; all-access users leave it out",
	},
	{
		ID: "create-unknown-base", Operations: []string{"createProductEnvironment"},
		Spec: "unknown base_sub_account_id: an error, message unspecified (the emulator: 400)",
		Live: `the error message says "cannot find sub account"`,
		Source: "cloudinary_java cloudinary-test-common/src/main/java/com/cloudinary/test/AbstractAccountApiTest.java testCreateSubAccount: " +
			"createSubAccount(..., base \"non-existing-id\") fails with a message containing \"cannot find sub account\"",
		Inferred: "the status stays 400 (the test does not say; 400 is listed, 404 is not) and the message is \"cannot find sub account with id <id>\"",
	},
	{
		ID: "cloud-name-case", Operations: []string{"createProductEnvironment", "updateProductEnvironment"},
		Spec: "cloud_name: the emulator takes lower-case letters, digits, '-' and '_' (the spec gives no pattern)",
		Live: "cloud_name is case-insensitive",
		Source: "pycloudinary cloudinary/provisioning/account.py create_sub_account, cloudinary_npm lib/provisioning/account.js create_sub_account, " +
			"cloudinary_gem lib/cloudinary/account_api.rb create_sub_account/update_sub_account: \"A case-insensitive cloud name comprised of alphanumeric and underscore characters\" (documentation)",
		Inferred: "a cloud_name in any case is accepted and stored lower-cased, so names differing only in case collide (409)",
	},
}

// useLiveProfile wraps the handlers of the operations the live table
// concerns. Must be called once, from New.
func (e *Emulator) useLiveProfile() {
	for op, wrap := range liveHandlers {
		e.handlers[op] = wrap(e, e.handlers[op])
	}
}

// liveHandlers wrap the spec profile's handler of an operation (next) into
// the live profile's. Every operation here is in some row of liveRows, and
// every row's operations are here (TestLiveTableCoversHandlers).
var liveHandlers = map[string]func(e *Emulator, next handler) handler{
	"addUserToUserGroup": func(e *Emulator, next handler) handler {
		return func(c *call) reply {
			rep := next(c)
			if rep.status == http.StatusOK {
				rep.body = map[string]any{"users": e.prov.members(e.prov.group(c.param("group_id")))}
			}
			return rep
		}
	},
	"deleteUserGroup": func(_ *Emulator, next handler) handler {
		return func(c *call) reply {
			rep := next(c)
			if rep.status == http.StatusOK {
				rep.body = map[string]bool{"ok": true}
			}
			return rep
		}
	},
	"getAccessKeys":            liveAccessKeys,
	"generateAccessKey":        liveAccessKeys,
	"updateAccessKey":          liveAccessKeys,
	"createProductEnvironment": func(e *Emulator, next handler) handler { return liveBaseMessage(e, liveCloudName(e, next)) },
	"updateProductEnvironment": liveCloudName,
	"createUser":               liveUserAnswers,
	"updateUser":               liveUserAnswers,
	"getUser":                  liveUserAnswers,
	"getUsers":                 func(e *Emulator, _ handler) handler { return liveUserAnswers(e, e.prov.liveGetUsers) },
}

// liveUserJSON is a user as the live service answers it.
type liveUserJSON struct {
	userJSON
	SubAccountIDs []string `json:"sub_account_ids,omitempty"`
}

// liveUserAnswers adds sub_account_ids to every user answered.
func liveUserAnswers(e *Emulator, next handler) handler {
	return func(c *call) reply {
		rep := next(c)
		if rep.status != http.StatusOK {
			return rep
		}
		live := func(j userJSON) liveUserJSON {
			out := liveUserJSON{userJSON: j}
			if u := e.prov.user(j.ID); u != nil && !u.allSubAccounts {
				out.SubAccountIDs = slices.Clone(u.subAccounts)
				if out.SubAccountIDs == nil {
					out.SubAccountIDs = []string{}
				}
			}
			return out
		}
		rep.body = mapAnswer(rep.body, "users", live)
		return rep
	}
}

// liveBaseMessage words the error for an unknown base_sub_account_id as
// the live service does.
func liveBaseMessage(_ *Emulator, next handler) handler {
	return func(c *call) reply {
		rep := next(c)
		if pe, ok := rep.body.(provisioningError); ok && rep.status == http.StatusBadRequest && strings.HasPrefix(pe.Error.Message, "base_sub_account_id ") {
			var body struct {
				Base string `json:"base_sub_account_id"`
			}
			_ = json.Unmarshal(c.body, &body)
			rep.body = provisioningError{Error: errorMessage{Message: "cannot find sub account with id " + body.Base}}
		}
		return rep
	}
}

// liveKeyJSON is an access key as the live service answers it.
type liveKeyJSON struct {
	accessKeyJSON
	DedicatedFor []string `json:"dedicated_for,omitempty"`
	Root         bool     `json:"root"`
}

// liveAccessKeys adds root and dedicated_for to every access key answered.
func liveAccessKeys(e *Emulator, next handler) handler {
	return func(c *call) reply {
		rep := next(c)
		if rep.status != http.StatusOK {
			return rep
		}
		v := e.prov.env(c.param("sub_account_id"))
		live := func(j accessKeyJSON) liveKeyJSON {
			out := liveKeyJSON{accessKeyJSON: j}
			if k := v.key(j.APIKey); k != nil {
				out.Root = k.root
				if k.dedicatedFor != "" {
					out.DedicatedFor = []string{k.dedicatedFor}
				}
			}
			return out
		}
		rep.body = mapAnswer(rep.body, "access_keys", live)
		return rep
	}
}

// mapAnswer applies f to an answer that is one T, or to each T of an
// answer {key: []T}; other answers are returned as they are.
func mapAnswer[T, U any](body any, key string, f func(T) U) any {
	switch b := body.(type) {
	case T:
		return f(b)
	case map[string]any:
		if items, ok := b[key].([]T); ok {
			out := make([]U, len(items))
			for i, it := range items {
				out[i] = f(it)
			}
			b[key] = out
		}
	}
	return body
}

// liveCloudName lower-cases a requested cloud_name before the spec
// profile's checks see it.
func liveCloudName(_ *Emulator, next handler) handler {
	return func(c *call) reply {
		var body map[string]any
		d := json.NewDecoder(bytes.NewReader(c.body))
		d.UseNumber()
		if d.Decode(&body) == nil {
			if cloud, ok := body["cloud_name"].(string); ok && cloud != strings.ToLower(cloud) {
				body["cloud_name"] = strings.ToLower(cloud)
				if raw, err := json.Marshal(body); err == nil {
					c.body = raw
				}
			}
		}
		return next(c)
	}
}

// liveGetUsers is getUsers as the live service answers it: ids and emails
// narrow the other filters instead of replacing them, prefix matches the
// email too, last_login=false selects users who did not log in in the
// range, status filters, and an unknown sub_account_id has the live
// message.
func (s *provState) liveGetUsers(c *call) reply {
	ids, emails, rep, ok := usersNarrowing(c)
	if !ok {
		return rep
	}
	pending, hasPending, rep, ok := c.boolParam("pending")
	if !ok {
		return rep
	}
	var env *provEnv
	if id := c.query().Get("sub_account_id"); id != "" {
		if env = s.env(id); env == nil {
			return c.fail(http.StatusNotFound, "Cannot find sub account with id "+id)
		}
	}
	login, hasLogin, rep, ok := c.boolParam("last_login")
	if !ok {
		return rep
	}
	inRange, rep, ok := loginRange(c)
	if !ok {
		return rep
	}
	pg, rep, ok := usersPaging(c)
	if !ok {
		return rep
	}
	prefix := strings.ToLower(c.query().Get("prefix"))
	status := c.query().Get("status")
	narrowed := len(ids) > 0 || len(emails) > 0
	keep := func(u *provUser) bool {
		switch {
		case narrowed && !slices.Contains(ids, u.id) && !slices.ContainsFunc(emails, func(e string) bool { return strings.EqualFold(e, u.email) }):
		case hasPending && u.pending != pending:
		case status != "" && u.status() != status:
		case env != nil && !u.hasAccess(env.id):
		case prefix != "" && !strings.HasPrefix(strings.ToLower(u.name), prefix) && !strings.HasPrefix(strings.ToLower(u.email), prefix):
		case hasLogin && inRange(u) != login:
		default:
			return true
		}
		return false
	}
	hits := cachedList(s.e, c.listKey("page"), func() []*provUser {
		return s.filterUsers(false, false, nil, "", keep, pg.sortBy, pg.dir)
	})
	if !narrowed {
		hits = pageOf(hits, pg.page, pg.size)
	}
	return ok200(s.usersBody(hits))
}
