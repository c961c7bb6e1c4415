package apply

// Natural-key recovery. The client retries a create only when the server
// certainly did not act (420/429, a failed dial), because a create retried
// after a lost answer makes a duplicate. So a create can fail with an
// unknown outcome: a 5xx, a connection dropped before the answer, a
// timeout. Apply then looks the object up by its natural key (users by
// email, groups by name, environments by cloud_name, a membership in its
// group's members, custom roles by id, custom policies by scope and
// statement or name) before deciding anything:
//
//   - found: the create did happen; its id is learned and the change is
//     applied, exactly as if the answer had arrived;
//   - not found: the create did not happen, and it is sent again, up to
//     maxAttempts times in all.
//
// A 409 conflict on such a retry means an earlier attempt landed after the
// lookup (a slow request the server finished after the client gave up), so
// it too is resolved by looking up. A 409 on the first attempt is not: the
// object existed before this run, the plan is stale, and the change fails.
//
// Updates (full-body PUTs) and role assignment batches (add or remove a
// set) are idempotent and are simply sent again after an unknown outcome;
// a policy update whose retry answers 409 is read back (permissions.go).
// Deletes after an unknown outcome are checked by id, and a 404 on a
// retried delete means an earlier attempt acted.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/spec"
)

// maxAttempts bounds apply's own attempts at one write after unknown
// outcomes (the client's retries happen inside each).
const maxAttempts = 3

// outcomeUnknown reports whether the server may have acted on a request
// that failed with err: a 5xx answer, or no answer at all.
func outcomeUnknown(err error) bool {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500
	}
	return !errors.Is(err, client.ErrInvalidID)
}

// createOnce sends a create, and after an unknown outcome finds the object
// by natural key before sending it again. find returns the object and
// whether it exists.
func createOnce[T any](ctx context.Context, create func(context.Context) (T, error), find func(context.Context) (T, bool, error)) (T, error) {
	var zero T
	uncertain := false
	for attempt := 1; ; attempt++ {
		v, err := create(ctx)
		if err == nil {
			return v, nil
		}
		conflict := errors.Is(err, client.ErrConflict)
		if (conflict && !uncertain) || (!conflict && !outcomeUnknown(err)) || ctx.Err() != nil {
			return zero, err
		}
		found, ok, ferr := find(ctx)
		switch {
		case ferr != nil:
			return zero, fmt.Errorf("%w (outcome unknown: looking it up failed: %v)", err, ferr)
		case ok:
			return found, nil
		case conflict || attempt >= maxAttempts:
			return zero, err
		}
		uncertain = true
	}
}

// idempotent sends an idempotent write (a full-body PUT) again after an
// unknown outcome.
func idempotent(ctx context.Context, write func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		err := write(ctx)
		if err == nil || !outcomeUnknown(err) || attempt >= maxAttempts || ctx.Err() != nil {
			return err
		}
	}
}

// deleteOnce sends a delete, and after an unknown outcome checks whether
// the object is gone before sending it again. A 404 on an attempt after an
// unknown outcome, or on the client's own retry, means an earlier attempt
// deleted it.
func deleteOnce(ctx context.Context, del func(context.Context) error, exists func(context.Context) (bool, error)) error {
	uncertain := false
	for attempt := 1; ; attempt++ {
		err := del(ctx)
		if err == nil {
			return nil
		}
		var apiErr *client.APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == 404 && (uncertain || apiErr.Attempts > 1) {
			return nil
		}
		if !outcomeUnknown(err) || ctx.Err() != nil {
			return err
		}
		still, ferr := exists(ctx)
		switch {
		case ferr != nil:
			return fmt.Errorf("%w (outcome unknown: checking failed: %v)", err, ferr)
		case !still:
			return nil
		case attempt >= maxAttempts:
			return err
		}
		uncertain = true
	}
}

// The natural-key lookups.

func (x *executor) findEnvironment(cloudName string) func(context.Context) (*client.ProductEnvironment, bool, error) {
	return func(ctx context.Context) (*client.ProductEnvironment, bool, error) {
		envs, err := x.c.ProductEnvironments.ListByCloudNames(ctx, []string{cloudName})
		if err != nil {
			return nil, false, err
		}
		for i := range envs {
			if envs[i].CloudName == cloudName {
				return &envs[i], true, nil
			}
		}
		return nil, false, nil
	}
}

