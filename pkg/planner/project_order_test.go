package planner

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// inOrderReference is inOrder as it was before it sorted by precomputed
// keys: the behaviour inOrder must keep.
func inOrderReference[T any](live []T, now map[string]T, key, order func(*T) string) []T {
	if len(now) == 0 {
		return nil
	}
	if order == nil {
		order = key
	}
	byOrder := func(a, b T) int { return strings.Compare(order(&a), order(&b)) }
	out := make([]T, 0, len(now))
	for i := range live {
		k := key(&live[i])
		if v, ok := now[k]; ok {
			delete(now, k)
			out = append(out, v)
		}
	}
	if len(now) == 0 {
		return out
	}
	added := slices.Collect(maps.Values(now))
	slices.SortFunc(added, byOrder)
	if !slices.IsSortedFunc(out, byOrder) {
		return append(out, added...)
	}
	var merged []T
	a, b := out, added
	for len(a) > 0 && len(b) > 0 {
		if byOrder(b[0], a[0]) < 0 {
			merged, b = append(merged, b[0]), b[1:]
		} else {
			merged, a = append(merged, a[0]), a[1:]
		}
	}
	return append(append(merged, a...), b...)
}

type orderItem struct{ Key, Order, Val string }

func TestInOrderMatchesReference(t *testing.T) {
	t.Parallel()
	key := func(o *orderItem) string { return o.Key }
	order := func(o *orderItem) string { return o.Order }
	items := func(keys ...string) []orderItem {
		var out []orderItem
		for _, k := range keys {
			out = append(out, orderItem{Key: k, Order: strings.ToUpper(k) + "\x00" + k, Val: "live " + k})
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		live        []orderItem
		keep, added []string
	}{
		{"nothing", items("a", "b"), nil, nil},
		{"all kept", items("a", "b", "c"), []string{"a", "b", "c"}, nil},
		{"some kept", items("a", "b", "c"), []string{"c", "a"}, nil},
		{"added merged in", items("b", "d", "f"), []string{"b", "d", "f"}, []string{"a", "c", "e", "g"}},
		{"added before and after", items("m"), []string{"m"}, []string{"z", "a"}},
		{"live unsorted: added appended", items("d", "b"), []string{"d", "b"}, []string{"c", "a"}},
		{"only added", nil, nil, []string{"é", "e", "\x00", "Z", "ж"}},
		{"unicode and escapes", items("a\x00b", "a", "é", "ж"), []string{"a", "a\x00b", "é", "ж"}, []string{"a\x00", "e\u0301", "Ж"}},
		{"empty key", items("", "x"), []string{"", "x"}, []string{"m"}},
	} {
		for _, ord := range []struct {
			name string
			f    func(*orderItem) string
		}{{"by key", nil}, {"by order", order}} {
			t.Run(tc.name+"/"+ord.name, func(t *testing.T) {
				now := func() map[string]orderItem {
					m := map[string]orderItem{}
					for _, k := range tc.keep {
						m[k] = orderItem{Key: k, Order: strings.ToUpper(k) + "\x00" + k, Val: "changed " + k}
					}
					for _, k := range tc.added {
						m[k] = orderItem{Key: k, Order: strings.ToUpper(k) + "\x00" + k, Val: "added " + k}
					}
					return m
				}
				got := inOrder(tc.live, now(), key, ord.f)
				want := inOrderReference(tc.live, now(), key, ord.f)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("inOrder differs from the reference (-want +got):\n%s", diff)
				}
			})
		}
	}
}
