package state

import (
	"hash/maphash"
	"math/bits"
)

// idSet is a set of ids asked about millions of times, mostly for ids it
// does not hold: each environment's users listing lists everyone who may
// access it, and only the restricted users among them are in the set. A
// bitset of the ids' hashes, small enough to stay in cache, answers most
// of those at once; only an id whose bit is set is looked up in the map,
// whose random accesses over tens of thousands of ids missed the cache
// (at 50k users the lookups cost more than the scan of the listings).
type idSet struct {
	seed maphash.Seed
	bits []uint64
	mask uint64 // len(bits)*64 - 1
	ids  map[string]bool
}

func newIDSet(ids []string) *idSet {
	// At least 16 bits an id: about 1 id in 16 not held reaches the map.
	n := max(64, 1<<bits.Len(uint(16*len(ids))))
	s := &idSet{seed: maphash.MakeSeed(), bits: make([]uint64, n/64), mask: uint64(n - 1), ids: make(map[string]bool, len(ids))}
	for _, id := range ids {
		h := maphash.String(s.seed, id) & s.mask
		s.bits[h/64] |= 1 << (h % 64)
		s.ids[id] = true
	}
	return s
}

// has reports whether id is in the set.
func (s *idSet) has(id []byte) bool {
	h := maphash.Bytes(s.seed, id) & s.mask
	if s.bits[h/64]&(1<<(h%64)) == 0 {
		return false
	}
	return s.ids[string(id)]
}
