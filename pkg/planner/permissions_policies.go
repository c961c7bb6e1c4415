package planner

// Custom Cedar policies: references resolved to ids, updates and replaces.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func (p *permDiffer) policies() {
	type liveKey = string
	lByKey := map[liveKey][]*model.Policy{}
	for i := range p.lp.Policies {
		l := &p.lp.Policies[i]
		k := spec.PolicyKey(l.Scope, l.Name)
		lByKey[k] = append(lByKey[k], l)
	}
	matched := map[string]bool{} // live ids planned or kept
	dKeys := map[string]bool{}
	// Live policies of one scope by canonical statement, to find renames:
	// built for the first create that asks.
	var byStatement map[string]*model.Policy
	statementOf := func(key string) *model.Policy {
		if byStatement == nil {
			byStatement = make(map[string]*model.Policy, len(p.lp.Policies))
			for i := range p.lp.Policies {
				l := &p.lp.Policies[i]
				byStatement[l.Scope+"\x00"+spec.CanonicalCedar(l.Statement)] = l
			}
		}
		return byStatement[key]
	}
	var creates []*spec.Policy
	for i := range p.desired.Policies {
		dp := &p.desired.Policies[i]
		key := dp.Key()
		ref := Ref{spec.KindPolicy, key}
		if dKeys[key] {
			p.errorf(ref, "defined twice in the configuration; refusing to plan it")
			continue
		}
		dKeys[key] = true
		ls := lByKey[key]
		if len(ls) > 1 {
			ids := make([]string, len(ls))
			for j, l := range ls {
				ids[j] = l.ID
				matched[l.ID] = true
			}
			slices.Sort(ids)
			p.errorf(ref, "%d live policies have this scope and name (ids %s); refusing to plan it until all but one are renamed or deleted", len(ids), strings.Join(ids, ", "))
			continue
		}
		if len(ls) == 0 {
			creates = append(creates, dp)
			continue
		}
		l := ls[0]
		matched[l.ID] = true
		p.updatePolicy(ref, dp, l)
	}
	for _, dp := range creates {
		ref := Ref{spec.KindPolicy, dp.Key()}
		after, deps, resolved, msg := p.desiredPolicy(dp, nil)
		if msg != "" {
			p.errorf(ref, "%s", msg)
			continue
		}
		if resolved != "" {
			if l := statementOf(dp.Scope + "\x00" + spec.CanonicalCedar(resolved)); l != nil && !matched[l.ID] && !dKeys[spec.PolicyKey(l.Scope, l.Name)] {
				// The statement exists under another name: rename it.
				matched[l.ID] = true
				before := p.livePolicy(l)
				p.add(Change{
					Action: Replace, Ref: ref, Before: before, After: after, DependsOn: deps,
					Fields: policyFields(before, after, false),
					Reason: fmt.Sprintf("the account holds this statement as policy %q; the API refuses two identical statements in a scope", l.Name),
					Notes:  []string{fmt.Sprintf("renamed: policy %q is deleted and created again under the new name, leaving the permission out in between", l.Name)},
				})
				continue
			}
		}
		c := Change{Action: Create, Ref: ref, After: after, DependsOn: deps, Reason: "not in the account"}
		c.Fields = policyFields(PolicyValue{}, after, true)
		p.add(c)
	}
	for i := range p.lp.Policies {
		l := &p.lp.Policies[i]
		if matched[l.ID] || dKeys[spec.PolicyKey(l.Scope, l.Name)] {
			continue
		}
		if p.goneEnvs[l.Scope] {
			continue // deleted with its environment
		}
		if p.scopeIgnored(l.Scope) {
			p.plan.Ignored[spec.KindPolicy]++
			continue
		}
		if !p.prune[spec.KindPolicy] || !p.canDelete(spec.KindPolicy) {
			p.plan.addUnmanaged(spec.KindPolicy, spec.PolicyKey(l.Scope, l.Name))
			continue
		}
		p.add(Change{Action: Delete, Ref: Ref{spec.KindPolicy, spec.PolicyKey(l.Scope, l.Name)}, Before: p.livePolicy(l), Reason: "not in the configuration, and policies are pruned"})
	}
}

func (p *permDiffer) livePolicy(l *model.Policy) PolicyValue {
	return PolicyValue{
		ID: l.ID, Name: l.Name, Scope: l.Scope, ScopeID: l.ScopeID, Description: l.Description,
		Statement: model.UnresolveNames(p.names, l.Statement), Enabled: l.Enabled,
	}
}

func (p *permDiffer) updatePolicy(ref Ref, dp *spec.Policy, l *model.Policy) {
	after, deps, resolved, msg := p.desiredPolicy(dp, l)
	if msg != "" {
		p.errorf(ref, "%s", msg)
		return
	}
	before := p.livePolicy(l)
	same := resolved != "" && (resolved == l.Statement || spec.CanonicalCedar(resolved) == spec.CanonicalCedar(l.Statement))
	if same {
		// Keep the text the account holds: nothing to send for it.
		after.Statement = before.Statement
	}
	fields := policyFields(before, after, false)
	if same {
		fields = slices.DeleteFunc(fields, func(f FieldDiff) bool { return f.Name == "statement" })
	}
	switch {
	case len(fields) == 0:
		return
	case !same:
		p.add(Change{Action: Update, Ref: ref, Before: before, After: after, Fields: fields, DependsOn: deps, Reason: "differs from the configuration"})
	default:
		p.add(Change{
			Action: Replace, Ref: ref, Before: before, After: after, Fields: fields, DependsOn: deps,
			Reason: "the API refuses (409) an update that keeps the policy statement unchanged",
			Notes:  []string{"deleted and created again: the permission is missing for a moment in between"},
		})
	}
}

