package planner

// Whether a saved plan still says what will happen: each change records
// the live values it assumed (its Before, and the ids its After and
// DependsOn refer to), and apply --plan compares them with a fresh read.

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// Stale is an object that a saved plan touches whose change no longer
// holds, and why.
type Stale struct {
	Ref    Ref
	Reason string
}

// String is "user raj@acme.test: changed in the live account since …".
func (s Stale) String() string { return Noun(s.Ref.Kind) + " " + s.Ref.Name + ": " + s.Reason }

// Compare checks the saved plan against fresh: a plan computed now from
// the same configuration and options and a fresh read of the live account.
// It returns, in the saved plan's order, each object the saved plan
// touches whose live values moved: its change would now start from another
// object, or refer to other ids. The order in which changes wait for each
// other is not a live value: the guards judge it on the changes that run
// (Check). An object the fresh plan refuses is not stale either, for the
// same reason. Objects the saved plan does not touch are never stale (see
// Untouched).
func (s *Saved) Compare(fresh *Plan) ([]Stale, error) {
	saved, order, err := changesByRef(s.Plan)
	if err != nil {
		return nil, err
	}
	now, _, err := changesByRef(fresh)
	if err != nil {
		return nil, err
	}
	refused := map[Ref]bool{}
	for _, e := range fresh.Errors {
		refused[e.Ref] = true
	}
	var out []Stale
	for _, ref := range order {
		if refused[ref] && len(now[ref]) == 0 {
			continue
		}
		if reason := staleReason(saved[ref], now[ref]); reason != "" {
			out = append(out, Stale{Ref: ref, Reason: reason})
		}
	}
	return out, nil
}

// Untouched returns the objects that fresh would change and the saved plan
// does not touch, in fresh's order: drift that applying the saved plan
// leaves alone.
func (s *Saved) Untouched(fresh *Plan) []Ref {
	touched := map[Ref]bool{}
	for _, c := range s.Plan.Changes {
		touched[c.Ref] = true
	}
	var out []Ref
	for _, c := range fresh.Changes {
		if !touched[c.Ref] && !slices.Contains(out, c.Ref) {
			out = append(out, c.Ref)
		}
	}
	return out
}

// changesByRef maps a plan's changes to their published JSON, grouped by
// object, and lists the objects in plan order.
func changesByRef(p *Plan) (map[Ref][]JSONChange, []Ref, error) {
	jp, err := ToJSON(p)
	if err != nil {
		return nil, nil, err
	}
	by := map[Ref][]JSONChange{}
	var order []Ref
	for _, jc := range jp.Changes {
		jc.DependsOn = nil // not a live value (see Compare)
		ref := fromJSONRef(jc.Ref)
		if _, ok := by[ref]; !ok {
			order = append(order, ref)
		}
		by[ref] = append(by[ref], jc)
	}
	return by, order, nil
}

// staleReason is "" when the saved and fresh changes of one object are the
// same, else why they differ, in terms of what moved.
func staleReason(saved, fresh []JSONChange) string {
	a, _ := json.Marshal(saved)
	b, _ := json.Marshal(fresh)
	if bytes.Equal(a, b) {
		return ""
	}
	s := saved[0]
	if len(fresh) == 0 {
		if s.Before == nil {
			return "was created in the live account since the plan"
		}
		if s.After == nil {
			return "was deleted from the live account since the plan"
		}
		return "changed in the live account since the plan, which now needs no change"
	}
	f := fresh[0]
	switch {
	case s.Before == nil && f.Before != nil:
		return "was created in the live account since the plan"
	case s.Before != nil && f.Before == nil:
		return "was deleted from the live account since the plan"
	case s.Before != nil:
		if d := valueDiff(s.Before, f.Before); d != "" {
			return "changed in the live account since the plan: " + d
		}
	}
	return "its change is different now: an object it refers to changed in the live account since the plan"
}

// valueDiff is `role "admin" → "reports", enabled true → false` for the
// members of two JSON values that differ, in key order.
func valueDiff(was, now any) string {
	wm, nm := jsonObject(was), jsonObject(now)
	var keys []string
	for k := range wm {
		keys = append(keys, k)
	}
	for k := range nm {
		if _, ok := wm[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		w, _ := json.Marshal(wm[k])
		n, _ := json.Marshal(nm[k])
		if !bytes.Equal(w, n) {
			parts = append(parts, k+" "+string(w)+" → "+string(n))
		}
	}
	return strings.Join(parts, ", ")
}

func jsonObject(v any) map[string]json.RawMessage {
	data, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(data, &m)
	return m
}
