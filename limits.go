package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"encoding/json"
	"fmt"
	"sort"
	"unicode/utf8"
)

const (
	// maxFieldChars is the cap Raindrop's SDKs put on each text field.
	maxFieldChars = 1_000_000
	// maxEventBytes keeps each encoded event under Raindrop's documented 1 MB per event.
	maxEventBytes = 1_000_000 - 4096
	// truncationMarker ends every cut text so the cut is visible in Raindrop.
	truncationMarker = "… [truncated by raindropexporter: %d characters removed]"
)

// truncateField cuts s to at most maxFieldChars characters, marker included, on a character
// boundary. It returns 1 when it cut.
func truncateField(s string) (string, int) {
	if len(s) <= maxFieldChars || utf8.RuneCountInString(s) <= maxFieldChars {
		return s, 0
	}
	return cutChars(s, maxFieldChars), 1
}

// cutChars keeps the start of s so that it and the marker fit in limit characters.
func cutChars(s string, limit int) string {
	total := utf8.RuneCountInString(s)
	if total <= limit {
		return s
	}
	keep := max(limit-len(truncationMarker)-16, 0)
	i, n := 0, 0
	for i < len(s) && n < keep {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return s[:i] + fmt.Sprintf(truncationMarker, total-n)
}

// encodeEvent marshals ev, shrinking its largest texts until it fits maxEventBytes. It
// returns the encoding and how many fields it cut. The event is changed in place.
func encodeEvent(ev *event) ([]byte, int, error) {
	b, err := json.Marshal(ev)
	if err != nil || len(b) <= maxEventBytes {
		return b, 0, err
	}
	cuts := 0
	for len(b) > maxEventBytes {
		f := largestField(ev)
		if f == nil || f.chars <= 64 {
			return nil, cuts, fmt.Errorf("event %s is %d bytes and cannot be shrunk below %d",
				ev.EventID, len(b), maxEventBytes)
		}
		// Halving converges in a few rounds even when escaping makes bytes exceed characters.
		f.set(cutChars(f.get(), f.chars/2))
		cuts++
		if b, err = json.Marshal(ev); err != nil {
			return nil, cuts, err
		}
	}
	return b, cuts, nil
}

type field struct {
	chars int
	get   func() string
	set   func(string)
}

// largestField finds the longest text an event carries: input, output, an attachment, or a
// property (a structured property is turned into its JSON text to be cut).
func largestField(ev *event) *field {
	var best *field
	consider := func(s string, set func(string)) {
		if n := utf8.RuneCountInString(s); best == nil || n > best.chars {
			best = &field{chars: n, get: func() string { return s }, set: set}
		}
	}
	if ev.AIData != nil {
		consider(ev.AIData.Input, func(s string) { ev.AIData.Input = s })
		consider(ev.AIData.Output, func(s string) { ev.AIData.Output = s })
	}
	for i := range ev.Attachments {
		a := &ev.Attachments[i]
		consider(a.Value, func(s string) { a.Value = s })
	}
	keys := make([]string, 0, len(ev.Properties))
	for k := range ev.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var s string
		switch v := ev.Properties[k].(type) {
		case string:
			s = v
		case map[string]any, []any:
			b, _ := json.Marshal(v)
			s = string(b)
		default:
			continue
		}
		consider(s, func(s string) { ev.Properties[k] = s })
	}
	return best
}
