package intel

import (
	"encoding/binary"
	"net/netip"
	"slices"
)

// u128 is an IP address as a 128-bit number; IPv4 addresses are mapped into
// ::ffff:0:0/96 so both families share one ordered space.
type u128 struct{ hi, lo uint64 }

var maxU128 = u128{^uint64(0), ^uint64(0)}

func addrKey(a netip.Addr) u128 {
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) next() u128 {
	lo := a.lo + 1
	hi := a.hi
	if lo == 0 {
		hi++
	}
	return u128{hi, lo}
}

// prefixBounds returns the first and last address of p.
func prefixBounds(p netip.Prefix) (lo, hi u128) {
	p = p.Masked()
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	lo = addrKey(p.Addr())
	hi = lo
	host := 128 - bits
	switch {
	case host >= 128:
		hi = maxU128
	case host >= 64:
		hi.lo = ^uint64(0)
		hi.hi |= (uint64(1) << (host - 64)) - 1
	case host > 0:
		hi.lo |= (uint64(1) << host) - 1
	}
	return lo, hi
}

// interval is an inclusive address range carrying a value.
type interval struct {
	lo, hi u128
	v      uint32
}

// rangeIndex answers "which values cover this address" for possibly
// overlapping intervals in O(log n): the intervals are cut into disjoint,
// sorted segments, each holding the sorted set of values covering it.
type rangeIndex struct {
	starts []u128
	ends   []u128
	sets   [][]uint32
}

// buildRangeIndex sweeps the interval boundaries once.
func buildRangeIndex(ivs []interval) rangeIndex {
	type event struct {
		at  u128
		v   uint32
		add bool
	}
	evs := make([]event, 0, 2*len(ivs))
	for _, iv := range ivs {
		if iv.hi.cmp(iv.lo) < 0 {
			continue
		}
		evs = append(evs, event{iv.lo, iv.v, true})
		if iv.hi != maxU128 {
			evs = append(evs, event{iv.hi.next(), iv.v, false})
		}
	}
	slices.SortFunc(evs, func(a, b event) int { return a.at.cmp(b.at) })
	var ri rangeIndex
	active := map[uint32]int{}
	var cur []uint32
	for i := 0; i < len(evs); {
		at := evs[i].at
		for ; i < len(evs) && evs[i].at == at; i++ {
			if evs[i].add {
				active[evs[i].v]++
			} else if active[evs[i].v]--; active[evs[i].v] <= 0 {
				delete(active, evs[i].v)
			}
		}
		end := maxU128
		if i < len(evs) {
			end = u128{evs[i].at.hi, evs[i].at.lo - 1}
			if evs[i].at.lo == 0 {
				end.hi--
			}
		}
		if len(active) == 0 {
			continue
		}
		set := make([]uint32, 0, len(active))
		for v := range active {
			set = append(set, v)
		}
		slices.Sort(set)
		// Adjacent segments with the same values are merged.
		if n := len(ri.ends); n > 0 && ri.ends[n-1].next() == at && slices.Equal(cur, set) {
			ri.ends[n-1] = end
			continue
		}
		cur = set
		ri.starts = append(ri.starts, at)
		ri.ends = append(ri.ends, end)
		ri.sets = append(ri.sets, set)
	}
	return ri
}

// find returns the values covering k, nil if none. It does not allocate.
func (ri *rangeIndex) find(k u128) []uint32 {
	// The last segment starting at or before k.
	lo, hi := 0, len(ri.starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ri.starts[m].cmp(k) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 || ri.ends[lo-1].cmp(k) < 0 {
		return nil
	}
	return ri.sets[lo-1]
}

func (ri *rangeIndex) len() int { return len(ri.starts) }
