package raindropexporter

import (
	"encoding/json"
	"strings"
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
	scanSeeds(f)
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
	scanSeeds(f)
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

// scanSeeds adds every message list the fixtures record, input and output alike, and the
// edge cases the scanners have to agree on.
func scanSeeds(f *testing.F) {
	for _, path := range traceFixtures(f) {
		td := loadTraces(f, path)
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			sss := rss.At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				spans := sss.At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					for _, key := range []string{keyInputMessages, keyVercelMessages, keyOutputMessages} {
						if v, ok := spans.At(k).Attributes().Get(key); ok && v.Type() == pcommon.ValueTypeStr {
							f.Add(v.Str())
						}
					}
				}
			}
		}
	}
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, n := range []int{61, 62, 63, 64, 65} {
		f.Add(`[{"role":"user","content":"x","name":` + deep(n) + `}]`)
		f.Add(`[{"role":"user","content":[{"type":"text","text":"x","meta":` + deep(n) + `}]}]`)
		f.Add(`[{"role":"system","content":[{"type":"text","text":"x","meta":` + deep(n) + `}]},` +
			`{"role":"user","content":"y"}]`)
		f.Add(`[{"role":"assistant","parts":[{"type":"tool_call","name":"f","arguments":` + deep(n) + `}]}]`)
	}
	valid := `[{"role":"user","content":[{"type":"text","text":"a\"b"}]},{"role":"assistant","parts":[]}]`
	for i := range valid {
		f.Add(valid[:i])
	}
	for _, s := range []string{
		``, ` `, `[`, `]`, `[]`, `[,]`, `[{}]`, `[{},]`, `[{}}`, `[{"role":"user"}]`, `null`, `"x"`,
		` \t\n[ {"role" :"user" ,` + "\r" + `"content": "x" } ] ` + "\n",
		"[\v{\"role\":\"user\",\"content\":\"x\"}]", "[{\"role\":\"user\",\"content\":\"x\"}]\u00a0",
		`[{"role":"user","content":"a\nb \"q\" \u00e9 \\"}]`,
		`[{"role":"user","content":"bad \x escape"}]`,
		`[{"role":"user","content":"\ud800"}]`,
		"[{\"role\":\"user\",\"content\":\"\xff\x00raw\tcontrol\"}]",
		`[{"role":"USER","content":"x"}]`, `[{"role":"Human","content":"x"}]`, `[{"role":"uſer","content":"x"}]`,
		`[{"role":"user","content":"a","content":"b"}]`,
		`[{"role":"system","content":"a","role":"user"}]`,
		`[{"role":"user","content":"a","role":"system"}]`,
		`[{"role":"system","content":"[{\"a\":1}]","role":"user"}]`,
		`[{"role":"user","parts":[{"type":"text","content":"a"}],"content":"b"}]`,
		`[{"role":"system","content":"b","parts":[{"type":"text","content":"a"}]}]`,
		`[{"parts":[{"content":"a"}],"parts":[{"content":"b"}]}]`,
		`[{"content":"x","role":"user"}]`, `[{"content":"x"}]`, `[{"content":"x","role":"assistant"}]`,
		`[{"content":[{"type":"text","text":"x"}],"role":"assistant"},{"role":"user","content":"y"}]`,
		`[{"content":"[{\"a\":1}]","role":"system"},{"role":"user","content":"y"}]`,
		`[{"content":5,"role":"system"},{"content":{"a":1}},{"role":"user","content":"y"}]`,
		`[{"role":1,"content":"x"}]`, `[{"role":null,"content":"x"}]`, `[{"role":["user"],"content":"x"}]`,
		`[{"r\u006fle":"user","c\u006fntent":"x"}]`, `[{"\q":"user"}]`, `[{"role":"user","name":{"\q":1},"content":"x"}]`,
		`[{"role":"user","content":[{"\q":1,"text":"x"}]}]`,
		`[{"role":"user","content":"x"}]x`, `[{"role":"user","content":"x"}] ,`, `[{"role":"user","content":"x"}]]`,
		`[{"role":"user","content":"x"}]{}`, `[{"role":"user","content":"x"} {"role":"user"}]`,
		`[{"role":"user","content":null}]`, `[{"role":"user","content":nul}]`, `[{"role":"user","content":null"}]`,
		`[{"role":"user","content":"null"}]`, `[{"role":"user","content":true}]`, `[{"role":"user","content":1:2}]`,
		`[{"role":"user","name":1:2,"content":"x"}]`, `[{"role":"user","name":a"b{,"content":"x"}]`,
		`[{"role":"user","content":["a",null,"null",{"type":"image","text":"t"},"b"]}]`,
		`[{"role":"user","content":[{"0":"x"}]}]`, `[{"role":"user","content":[{"message_content":{}}]}]`,
		`[{"role":"user","content":[{"type":"input_text","content":"c","text":"t"},[]]}]`,
		`[{"role":"user","content":[{"type":"text","content":"","text":"t"},{"type":1}]}]`,
		`[{"role":"user","content":"first"},"plain",{"role":"user","content":"second"}]`,
		`[{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"f","arguments":"{\"a\":1}"}]}]`,
		`[{"role":"assistant","parts":[{"type":"tool_call","name":"f","arguments":tru}]}]`,
		`[{"role":"assistant","parts":[{"type":"tool_call","name":"f","arguments":1:2}]}]`,
		`[{"role":"assistant","parts":[{"type":"tool-call","name":"f","arguments":null}]}]`,
		`[{"role":"assistant","parts":[{"type":"tool_use","name":"f","arguments":{"a":[1,2e400]}}]}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"a"}]},{"role":"assistant",` +
			`"parts":[{"type":"tool_call","arguments":{]}]`,
		`[{"role":"user","parts":[{"type":"text","content":"q"}]},{"role":"model","parts":[{"type":"text",` +
			`"content":"a"},{"type":"function_call","name":"g"}],"finish_reason":"stop"}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"a"},{"type":"tool_call","name":"f"}],` +
			`"parts":[{"type":"text","content":"b"},{"type":"tool_call","name":"g"}]}]`,
		`[{"role":"assistant","parts":null}]`, `[{"role":"assistant","parts":[{"type":"text","content":"a"}],"x":1}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"a","mime_type":{"b":[]},"extra":1}]}]`,
	} {
		f.Add(s)
	}
}

