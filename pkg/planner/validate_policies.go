package planner

import (
	"context"
	"fmt"
	"slices"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

// CedarValidator asks the service whether a Cedar statement is valid
// (POST public/validate, a read) and returns its messages: none when the
// statement is valid.
type CedarValidator func(ctx context.Context, statement string) ([]string, error)

// ValidatePolicies asks the service, through validate, about the statement
// of every policy the plan creates or whose statement it changes: the
// service is the judge of what Cedar it accepts, and its schema knows more
// than the offline parse of `cldsync validate`. It is the one planner step
// that talks to the API, and only through that read-only callback.
//
// A rejected statement's change leaves the plan (and the effective-access
// diff, which is computed again) and becomes a PlanError whose message
// starts with the statement's YAML position (the line the service names,
// when it names one). References are resolved to the live
// ids where they exist and to a placeholder otherwise.
func ValidatePolicies(ctx context.Context, p *Plan, cfg *spec.Config, live *model.Account, validate CedarValidator) error {
	policies := map[string]*spec.Policy{}
	for i := range cfg.Policies {
		policies[cfg.Policies[i].Key()] = &cfg.Policies[i]
	}
	ids := liveIDs(live)
	kept := p.Changes[:0]
	var failed []PlanError
	for _, c := range p.Changes {
		dp := policies[c.Ref.Name]
		if c.Ref.Kind != spec.KindPolicy || dp == nil || !newStatement(c) {
			kept = append(kept, c)
			continue
		}
		stmt, _ := spec.ResolveCedar(dp.Statement, func(r spec.CedarRef) (string, error) {
			if id, ok := ids[r.Kind+":"+r.Name]; ok {
				return id, nil
			}
			return "pending", nil
		})
		msgs, err := validate(ctx, stmt)
		if err != nil {
			return fmt.Errorf("validate the statement of policy %s: %w", c.Ref.Name, err)
		}
		if len(msgs) == 0 {
			kept = append(kept, c)
			continue
		}
		for _, m := range msgs {
			at := dp.StatementPos
			if line, col, rest, ok := spec.CedarErrorPos(m); ok {
				at, m = dp.PosAt(line, col), rest
			}
			failed = append(failed, PlanError{Ref: c.Ref, Message: fmt.Sprintf("%s: the API rejects the statement: %s", at, m)})
		}
	}
	p.Changes = kept
	if len(failed) > 0 && len(p.Access) > 0 {
		// The access diff must not promise what a refused change does. An
		// empty diff stays empty: it was not asked for (--no-access-diff),
		// or the refused changes added nothing to it.
		p.Access = Access(cfg, live, p)
	}
	p.Errors = append(p.Errors, failed...)
	slices.SortStableFunc(p.Errors, func(a, b PlanError) int { return compareRefs(a.Ref, b.Ref) })
	return nil
}

// newStatement reports whether a policy change sends a statement the
// account does not hold yet.
func newStatement(c Change) bool {
	switch c.Action {
	case Create:
		return true
	case Update, Replace:
		return slices.ContainsFunc(c.Fields, func(f FieldDiff) bool { return f.Name == "statement" })
	}
	return false
}

// liveIDs maps "kind:name" of statement references to live ids.
func liveIDs(live *model.Account) map[string]string {
	ids := map[string]string{}
	for _, u := range live.Users {
		ids[spec.RefUser+":"+normEmail(u.Email)] = u.ID
	}
	for _, g := range live.Groups {
		ids[spec.RefGroup+":"+g.Name] = g.ID
	}
	for _, e := range live.Environments {
		ids[spec.RefEnvironment+":"+e.CloudName] = e.ID
	}
	if live.Permissions != nil {
		for _, k := range live.Permissions.APIKeys {
			ids[spec.RefAPIKey+":"+k.Environment+"/"+k.Name] = k.Key
		}
	}
	return ids
}
