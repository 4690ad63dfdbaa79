package raindropexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFreeListKeepsAtMostItsBound(t *testing.T) {
	f := newFreeList[int](2)
	_, ok := f.get()
	assert.False(t, ok)
	f.put(1)
	f.put(2)
	f.put(3)
	got := map[int]bool{}
	for {
		x, ok := f.get()
		if !ok {
			break
		}
		got[x] = true
	}
	assert.Equal(t, map[int]bool{1: true, 2: true}, got)
}
