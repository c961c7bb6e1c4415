package apply

// Applying the permissions half: custom roles, custom policies and role
// assignments.
//
//   - Assignment changes are sent in batches: one updateRolePrincipals
//     request per role, operation and set of dependencies. Changes with the
//     same dependencies become ready together, so the first of a batch to
//     run sends the whole batch (every member's dependencies are done by
//     then) and the others share its outcome; nothing waits on a barrier,
//     and a failed dependency skips only the batch that depends on it.
//     After the first Ctrl-C, runDAG reports the members not yet started
//     as skipped; settle gives them the outcome of the request that
//     already carried them.
//   - ${kind:name} references in statements are resolved here, from the
//     live ids and the ids of objects created earlier in the same run.
//   - A replace deletes and then creates; a role's delete uses force=true
//     when the plan says so (RoleValue.Force).
//   - A retried request can meet its own first attempt: a policy update
//     answered 409 after a retry is checked by reading the policy back, and
//     counts as done when the policy holds what was sent; a delete answered
//     404 after a retry is done. Role and policy creates whose answer was
//     lost are looked up before they are sent again (adopt.go).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cldsync/cldsync/pkg/client"
	"github.com/cldsync/cldsync/pkg/planner"
	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state"
)

// permState is the executor's permissions state.
type permState struct {
	apiKeys map[string]string // "cloud_name/name" → key value
	// batches holds each batch under its key and under each member's
	// batchID.
	batches map[string]*batch
}

// batch is the assignment changes sent in one request.
type batch struct {
	role    string
	op      client.Operation
	members []planner.AssignmentValue
	once    sync.Once
	err     error
	// sent is set, after err, once the request was made (or failed to
	// be): every member's outcome is err's from then on.
	sent atomic.Bool
}

// preparePermissions indexes the live API keys and groups the plan's
// assignment changes into batches.
func (x *executor) preparePermissions(plan *planner.Plan, live *state.Account) {
	x.perm = permState{apiKeys: map[string]string{}, batches: map[string]*batch{}}
	if live != nil && live.Permissions != nil {
		for _, k := range live.Permissions.APIKeys {
			x.perm.apiKeys[k.Environment+"/"+k.Name] = k.Key
		}
	}
	for i := range plan.Changes {
		ch := &plan.Changes[i]
		if ch.Ref.Kind != spec.KindAssignment {
			continue
		}
		v, op := assignmentOf(*ch)
		deps := make([]string, len(ch.DependsOn))
		for j, d := range ch.DependsOn {
			deps[j] = d.String()
		}
		slices.Sort(deps)
		key := strings.Join(append([]string{v.Role, string(op)}, deps...), "\x00")
		b := x.perm.batches[key]
		if b == nil {
			b = &batch{role: v.Role, op: op}
			x.perm.batches[key] = b
		}
		b.members = append(b.members, v)
		x.perm.batches[batchID(*ch)] = b
	}
}

// batchID finds a change's batch again at run time (changes are copied).
func batchID(ch planner.Change) string {
	return "change\x00" + ch.Action.String() + "\x00" + ch.Ref.Name
}

func assignmentOf(ch planner.Change) (planner.AssignmentValue, client.Operation) {
	if ch.Action == planner.Delete {
		v, _ := ch.Before.(planner.AssignmentValue)
		return v, client.OperationRemove
	}
	v, _ := ch.After.(planner.AssignmentValue)
	return v, client.OperationAdd
}

// runPermissions applies a change of the permissions half; ok is false for
// other kinds.
func (x *executor) runPermissions(ctx context.Context, ch planner.Change) (ok bool, err error) {
	switch ch.Ref.Kind {
	case spec.KindRole:
		return true, x.role(ctx, ch)
	case spec.KindPolicy:
		return true, x.policy(ctx, ch)
	case spec.KindAssignment:
		b := x.perm.batches[batchID(ch)]
		if b == nil {
			return true, fmt.Errorf("%w: assignment %s", errUnknownChange, ch.Ref.Name)
		}
		b.once.Do(func() {
			b.err = x.sendBatch(ctx, b)
			b.sent.Store(true)
		})
		return true, b.err
	}
	return false, nil
}

// settle corrects the entry of an assignment change that runDAG skipped
// although its batch was sent: the first member to run sends every
// member, so when apply is interrupted before the others start, the
// server has applied them (or refused them) all the same. A skipped
// member's batch can only have been sent that way: its members share their
// dependencies, so none was skipped for a failed one.
func (x *executor) settle(e Entry) Entry {
	if e.Outcome != Skipped || e.Change.Ref.Kind != spec.KindAssignment {
		return e
	}
	b := x.perm.batches[batchID(e.Change)]
	if b == nil || !b.sent.Load() {
		return e
	}
	e.Outcome, e.Err, e.Reason = Applied, nil, ""
	if b.err != nil {
		e.Outcome, e.Err = Failed, b.err // as the member that sent it
	}
	return e
}

