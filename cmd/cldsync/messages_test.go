package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoReference matches text that only means something inside the cldsync
// repository: api/NOTES.md and its problem numbers ("P19"), the developer
// guides. A user of the binary or the image has none of them, so a message
// says the fact itself. Comments may keep such references.
var repoReference = regexp.MustCompile(`NOTES\.md|GUIDE\.md|STYLE\.md|\(P\d+[,)]|\bP\d+, P\d+\b`)

// TestMessagesSayTheFact scans every string literal of the production code
// (not tests, not comments) for references into the repository.
func TestMessagesSayTheFact(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	for _, dir := range []string{"cmd", "pkg"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if ok && lit.Kind == token.STRING && repoReference.MatchString(lit.Value) {
					t.Errorf("%s: a message points inside the repository: %s", fset.Position(lit.Pos()), lit.Value)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
