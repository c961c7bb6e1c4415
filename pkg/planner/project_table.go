package planner

// table holds the projected objects of one kind by natural key: the
// objects in a slice, edited in place, and the map holding only their
// index. Indexing a large account copies each object once, into one
// slice, and keeps the map small: a map of users by value was most of
// Project's cost at 100,000 users.
type table[T any] struct {
	vals    []T
	present []bool // vals[i] is under a key (not deleted, nor shadowed by a duplicate)
	moved   []bool // vals[i] is under another key than its own in live (rekey)
	idx     map[string]int
}

// newTable indexes live by key, with room for about room objects more;
// of objects sharing a key, the last one is kept, as a map of values
// would.
func newTable[T any](live []T, key func(*T) string, room int) *table[T] {
	t := &table[T]{vals: append(make([]T, 0, len(live)+room), live...), present: make([]bool, len(live), len(live)+room),
		moved: make([]bool, len(live), len(live)+room), idx: make(map[string]int, len(live))}
	for i := range t.vals {
		k := key(&t.vals[i])
		if j, ok := t.idx[k]; ok {
			t.present[j] = false
		}
		t.idx[k], t.present[i] = i, true
	}
	return t
}

// get returns the object under k, to read or edit in place.
func (t *table[T]) get(k string) (*T, bool) {
	i, ok := t.idx[k]
	if !ok {
		return nil, false
	}
	return &t.vals[i], true
}

// set puts v under k, in place of the object there if any.
func (t *table[T]) set(k string, v T) {
	if i, ok := t.idx[k]; ok {
		t.vals[i] = v
		return
	}
	t.idx[k] = len(t.vals)
	t.vals, t.present, t.moved = append(t.vals, v), append(t.present, true), append(t.moved, false)
}

// rekey moves the object under from to to, where it replaces any object.
func (t *table[T]) rekey(from, to string) {
	i, ok := t.idx[from]
	if !ok {
		return
	}
	delete(t.idx, from)
	if j, ok := t.idx[to]; ok && j != i {
		t.present[j] = false
	}
	t.idx[to], t.moved[i] = i, true
}

// del removes the object under k.
func (t *table[T]) del(k string) {
	if i, ok := t.idx[k]; ok {
		t.present[i] = false
		delete(t.idx, k)
	}
}

// each calls f with every object of the table, to edit in place.
func (t *table[T]) each(f func(v *T)) {
	for i := range t.vals {
		if t.present[i] {
			f(&t.vals[i])
		}
	}
}

// inOrder lists the table's objects as inOrder(live, the objects by key,
// key, nil) does: live's first, in live's order, then those the plan adds
// or renames, sorted by key and merged in when live is sorted. live must
// be the list the table was built from, and key give each object's key.
func (t *table[T]) inOrder(live []T, key func(*T) string) []T {
	taken := make([]bool, len(t.vals))
	out := make([]T, 0, len(t.idx))
	outKeys := make([]string, 0, len(t.idx))
	for i := range live {
		k := key(&live[i])
		if t.present[i] && !t.moved[i] {
			// Still under live[i]'s key, which newTable gave it: no
			// lookup needed (vals[i] started as live[i]).
			if !taken[i] {
				taken[i] = true
				out, outKeys = append(out, t.vals[i]), append(outKeys, k)
			}
			continue
		}
		if j, ok := t.idx[k]; ok && !taken[j] {
			taken[j] = true
			out, outKeys = append(out, t.vals[j]), append(outKeys, k)
		}
	}
	var added []keyed
	for j := range t.vals {
		if t.present[j] && !taken[j] {
			added = append(added, keyed{key(&t.vals[j]), j})
		}
	}
	if len(out) == 0 && len(added) == 0 {
		return nil
	}
	if len(added) == 0 {
		return out
	}
	return placeAdded(out, outKeys, t.vals, added)
}