func (x *executor) role(ctx context.Context, ch planner.Change) error {
	before, _ := ch.Before.(planner.RoleValue)
	after, _ := ch.After.(planner.RoleValue)
	switch ch.Action {
	case planner.Create:
		return x.createRole(ctx, after)
	case planner.Update:
		return idempotent(ctx, func(ctx context.Context) error {
			got, err := x.c.Roles.Update(ctx, after.ID, client.UpdateRoleRequest{
				Name: after.Name, Description: optional(after.Description), SystemPolicyIDs: nonNilIDs(after.SystemPolicies),
			})
			x.postcheck(after.Ref(), checkRole(after, false, got)) // postcheck.go
			return err
		})
	case planner.Delete:
		return x.deleteRole(ctx, before)
	case planner.Replace:
		if err := x.deleteRole(ctx, before); err != nil {
			return fmt.Errorf("delete before creating again: %w", err)
		}
		return x.createRole(ctx, after)
	}
	return errUnknownChange
}

func (x *executor) createRole(ctx context.Context, v planner.RoleValue) error {
	got, err := createOnce(ctx, func(ctx context.Context) (*client.Role, error) {
		return x.c.Roles.Create(ctx, client.CreateRoleRequest{
			ID: v.ID, PermissionType: client.PermissionType(v.PermissionType), ScopeType: client.ScopeType(v.ScopeType),
			Name: v.Name, Description: optional(v.Description), SystemPolicyIDs: nonNilIDs(v.SystemPolicies),
		})
	}, x.findRole(v.ID)) // adopt.go
	x.postcheck(v.Ref(), checkRole(v, true, got)) // postcheck.go
	return err
}

