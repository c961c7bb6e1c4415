package planner

// The effective-access changes in the plan's published JSON ("access",
// absent when there is none).

import (
	"fmt"

	"github.com/cldsync/cldsync/pkg/spec"
)

// JSONAccess is one access change in the plan's JSON ("access", absent
// when there is none, so that plans without any keep their 1.0 shape).
type JSONAccess struct {
	Principal   JSONPrincipal `json:"principal"`
	Change      string        `json:"change"`
	What        string        `json:"what"`
	Resource    string        `json:"resource"`
	Scope       string        `json:"scope"`
	Via         string        `json:"via"`
	Role        string        `json:"role,omitempty"`
	Conditional bool          `json:"conditional"`
	Condition   string        `json:"condition,omitempty"`
	Text        string        `json:"text"`
}

// JSONPrincipal is a user, an API key, or (kind "") everyone.
type JSONPrincipal struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// jsonAccessVerb maps verbs to their published names.
func jsonAccessVerb(v AccessVerb) (string, error) {
	switch v {
	case Gains:
		return "gains", nil
	case Loses:
		return "loses", nil
	}
	return "", fmt.Errorf("render json: invalid access verb %d", int(v))
}

func ToJSONAccess(as []AccessChange) ([]JSONAccess, error) {
	if len(as) == 0 {
		return nil, nil
	}
	out := make([]JSONAccess, 0, len(as))
	for _, a := range as {
		verb, err := jsonAccessVerb(a.Verb)
		if err != nil {
			return nil, err
		}
		out = append(out, JSONAccess{
			Principal: JSONPrincipal{Kind: string(a.Principal.Kind), Name: a.Principal.Name},
			Change:    verb, What: a.What, Resource: a.Resource, Scope: a.Scope, Via: a.Via, Role: a.Role,
			Conditional: a.Conditional, Condition: a.Condition, Text: a.String(),
		})
	}
	return out, nil
}

// fromJSONAccess reads a saved plan's access changes back.
func fromJSONAccess(as []JSONAccess) ([]AccessChange, error) {
	var out []AccessChange
	for i, a := range as {
		c := AccessChange{
			Principal: spec.Principal{Kind: spec.PrincipalKind(a.Principal.Kind), Name: a.Principal.Name},
			What:      a.What, Resource: a.Resource, Scope: a.Scope, Via: a.Via, Role: a.Role,
			Conditional: a.Conditional, Condition: a.Condition,
		}
		for _, v := range []AccessVerb{Gains, Loses} {
			if name, _ := jsonAccessVerb(v); name == a.Change {
				c.Verb = v
			}
		}
		if c.Verb == 0 {
			return nil, fmt.Errorf("access %d: unknown change %q", i, a.Change)
		}
		out = append(out, c)
	}
	return out, nil
}
