package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/cldsync/cldsync/pkg/client"
)

// The live table's rows (pkg/emulator's LiveRows, docs/live-api.md), in
// its order; TestLiveRowsMatchTheEmulator keeps the two in step. Each is
// checked with reads only, or says why it cannot be.
var liveRowIDs = []string{
	"add-member-answer", "delete-group-answer", "access-key-root", "access-key-dedicated-for",
	"users-prefix-email", "users-ids-filters", "users-last-login-false", "users-status",
	"users-unknown-sub-account", "user-sub-account-ids", "create-unknown-base", "cloud-name-case",
}

// noSuchEnvironment is the sub_account_id the probe asks about to see the
// service's not-found answer.
const noSuchEnvironment = "cldsync-doctor-no-such-environment"

const needsWrite = "needs a write; doctor only reads"

func (p *probe) liveTable(ctx context.Context, users []client.User) {
	checks := map[string]func(context.Context, []client.User) LiveItem{
		"add-member-answer":    func(context.Context, []client.User) LiveItem { return LiveItem{Result: "not checked", Why: needsWrite} },
		"delete-group-answer":  func(context.Context, []client.User) LiveItem { return LiveItem{Result: "not checked", Why: needsWrite} },
		"cloud-name-case":      func(context.Context, []client.User) LiveItem { return LiveItem{Result: "not checked", Why: needsWrite} },
		"create-unknown-base":  func(context.Context, []client.User) LiveItem { return LiveItem{Result: "not checked", Why: needsWrite} },
		"user-sub-account-ids": p.userSubAccountIDs,
		"users-status": func(context.Context, []client.User) LiveItem {
			return LiveItem{Result: "not checked", Why: "status is no parameter of the spec, and cldsync sends only the spec's"}
		},
		"access-key-root":           p.keyRoot,
		"access-key-dedicated-for":  p.keyDedicated,
		"users-prefix-email":        p.prefixEmail,
		"users-ids-filters":         p.idsFilters,
		"users-last-login-false":    p.lastLoginFalse,
		"users-unknown-sub-account": p.unknownSubAccount,
	}
	for _, id := range liveRowIDs {
		it := checks[id](ctx, users)
		it.Row = id
		p.r.Live = append(p.r.Live, it)
	}
}

func (p *probe) keysShape() (Shape, bool) {
	for _, s := range p.r.Shapes {
		if s.Operation == "getAccessKeys" && s.Matches != "not read" && s.Items > 0 {
			return s, true
		}
	}
	return Shape{}, false
}

func (p *probe) keyRoot(context.Context, []client.User) LiveItem {
	s, ok := p.keysShape()
	switch {
	case !ok:
		return LiveItem{Result: "inconclusive", Why: "no access key was read"}
	case slices.Contains(s.LiveFields, "root"):
		return LiveItem{Result: "live", Why: "access keys carry root"}
	}
	return LiveItem{Result: "spec", Why: "access keys carry no root"}
}

func (p *probe) keyDedicated(context.Context, []client.User) LiveItem {
	if _, ok := p.keysShape(); !ok {
		return LiveItem{Result: "inconclusive", Why: "no access key was read"}
	}
	var l struct {
		AccessKeys []map[string]json.RawMessage `json:"access_keys"`
	}
	_ = json.Unmarshal(p.keysBody, &l)
	var kinds []string
	for _, k := range l.AccessKeys {
		if raw, ok := k["dedicated_for"]; ok {
			kinds = append(kinds, jsonKind(raw))
		}
	}
	sort.Strings(kinds)
	kinds = slices.Compact(kinds)
	switch {
	case len(kinds) == 0:
		return LiveItem{Result: "inconclusive", Why: "no key of the first product environment answers dedicated_for: none is dedicated, or the service never says (the spec)"}
	case len(kinds) == 1 && kinds[0] == "array":
		return LiveItem{Result: "live", Why: "dedicated_for comes back as an array"}
	}
	return LiveItem{Result: "neither", Why: "dedicated_for comes back as " + strings.Join(kinds, ", ")}
}

func jsonKind(raw json.RawMessage) string {
	var v any
	_ = json.Unmarshal(raw, &v)
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case nil:
		return "null"
	}
	return "another type"
}

