package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"encoding/base64"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// consumedKeys are the attributes the event already carries in another form; forwarding them
// as well would only repeat them under a second name.
var consumedKeys = func() map[string]bool {
	set := map[string]bool{}
	for _, list := range [][]string{
		responseModelKeys, requestModelKeys, providerKeys, finishReasonKeys,
		inputTokenKeys, outputTokenKeys, totalTokenKeys, cacheReadTokenKeys,
		cacheWriteTokenKeys, reasoningTokenKeys, totalCostKeys, inputCostKeys, outputCostKeys,
		ttftSecondsKeys, ttftMillisKeys, raindropEventIDKeys, raindropEventNameKeys,
		userIDKeys, convoIDKeys, sessionIDKeys, functionNameKeys, traceNameKeys, contentKeys,
		usageDetailKeys,
		{keyErrorType},
	} {
		for _, k := range list {
			set[k] = true
		}
	}
	return set
}()

var consumedSieve = newKeySieve(maps.Keys(consumedKeys))

// neverForwarded tells the keys that hold content or headers.
func neverForwarded(k string) bool {
	for _, prefixes := range [][]string{contentPrefixes, headerPrefixes, {signalPrefix}} {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
	}
	return false
}

// property is one event property, kept as a text or a number until the encoder writes it:
// building an event boxes no value into an interface and hashes no key, which a map of
// properties did for every one of them. An attribute's string is the span's own, not a copy.
type property struct {
	key  string
	text string // propText; propJSON: the value's JSON encoding
	num  uint64 // propInt, propFloat and propBool: the value's bits
	kind propertyKind
}

type propertyKind uint8

const (
	propText propertyKind = iota
	propInt
	propFloat
	propBool
	propJSON
)

// properties are an event's properties. While an event is built, the first value given for
// a key wins, so the exporter's own properties go in before the forwarded attributes;
// sorted then orders them by key, the order they are encoded in, and drops the later claims.
type properties []property

// maxComputedProperties is at least the number of properties the exporter sets itself (21):
// an event's list starts with room for them and for its span's attributes.
const maxComputedProperties = 24

// propertyBlocks keeps the blocks of events' properties between pushes: a push's events are
// encoded, and their properties done with, before the push ends. 16 blocks (768 KiB) hold
// the properties of about 800 events.
var propertyBlocks = newFreeList[[]property](16)

// addText adds a text property unless the text is empty.
func (p *properties) addText(key, value string) {
	if value != "" {
		*p = append(*p, property{key: key, kind: propText, text: value})
	}
}

func (p *properties) addInt(key string, value int64) {
	*p = append(*p, property{key: key, kind: propInt, num: uint64(value)})
}

func (p *properties) addFloat(key string, value float64) {
	*p = append(*p, property{key: key, kind: propFloat, num: math.Float64bits(value)})
}

// addAttribute adds an attribute's value as what encoding/json would make of it as a Go
// value, with bytes in base64 and non-finite numbers as their names, so one odd attribute
// cannot make a whole event unencodable.
func (p *properties) addAttribute(key string, v pcommon.Value) {
	prop := property{key: key}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		prop.text = v.Str()
	case pcommon.ValueTypeInt:
		prop.kind, prop.num = propInt, uint64(v.Int())
	case pcommon.ValueTypeDouble:
		if f := v.Double(); isFinite(f) {
			prop.kind, prop.num = propFloat, math.Float64bits(f)
		} else {
			prop.text = strconv.FormatFloat(f, 'g', -1, 64)
		}
	case pcommon.ValueTypeBool:
		prop.kind = propBool
		if v.Bool() {
			prop.num = 1
		}
	case pcommon.ValueTypeBytes:
		prop.text = base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())
	case pcommon.ValueTypeEmpty:
		prop.kind, prop.text = propJSON, "null"
	default:
		b, err := appendValue(nil, jsonSafe(v.AsRaw()))
		if err != nil {
			return
		}
		prop.kind, prop.text = propJSON, string(b)
	}
	*p = append(*p, prop)
}