func (x *executor) findUser(email string) func(context.Context) (*client.User, bool, error) {
	return func(ctx context.Context) (*client.User, bool, error) {
		users, err := x.c.Users.ListByEmails(ctx, []string{email})
		if err != nil {
			return nil, false, err
		}
		for i := range users {
			if strings.EqualFold(users[i].Email, email) {
				return &users[i], true, nil
			}
		}
		return nil, false, nil
	}
}

func (x *executor) findGroup(name string) func(context.Context) (*client.UserGroup, bool, error) {
	return func(ctx context.Context) (*client.UserGroup, bool, error) {
		groups, err := x.c.UserGroups.List(ctx, nil)
		if err != nil {
			return nil, false, err
		}
		for i := range groups {
			if groups[i].Name == name {
				return &groups[i], true, nil
			}
		}
		return nil, false, nil
	}
}

func (x *executor) isMember(groupID, userID string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		members, err := x.c.UserGroups.ListUsers(ctx, groupID)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(members, func(m client.UserGroupUser) bool { return m.ID == userID }), nil
	}
}

// findMemberAnswer adapts isMember to createOnce: it finds a membership
// whose add may have landed. A member found this way has no answer to
// check, so it is nil.
func (x *executor) findMemberAnswer(groupID, userID string) func(context.Context) (*client.AddUserAnswer, bool, error) {
	return func(ctx context.Context) (*client.AddUserAnswer, bool, error) {
		ok, err := x.isMember(groupID, userID)(ctx)
		return nil, ok, err
	}
}

func (x *executor) environmentExists(id string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		envs, err := x.c.ProductEnvironments.ListByIDs(ctx, []string{id})
		return len(envs) > 0, err
	}
}

func (x *executor) userExists(id string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		users, err := x.c.Users.ListByIDs(ctx, []string{id})
		return len(users) > 0, err
	}
}

func (x *executor) groupExists(id string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := x.c.UserGroups.Get(ctx, id, nil)
		if errors.Is(err, client.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
}

// The permissions half's lookups. A custom role's natural key is its id,
// which cldsync chooses; a custom policy has none the API enforces, so a
// lost create is recognised by its scope and statement (compared in
// canonical form, as the API refuses two identical statements in a scope)
// or, failing that, by its scope and name, which the plan made unique.

func (x *executor) findRole(id string) func(context.Context) (*client.Role, bool, error) {
	return func(ctx context.Context) (*client.Role, bool, error) {
		r, err := x.c.Roles.Get(ctx, id, nil)
		if errors.Is(err, client.ErrNotFound) {
			return nil, false, nil
		}
		return r, err == nil, err
	}
}

func (x *executor) roleExists(id string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, ok, err := x.findRole(id)(ctx)
		return ok, err
	}
}

// findPolicy finds a policy of the scope (scope type and id as sent) that
// holds statement or is called name.
func (x *executor) findPolicy(scope client.ScopeType, scopeID, statement, name string) func(context.Context) (*client.CustomPolicy, bool, error) {
	return func(ctx context.Context) (*client.CustomPolicy, bool, error) {
		opts := client.CustomPolicyListOptions{ScopeType: scope, ScopeID: scopeID}
		if scopeID == spec.ScopeAll {
			// Listings take an environment, and show the policies scoped
			// "all" in each one.
			env, ok := x.ids.anyEnvironment()
			if !ok {
				return nil, false, errors.New("no product environment to list the policies scoped all in")
			}
			opts.ScopeID = env
		}
		want := spec.CanonicalCedar(statement)
		var byName *client.CustomPolicy
		for p, err := range x.c.CustomPolicies.ListIter(ctx, &opts) {
			if err != nil {
				return nil, false, err
			}
			if p.ScopeType != scope || (scope == client.ScopeProdEnv && p.ScopeID != scopeID) {
				continue
			}
			if spec.CanonicalCedar(p.PolicyStatement) == want {
				return &p, true, nil
			}
			if p.Name == name && byName == nil {
				byName = &p
			}
		}
		return byName, byName != nil, nil
	}
}

func (x *executor) policyExists(id string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := x.c.CustomPolicies.Get(ctx, id)
		if errors.Is(err, client.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
}

// anyEnvironment returns the id of some product environment known to the
// run, the same one each time.
func (m *ids) anyEnvironment() (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	best := ""
	for cloud := range m.envs {
		if m.envs[cloud] != "" && (best == "" || cloud < best) {
			best = cloud
		}
	}
	return m.envs[best], best != ""
}
