package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestCompileQuick(t *testing.T) {
	cs, err := compiledSchema()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := compileQuick(cs.raw.(map[string]any), schemaFormats); err != nil {
		t.Fatalf("the quick check cannot decide the schema, so every file takes the validator: %v", err)
	}
	for _, bad := range []string{
		`{"type": "object", "patternProperties": {"x": {}}}`,
		`{"$ref": "https://example.com/other.json"}`,
		`{"format": "uri"}`,
		`{"enum": [1, 2]}`,
	} {
		var raw map[string]any
		if err := yaml.Unmarshal([]byte(bad), &raw); err != nil {
			t.Fatal(err)
		}
		if _, err := compileQuick(raw, schemaFormats); err == nil {
			t.Errorf("compileQuick(%s) succeeded; it cannot decide that schema", bad)
		}
	}
}

// slowValid is the full path's verdict: no duplicate key and no schema
// error.
func slowValid(t *testing.T, cs *configSchema, name string, root *yaml.Node) bool {
	t.Helper()
	l := &loader{}
	f := &file{name: name, root: root}
	v := l.toValue(f, root, true)
	return len(l.errs) == 0 && len(cs.validate(f, v)) == 0
}

// TestQuickSchemaAgrees holds the quick check to the validator on every
// file of testdata/spec, and on mutations of each: every scalar replaced
// by values of every type and shape the schema tells apart, every key
// removed, renamed or repeated. The quick check must never pass what the
// validator refuses, and should pass what it accepts (apart from the
// values it leaves to the validator, floats).
func TestQuickSchemaAgrees(t *testing.T) {
	cs, err := compiledSchema()
	if err != nil {
		t.Fatal(err)
	}
	if cs.quick == nil {
		t.Fatal("no quick check")
	}
	var paths []string
	err = filepath.WalkDir("../../testdata/spec", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	replacements := []string{
		"", "all", "x", "1", "0", "-1", "101", "true", "null", "1.5", "env-1", "Env 1", "a@b.co", "not an email",
		strings.Repeat("a", 256), "a\u200bb", "2027-01-31", "2027-01-31T18:00:00Z", "90d", "0d", "account",
		"cld::role::x", "global", "prodenv", "media_library_user", "webhooks", "users", "string", "[]", "{}",
		"[env-1, x]", "{user: a@b.co}", "{group: g}", "{user: a@b.co, group: g}", "{action: read}", "{api_key: {environment: e, name: k}}",
	}
	var checked, passed, undecided int
	check := func(name string, root *yaml.Node) {
		checked++
		quick, slow := cs.quickValid(root), slowValid(t, cs, name, root)
		if quick && !slow {
			out, _ := yaml.Marshal(root)
			t.Fatalf("%s: the quick check passes what the validator refuses:\n%s", name, out)
		}
		if quick {
			passed++
		}
		if slow && !quick {
			if q := (&quickRun{}); q.valid(cs.quick, root) || !plainKeys(root) || q.unsure {
				undecided++
				return
			}
			out, _ := yaml.Marshal(root)
			t.Errorf("%s: the quick check refuses what the validator accepts:\n%s", name, out)
		}
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		l := &loader{}
		if !l.checkTree(&file{name: p, root: root}) {
			continue // nothing may walk it
		}
		check(p, root)
		nodes := written(root)
		if len(nodes) > 300 {
			continue // the limits' files: mutations of each node would take long
		}
		for i, n := range nodes {
			switch n.Kind {
			case yaml.ScalarNode:
				saved := *n
				for j := range 2 { // a rotating share of the replacements
					r := replacements[(i*2+j)%len(replacements)]
					var sub yaml.Node
					if err := yaml.Unmarshal([]byte("v: "+r), &sub); err != nil {
						t.Fatal(err)
					}
					*n = *sub.Content[0].Content[1]
					check(p, root)
				}
				*n = saved
			case yaml.MappingNode:
				saved := n.Content
				for k := 0; k+1 < len(saved); k += 2 {
					n.Content = append(append([]*yaml.Node{}, saved[:k]...), saved[k+2:]...)
					check(p, root) // a key removed
					if k == 0 {
						n.Content = append(append([]*yaml.Node{}, saved...), saved[k], saved[k+1])
						check(p, root) // a key repeated
					}
					renamed := *saved[k]
					renamed.Value += "s"
					n.Content = append(append(append([]*yaml.Node{}, saved[:k]...), &renamed), saved[k+1:]...)
					check(p, root) // a key misspelt
				}
				n.Content = saved
			case yaml.SequenceNode:
				saved := n.Content
				n.Content = nil
				check(p, root) // empty
				n.Content = append(append([]*yaml.Node{}, saved...), &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"})
				check(p, root) // an empty mapping added
				n.Content = saved
			}
		}
	}
	t.Logf("%d trees checked: %d passed quickly, %d left to the validator", checked, passed, undecided)
	if passed < checked/10 {
		t.Errorf("only %d of %d trees passed the quick check", passed, checked)
	}
}

// written returns the nodes of a tree as written, aliases not followed.
func written(n *yaml.Node) []*yaml.Node {
	out := []*yaml.Node{n}
	for _, c := range n.Content {
		out = append(out, written(c)...)
	}
	return out
}
