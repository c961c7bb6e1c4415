package planner

// Rendering the effective-access diff (access.go) in the plan's three
// formats. The renderers call these; each writes nothing when the plan has
// no access changes, so plans without any keep their shape.

import (
	"bufio"
	"fmt"

	"github.com/cldsync/cldsync/pkg/spec"
)

// accessHeading and driftAccessHeading introduce the access lines of a
// plan's and a drift report's text.
const (
	accessHeading      = "Effective access changes (computed offline; conditions are not evaluated):"
	driftAccessHeading = "Repairing it changes access (computed offline; conditions are not evaluated):"
)

// accessSymbol prefixes an access line like a change: + gains, - loses.
func accessSymbol(v AccessVerb) string {
	if v == Gains {
		return "+"
	}
	return "-"
}

// accessColor is green for gains and red for losses; yellow for what a
// forbid or a condition qualifies, which may mean the opposite.
func accessColor(a AccessChange) string {
	switch {
	case a.Conditional:
		return ansiYellow
	case a.Verb == Gains:
		return ansiGreen
	}
	return ansiRed
}

// accessLine is "+ raj@acme.test gains Asset reviewer on acme-staging (via
// group designers)".
func accessLine(a AccessChange) string { return accessSymbol(a.Verb) + " " + a.String() }

// writeAccessText writes the access section of a plan's text, followed by
// a blank line; nothing when there is none.
func writeAccessText(bw *bufio.Writer, p *Plan, heading string, paint func(color, s string) string) {
	if len(p.Access) == 0 {
		return
	}
	fmt.Fprintln(bw, heading)
	for _, a := range p.Access {
		fmt.Fprintln(bw, "  "+paint(accessColor(a), accessLine(a)))
	}
	fmt.Fprintln(bw)
}

// maxAccessListed caps the access lines of a Markdown plan, so that a
// change reaching many people leaves room for the changes themselves.
const maxAccessListed = 100

// writeAccessMarkdown writes the access section as a diff block, whose
// +/- lines GitHub colours; no line can close the fence, since each starts
// with its symbol. Under a cap, lines that do not fit are left out.
func writeAccessMarkdown(m *mdWriter, p *Plan, heading string) {
	if len(p.Access) == 0 || heading == "" {
		return
	}
	if !m.open("\n**"+heading+"** ("+accessCount(p.Access)+"; computed offline, conditions not evaluated)\n\n```diff\n"+accessLine(p.Access[0])+"\n", "```\n") {
		return
	}
	for i, a := range p.Access[1:] {
		if i+1 == maxAccessListed {
			m.write(fmt.Sprintf("# … and %d more: run `cldsync plan` to see them all\n", len(p.Access)-i-1))
			break
		}
		if !m.write(accessLine(a) + "\n") {
			break
		}
	}
	m.close()
}

// accessCount is "2 gained, 1 lost".
func accessCount(as []AccessChange) string {
	gained := 0
	for _, a := range as {
		if a.Verb == Gains {
			gained++
		}
	}
	return fmt.Sprintf("%d gained, %d lost", gained, len(as)-gained)
}

// jsonAccess is one access change in the plan's JSON ("access", absent
// when there is none, so that plans without any keep their 1.0 shape).
type jsonAccess struct {
	Principal   jsonPrincipal `json:"principal"`
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

// jsonPrincipal is a user, an API key, or (kind "") everyone.
type jsonPrincipal struct {
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

func toJSONAccess(as []AccessChange) ([]jsonAccess, error) {
	if len(as) == 0 {
		return nil, nil
	}
	out := make([]jsonAccess, 0, len(as))
	for _, a := range as {
		verb, err := jsonAccessVerb(a.Verb)
		if err != nil {
			return nil, err
		}
		out = append(out, jsonAccess{
			Principal: jsonPrincipal{Kind: string(a.Principal.Kind), Name: a.Principal.Name},
			Change:    verb, What: a.What, Resource: a.Resource, Scope: a.Scope, Via: a.Via, Role: a.Role,
			Conditional: a.Conditional, Condition: a.Condition, Text: a.String(),
		})
	}
	return out, nil
}

// fromJSONAccess reads a saved plan's access changes back.
func fromJSONAccess(as []jsonAccess) ([]AccessChange, error) {
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
