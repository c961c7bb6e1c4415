package spec

import (
	"slices"
	"testing"
)

// TestIndexesInFile: each item's index counts only the earlier items of
// its own file and template instantiation.
func TestIndexesInFile(t *testing.T) {
	list := []Pos{
		{File: "a.yaml"}, {File: "b.yaml"}, {File: "a.yaml"},
		{File: "t.yaml", Via: "tenants[0]"}, {File: "t.yaml", Via: "tenants[1]"}, {File: "t.yaml", Via: "tenants[0]"},
		{File: "b.yaml"},
	}
	got := indexesInFile(list, func(p *Pos) Pos { return *p })
	if want := []int{0, 0, 1, 0, 0, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("indexesInFile = %v, want %v", got, want)
	}
}
