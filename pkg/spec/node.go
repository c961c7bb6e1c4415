package spec

import (
	"fmt"
	"iter"
	"math"
	"net/url"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// toValue converts n to the values encoding/json produces (map[string]any,
// []any, string, numbers, bool, nil), which is what the schema validator
// takes. It reports duplicate mapping keys, which yaml.v3 accepts when
// decoding into a Node; the first occurrence wins everywhere else too.
// report is false under aliases so that a duplicate is reported once.
// The file passed checkTree (limits.go): its aliases end, and expand to a
// bounded number of values.
func (l *loader) toValue(f *file, n *yaml.Node, report bool) any {
	switch n.Kind {
	case yaml.AliasNode:
		return l.toValue(f, n.Alias, false)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		first := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if prev, dup := first[k.Value]; dup {
				if report {
					l.errorf(f.pos(k), "", "duplicate key %q (first at line %d, column %d)", k.Value, prev.Line, prev.Column)
				}
				continue
			}
			first[k.Value] = k
			m[k.Value] = l.toValue(f, n.Content[i+1], report)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = l.toValue(f, c, report)
		}
		return s
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil
}

// scalar decodes a scalar node the way YAML 1.2's core schema reads it.
func scalar(n *yaml.Node) any {
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value // an unknown tag: keep the text
	}
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return n.Value // JSON has no such numbers
		}
	case nil, bool, string, int, int64, uint64:
	default:
		return n.Value
	}
	return v
}

// fields returns the key and value nodes of a mapping in document order,
// first occurrence of each key only, aliases resolved.
func fields(n *yaml.Node) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	for k, v := range pairs(n) {
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

// pairs yields what fields returns without making a list: the decoders
// run it for every object.
func pairs(n *yaml.Node) iter.Seq2[*yaml.Node, *yaml.Node] {
	return func(yield func(k, v *yaml.Node) bool) {
		n := resolve(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		var seen map[string]bool
		if len(n.Content) > 2*smallMapping {
			seen = make(map[string]bool, len(n.Content)/2)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if seen != nil {
				if seen[k.Value] {
					continue
				}
				seen[k.Value] = true
			} else if keyBefore(n.Content, i) {
				continue
			}
			if !yield(k, resolve(n.Content[i+1])) {
				return
			}
		}
	}
}

// smallMapping is the most keys for which a mapping's duplicates are
// found by looking back (keyBefore) rather than with a map: a mapping of
// the configuration has a few keys, and a map for each object was one
// allocation per object.
const smallMapping = 16

// keyBefore reports whether the key at content[i] appears as an earlier
// key of the mapping's content.
func keyBefore(content []*yaml.Node, i int) bool {
	for j := 0; j < i; j += 2 {
		if content[j].Value == content[i].Value {
			return true
		}
	}
	return false
}

// itemPath is the path of a list's item, as users[3]; paths are made for
// every item, so without fmt.
func itemPath(list string, i int) string {
	return list + "[" + strconv.Itoa(i) + "]"
}

// str returns the value of a string scalar.
func str(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", false
	}
	return n.Value, true
}

func boolean(n *yaml.Node) *bool {
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		return nil
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		return nil
	}
	return &b
}

// pointerTokens splits a JSON pointer as the validator writes it: each
// token escaped with ~0 and ~1, then URL path escaped.
func pointerTokens(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	toks := strings.Split(ptr, "/")
	for i, t := range toks {
		if u, err := url.PathUnescape(t); err == nil {
			t = u
		}
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

// nodeAt walks toks from root and returns the value node there and, when
// the last step was a mapping key, that key's node.
func nodeAt(root *yaml.Node, toks []string) (val, key *yaml.Node) {
	val = resolve(root)
	for _, t := range toks {
		switch {
		case val == nil:
			return nil, nil
		case val.Kind == yaml.MappingNode:
			key = nil
			for _, kv := range fields(val) {
				if kv[0].Value == t {
					key, val = kv[0], kv[1]
					break
				}
			}
			if key == nil {
				return nil, nil
			}
		case val.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(val.Content) {
				return nil, nil
			}
			key, val = nil, resolve(val.Content[i])
		default:
			return nil, nil
		}
	}
	return val, key
}

// displayPath renders toks as users[1].role.
func displayPath(toks []string, root *yaml.Node) string {
	var b strings.Builder
	n := resolve(root)
	for _, t := range toks {
		if n != nil && n.Kind == yaml.SequenceNode {
			fmt.Fprintf(&b, "[%s]", t)
		} else {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(t)
		}
		n, _ = nodeAt(n, []string{t})
	}
	return b.String()
}
