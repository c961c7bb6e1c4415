package spec

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Limits on what one file may expand to. They are checked on the parsed
// tree, before anything walks it with aliases followed, so that a hostile
// file (an alias cycle, a "billion laughs" of nested aliases, a nesting a
// recursion cannot survive) is refused with a position instead of
// crashing or exhausting memory. Real configurations are far below them.
const (
	// maxAliasValues bounds the values aliases add to one file: each
	// alias counts the values of the node it repeats, nested aliases
	// expanded.
	maxAliasValues = 100_000
	// maxDepth bounds the nesting of mappings and lists, aliases
	// followed. yaml.v3 refuses more than 10,000 levels as written.
	maxDepth = 1_000

	// maxVarValue bounds one value made with variables, maxVarTotal all
	// of them in one load, and maxVarDepth how deep variables may refer
	// to variables: values that expand each other grow exponentially.
	maxVarValue = 64 << 10
	maxVarTotal = 16 << 20
	maxVarDepth = 16
)

// plainTags are the tags a configuration may write explicitly: YAML's
// core schema for strings, integers, booleans, null, mappings and lists.
// Any other (!foo, !!binary, !!timestamp, !!float ...) would be read as
// something else than written, so it is refused.
var plainTags = map[string]yaml.Kind{
	"!!str": yaml.ScalarNode, "!!int": yaml.ScalarNode, "!!bool": yaml.ScalarNode, "!!null": yaml.ScalarNode,
	"!!map": yaml.MappingNode, "!!seq": yaml.SequenceNode,
}

// treeCheck measures one file's tree: for each node, the values it
// expands to and how deep it nests, aliases followed.
type treeCheck struct {
	l *loader
	f *file
	// size and depth are memoised per node, so that each node is measured
	// once however many aliases repeat it; visiting marks the nodes on the
	// current path, which an alias to one of them makes a cycle.
	size     map[*yaml.Node]int
	depth    map[*yaml.Node]int
	visiting map[*yaml.Node]bool
	// added counts the values aliases add, as written in document order.
	added int
	ok    bool
	// varRefs is set by a scalar that may refer to a variable (usesVars).
	varRefs bool
}

// checkTree refuses, with positions, a file whose tree holds an explicit
// tag outside plainTags, an alias cycle, aliases that add more than
// maxAliasValues values, or a nesting deeper than maxDepth. It reports
// whether the file is usable: when it is not, nothing may walk it.
func (l *loader) checkTree(f *file) bool {
	c := &treeCheck{l: l, f: f, size: map[*yaml.Node]int{}, depth: map[*yaml.Node]int{}, visiting: map[*yaml.Node]bool{}, ok: true}
	c.written(f.root, 1)
	f.varRefs = c.varRefs
	return c.ok
}

// written walks the nodes as written (aliases not followed), checking
// tags, and measures each alias's expansion.
func (c *treeCheck) written(n *yaml.Node, depth int) {
	if n.Kind == yaml.AliasNode {
		size, d := c.measure(n.Alias, n)
		if d < 0 {
			return // a cycle, reported
		}
		if depth+d-1 > maxDepth {
			c.fail(n, "alias *%s nests values more than %d levels deep", n.Value, maxDepth)
			return
		}
		before := c.added
		c.added = min(c.added+size, maxAliasValues+1)
		if c.added > maxAliasValues && before <= maxAliasValues {
			c.fail(n, "aliases expand to more than %d values (alias *%s repeats %s); write the values out, or use fewer aliases", maxAliasValues, n.Value, countValues(size))
		}
		return
	}
	if depth > maxDepth {
		c.fail(n, "values nest more than %d levels deep", maxDepth)
		return
	}
	c.checkTag(n)
	if n.Kind == yaml.ScalarNode && !c.varRefs {
		c.varRefs = hasVarRef(n.Value)
	}
	for _, child := range n.Content {
		c.written(child, depth+1)
	}
}

func countValues(n int) string {
	if n > maxAliasValues {
		return fmt.Sprintf("more than %d values", maxAliasValues)
	}
	return fmt.Sprintf("%d values", n)
}

// checkTag refuses an explicit tag outside plainTags, or one on a node of
// another kind. A scalar tag other than !!str must be the one YAML reads
// the value as anyway (!!int 12), so that it changes nothing.
func (c *treeCheck) checkTag(n *yaml.Node) {
	if n.Style&yaml.TaggedStyle == 0 {
		return
	}
	tag := n.ShortTag()
	kind, known := plainTags[tag]
	switch {
	case !known:
		c.fail(n, "YAML tag %s is not supported: a configuration holds strings, integers, booleans, null, mappings and lists; remove the tag", n.Tag)
	case kind != n.Kind:
		c.fail(n, "YAML tag %s does not fit this value", n.Tag)
	case n.Kind == yaml.ScalarNode && tag != "!!str":
		if implicit := (&yaml.Node{Kind: yaml.ScalarNode, Value: n.Value}).ShortTag(); implicit != tag {
			c.fail(n, "YAML tag %s does not fit the value %q", n.Tag, n.Value)
		}
	}
}

// measure returns the values n expands to and its depth, aliases
// followed, both saturating past the limits; depth -1 means that n is on
// a cycle, which is reported at the alias closing it (at).
func (c *treeCheck) measure(n *yaml.Node, at *yaml.Node) (size, depth int) {
	if n.Kind == yaml.AliasNode {
		at, n = n, n.Alias
	}
	if c.visiting[n] {
		c.fail(at, "alias *%s is inside the value it names (anchored &%s at line %d, column %d): an alias cycle never ends", at.Value, at.Value, n.Line, n.Column)
		return 0, -1
	}
	if s, ok := c.size[n]; ok {
		return s, c.depth[n]
	}
	c.visiting[n] = true
	size, depth = 1, 1
	for _, child := range n.Content {
		s, d := c.measure(child, child)
		if d < 0 {
			size, depth = 0, -1
			break
		}
		size = min(size+s, maxAliasValues+1)
		depth = max(depth, min(d+1, maxDepth+1))
	}
	delete(c.visiting, n)
	c.size[n], c.depth[n] = size, depth
	return size, depth
}

func (c *treeCheck) fail(n *yaml.Node, format string, args ...any) {
	c.ok = false
	c.l.errorf(c.f.pos(n), "", format, args...)
}

// maxTenantValues bounds the values all instantiations of templates add
// to one load: each is within the limits above, but a thousand tenants of
// a template of thousands of objects would exhaust memory long before
// the variables' budget stops them. A var, lowered by tests.
var maxTenantValues = 1_000_000

// tenantBudget counts the values of one instantiation's tree (aliases
// followed, counting stopped past the budget) and reports, once, when the
// instantiations exceed maxTenantValues; false means do not instantiate.
func (l *loader) tenantBudget(root *yaml.Node, at Pos, path string) bool {
	st := &l.tmpl
	if st.overBudget {
		return false
	}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if st.values > maxTenantValues {
			return
		}
		st.values++
		for _, c := range resolve(n).Content {
			walk(c)
		}
	}
	walk(root)
	if st.values > maxTenantValues {
		st.overBudget = true
		l.errorf(at, path, "the tenants instantiate more than %d values, the limit for a load; split the configuration", maxTenantValues)
		return false
	}
	return true
}
