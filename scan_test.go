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

// FuzzScanLatestUserSameAsBefore holds the streaming scanner to the one it replaced, which cut
// each value out and parsed it again: same text, same verdict, for any input.
func FuzzScanLatestUserSameAsBefore(f *testing.F) {
	scanSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		want, wantOK := oldScanLatestUser(s)
		got, ok := scanLatestUser(s)
		require.Equal(t, wantOK, ok, "input %q", s)
		require.Equal(t, want, got, "input %q", s)
	})
}

// FuzzScanFirstAnswerSameAsBefore does the same for the output scanner.
func FuzzScanFirstAnswerSameAsBefore(f *testing.F) {
	scanSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		want, wantOK := oldScanFirstAnswer(s)
		got, ok := scanFirstAnswer(s)
		require.Equal(t, wantOK, ok, "input %q", s)
		require.Equal(t, want, got, "input %q", s)
	})
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

// The scanners as they were before they streamed: each value was cut out, then parsed again.
// They pin the old semantics for the fuzz tests above.

func oldScanLatestUser(s string) (string, bool) {
	var latest string
	ok := oldEachItem(s, func(item string) bool {
		role, content, ok := oldUserMessage(item)
		if !ok {
			return false
		}
		if r := strings.ToLower(role); (r != "user" && r != "human" && r != "") || content == "" {
			return true
		}
		text, ok := oldContentText(content)
		if text != "" {
			latest = text
		}
		return ok
	})
	if !ok || latest == "" {
		return "", false
	}
	return latest, true
}

func oldUserMessage(raw string) (role, content string, ok bool) {
	var parts, plain string
	ok = oldEachField(raw, func(key, value string) bool {
		switch key {
		case "role":
			var ok bool
			role, ok = oldUnquote(value)
			return ok
		case "parts":
			parts = value
		case "content":
			plain = value
		case "name", "finish_reason", "providerOptions", "experimental_providerMetadata":
		default:
			return false
		}
		return true
	})
	if !ok || (parts != "" && plain != "") {
		return "", "", false
	}
	if parts != "" {
		return role, parts, true
	}
	return role, plain, true
}

func oldContentText(raw string) (string, bool) {
	switch raw[0] {
	case '"':
		return oldStringContent(raw)
	case 'n':
		return "", raw == "null"
	case '[':
	default:
		return "", false
	}
	var texts []string
	ok := oldEachItem(raw, func(item string) bool {
		var text string
		var ok bool
		if item[0] == '"' {
			text, ok = oldStringContent(item)
		} else {
			text, ok = oldPartText(item)
		}
		if text != "" {
			texts = append(texts, text)
		}
		return ok
	})
	return strings.Join(texts, "\n"), ok
}

func oldStringContent(raw string) (string, bool) {
	text, ok := oldUnquote(raw)
	if !ok || strings.HasPrefix(text, "[{") {
		return "", false
	}
	if text == "null" {
		return "", true
	}
	return text, true
}

func oldPartText(raw string) (string, bool) {
	var typ, content, text string
	ok := oldEachField(raw, func(key, value string) bool {
		var dst *string
		switch key {
		case "type":
			dst = &typ
		case "content":
			dst = &content
		case "text":
			dst = &text
		case "message_content":
			return false
		default:
			return key == "" || key[0] < '0' || key[0] > '9'
		}
		var ok bool
		*dst, ok = oldUnquote(value)
		return ok
	})
	if !ok {
		return "", false
	}
	switch typ {
	case "", "text", "input_text", "output_text":
		if content != "" {
			return content, true
		}
		return text, true
	}
	return "", true
}

func oldScanFirstAnswer(s string) (message, bool) {
	var answer message
	found := false
	ok := oldEachItem(s, func(item string) bool {
		m, ok := oldOutputMessage(item)
		if !ok {
			return false
		}
		if !found && !m.empty() {
			switch m.role {
			case "", "assistant", "model", "ai":
				answer, found = m, true
			}
		}
		return true
	})
	if !ok || !found {
		return message{}, false
	}
	return answer, true
}

func oldOutputMessage(raw string) (message, bool) {
	var m message
	ok := oldEachField(raw, func(key, value string) bool {
		switch key {
		case "role":
			role, ok := oldUnquote(value)
			m.role = strings.ToLower(role)
			return ok
		case "parts":
			return oldReadParts(value, &m)
		case "finish_reason", "name":
			return true
		}
		return false
	})
	return m, ok
}