// benchProse is plain prompt text without escapes, the common case.
func benchProse(n int) string {
	const sentence = "Our order arrived two days late and the box was damaged; " +
		"could you tell me whether I can still return the blender for a full refund? "
	return strings.Repeat(sentence, n/len(sentence)+1)[:n]
}

// BenchmarkScanLatestUser reads a short conversation whose last prompt is 2 KB of prose, in
// the three shapes the scanner meets most.
func BenchmarkScanLatestUser(b *testing.B) {
	prompt := benchProse(2048)
	turns := func(msg func(role, text string) string) string {
		return "[" + msg("system", "You are a support agent for a kitchen appliance shop. Be brief and polite.") +
			"," + msg("user", "Hello, I have a question about an order.") +
			"," + msg("assistant", "Of course. What is the order number?") +
			"," + msg("user", "It is 48213.") +
			"," + msg("assistant", "Thank you, I found it. How can I help with this order?") +
			"," + msg("user", prompt) + "]"
	}
	for _, shape := range []struct {
		name string
		msg  func(role, text string) string
	}{
		{"content", func(role, text string) string {
			return `{"role":"` + role + `","content":"` + text + `"}`
		}},
		{"parts", func(role, text string) string {
			return `{"role":"` + role + `","parts":[{"type":"text","content":"` + text + `"}]}`
		}},
		{"vercel", func(role, text string) string {
			return `{"role":"` + role + `","content":[{"type":"text","text":"` + text + `"}]}`
		}},
	} {
		in := turns(shape.msg)
		b.Run(shape.name, func(b *testing.B) {
			if got, ok := scanLatestUser(in); !ok || got != prompt {
				b.Fatalf("scanLatestUser = %.20q, %v", got, ok)
			}
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				scanLatestUser(in)
			}
		})
	}
}
