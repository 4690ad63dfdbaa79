package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// message is the one shape every convention's chat messages are read into.
type message struct {
	role      string
	text      string
	toolCalls []toolCall
}

func (m message) empty() bool { return m.text == "" && len(m.toolCalls) == 0 }

type toolCall struct {
	id        string
	name      string
	arguments string
}

// spanInput returns the text of the latest user message a span records, trying each
// convention in turn.
func spanInput(span ptrace.Span) string {
	attrs := span.Attributes()
	// The two common message lists go through the scanner first, the general reader only
	// when the scanner does not know the shape.
	for _, key := range []string{keyInputMessages, keyVercelMessages} {
		if v, ok := attrs.Get(key); ok && v.Type() == pcommon.ValueTypeStr {
			if text, ok := scanLatestUser(v.Str()); ok {
				return text
			}
		}
		if text := latestUserText(jsonMessages(attrs, key)); text != "" {
			return text
		}
	}
	// Each source is read only when the ones before it had no user text.
	for _, read := range []func() []message{
		func() []message { return jsonMessages(attrs, keyVercelPrompt) },
		func() []message { return indexedMessages(attrs, "gen_ai.prompt.") },
		func() []message { return indexedMessages(attrs, "llm.input_messages.") },
		func() []message { return jsonMessages(attrs, keyLegacyPrompt) },
		func() []message { return jsonMessages(attrs, "input.value") },
		func() []message { return jsonMessages(attrs, "langfuse.observation.input") },
		func() []message { return jsonMessages(attrs, "gen_ai.request.messages") },
		func() []message { return jsonMessages(attrs, "gcp.vertex.agent.llm_request") },
		func() []message { return eventMessages(span, false) },
	} {
		if text := latestUserText(read()); text != "" {
			return text
		}
	}
	return ""
}

// spanOutput returns the assistant's answer a span records: its text, and the tools it asked
// for.
func spanOutput(span ptrace.Span) message {
	attrs := span.Attributes()
	if text, ok := attrString(attrs, "ai.response.text", "ai.response.object",
		"gen_ai.response.text"); ok {
		return message{role: "assistant", text: text, toolCalls: vercelToolCalls(attrs)}
	}
	if calls := vercelToolCalls(attrs); len(calls) > 0 {
		return message{role: "assistant", toolCalls: calls}
	}
	if v, ok := attrs.Get(keyOutputMessages); ok && v.Type() == pcommon.ValueTypeStr {
		if m, ok := scanFirstAnswer(v.Str()); ok {
			return m
		}
	}
	for _, read := range []func() []message{
		func() []message { return jsonMessages(attrs, keyOutputMessages) },
		func() []message { return indexedMessages(attrs, "gen_ai.completion.") },
		func() []message { return indexedMessages(attrs, "llm.output_messages.") },
		func() []message { return jsonMessages(attrs, keyLegacyCompletion) },
		func() []message { return jsonMessages(attrs, "output.value") },
		func() []message { return jsonMessages(attrs, "langfuse.observation.output") },
		func() []message { return jsonMessages(attrs, "gcp.vertex.agent.llm_response") },
		func() []message { return eventMessages(span, true) },
	} {
		if m, ok := firstAnswer(read()); ok {
			return m
		}
	}
	return message{}
}

func latestUserText(msgs []message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if (m.role == "user" || m.role == "human" || m.role == "") && m.text != "" {
			return m.text
		}
	}
	return ""
}

// firstAnswer picks the first choice: output message lists hold one message per choice.
func firstAnswer(msgs []message) (message, bool) {
	for _, m := range msgs {
		switch m.role {
		case "", "assistant", "model", "ai":
			if m.text != "" || len(m.toolCalls) > 0 {
				return m, true
			}
		}
	}
	return message{}, false
}

// answerText is the output text of an answer; an answer that only calls tools says which.
func answerText(m message) string {
	if m.text != "" || len(m.toolCalls) == 0 {
		return m.text
	}
	names := make([]string, 0, len(m.toolCalls))
	for _, c := range m.toolCalls {
		names = append(names, c.name)
	}
	return "Called tools: " + strings.Join(names, ", ")
}

func jsonMessages(attrs pcommon.Map, key string) []message {
	x, ok := attrJSON(attrs, key)
	if !ok {
		return nil
	}
	return messagesFrom(x)
}