func oldReadParts(raw string, m *message) bool {
	var texts []string
	ok := oldEachItem(raw, func(item string) bool {
		var typ, content, id, name, args string
		ok := oldEachField(item, func(key, value string) bool {
			var dst *string
			switch key {
			case "type":
				dst = &typ
			case "content":
				dst = &content
			case "id":
				dst = &id
			case "name":
				dst = &name
			case "arguments":
				args = value
				return true
			case "response", "mime_type", "modality", "uri", "file_id":
				return true
			default:
				return false
			}
			var ok bool
			*dst, ok = oldUnquote(value)
			return ok
		})
		if !ok {
			return false
		}
		switch typ {
		case "", "text", "input_text", "output_text":
			if content != "" {
				texts = append(texts, content)
			}
		case "tool_call", "tool-call", "function_call", "tool_use":
			var x any
			if args != "" {
				if err := jsonAPI.UnmarshalFromString(args, &x); err != nil {
					return false
				}
			}
			m.toolCalls = append(m.toolCalls, toolCall{id: id, name: name, arguments: asString(jsonSafe(x))})
		}
		return true
	})
	m.text = strings.Join(texts, "\n")
	return ok
}

func oldEachItem(raw string, f func(item string) bool) bool {
	sc := oldScanner{s: raw}
	sc.ws()
	if !sc.eat('[') {
		return false
	}
	for first := true; ; first = false {
		sc.ws()
		if sc.eat(']') {
			sc.ws()
			return sc.i == len(sc.s)
		}
		if !first && !sc.eat(',') {
			return false
		}
		sc.ws()
		start := sc.i
		if !sc.skip() || !f(sc.s[start:sc.i]) {
			return false
		}
	}
}

func oldEachField(raw string, f func(key, value string) bool) bool {
	sc := oldScanner{s: raw}
	sc.ws()
	if !sc.eat('{') {
		return false
	}
	for first := true; ; first = false {
		sc.ws()
		if sc.eat('}') {
			sc.ws()
			return sc.i == len(sc.s)
		}
		if !first && !sc.eat(',') {
			return false
		}
		sc.ws()
		key, ok := sc.str()
		if !ok {
			return false
		}
		sc.ws()
		if !sc.eat(':') {
			return false
		}
		sc.ws()
		start := sc.i
		if !sc.skip() || !f(key, sc.s[start:sc.i]) {
			return false
		}
	}
}

type oldScanner struct {
	s     string
	i     int
	depth int
}

func (sc *oldScanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

func (sc *oldScanner) eat(c byte) bool {
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

func (sc *oldScanner) str() (string, bool) {
	start := sc.i
	if !sc.skipString() {
		return "", false
	}
	return oldUnquote(sc.s[start:sc.i])
}

func (sc *oldScanner) skip() bool {
	if sc.i >= len(sc.s) {
		return false
	}
	switch c := sc.s[sc.i]; {
	case c == '"':
		return sc.skipString()
	case c == '{' || c == '[':
		return sc.skipContainer(c)
	default:
		start := sc.i
		for sc.i < len(sc.s) && !strings.ContainsRune(",]} \t\n\r", rune(sc.s[sc.i])) {
			sc.i++
		}
		return sc.i > start
	}
}

func (sc *oldScanner) skipString() bool {
	if !sc.eat('"') {
		return false
	}
	for {
		j := strings.IndexByte(sc.s[sc.i:], '"')
		if j < 0 {
			return false
		}
		end := sc.i + j
		backslashes := 0
		for k := end - 1; k >= sc.i && sc.s[k] == '\\'; k-- {
			backslashes++
		}
		sc.i = end + 1
		if backslashes%2 == 0 {
			return true
		}
	}
}

const oldMaxScanDepth = 64

func (sc *oldScanner) skipContainer(open byte) bool {
	sc.depth++
	defer func() { sc.depth-- }()
	if sc.depth > oldMaxScanDepth {
		return false
	}
	closer := byte(']')
	if open == '{' {
		closer = '}'
	}
	sc.i++
	for first := true; ; first = false {
		sc.ws()
		if sc.eat(closer) {
			return true
		}
		if !first && !sc.eat(',') {
			return false
		}
		sc.ws()
		if open == '{' {
			if !sc.skipString() {
				return false
			}
			sc.ws()
			if !sc.eat(':') {
				return false
			}
			sc.ws()
		}
		if !sc.skip() {
			return false
		}
	}
}

func oldUnquote(token string) (string, bool) {
	if len(token) < 2 || token[0] != '"' || token[len(token)-1] != '"' {
		return "", false
	}
	inner := token[1 : len(token)-1]
	if strings.IndexByte(inner, '\\') < 0 {
		return inner, true
	}
	var out string
	if err := jsonAPI.UnmarshalFromString(token, &out); err != nil {
		return "", false
	}
	return out, true
}
