package doctor

import (
	"context"
	"errors"
	"slices"

	"github.com/cldsync/cldsync/pkg/client"
)

// Assumptions cldsync makes that no source confirms (docs/live-api.md,
// "Assumptions"), and that reads can check. Each id is a heading anchor
// there.
var assumptionIDs = []string{
	"all-access-users-listed", "sub-account-count", "scope-id-is-environment-id", "apikey-principal-is-api-key",
}

// facts is what the probe read that the assumption checks use.
type facts struct {
	envs        []client.ProductEnvironment
	users       []client.User
	permissions bool
	keys        []string // api_keys of the first environment
}

func (p *probe) assumptions(ctx context.Context, f facts) {
	var inspect *client.InspectPage
	var inspectErr error
	if f.permissions && len(f.envs) > 0 {
		inspect, inspectErr = p.c.Principals.Inspect(ctx, client.InspectOptions{ScopeType: client.ScopeProdEnv, ScopeID: f.envs[0].ID})
	}
	checks := map[string]func() LiveItem{
		"all-access-users-listed": func() LiveItem {
			i := slices.IndexFunc(f.users, func(u client.User) bool { return u.AllSubAccounts })
			if i < 0 || len(f.envs) == 0 {
				return LiveItem{Result: "inconclusive", Why: "no all-access user on the first page, or no product environment"}
			}
			got, err := p.c.Users.List(ctx, &client.UserListOptions{SubAccountID: f.envs[0].ID, PageSize: probePageSize})
			switch {
			case err != nil:
				return LiveItem{Result: "inconclusive", Why: "getUsers?sub_account_id failed: " + message(err)}
			case holds(got, f.users[i].ID):
				return LiveItem{Result: "holds", Why: "an all-access user is in the first environment's users listing"}
			case len(got) >= probePageSize:
				return LiveItem{Result: "inconclusive", Why: "the listing fills a page without the user"}
			}
			return LiveItem{Result: "does not hold", Why: "an all-access user is missing from the first environment's users listing: reading access per environment would miss it"}
		},
		"sub-account-count": func() LiveItem {
			i := slices.IndexFunc(f.users, func(u client.User) bool {
				return !u.AllSubAccounts && u.Role != string(client.RoleMasterAdmin)
			})
			if i < 0 {
				return LiveItem{Result: "inconclusive", Why: "no restricted user on the first page"}
			}
			subs, err := p.c.Users.ListSubAccounts(ctx, f.users[i].ID)
			switch {
			case err != nil:
				return LiveItem{Result: "inconclusive", Why: "getSubAccountsForUser failed: " + message(err)}
			case len(subs) == f.users[i].SubAccountCount:
				return LiveItem{Result: "holds", Why: "a restricted user's sub_account_count matches its environments"}
			}
			return LiveItem{Result: "does not hold", Why: "a restricted user's sub_account_count differs from its environments: the read-strategy estimate is off"}
		},
		"scope-id-is-environment-id": func() LiveItem {
			switch {
			case !f.permissions || len(f.envs) == 0:
				return LiveItem{Result: "inconclusive", Why: "the Permissions API does not answer, or no product environment"}
			case inspectErr == nil:
				return LiveItem{Result: "holds", Why: "inspect with scope_id=<a product environment's id> answers"}
			case errors.Is(inspectErr, client.ErrNotFound):
				return LiveItem{Result: "does not hold", Why: "inspect with scope_id=<a product environment's id> answers " + message(inspectErr)}
			}
			return LiveItem{Result: "inconclusive", Why: "inspect failed: " + message(inspectErr)}
		},
		"apikey-principal-is-api-key": func() LiveItem {
			if inspect == nil {
				return LiveItem{Result: "inconclusive", Why: "no inspect answer for the first environment"}
			}
			seen, known := 0, 0
			for _, pr := range inspect.Principals {
				if pr.Type == client.PrincipalAPIKey {
					seen++
					if slices.Contains(f.keys, pr.ID) {
						known++
					}
				}
			}
			switch {
			case seen == 0:
				return LiveItem{Result: "inconclusive", Why: "no API key holds a role in the first environment"}
			case known == seen:
				return LiveItem{Result: "holds", Why: "every apiKey principal's id is an api_key of the environment"}
			}
			return LiveItem{Result: "does not hold", Why: "some apiKey principal ids are no api_key of the environment"}
		},
	}
	for _, id := range assumptionIDs {
		it := checks[id]()
		it.Row = id
		p.r.Assumptions = append(p.r.Assumptions, it)
	}
}