// holds reports whether list holds the user id.
func holds(list []client.User, id string) bool {
	return slices.ContainsFunc(list, func(u client.User) bool { return u.ID == id })
}

func (p *probe) prefixEmail(ctx context.Context, users []client.User) LiveItem {
	i := slices.IndexFunc(users, func(u client.User) bool {
		return u.Email != "" && !strings.HasPrefix(strings.ToLower(u.Name), strings.ToLower(u.Email))
	})
	if i < 0 {
		return LiveItem{Result: "inconclusive", Why: "no user to ask about"}
	}
	got, err := p.c.Users.List(ctx, &client.UserListOptions{Prefix: users[i].Email, PageSize: probePageSize})
	switch {
	case err != nil:
		return LiveItem{Result: "inconclusive", Why: "getUsers?prefix failed: " + message(err)}
	case holds(got, users[i].ID):
		return LiveItem{Result: "live", Why: "prefix=<a user's email> finds the user"}
	}
	return LiveItem{Result: "spec", Why: "prefix=<a user's email> does not find the user: prefix matches names only"}
}

func (p *probe) idsFilters(ctx context.Context, users []client.User) LiveItem {
	if len(users) == 0 {
		return LiveItem{Result: "inconclusive", Why: "no user to ask about"}
	}
	u := users[0]
	got, err := p.c.Users.List(ctx, &client.UserListOptions{IDs: []string{u.ID}, Pending: client.Ptr(!u.Pending)})
	switch {
	case err != nil:
		return LiveItem{Result: "inconclusive", Why: "getUsers?ids&pending failed: " + message(err)}
	case holds(got, u.ID):
		return LiveItem{Result: "spec", Why: "ids=<a user> with the other pending value still returns the user: other filters are ignored"}
	}
	return LiveItem{Result: "live", Why: "ids=<a user> with the other pending value returns no one: the filters apply"}
}

func (p *probe) lastLoginFalse(ctx context.Context, users []client.User) LiveItem {
	i := slices.IndexFunc(users, func(u client.User) bool { return !u.LastLogin.IsZero() })
	if i < 0 {
		return LiveItem{Result: "inconclusive", Why: "no user of the first page has logged in"}
	}
	got, err := p.c.Users.List(ctx, &client.UserListOptions{LastLogin: client.Ptr(false), PageSize: probePageSize})
	switch {
	case err != nil:
		return LiveItem{Result: "inconclusive", Why: "getUsers?last_login=false failed: " + message(err)}
	case holds(got, users[i].ID):
		return LiveItem{Result: "spec", Why: "last_login=false returns a user who logged in: no filter"}
	}
	return LiveItem{Result: "live", Why: "last_login=false leaves out a user who logged in"}
}

func (p *probe) unknownSubAccount(ctx context.Context, _ []client.User) LiveItem {
	_, err := p.c.Users.List(ctx, &client.UserListOptions{SubAccountID: noSuchEnvironment})
	var apiErr *client.APIError
	switch {
	case err == nil:
		return LiveItem{Result: "neither", Why: "an unknown sub_account_id answers 200"}
	case !errors.As(err, &apiErr) || apiErr.StatusCode != 404:
		return LiveItem{Result: "neither", Why: "an unknown sub_account_id answers " + message(err)}
	case apiErr.Message == "Cannot find sub account with id "+noSuchEnvironment:
		return LiveItem{Result: "live", Why: `404 "Cannot find sub account with id <id>"`}
	}
	return LiveItem{Result: "spec", Why: "404 " + quoteMsg(apiErr.Message)}
}

func quoteMsg(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (p *probe) userSubAccountIDs(_ context.Context, users []client.User) LiveItem {
	for _, sh := range p.r.Shapes {
		if sh.Operation == "getUsers" && slices.Contains(sh.LiveFields, "sub_account_ids") {
			return LiveItem{Result: "live", Why: "users carry sub_account_ids"}
		}
	}
	if !slices.ContainsFunc(users, func(u client.User) bool { return !u.AllSubAccounts && u.Role != string(client.RoleMasterAdmin) }) {
		return LiveItem{Result: "inconclusive", Why: "no restricted user on the first page (all-access users leave sub_account_ids out)"}
	}
	return LiveItem{Result: "spec", Why: "restricted users carry no sub_account_ids"}
}
