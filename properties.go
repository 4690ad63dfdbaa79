package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"encoding/base64"
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

// property is one event property, kept as the value it came as (a text, a number or the
// span's own attribute) until the encoder writes it: building an event boxes no value into
// an interface and hashes no key, which a map of properties did for every one of them.
type property struct {
	key  string
	kind propertyKind
	text string        // propText; propJSON: the value's JSON encoding
	num  float64       // propFloat
	int  int64         // propInt
	attr pcommon.Value // propAttr
}

type propertyKind uint8

const (
	propText propertyKind = iota
	propInt
	propFloat
	propAttr
	propJSON
)

// properties are an event's properties. While an event is built, the first value given for
// a key wins, so the exporter's own properties go in before the forwarded attributes;
// sorted then orders them by key, the order they are encoded in, and drops the later claims.
type properties []property

// addText adds a text property unless the text is empty.
func (p *properties) addText(key, value string) {
	if value != "" {
		*p = append(*p, property{key: key, kind: propText, text: value})
	}
}

func (p *properties) addInt(key string, value int64) {
	*p = append(*p, property{key: key, kind: propInt, int: value})
}

func (p *properties) addFloat(key string, value float64) {
	*p = append(*p, property{key: key, kind: propFloat, num: value})
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

// maxIndexSorted is the most properties indexSort orders; an ordinary event has about twenty.
const maxIndexSorted = 255

// indexSort is a stable insertion sort of byte-sized indices followed by one move of each
// property into place: sorting the properties themselves moved them about ten times each,
// and that was a tenth of the translation's time.
func (p properties) indexSort() {
	var buf [maxIndexSorted]uint8
	order := buf[:len(p)]
	for i := range order {
		order[i] = uint8(i)
		for j := i; j > 0 && p[order[j]].key < p[order[j-1]].key; j-- {
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

// addForwarded adds the attributes the translation did not consume, as properties under their
// own names; keys of the custom-metadata namespaces lose their prefix, the way OpenRouter
// forwards its trace metadata.
func (p *properties) addForwarded(attrs pcommon.Map) {
	attrs.Range(func(k string, v pcommon.Value) bool {
		if consumedKeys[k] || neverForwarded(k) {
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
		*p = append(*p, property{key: name, kind: propAttr, attr: v})
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

// appendProperty writes a property's value as JSON. Attribute values become what
// encoding/json would make of them as Go values, with bytes in base64 and non-finite numbers
// as their names, so one odd attribute cannot make a whole event unencodable.
func appendProperty(b []byte, p *property) ([]byte, error) {
	switch p.kind {
	case propText:
		return appendString(b, p.text), nil
	case propInt:
		return strconv.AppendInt(b, p.int, 10), nil
	case propFloat:
		return appendFloat(b, p.num)
	case propJSON:
		return append(b, p.text...), nil
	}
	v := p.attr
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return append(b, "null"...), nil
	case pcommon.ValueTypeStr:
		return appendString(b, v.Str()), nil
	case pcommon.ValueTypeBool:
		return strconv.AppendBool(b, v.Bool()), nil
	case pcommon.ValueTypeInt:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case pcommon.ValueTypeDouble:
		if f := v.Double(); !isFinite(f) {
			return appendString(b, strconv.FormatFloat(f, 'g', -1, 64)), nil
		}
		return appendFloat(b, v.Double())
	case pcommon.ValueTypeBytes:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes().AsRaw())
		return append(b, '"'), nil
	default:
		return appendValue(b, jsonSafe(v.AsRaw()))
	}
}

func decodedObject(v pcommon.Value) (map[string]any, bool) {
	x, ok := valueJSON(v)
	if !ok {
		return nil, false
	}
	m, ok := x.(map[string]any)
	return m, ok
}
