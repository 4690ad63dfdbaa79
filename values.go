package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"encoding/base64"
	"encoding/json"
	"iter"
	"math"
	"strconv"
	"strings"

	jsoniter "github.com/json-iterator/go"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// attrString returns the first of keys whose value is a non-empty string. Numbers and
// booleans count too, since exporters disagree on how to type ids.
func attrString(attrs pcommon.Map, keys ...string) (string, bool) {
	for _, k := range keys {
		if v, ok := attrs.Get(k); ok {
			if s, ok := stringValue(v); ok {
				return s, true
			}
		}
	}
	return "", false
}

func stringValue(v pcommon.Value) (string, bool) {
	var s string
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s = strings.TrimSpace(v.Str())
		// Some exporters stringify arrays (Spring AI's finish reasons: `["STOP"]`).
		if strings.HasPrefix(s, `["`) {
			if list, ok := decodeJSONText(s).([]any); ok && len(list) > 0 {
				if first, ok := list[0].(string); ok {
					s = first
				}
			}
		}
	case pcommon.ValueTypeInt, pcommon.ValueTypeBool:
		s = v.AsString()
	case pcommon.ValueTypeSlice:
		// finish_reasons is an array; the first entry belongs to the first choice.
		if v.Slice().Len() > 0 && v.Slice().At(0).Type() == pcommon.ValueTypeStr {
			s = strings.TrimSpace(v.Slice().At(0).Str())
		}
	}
	return s, s != ""
}

// attrNumber returns the first of keys holding a finite number, whether it arrived as an
// int, a double or a numeric string (proto3 JSON writes int64 as a string).
func attrNumber(attrs pcommon.Map, keys ...string) (float64, bool) {
	for _, k := range keys {
		v, ok := attrs.Get(k)
		if !ok {
			continue
		}
		if f, ok := valueNumber(v); ok {
			return f, true
		}
	}
	return 0, false
}

func valueNumber(v pcommon.Value) (float64, bool) {
	var f float64
	switch v.Type() {
	case pcommon.ValueTypeInt:
		f = float64(v.Int())
	case pcommon.ValueTypeDouble:
		f = v.Double()
	case pcommon.ValueTypeStr:
		parsed, err := strconv.ParseFloat(strings.TrimSpace(v.Str()), 64)
		if err != nil {
			return 0, false
		}
		f = parsed
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// attrJSON returns the value of key as decoded JSON: a structured value as is, a string that
// holds JSON decoded, and any other string as itself.
func attrJSON(attrs pcommon.Map, key string) (any, bool) {
	v, ok := attrs.Get(key)
	if !ok {
		return nil, false
	}
	return valueJSON(v)
}

func valueJSON(v pcommon.Value) (any, bool) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := strings.TrimSpace(v.Str())
		if s == "" {
			return nil, false
		}
		return decodeJSONText(s), true
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		return jsonSafe(v.AsRaw()), true
	case pcommon.ValueTypeEmpty:
		return nil, false
	default:
		return jsonSafe(v.AsRaw()), true
	}
}

// jsonAPI decodes message content, the hot path of the translation: it behaves as
// encoding/json does for the values read here, at a fraction of the cost.
var jsonAPI = jsoniter.ConfigCompatibleWithStandardLibrary

// decodeJSONText decodes s when it is a JSON object or array and returns s itself otherwise.
func decodeJSONText(s string) any {
	if s[0] != '{' && s[0] != '[' && s[0] != '"' {
		return s
	}
	var out any
	if err := jsonAPI.UnmarshalFromString(s, &out); err != nil {
		return s
	}
	return out
}

// jsonSafe replaces what encoding/json refuses (NaN, infinities, raw bytes) inside decoded
// values, so one odd attribute cannot make a whole event unencodable.
func jsonSafe(x any) any {
	switch t := x.(type) {
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return strconv.FormatFloat(t, 'g', -1, 64)
		}
		return t
	case []byte:
		return base64.StdEncoding.EncodeToString(t)
	case []any:
		for i := range t {
			t[i] = jsonSafe(t[i])
		}
		return t
	case map[string]any:
		for k, v := range t {
			t[k] = jsonSafe(v)
		}
		return t
	default:
		return t
	}
}

// asString renders a decoded JSON value as text: strings as they are, anything else as JSON.
func asString(x any) string {
	switch t := x.(type) {
	case nil:
		return ""
	case string:
		return t
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return ""
		}
		return string(b)
	}
}

// keySieve says at a glance, from a key's length and its first and last bytes, that the key
// is in none of a set: a pass over a span's attributes then hashes only the few keys that
// may be in it, not every key the span has.
type keySieve [64]struct{ first, last [4]uint64 }

func newKeySieve(keys iter.Seq[string]) *keySieve {
	s := new(keySieve)
	for k := range keys {
		if n := len(k); n > 0 && n < len(s) {
			s[n].first[k[0]>>6] |= 1 << (k[0] & 63)
			s[n].last[k[n-1]>>6] |= 1 << (k[n-1] & 63)
		}
	}
	return s
}

// mayHave is false only for a key that is certainly not in the set.
func (s *keySieve) mayHave(k string) bool {
	n := len(k)
	if n == 0 || n >= len(s) {
		return true
	}
	e := &s[n]
	return e.first[k[0]>>6]&(1<<(k[0]&63)) != 0 && e.last[k[n-1]>>6]&(1<<(k[n-1]&63)) != 0
}
