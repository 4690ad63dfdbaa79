package raindropexporter // import "github.com/raindropexporter/raindropexporter"

// slab hands out room for the many small lists a batch's translation makes (each event's
// properties, each interaction's span positions) from shared blocks, keeping only what each
// list used: one allocation serves dozens of events, and a list is never sized for its
// worst case. Blocks come from spare when it is given, and go back to it with release.
type slab[T any] struct {
	block []T
	used  [][]T
	spare *freeList[[]T] // of blocks of cap slabBlock; nil leaves blocks to the garbage collector
}

const slabBlock = 1024

// room returns an empty list with room for n elements.
func (s *slab[T]) room(n int) []T {
	if cap(s.block)-len(s.block) < n {
		s.block = s.newBlock(n)
		s.used = append(s.used, s.block)
	}
	return s.block[len(s.block):len(s.block):cap(s.block)]
}

func (s *slab[T]) newBlock(n int) []T {
	if n <= slabBlock && s.spare != nil {
		if b, ok := s.spare.get(); ok {
			return b[:0]
		}
	}
	return make([]T, 0, max(n, slabBlock))
}

// keep takes the room list used from the block, unless list outgrew its room and moved.
func (s *slab[T]) keep(list []T) {
	if cap(list) == cap(s.block)-len(s.block) {
		s.block = s.block[:len(s.block)+len(list)]
	}
}

// release gives the blocks back to spare; the lists made from them must not be read after
// it.
func (s *slab[T]) release() {
	if s.spare != nil {
		for _, b := range s.used {
			if cap(b) == slabBlock {
				// Cleared, a kept block holds on to nothing.
				b = b[:slabBlock]
				clear(b)
				s.spare.put(b[:0])
			}
		}
	}
	s.block, s.used = nil, nil
}
