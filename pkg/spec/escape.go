package spec

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// EscapeValues rewrites the values under n (not the keys) so that loading
// them reads each as it is: every ${ of a value is written $${ (vars.go),
// so that no text is taken for a variable reference, except in a policy's
// statement (a value under the key "statement"), where ${ starts the Cedar
// references and EscapeStatement applies. export writes live values so,
// and Instantiate the values of an expanded template.
func EscapeValues(n *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			EscapeValues(c)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			v := n.Content[i+1]
			if n.Content[i].Value == "statement" && v.Kind == yaml.ScalarNode {
				v.Value = EscapeStatement(v.Value)
				continue
			}
			EscapeValues(v)
		}
	case yaml.ScalarNode:
		n.Value = strings.ReplaceAll(n.Value, "${", "$${")
	}
}

// EscapeStatement writes the ${ inside the names of a statement's
// references as $${, so that the statement loads back with the same
// references. Every other ${ is left as it is: it starts a reference (a
// literal ${ in a Cedar string is written with Cedar's \u{24}, as
// model.UnresolveNamesForConfig does).
func EscapeStatement(statement string) string {
	var b strings.Builder
	last := 0
	for _, r := range CedarRefs(statement) {
		b.WriteString(statement[last:r.Start])
		b.WriteString("${")
		b.WriteString(strings.ReplaceAll(statement[r.Start+2:r.End], "${", "$${"))
		last = r.End
	}
	b.WriteString(statement[last:])
	return b.String()
}
