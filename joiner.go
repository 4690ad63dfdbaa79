package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"context"
	"sync"
	"time"
)

// joiner holds the content that log records carry until the spans they belong to arrive, so
// that an interaction recorded by an instrumentation that writes content only to logs still
// gets its input and output. Memory is bounded by maxSpans and by retention.
type joiner struct {
	retention time.Duration
	maxSpans  int

	mu      sync.Mutex
	entries map[spanKey]*joinEntry
	// fifo holds keys in arrival order, so the oldest entries go first when time or room
	// runs out.
	fifo []spanKey
	// changed is closed and replaced whenever content arrives, waking waiting pushes.
	changed chan struct{}
}

type joinEntry struct {
	content *logContent
	arrived time.Time
}

func newJoiner(retention time.Duration, maxSpans int) *joiner {
	return &joiner{
		retention: retention,
		maxSpans:  maxSpans,
		entries:   map[spanKey]*joinEntry{},
		changed:   make(chan struct{}),
	}
}

// add stores the content of a logs batch and returns how many spans' content it evicted to
// stay within maxSpans.
func (j *joiner) add(now time.Time, contents logContents) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.expire(now)
	evicted := 0
	for key, c := range contents {
		if e, ok := j.entries[key]; ok {
			e.content.merge(c)
			continue
		}
		for len(j.entries) >= j.maxSpans && len(j.fifo) > 0 {
			j.dropOldest()
			evicted++
		}
		j.entries[key] = &joinEntry{content: c, arrived: now}
		j.fifo = append(j.fifo, key)
	}
	close(j.changed)
	j.changed = make(chan struct{})
	return evicted
}

func (j *joiner) expire(now time.Time) {
	for len(j.fifo) > 0 {
		e, ok := j.entries[j.fifo[0]]
		if ok && now.Sub(e.arrived) < j.retention {
			return
		}
		j.dropOldest()
	}
}

func (j *joiner) dropOldest() {
	delete(j.entries, j.fifo[0])
	j.fifo[0] = spanKey{}
	j.fifo = j.fifo[1:]
	// Reslicing alone would keep the whole backing array alive; copy once it is mostly waste.
	if cap(j.fifo) > 1024 && len(j.fifo) < cap(j.fifo)/4 {
		j.fifo = append([]spanKey(nil), j.fifo...)
	}
}

// lookup returns the content known for keys, and whether some key has none yet.
func (j *joiner) lookup(keys []spanKey) (logContents, bool, <-chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	found := logContents{}
	missing := false
	for _, k := range keys {
		if e, ok := j.entries[k]; ok {
			// A copy: later records for the span append to the entry while the caller reads.
			c := *e.content
			found[k] = &c
		} else {
			missing = true
		}
	}
	return found, missing, j.changed
}

// await returns the content for keys once every key has some, or when wait has passed or ctx
// is done, whichever comes first.
func (j *joiner) await(ctx context.Context, keys []spanKey, wait time.Duration) logContents {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		found, missing, changed := j.lookup(keys)
		if !missing {
			return found
		}
		select {
		case <-changed:
		case <-timer.C:
			return found
		case <-ctx.Done():
			return found
		}
	}
}