// sorted orders the properties by key, keeping of each key the value given first.
func (p properties) sorted() properties {
	if len(p) > maxIndexSorted {
		// A span with hundreds of attributes: a stable sort keeps the first claim to a
		// key ahead of the later ones, and stays n log n where checking each key on the way
		// in would be quadratic.
		slices.SortStableFunc(p, func(a, b property) int { return strings.Compare(a.key, b.key) })
	} else {
		p.indexSort()
	}
	return slices.CompactFunc(p, func(a, b property) bool { return a.key == b.key })
}

// maxIndexSorted is the most properties indexSort orders; an ordinary event has about twenty,
// and its index arrays, on the stack, are cleared on every call.
const maxIndexSorted = 64

// indexSort is a stable insertion sort of byte-sized indices followed by one move of each
// property into place: sorting the properties themselves moved them about ten times each.
// Keys are compared by their first eight bytes, which mostly differ, before the whole keys.
func (p properties) indexSort() {
	var buf [maxIndexSorted]uint8
	var prefixes [maxIndexSorted]uint64
	order := buf[:len(p)]
	less := func(a, b uint8) bool {
		if prefixes[a] != prefixes[b] {
			return prefixes[a] < prefixes[b]
		}
		return p[a].key < p[b].key
	}
	for i := range order {
		prefixes[i] = keyPrefix(p[i].key)
		order[i] = uint8(i)
		for j := i; j > 0 && less(order[j], order[j-1]); j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	// Position k takes the property at order[k]: follow each cycle of the permutation,
	// marking the positions filled by pointing them at themselves.
	for k := range order {
		if int(order[k]) == k {
			continue
		}
		held := p[k]
		j := k
		for int(order[j]) != k {
			next := int(order[j])
			p[j] = p[next]
			order[j] = uint8(j)
			j = next
		}
		p[j] = held
		order[j] = uint8(j)
	}
}

// keyPrefix is the first eight bytes of key, big-endian and zero-padded, so that prefixes
// order as the keys do wherever they differ.
func keyPrefix(key string) uint64 {
	var x uint64
	for i := range 8 {
		x <<= 8
		if i < len(key) {
			x |= uint64(key[i])
		}
	}
	return x
}

// addForwarded adds the attributes the translation did not consume, as properties under their
// own names; keys of the custom-metadata namespaces lose their prefix, the way OpenRouter
// forwards its trace metadata.
func (p *properties) addForwarded(attrs pcommon.Map) {
	attrs.Range(func(k string, v pcommon.Value) bool {
		if (consumedSieve.mayHave(k) && consumedKeys[k]) || neverForwarded(k) {
			return true
		}
		name := k
		for _, prefix := range metadataPrefixes {
			if rest, ok := strings.CutPrefix(k, prefix); ok && rest != "" {
				name = rest
				break
			}
		}
		if k == "metadata" {
			// OpenInference keeps its metadata as one JSON object in a string.
			if m, ok := decodedObject(v); ok {
				p.addDecoded(m)
				return true
			}
		}
		p.addAttribute(name, v)
		return true
	})
}

// addDecoded adds the fields of a decoded JSON object; values other than text are encoded
// once, here.
func (p *properties) addDecoded(m map[string]any) {
	for k, v := range m {
		if text, ok := v.(string); ok {
			*p = append(*p, property{key: k, kind: propText, text: text})
			continue
		}
		b, err := appendValue(nil, jsonSafe(v))
		if err != nil {
			continue
		}
		*p = append(*p, property{key: k, kind: propJSON, text: string(b)})
	}
}

// appendProperty writes a property's value as JSON.
func appendProperty(b []byte, p *property) ([]byte, error) {
	switch p.kind {
	case propInt:
		return strconv.AppendInt(b, int64(p.num), 10), nil
	case propFloat:
		return appendFloat(b, math.Float64frombits(p.num))
	case propBool:
		return strconv.AppendBool(b, p.num != 0), nil
	case propJSON:
		return append(b, p.text...), nil
	default:
		return appendString(b, p.text), nil
	}
}

// attrObject decodes the JSON object an attribute holds as text.
func attrObject(attrs pcommon.Map, key string) (map[string]any, bool) {
	v, ok := attrs.Get(key)
	if !ok {
		return nil, false
	}
	return decodedObject(v)
}

func decodedObject(v pcommon.Value) (map[string]any, bool) {
	x, ok := valueJSON(v)
	if !ok {
		return nil, false
	}
	m, ok := x.(map[string]any)
	return m, ok
}
