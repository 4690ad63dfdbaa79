package raindropexporter

import (
	"encoding/json"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// TestAppendEventMatchesEncodingJSON holds the fast encoder to encoding/json's output over
// every fixture's events and over values chosen to hit each escaping and number rule.
func TestAppendEventMatchesEncodingJSON(t *testing.T) {
	var events []event
	for _, path := range traceFixtures(t) {
		for _, in := range translate(loadTraces(t, path), defaultOptions, loadLogContent(t, path)).interactions {
			events = append(events, in.event)
		}
	}
	attrs := pcommon.NewMap()
	require.NoError(t, attrs.FromRaw(map[string]any{
		"tiny": 1e-7, "small": 0.000001, "big": 1e21, "less": 123456789012345678.0,
		"neg": -2.5e-9, "zero": 0.0, "negzero": math.Copysign(0, -1), "int": int64(-42),
		"yes": true, "list": []any{"a", 1.5, map[string]any{"k": "<v>"}},
		"map": map[string]any{"z": 1.0, "a": []any{}}, "": "empty key", "bytes": []byte{0, 0xff},
	}))
	attrs.PutEmpty("nil")
	attrs.PutDouble("nan", math.NaN())
	attrs.PutDouble("inf", math.Inf(-1))
	var props properties
	props.addText("text", "<b>")
	props.addInt("count", 3)
	props.addFloat("ms", 1e-7)
	props.addDecoded(map[string]any{"meta": map[string]any{"b": []any{true, nil}}, "note": "n"})
	props.addForwarded(attrs)
	events = append(events, event{
		EventID: "e", Event: "<odd> & \"quoted\" \\ \u2028\u2029 \x00\x1f \xff\xfe é 日本",
		UserID: "u", Timestamp: "t",
		AIData:      &aiData{Input: "\t\n\r\b\f", Output: ""},
		Properties:  props.sorted(),
		Attachments: []attachment{{Type: "code", Value: "{\"a\":1}", Role: "output", Name: "n"}},
	})
	for _, ev := range events {
		want, err := json.Marshal(&ev)
		require.NoError(t, err)
		got, err := appendEvent(nil, &ev)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\xff", "\u2028<&>", "\"\\\x01", "日本\xe6",
		// Long enough for the eight-byte steps, with something to escape in each position.
		"sixteen plain by", "sixteen plain b<", "<ixteen plain by", "seven b\x7fsixteen plain by",
		"eight by\u00e9sixteen plain by\n", "sixteen plain by\x80\x80\x80\x80\x80\x80\x80\x80&", "eight by<ight by", "eight byeight by\u2028",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendString(nil, s)))
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, x := range []float64{0, 1, -1, 1e-7, 1e21, 123.456, 5e-324, math.MaxFloat64} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		want, err := json.Marshal(x)
		require.NoError(t, err)
		got, err := appendFloat(nil, x)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	})
}

// TestSpecialMarksExactly holds the word test to the byte table: every byte value, in every
// position of a word of plain bytes.
func TestSpecialMarksExactly(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			plain := c < utf8.RuneSelf && plainASCII[c]
			assert.Equal(t, plain, special(word(string(b)))&highBits == 0, "byte %#x at %d", c, pos)
		}
	}
}