// messagesFrom reads a decoded JSON value in any of the message shapes libraries record: a
// list of messages, a request or response body, a single message, or plain text.
func messagesFrom(x any) []message {
	switch t := x.(type) {
	case string:
		return []message{{text: t}}
	case []any:
		out := make([]message, 0, len(t))
		for _, item := range t {
			switch m := item.(type) {
			case map[string]any:
				out = append(out, readMessage(m))
			case string:
				out = append(out, message{text: m})
			}
		}
		return out
	case map[string]any:
		var out []message
		// Chat requests list messages under "messages"; Gemini requests under "contents".
		for _, k := range []string{"messages", "contents"} {
			if msgs, ok := t[k].([]any); ok {
				out = append(out, messagesFrom(msgs)...)
			}
		}
		if prompt, ok := t["prompt"].(string); ok && prompt != "" {
			out = append(out, message{role: "user", text: prompt})
		}
		if choices := listOf(t["choices"]); len(choices) > 0 {
			out = append(out, messagesFrom(choices)...)
		}
		if out == nil {
			out = []message{readMessage(t)}
		}
		return out
	}
	return nil
}

func readMessage(m map[string]any) message {
	if inner, ok := m["message"].(map[string]any); ok {
		msg := readMessage(inner)
		if msg.role == "" {
			msg.role = str(m["role"])
		}
		return msg
	}
	msg := message{role: strings.ToLower(str(m["role"]))}
	var texts []string
	for _, field := range []string{"content", "parts", "contents"} {
		t, calls := readContent(m[field])
		if t != "" {
			texts = append(texts, t)
		}
		msg.toolCalls = append(msg.toolCalls, calls...)
	}
	if t := str(m["text"]); t != "" && len(texts) == 0 {
		texts = append(texts, t)
	}
	msg.text = strings.Join(texts, "\n")
	for _, c := range listOf(m["tool_calls"]) {
		if cm, ok := c.(map[string]any); ok {
			msg.toolCalls = append(msg.toolCalls, readToolCall(cm))
		}
	}
	return msg
}

// readContent reads a message's content: a string, a list of parts, or one part.
func readContent(x any) (string, []toolCall) {
	switch t := x.(type) {
	case nil:
		return "", nil
	case string:
		if t == "null" {
			return "", nil
		}
		// OpenLLMetry writes multimodal content as a JSON string of parts.
		if strings.HasPrefix(t, "[{") {
			if parts, ok := decodeJSONText(t).([]any); ok && looksLikeParts(parts) {
				return readContent(parts)
			}
		}
		return t, nil
	case map[string]any:
		if len(listOf(t)) > 0 {
			return readContent(listOf(t))
		}
		if _, ok := t["parts"]; ok {
			// Gemini nests a whole message ({role, parts}) as a response's content.
			m := readMessage(t)
			return m.text, m.toolCalls
		}
		return readPart(t)
	case []any:
		var texts []string
		var calls []toolCall
		for _, p := range t {
			text, c := readContent(p)
			if text != "" {
				texts = append(texts, text)
			}
			calls = append(calls, c...)
		}
		return strings.Join(texts, "\n"), calls
	}
	return "", nil
}

func readPart(p map[string]any) (string, []toolCall) {
	if inner, ok := p["message_content"].(map[string]any); ok {
		p = inner
	}
	switch str(p["type"]) {
	case "", "text", "input_text", "output_text":
		if t := str(p["content"]); t != "" {
			return t, nil
		}
		return str(p["text"]), nil
	case "tool_call", "tool-call", "function_call", "tool_use":
		return "", []toolCall{readToolCall(p)}
	}
	return "", nil
}

func looksLikeParts(parts []any) bool {
	for _, p := range parts {
		m, ok := p.(map[string]any)
		if !ok || str(m["type"]) == "" {
			return false
		}
	}
	return true
}

// readToolCall reads the tool-call shapes of the semantic conventions, OpenAI, the Vercel AI
// SDK, OpenLLMetry's indexed attributes and OpenInference.
func readToolCall(m map[string]any) toolCall {
	if inner, ok := m["tool_call"].(map[string]any); ok {
		m = inner
	}
	call := toolCall{
		id:   firstString(m, "id", "toolCallId", "call_id"),
		name: firstString(m, "name", "toolName"),
	}
	args := firstPresent(m, "arguments", "input", "args")
	if fn, ok := m["function"].(map[string]any); ok {
		if call.name == "" {
			call.name = str(fn["name"])
		}
		if args == nil {
			args = fn["arguments"]
		}
	}
	call.arguments = asString(args)
	return call
}

