package client

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type specOp struct{ ID, Method, Path string }

func specOperations(t *testing.T) []specOp {
	t.Helper()
	var ops []specOp
	for path, item := range loadSpec(t)["paths"].(map[string]any) {
		for method, v := range item.(map[string]any) {
			op, ok := v.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			ops = append(ops, specOp{op["operationId"].(string), strings.ToUpper(method), path})
		}
	}
	slices.SortFunc(ops, func(a, b specOp) int { return strings.Compare(a.ID, b.ID) })
	return ops
}

func TestSpecHas47Operations(t *testing.T) {
	if n := len(specOperations(t)); n != 47 {
		t.Errorf("spec has %d operations, want 47", n)
	}
}

// TestOperationsMatchSpec checks the operations table (method, path) against
// the spec, both ways.
func TestOperationsMatchSpec(t *testing.T) {
	var got, want []specOp
	for id, op := range operations {
		got = append(got, specOp{id, op.Method, op.Path})
	}
	slices.SortFunc(got, func(a, b specOp) int { return strings.Compare(a.ID, b.ID) })
	want = specOperations(t)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operations table differs from the spec (-want +got):\n%s", diff)
	}
}

var docOpPattern = regexp.MustCompile(`(?m)^operationId: (\S+) — (\S+) (\S+)$`)

// TestEveryOperationHasAMethod parses the package source and fails if an
// operationId of the spec is named by no exported method's doc comment, or
// if a doc comment names an operation with the wrong method or path.
func TestEveryOperationHasAMethod(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string][]string{}
	spec := map[string]specOp{}
	for _, op := range specOperations(t) {
		spec[op.ID] = op
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || fn.Doc == nil {
				continue
			}
			recv := receiverName(fn.Recv.List[0].Type)
			if !ast.IsExported(recv) {
				continue
			}
			for _, m := range docOpPattern.FindAllStringSubmatch(fn.Doc.Text(), -1) {
				where := recv + "." + fn.Name.Name
				op, ok := spec[m[1]]
				if !ok {
					t.Errorf("%s names operationId %q, which is not in the spec", where, m[1])
					continue
				}
				if m[2] != op.Method || m[3] != op.Path {
					t.Errorf("%s: doc says %s %s for %s, spec says %s %s", where, m[2], m[3], m[1], op.Method, op.Path)
				}
				named[m[1]] = append(named[m[1]], where)
			}
		}
	}
	for id := range spec {
		if len(named[id]) == 0 {
			t.Errorf("operationId %s has no exported method naming it in its doc comment", id)
		}
	}
}

func receiverName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// TestSafetyTable pins the retry class of all 47 operations.
func TestSafetyTable(t *testing.T) {
	creates := []string{"createProductEnvironment", "generateAccessKey", "createUser", "createUserGroup",
		"addUserToUserGroup", "createCustomPolicy", "createRole"}
	readPOSTs := []string{"validateCedarPolicy", "inspectMultiple"}
	for _, op := range specOperations(t) {
		want := Write
		switch {
		case op.Method == "GET" || slices.Contains(readPOSTs, op.ID):
			want = Read
		case slices.Contains(creates, op.ID):
			want = Create
		}
		got, ok := OperationSafety(op.ID)
		if !ok || got != want {
			t.Errorf("OperationSafety(%s) = %v, %v; want %v", op.ID, got, ok, want)
		}
		if IsReadOnly(op.ID) != (want == Read) {
			t.Errorf("IsReadOnly(%s) = %v, want %v", op.ID, IsReadOnly(op.ID), want == Read)
		}
		if op.Method == "POST" && want == Write {
			t.Errorf("%s is a POST classified as an idempotent write", op.ID)
		}
	}
	if IsReadOnly("noSuchOperation") {
		t.Error("IsReadOnly(unknown) = true")
	}
}
