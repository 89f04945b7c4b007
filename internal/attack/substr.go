package attack

// substrings finds which of a fixed set of keywords occur in a text, in one
// pass over the text whatever the number of keywords: an Aho-Corasick
// automaton compiled to a dense DFA over byte classes. ASCII letters fold to
// one class, so matching is ASCII case-insensitive without lower-casing the
// text; keywords must be lower case.
type substrings struct {
	class  [256]uint16
	nclass int
	// next[state*nclass+class] is the DFA transition.
	next []int32
	// out[state] lists the keywords that end at state, including those that
	// end at its suffixes.
	out [][]uint16
	// depth is each state's distance from the root in the trie; lens are
	// the keyword lengths. Together they tell prefix matches apart.
	depth []int32
	lens  []int32
	n     int
}

// newSubstrings compiles the keywords; keyword i is reported as ID i.
func newSubstrings(keywords []string) *substrings {
	s := &substrings{n: len(keywords)}
	// Byte classes: 0 is "no keyword uses this byte"; upper-case ASCII shares
	// the class of its lower-case letter.
	for _, k := range keywords {
		for i := 0; i < len(k); i++ {
			if s.class[k[i]] == 0 {
				s.nclass++
				s.class[k[i]] = uint16(s.nclass)
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		s.class[c] = s.class[c+'a'-'A']
	}
	s.nclass++

	// Trie with -1 for missing edges.
	goTo := [][]int32{s.newState()}
	s.out = [][]uint16{nil}
	s.depth = []int32{0}
	for id, k := range keywords {
		st := int32(0)
		for i := 0; i < len(k); i++ {
			c := s.class[k[i]]
			if goTo[st][c] < 0 {
				goTo[st][c] = int32(len(goTo))
				goTo = append(goTo, s.newState())
				s.out = append(s.out, nil)
				s.depth = append(s.depth, int32(i+1))
			}
			st = goTo[st][c]
		}
		s.out[st] = append(s.out[st], uint16(id))
		s.lens = append(s.lens, int32(len(k)))
	}

	// Breadth-first: fail links, then complete transitions into a DFA.
	fail := make([]int32, len(goTo))
	queue := make([]int32, 0, len(goTo))
	for c := range s.nclass {
		if nx := goTo[0][c]; nx > 0 {
			queue = append(queue, nx)
		} else {
			goTo[0][c] = 0
		}
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		s.out[st] = append(s.out[st], s.out[fail[st]]...)
		for c := range s.nclass {
			nx := goTo[st][c]
			if nx < 0 {
				goTo[st][c] = goTo[fail[st]][c]
				continue
			}
			fail[nx] = goTo[fail[st]][c]
			queue = append(queue, nx)
		}
	}
	s.next = make([]int32, 0, len(goTo)*s.nclass)
	for _, row := range goTo {
		s.next = append(s.next, row...)
	}
	return s
}

func (s *substrings) newState() []int32 {
	row := make([]int32, s.nclass)
	for i := range row {
		row[i] = -1
	}
	return row
}

// scan sets in found the bit of every keyword that occurs in text.
func (s *substrings) scan(text string, found bitset) {
	st := int32(0)
	nc := int32(s.nclass)
	for i := 0; i < len(text); i++ {
		st = s.next[st*nc+int32(s.class[text[i]])]
		for _, id := range s.out[st] {
			found.set(id)
		}
	}
}

// scanPrefix sets in found the bit of every keyword that text starts with.
// It walks the trie from the root and stops as soon as the text leaves it,
// so it reads at most as many bytes as the longest keyword.
func (s *substrings) scanPrefix(text string, found bitset) {
	st := int32(0)
	nc := int32(s.nclass)
	for i := 0; i < len(text); i++ {
		st = s.next[st*nc+int32(s.class[text[i]])]
		if s.depth[st] != int32(i+1) {
			return
		}
		for _, id := range s.out[st] {
			if s.lens[id] == int32(i+1) {
				found.set(id)
			}
		}
	}
}

// bitset is a set of keyword IDs.
type bitset []uint64

func (b bitset) set(i uint16)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i uint16) bool { return b[i/64]&(1<<(i%64)) != 0 }

func (b bitset) any(ids []uint16) bool {
	for _, id := range ids {
		if b.has(id) {
			return true
		}
	}
	return false
}