func vercelToolCalls(attrs pcommon.Map) []toolCall {
	x, ok := attrJSON(attrs, "ai.response.toolCalls")
	if !ok {
		return nil
	}
	var calls []toolCall
	for _, c := range listOf(x) {
		if m, ok := c.(map[string]any); ok {
			calls = append(calls, readToolCall(m))
		}
	}
	return calls
}

// indexedMessages rebuilds the messages that OpenLLMetry and OpenInference flatten into
// attributes such as gen_ai.prompt.0.role or llm.input_messages.0.message.content.
func indexedMessages(attrs pcommon.Map, prefix string) []message {
	var root map[string]any
	attrs.Range(func(k string, v pcommon.Value) bool {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || rest == "" || rest[0] < '0' || rest[0] > '9' {
			return true
		}
		if root == nil {
			root = map[string]any{}
		}
		setPath(root, strings.Split(rest, "."), v)
		return true
	})
	if root == nil {
		return nil
	}
	return messagesFrom(listOf(root))
}

// setPath stores v under the dotted path in a tree of maps; the first value for a path wins,
// as it does for pcommon.Map.Get on duplicate keys.
func setPath(node map[string]any, path []string, v pcommon.Value) {
	for i, p := range path {
		if i == len(path)-1 {
			if _, exists := node[p]; exists {
				return
			}
			// Strings stay as written: content that happens to look like JSON is still text.
			if v.Type() == pcommon.ValueTypeStr {
				node[p] = v.Str()
			} else if x, ok := valueJSON(v); ok {
				node[p] = x
			}
			return
		}
		child, ok := node[p].(map[string]any)
		if !ok {
			if _, taken := node[p]; taken {
				return
			}
			child = map[string]any{}
			node[p] = child
		}
		node = child
	}
}

// eventMessages reads content recorded as span events: the ≤1.27 gen_ai.content.* events and
// the per-message gen_ai.*.message / gen_ai.choice events some stacks put on spans.
func eventMessages(span ptrace.Span, output bool) []message {
	var out []message
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		attrs := ev.Attributes()
		switch name := ev.Name(); {
		case !output && name == "gen_ai.content.prompt":
			out = append(out, jsonMessages(attrs, keyLegacyPrompt)...)
		case output && name == "gen_ai.content.completion":
			out = append(out, jsonMessages(attrs, keyLegacyCompletion)...)
		case output && name == "gen_ai.choice":
			out = append(out, eventBody(attrs, "assistant")...)
		case !output && strings.HasPrefix(name, "gen_ai.") && strings.HasSuffix(name, ".message"):
			role := strings.TrimSuffix(strings.TrimPrefix(name, "gen_ai."), ".message")
			out = append(out, eventBody(attrs, role)...)
		}
	}
	return out
}

func eventBody(attrs pcommon.Map, role string) []message {
	var msgs []message
	if x, ok := attrJSON(attrs, keyEventContent); ok {
		msgs = messagesFrom(x)
	} else if x, ok := attrJSON(attrs, "content"); ok {
		msgs = messagesFrom(x)
	} else if x, ok := attrJSON(attrs, "message"); ok {
		msgs = messagesFrom(x)
	}
	for i := range msgs {
		if msgs[i].role == "" {
			msgs[i].role = role
		}
	}
	return msgs
}

// listOf returns x as a list: a list as is, or a map whose keys are all indexes, in order.
func listOf(x any) []any {
	switch t := x.(type) {
	case []any:
		return t
	case map[string]any:
		if len(t) == 0 {
			return nil
		}
		idx := make([]int, 0, len(t))
		for k := range t {
			n, err := strconv.Atoi(k)
			if err != nil || n < 0 {
				return nil
			}
			idx = append(idx, n)
		}
		sort.Ints(idx)
		out := make([]any, 0, len(idx))
		for _, n := range idx {
			out = append(out, t[strconv.Itoa(n)])
		}
		return out
	}
	return nil
}

func str(x any) string {
	s, _ := x.(string)
	return s
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := str(m[k]); s != "" {
			return s
		}
	}
	return ""
}

func firstPresent(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != nil {
			return v
		}
	}
	return nil
}