// desiredPolicy is the policy to send, the creates it depends on, and its
// statement resolved with live ids ("" when a reference names an object
// this plan creates); msg says why it cannot be planned.
func (p *permDiffer) desiredPolicy(dp *spec.Policy, l *model.Policy) (v PolicyValue, deps []Ref, resolved, msg string) {
	v = PolicyValue{Name: dp.Name, Scope: dp.Scope, Statement: dp.Statement, Enabled: true}
	if l != nil {
		v.ID, v.Description, v.Enabled = l.ID, l.Description, l.Enabled
	}
	if dp.Description != nil {
		v.Description = *dp.Description
	}
	if dp.Enabled != nil {
		v.Enabled = *dp.Enabled
	}
	switch dp.Scope {
	case spec.ScopeAccount:
	case spec.ScopeAll:
		v.ScopeID = spec.ScopeAll
	default:
		id, dep, m := p.envID(dp.Scope)
		if m != "" {
			return v, nil, "", "scope: " + m
		}
		if dep == nil {
			v.ScopeID = id
		}
		deps = appendDep(deps, dep)
	}
	pending := false
	resolved, err := spec.ResolveCedar(dp.Statement, func(r spec.CedarRef) (string, error) {
		id, dep, m := p.refID(r)
		if m != "" {
			return "", fmt.Errorf("statement: %s: %s", r, m)
		}
		if dep != nil {
			deps = appendDep(deps, dep)
			pending = true
		}
		return id, nil
	})
	if err != nil {
		return v, nil, "", err.Error()
	}
	if pending {
		resolved = ""
	}
	return v, deps, resolved, ""
}

func appendDep(deps []Ref, dep *Ref) []Ref {
	if dep == nil || slices.Contains(deps, *dep) {
		return deps
	}
	return append(deps, *dep)
}

// refID resolves one statement reference to a live id, or to the create it
// waits for (then the id is a placeholder).
func (p *permDiffer) refID(r spec.CedarRef) (id string, dep *Ref, msg string) {
	switch r.Kind {
	case spec.RefUser:
		return p.userID(r.Name)
	case spec.RefGroup:
		return p.groupID(r.Name)
	case spec.RefEnvironment:
		return p.envID(r.Name)
	case spec.RefAPIKey:
		return p.apiKey(r.Name)
	}
	return "", nil, fmt.Sprintf("unknown reference kind %q", r.Kind)
}

func (p *permDiffer) userID(email string) (string, *Ref, string) {
	id, created, msg := p.resolveMember(email)
	switch {
	case msg != "":
		return "", nil, msg
	case created:
		return "pending", &Ref{spec.KindUser, email}, ""
	}
	return id, nil, ""
}

func (p *permDiffer) groupID(name string) (string, *Ref, string) {
	ref := Ref{spec.KindGroup, name}
	l := p.lGroups[name]
	switch {
	case p.refused[ref]:
		return "", nil, p.refusedMessage(ref)
	case p.goneGroups[name]:
		return "", nil, fmt.Sprintf("group %s is deleted by this plan", name)
	case l != nil:
		return l.ID, nil, ""
	case p.dGroups[name] != nil:
		return "pending", &ref, ""
	}
	return "", nil, fmt.Sprintf("group %s is neither in the configuration nor in the account", name)
}

func (p *permDiffer) envID(cloudName string) (string, *Ref, string) {
	if msg := p.checkEnvRef(cloudName); msg != "" {
		return "", nil, msg
	}
	if p.goneEnvs[cloudName] {
		return "", nil, fmt.Sprintf("environment %s is deleted by this plan", cloudName)
	}
	if l := p.lEnvs[cloudName]; l != nil {
		return l.ID, nil, ""
	}
	return "pending", &Ref{spec.KindEnvironment, cloudName}, ""
}

func (p *permDiffer) apiKey(name string) (string, *Ref, string) {
	env, key := spec.SplitAPIKey(name)
	if p.keyCreated(name) { // access_keys.go
		return "pending", &Ref{spec.KindAccessKey, name}, ""
	}
	if k, ok := p.apiKeys[name]; ok {
		return k, nil, ""
	}
	if p.lEnvs[env] == nil {
		return "", nil, fmt.Sprintf("environment %s is not in the account yet, so it has no API key %q: apply once without it, create the key, then add it", env, key)
	}
	return "", nil, fmt.Sprintf("environment %s has no API key named %q", env, key)
}

// policyFields lists what differs (every field for a create). Statements
// are shown on one line, whitespace collapsed.
func policyFields(before, after PolicyValue, create bool) []FieldDiff {
	var out []FieldDiff
	add := func(name, old, new string, changed bool) {
		if create || changed {
			out = append(out, FieldDiff{Name: name, Old: old, New: new})
		}
	}
	if create {
		before = PolicyValue{}
	}
	if !create || after.Description != "" {
		add("description", quoteOr(before.Description, create), quote(after.Description), before.Description != after.Description)
	}
	oldEnabled := ""
	if !create {
		oldEnabled = strconv.FormatBool(before.Enabled)
	}
	add("enabled", oldEnabled, strconv.FormatBool(after.Enabled), before.Enabled != after.Enabled)
	if create || before.Name != after.Name {
		add("name", quoteOr(before.Name, create), quote(after.Name), true)
	}
	// The same text is the same statement: parsed only when it differs.
	if create || (before.Statement != after.Statement && spec.CanonicalCedar(before.Statement) != spec.CanonicalCedar(after.Statement)) {
		add("statement", quoteOr(oneLine(before.Statement), create), quote(oneLine(after.Statement)), true)
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ---- assignments ----
