package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import "sync"

// freeList keeps up to max spare buffers between pushes. A sync.Pool would not do: under
// steady load the garbage collector runs every few tens of milliseconds, each run empties a
// pool within two, and one queue consumer pushes far less often, so a pool hands back next
// to nothing. What the list holds stays allocated for good, which max bounds.
type freeList[T any] struct {
	mu    sync.Mutex
	spare []T
	max   int
}

func newFreeList[T any](maxSpare int) *freeList[T] {
	return &freeList[T]{max: maxSpare}
}

func (f *freeList[T]) get() (T, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var x T
	n := len(f.spare)
	if n == 0 {
		return x, false
	}
	x = f.spare[n-1]
	f.spare[n-1] = *new(T)
	f.spare = f.spare[:n-1]
	return x, true
}

// put keeps x unless the list is full.
func (f *freeList[T]) put(x T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.spare) < f.max {
		f.spare = append(f.spare, x)
	}
}
