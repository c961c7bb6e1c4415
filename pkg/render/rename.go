package render

import "github.com/cldsync/cldsync/pkg/planner"

// displayFields are the fields a renderer lists under a change's header:
// a rename's header already shows the key change.
func displayFields(c *planner.Change) []planner.FieldDiff {
	if _, ok := c.RenamedFrom(); !ok || len(c.Fields) == 0 || c.Fields[0].Name != planner.KeyField(c.Ref.Kind) {
		return c.Fields
	}
	return c.Fields[1:]
}

// renameHeader is "~ rename group designers → brand-designers".
func renameHeader(c *planner.Change) (string, bool) {
	from, ok := c.RenamedFrom()
	if !ok {
		return "", false
	}
	return actionSymbol(c.Action) + " rename " + planner.Noun(c.Ref.Kind) + " " + from + " → " + c.Ref.Name, true
}
