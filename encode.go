package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// appendEvent writes ev as encoding/json would, byte for byte, without reflection: encoding
// is a fifth of the push path's time. Values it has no fast path for (nested maps and lists
// among the properties) go through encoding/json.
func appendEvent(b []byte, ev *event) ([]byte, error) {
	b = append(b, `{"event_id":`...)
	b = appendString(b, ev.EventID)
	b = append(b, `,"event":`...)
	b = appendString(b, ev.Event)
	b = append(b, `,"user_id":`...)
	b = appendString(b, ev.UserID)
	b = append(b, `,"timestamp":`...)
	b = appendString(b, ev.Timestamp)
	if ev.AIData != nil {
		b = append(b, `,"ai_data":{`...)
		first := true
		for _, f := range [...]struct{ name, value string }{
			{"model", ev.AIData.Model}, {"input", ev.AIData.Input},
			{"output", ev.AIData.Output}, {"convo_id", ev.AIData.ConvoID},
		} {
			if f.value == "" {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, f.name)
			b = append(b, ':')
			b = appendString(b, f.value)
		}
		b = append(b, '}')
	}
	if len(ev.Properties) > 0 {
		b = append(b, `,"properties":{`...)
		for i := range ev.Properties {
			if i > 0 {
				b = append(b, ',')
			}
			p := &ev.Properties[i]
			b = appendString(b, p.key)
			b = append(b, ':')
			var err error
			if b, err = appendProperty(b, p); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	if len(ev.Attachments) > 0 {
		b = append(b, `,"attachments":[`...)
		for i, a := range ev.Attachments {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = appendString(b, a.Type)
			b = append(b, `,"value":`...)
			b = appendString(b, a.Value)
			b = append(b, `,"role":`...)
			b = appendString(b, a.Role)
			if a.Name != "" {
				b = append(b, `,"name":`...)
				b = appendString(b, a.Name)
			}
			if a.Language != "" {
				b = append(b, `,"language":`...)
				b = appendString(b, a.Language)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, t), nil
	case bool:
		return strconv.AppendBool(b, t), nil
	case int64:
		return strconv.AppendInt(b, t, 10), nil
	case int:
		return strconv.AppendInt(b, int64(t), 10), nil
	case float64:
		return appendFloat(b, t)
	default:
		enc, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		return append(b, enc...), nil
	}
}

// appendFloat formats f as encoding/json does: 'f' notation, or 'e' for very small or large
// magnitudes, with a one-digit exponent where it fits.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-07 becomes e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// eventBuffers keeps the buffers events are encoded into, all of bufferSize bytes, between
// pushes: they were the push path's largest allocations. One size fits every batch, so a
// buffer given back can always be used again; an event larger than that gets a buffer of
// its own. 32 of them (8 MiB) cover the pushes of a collector under thousands of
// interactions a second.
var eventBuffers = newFreeList[[]byte](32)

const bufferSize = 256 << 10

func getBuffer(size int) []byte {
	if size > bufferSize {
		return make([]byte, 0, size)
	}
	if b, ok := eventBuffers.get(); ok {
		return b[:0]
	}
	return make([]byte, 0, bufferSize)
}

func putBuffers(bufs [][]byte) {
	for _, b := range bufs {
		if cap(b) == bufferSize {
			eventBuffers.put(b[:0])
		}
	}
}

const hexDigits = "0123456789abcdef"

// plainASCII marks the ASCII bytes encoding/json writes as they are.
var plainASCII = func() [utf8.RuneSelf]bool {
	var t [utf8.RuneSelf]bool
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// special marks, in the high bit of each byte, the bytes of w that are not ASCII encoding/json
// writes as it is: control characters, '"', '\\', '<', '>', '&' and bytes above 0x7f (bits
// below the high ones are noise). Each test is the "has a zero byte" trick, exact in whether
// any byte matches; setting one bit first lets one test catch two characters: '"' (0x22)
// and '&' (0x26) both become 0x26, '<' (0x3c) and '>' (0x3e) both 0x3e.
func special(w uint64) uint64 {
	const ones = 0x0101010101010101
	zero := func(x uint64) uint64 { return (x - ones) &^ x }
	t := (w - ones*0x20) &^ w // bytes below 0x20
	t |= zero((w | ones*0x04) ^ (ones * '&'))
	t |= zero((w | ones*0x02) ^ (ones * '>'))
	t |= zero(w ^ (ones * '\\'))
	return t | w
}

const highBits = 0x8080808080808080

// word reads eight bytes of s in one load.
func word(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendString quotes s as encoding/json does: HTML-safe, with invalid UTF-8 replaced by
// U+FFFD and U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Prompts are long runs of plain text: sixteen bytes at a time while none needs a
		// look, two words side by side.
		for i+16 <= len(s) && (special(word(s[i:i+8]))|special(word(s[i+8:i+16])))&highBits == 0 {
			i += 16
		}
		for i+8 <= len(s) && special(word(s[i:i+8]))&highBits == 0 {
			i += 8
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