func (x *executor) deleteRole(ctx context.Context, v planner.RoleValue) error {
	return deleteOnce(ctx, func(ctx context.Context) error {
		return x.c.Roles.Delete(ctx, v.ID, &client.RoleDeleteOptions{Force: v.Force})
	}, x.roleExists(v.ID))
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nonNilIDs sends an empty list as [] (clearing the role's policies), not
// as nothing.
func nonNilIDs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

func (x *executor) policy(ctx context.Context, ch planner.Change) error {
	before, _ := ch.Before.(planner.PolicyValue)
	after, _ := ch.After.(planner.PolicyValue)
	switch ch.Action {
	case planner.Create:
		return x.createPolicy(ctx, after)
	case planner.Update:
		return x.updatePolicy(ctx, before.ID, after)
	case planner.Delete:
		return x.deletePolicy(ctx, before.ID)
	case planner.Replace:
		if err := x.deletePolicy(ctx, before.ID); err != nil {
			return fmt.Errorf("delete before creating again: %w", err)
		}
		return x.createPolicy(ctx, after)
	}
	return errUnknownChange
}

// policyBody resolves what a policy create or update sends.
func (x *executor) policyBody(v planner.PolicyValue) (statement string, scope client.ScopeType, scopeID string, err error) {
	statement, err = spec.ResolveCedar(v.Statement, x.refID)
	if err != nil {
		return "", "", "", fmt.Errorf("resolve the statement: %w", err)
	}
	switch v.Scope {
	case spec.ScopeAccount:
		return statement, client.ScopeAccount, "", nil
	case spec.ScopeAll:
		return statement, client.ScopeProdEnv, spec.ScopeAll, nil
	}
	scopeID, err = x.ids.idOr(v.ScopeID, spec.KindEnvironment, v.Scope)
	return statement, client.ScopeProdEnv, scopeID, err
}

func (x *executor) deletePolicy(ctx context.Context, id string) error {
	return deleteOnce(ctx, func(ctx context.Context) error { return x.c.CustomPolicies.Delete(ctx, id) }, x.policyExists(id))
}

func (x *executor) createPolicy(ctx context.Context, v planner.PolicyValue) error {
	stmt, scope, scopeID, err := x.policyBody(v)
	if err != nil {
		return err
	}
	got, err := createOnce(ctx, func(ctx context.Context) (*client.CustomPolicy, error) {
		return x.c.CustomPolicies.Create(ctx, client.CreateCustomPolicyRequest{
			Name: v.Name, PolicyStatement: stmt, ScopeType: scope, ScopeID: scopeID,
			Description: optional(v.Description), Enabled: &v.Enabled,
		})
	}, x.findPolicy(scope, scopeID, stmt, v.Name)) // adopt.go
	x.postcheck(v.Ref(), checkPolicy(sentPolicy{v, stmt, scope, scopeID}, got)) // postcheck.go
	return err
}

func (x *executor) updatePolicy(ctx context.Context, id string, v planner.PolicyValue) error {
	stmt, scope, scopeID, err := x.policyBody(v)
	if err != nil {
		return err
	}
	body := client.UpdateCustomPolicyRequest{
		Name: v.Name, PolicyStatement: stmt, ScopeType: scope,
		Description: optional(v.Description), Enabled: v.Enabled,
	}
	if scopeID != "" {
		body.ScopeID = &scopeID
	}
	uncertain := false // an earlier attempt's outcome is unknown
	for attempt := 1; ; attempt++ {
		var got *client.CustomPolicy
		got, err = x.c.CustomPolicies.Update(ctx, id, body)
		x.postcheck(v.Ref(), checkPolicy(sentPolicy{v, stmt, scope, scopeID}, got)) // postcheck.go
		var apiErr *client.APIError
		if errors.Is(err, client.ErrConflict) && (uncertain || (errors.As(err, &apiErr) && apiErr.Attempts > 1)) {
			break // read back, below
		}
		if err == nil || !outcomeUnknown(err) || attempt >= maxAttempts || ctx.Err() != nil {
			return err
		}
		uncertain = true
	}
	// 409 to a retry: an identical statement is what the first attempt
	// leaves behind (NOTES.md P2). It counts as done if the policy now
	// holds what was sent.
	got, gerr := x.c.CustomPolicies.Get(ctx, id)
	if gerr != nil {
		return fmt.Errorf("%w (and reading it back: %v)", err, gerr)
	}
	if spec.CanonicalCedar(got.PolicyStatement) == spec.CanonicalCedar(stmt) && got.Name == v.Name &&
		got.Description == v.Description && got.Enabled == v.Enabled {
		return nil
	}
	return err
}

// refID resolves one ${kind:name} reference at apply time.
func (x *executor) refID(r spec.CedarRef) (string, error) {
	switch r.Kind {
	case spec.RefUser:
		return x.ids.get(spec.KindUser, r.Name)
	case spec.RefGroup:
		return x.ids.get(spec.KindGroup, r.Name)
	case spec.RefEnvironment:
		return x.ids.get(spec.KindEnvironment, r.Name)
	case spec.RefAPIKey:
		if k, ok := x.apiKey(r.Name); ok { // access_keys.go
			return k, nil
		}
		return "", fmt.Errorf("no API key %s", r.Name)
	}
	return "", fmt.Errorf("unknown reference %s", r)
}

// principalID resolves an assignment's principal.
func (x *executor) principalID(v planner.AssignmentValue) (string, error) {
	if v.PrincipalID != "" {
		return v.PrincipalID, nil
	}
	switch v.PrincipalType {
	case string(client.PrincipalUser):
		return x.ids.get(spec.KindUser, v.Principal)
	case string(client.PrincipalGroup):
		return x.ids.get(spec.KindGroup, v.Principal)
	case string(client.PrincipalAPIKey):
		if k, ok := x.apiKey(v.Principal); ok { // access_keys.go
			return k, nil
		}
	}
	return "", fmt.Errorf("no id known for principal %s:%s", v.PrincipalType, v.Principal)
}

// sendBatch adds or removes a batch's assignments in one request.
func (x *executor) sendBatch(ctx context.Context, b *batch) error {
	body := client.UpdateRolePrincipalsRequest{Operation: b.op}
	for _, v := range b.members {
		pid, err := x.principalID(v)
		if err != nil {
			return err
		}
		pc := client.RolePrincipalChange{PrincipalType: client.PrincipalType(v.PrincipalType), PrincipalID: pid}
		switch v.Scope {
		case spec.ScopeAccount:
		case spec.ScopeAll:
			pc.ScopeID = spec.ScopeAll
		default:
			if pc.ScopeID, err = x.ids.idOr(v.ScopeID, spec.KindEnvironment, v.Scope); err != nil {
				return err
			}
		}
		switch {
		case v.FolderID != "":
			pc.PolicyParameters = client.PolicyParameters{"folder_id": v.FolderID}
		case v.CollectionID != "":
			pc.PolicyParameters = client.PolicyParameters{"collection_id": v.CollectionID}
		}
		body.Principals = append(body.Principals, pc)
	}
	// Adding or removing a set is idempotent: sent again after an unknown
	// outcome.
	return idempotent(ctx, func(ctx context.Context) error { return x.c.Roles.UpdatePrincipals(ctx, b.role, body) })
}
