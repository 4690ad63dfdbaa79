package raindropexporter

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestScanLatestUser(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		ok   bool
	}{
		{`[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},` +
			`{"role":"user","parts":[{"type":"text","content":"Hi \"there\" \u00e9"}]}]`, `Hi "there" é`, true},
		{`[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},` +
			`{"role":"user","content":[{"type":"text","text":"second"},{"type":"image","image":"x"}]}]`,
			"second", true},
		{` [ { "role" : "user" , "content" : [ "a" , "b" ] } ] `, "a\nb", true},
		{`[{"role":"user","content":"null"}]`, "", false},
		{`[{"role":"user","content":"[{\"type\":\"text\"}]"}]`, "", false},
		{`[{"role":"user","tool_calls":[]}]`, "", false},
		{`[{"role":"user","content":"x"}`, "", false},
		{`{"messages":[]}`, "", false},
		{`[]`, "", false},
	} {
		got, ok := scanLatestUser(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

// FuzzScanLatestUser holds the scanner to the general reader: whenever it answers for valid
// JSON, it answers what the general reader would.
func FuzzScanLatestUser(f *testing.F) {
	for _, path := range traceFixtures(f) {
		td := loadTraces(f, path)
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			sss := rss.At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				spans := sss.At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					for _, key := range []string{keyInputMessages, keyVercelMessages} {
						if v, ok := spans.At(k).Attributes().Get(key); ok && v.Type() == pcommon.ValueTypeStr {
							f.Add(v.Str())
						}
					}
				}
			}
		}
	}
	f.Add(`[{"role":"HUMAN","content":[{"type":"input_text","content":"c","text":"t"}]}]`)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := scanLatestUser(s)
		if !ok || !json.Valid([]byte(s)) {
			return
		}
		want := latestUserText(messagesFrom(decodeJSONText(s)))
		require.Equal(t, want, got, "input %q", s)
	})
}

// FuzzScanFirstAnswer holds the output scanner to the general reader in the same way.
func FuzzScanFirstAnswer(f *testing.F) {
	for _, path := range traceFixtures(f) {
		td := loadTraces(f, path)
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			sss := rss.At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				spans := sss.At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					if v, ok := spans.At(k).Attributes().Get(keyOutputMessages); ok && v.Type() == pcommon.ValueTypeStr {
						f.Add(v.Str())
					}
				}
			}
		}
	}
	f.Add(`[{"role":"Assistant","parts":[{"type":"tool_call","id":"1","name":"f","arguments":{"b":1,"a":[2]}}]}]`)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := scanFirstAnswer(s)
		if !ok || !json.Valid([]byte(s)) {
			return
		}
		want, wantOK := firstAnswer(messagesFrom(decodeJSONText(s)))
		require.True(t, wantOK, "input %q", s)
		require.Equal(t, want, got, "input %q", s)
	})
}
