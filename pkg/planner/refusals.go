package planner

import (
	"regexp"
	"strings"
)

// RefusedSummary counts the changes the guards refused, by action, each object
// once: with Summary, what the plan would have done.
func (p *Plan) RefusedSummary() Summary { return summarize(p.RefusedChanges()) }

// RefusedChanges are the changes the guards refused, in plan order, each
// once: shown, marked refused, so the reader sees what was not planned.
func (p *Plan) RefusedChanges() []Change {
	var out []Change
	seen := map[Ref]bool{}
	for _, e := range p.Errors {
		if e.Change != nil && !seen[e.Ref] {
			seen[e.Ref] = true
			out = append(out, *e.Change)
		}
	}
	return out
}

// ErrorGroup is the errors of a plan that give one reason: one message,
// the objects it concerns.
type ErrorGroup struct {
	Message string
	Errors  []PlanError
}

// ErrorGroups groups the plan's errors by message, in the order each
// message first appears, so that a guard refusing 15 deletes for one
// reason is said once, listing the 15 objects.
func (p *Plan) ErrorGroups() []ErrorGroup {
	var groups []ErrorGroup
	at := map[string]int{}
	for _, e := range p.Errors {
		i, ok := at[e.Message]
		if !ok {
			i = len(groups)
			at[e.Message] = i
			groups = append(groups, ErrorGroup{Message: e.Message})
		}
		groups[i].Errors = append(groups[i].Errors, e)
	}
	return groups
}

// Object is "FILE:LINE:COL: user ana@acme.test", the position first when
// known: the object as the plan names it.
func (e PlanError) Object() string {
	obj := Noun(e.Ref.Kind) + " " + e.Ref.Name
	if e.Pos.Line == 0 {
		return obj
	}
	return e.Pos.String() + ": " + obj
}

// Line is the error on one line: its object, then the message (without
// repeating a position the message starts with, as a statement the API
// rejects does).
func (e PlanError) Line() string {
	if e.Pos.Line == 0 {
		return e.Object() + ": " + e.Message
	}
	return e.Object() + ": " + strings.TrimPrefix(e.Message, e.Pos.String()+": ")
}

// Subject names the objects of a group: "user ana@acme.test" for one,
// "12 users" for several of one kind, "13 objects" otherwise.
func (g ErrorGroup) Subject() string {
	if len(g.Errors) == 1 {
		return Noun(g.Errors[0].Ref.Kind) + " " + g.Errors[0].Ref.Name
	}
	kinds := map[string]bool{}
	for _, e := range g.Errors {
		kinds[string(e.Ref.Kind)] = true
	}
	if len(kinds) == 1 {
		k := g.Errors[0].Ref.Kind
		return nounCount(len(g.Errors), Noun(k), strings.ReplaceAll(string(k), "_", " "))
	}
	return nounCount(len(g.Errors), "object", "objects")
}

// refusingIt matches a guard's message about one object, "refusing to
// delete it: why", so that a group can name its objects in it.
var refusingIt = regexp.MustCompile(`^refusing to ([a-z]+) it: (.*)$`)

// Headline is the group on one line: Line for one error; for several,
// "refusing to delete 12 users: why" or "12 users: why". The objects
// follow, one a line (Object), where the group is rendered.
func (g ErrorGroup) Headline() string {
	if len(g.Errors) == 1 {
		return g.Errors[0].Line()
	}
	if m := refusingIt.FindStringSubmatch(g.Message); m != nil {
		return "refusing to " + m[1] + " " + g.Subject() + ": " + m[2]
	}
	return g.Subject() + ": " + g.Message
}
