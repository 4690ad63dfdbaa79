package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"fmt"
	"slices"
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

// appendEncoded appends ev's encoding to dst, shrinking the event until it fits
// maxEventBytes: first by halving its longest texts, then, when its bulk is many small
// pieces, by dropping the later half of its attachments and then its largest forwarded
// properties. It returns dst extended and how many cuts it made; on error, dst as it was.
// The event is changed in place.
func appendEncoded(dst []byte, ev *event) ([]byte, int, error) {
	start := len(dst)
	b, err := appendEvent(dst, ev)
	if err != nil {
		return dst, 0, err
	}
	cuts := 0
	for len(b)-start > maxEventBytes {
		switch f := largestField(ev); {
		case f != nil && f.chars > minCutChars:
			// Halving converges in a few rounds even when escaping makes bytes exceed
			// characters.
			f.set(cutChars(f.get(), f.chars/2))
		case len(ev.Attachments) > 1:
			dropAttachments(ev, len(ev.Attachments)/2)
		case dropLargestProperty(ev):
		default:
			return dst, cuts, fmt.Errorf("event %s is %d bytes and cannot be shrunk below %d",
				ev.EventID, len(b)-start, maxEventBytes)
		}
		cuts++
		if b, err = appendEvent(b[:start], ev); err != nil {
			return b[:start], cuts, err
		}
	}
	return b, cuts, nil
}

// sizeHint guesses an event's encoded size, so that encoding rarely grows its buffer.
func sizeHint(ev *event) int {
	n := 512 + 48*len(ev.Properties)
	if ev.AIData != nil {
		n += len(ev.AIData.Input) + len(ev.AIData.Output)
	}
	for _, a := range ev.Attachments {
		n += 64 + len(a.Value)
	}
	return n
}

// minCutChars is the shortest text worth halving; below it, an event's bulk is its number
// of pieces, not their length.
const minCutChars = 256

// dropAttachments keeps the first keep attachments and ends the list with a note saying how
// many were left out.
func dropAttachments(ev *event, keep int) {
	omitted := len(ev.Attachments) - keep
	if n := len(ev.Attachments); n > 0 && ev.Attachments[n-1].Name == omittedAttachmentsName {
		// The note from an earlier round is replaced, its count carried over.
		var before int
		_, _ = fmt.Sscanf(ev.Attachments[n-1].Value, omittedAttachmentsText, &before)
		omitted += before - 1
	}
	ev.Attachments = append(ev.Attachments[:keep:keep], attachment{
		Type: "text", Role: "output", Name: omittedAttachmentsName,
		Value: fmt.Sprintf(omittedAttachmentsText, omitted),
	})
}

const (
	omittedAttachmentsName = "raindropexporter"
	omittedAttachmentsText = "%d more attachments left out to keep the event under 1 MB"
)

// computedProperties are the properties the exporter itself sets; they are the last to go.
var computedProperties = map[string]bool{
	"model": true, "provider": true, "prompt_tokens": true, "completion_tokens": true,
	"total_tokens": true, "total_cost": true, "input_cost": true, "output_cost": true,
	"cost_source": true, "duration_ms": true, "finish_reason": true, "trace_id": true,
	"span_id": true, "trace_name": true, "error.type": true, "error.message": true,
	"convo_id": true,
}

// dropLargestProperty removes the largest forwarded property and reports whether there was
// one.
func dropLargestProperty(ev *event) bool {
	largest, size := -1, -1
	var scratch []byte
	for i := range ev.Properties {
		p := &ev.Properties[i]
		if computedProperties[p.key] {
			continue
		}
		scratch, _ = appendProperty(scratch[:0], p)
		// Properties are in key order, so the first of two equally large ones has the
		// smaller key.
		if n := len(p.key) + len(scratch); n > size {
			largest, size = i, n
		}
	}
	if largest < 0 {
		return false
	}
	ev.Properties = slices.Delete(ev.Properties, largest, largest+1)
	return true
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
	for i := range ev.Properties {
		p := &ev.Properties[i]
		var s string
		switch {
		case p.kind == propText:
			s = p.text
		case p.kind == propJSON && (p.text[0] == '{' || p.text[0] == '['):
			s = p.text
		default:
			continue
		}
		consider(s, func(s string) { *p = property{key: p.key, kind: propText, text: s} })
	}
	return best
}
