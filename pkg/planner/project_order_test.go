package planner

import (
	"fmt"
	"maps"
	"math/rand/v2"
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

// A table lists its objects as inOrder lists a map of the same objects,
// through random sets, renames and deletes over live lists with
// duplicate keys, sorted or not.
func TestTableMatchesMap(t *testing.T) {
	t.Parallel()
	key := func(o *orderItem) string { return o.Key }
	rng := rand.New(rand.NewPCG(5, 6))
	keys := []string{"a", "b", "c", "d", "e", "f", "é", "a\x00"}
	for i := range 2000 {
		var live []orderItem
		for range rng.IntN(6) {
			live = append(live, orderItem{Key: keys[rng.IntN(len(keys))], Val: fmt.Sprint("live ", i)})
		}
		if i%2 == 0 {
			slices.SortFunc(live, func(a, b orderItem) int { return strings.Compare(a.Key, b.Key) })
		}
		m := map[string]orderItem{}
		for _, o := range live {
			m[o.Key] = o
		}
		tb := newTable(live, key, rng.IntN(3))
		for step := range rng.IntN(6) {
			k, to := keys[rng.IntN(len(keys))], keys[rng.IntN(len(keys))]
			switch rng.IntN(3) {
			case 0: // set
				v := orderItem{Key: k, Val: fmt.Sprint("set ", step)}
				m[k] = v
				tb.set(k, v)
			case 1: // rename
				if o, ok := m[k]; ok && k != to {
					delete(m, k)
					o.Key = to
					m[to] = o
					p, _ := tb.get(k)
					p.Key = to
					tb.rekey(k, to)
				}
			case 2: // delete
				delete(m, k)
				tb.del(k)
			}
		}
		var each []orderItem
		tb.each(func(o *orderItem) { each = append(each, *o) })
		byKey := func(a, b orderItem) int { return strings.Compare(a.Key, b.Key) }
		slices.SortFunc(each, byKey)
		if want := slices.SortedFunc(maps.Values(m), byKey); !slices.Equal(want, each) {
			t.Fatalf("case %d: each visits %q, want %q", i, each, want)
		}
		want := inOrderReference(live, m, key, nil)
		if diff := cmp.Diff(want, tb.inOrder(live, key)); diff != "" {
			t.Fatalf("case %d: table lists (-want +got):\n%s", i, diff)
		}
	}
}

// mergeSorted gives the same list whether it merges in place or not,
// and puts a's objects before b's of equal keys.
func TestMergeSortedInPlace(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 500 {
		var aKeys []string
		for range rng.IntN(6) {
			aKeys = append(aKeys, string(rune('a'+rng.IntN(4))))
		}
		slices.Sort(aKeys)
		var b []string
		var added []keyed
		for j := range rng.IntN(5) {
			k := string(rune('a' + rng.IntN(5)))
			b, added = append(b, "b"+k), append(added, keyed{k, j})
		}
		slices.SortFunc(added, func(x, y keyed) int { return strings.Compare(x.key, y.key) })
		var want []string
		ai := 0
		for _, k := range added {
			for ai < len(aKeys) && aKeys[ai] <= k.key {
				want, ai = append(want, "a"+aKeys[ai]), ai+1
			}
			want = append(want, b[k.i])
		}
		for ; ai < len(aKeys); ai++ {
			want = append(want, "a"+aKeys[ai])
		}
		for _, room := range []int{0, len(added)} {
			a := make([]string, 0, len(aKeys)+room)
			for _, k := range aKeys {
				a = append(a, "a"+k)
			}
			if got := mergeSorted(a, aKeys, b, added); !slices.Equal(got, want) {
				t.Fatalf("case %d, room %d: mergeSorted = %q, want %q", i, room, got, want)
			}
		}
	}
}
