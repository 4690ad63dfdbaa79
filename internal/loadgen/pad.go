package loadgen

import (
	"encoding/json"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// promptKeys are the span attributes that hold a request's messages as JSON text, in the
// conventions the sample files use; indexed forms hold the user text directly.
var promptKeys = []string{
	"gen_ai.input.messages",
	"ai.prompt.messages",
	"ai.prompt",
	"gen_ai.prompt",
	"input.value",
	"langfuse.observation.input",
}

// padSpan prefixes the latest user message of each prompt attribute with pad, so that the
// event made from the span carries a prompt of about that size more.
func padSpan(s ptrace.Span, pad string) {
	attrs := s.Attributes()
	for _, key := range promptKeys {
		v, ok := attrs.Get(key)
		if !ok || v.Type() != pcommon.ValueTypeStr {
			continue
		}
		var doc any
		if err := json.Unmarshal([]byte(v.Str()), &doc); err != nil {
			v.SetStr(pad + v.Str()) // plain text
			continue
		}
		if !padLastUser(doc, pad) {
			continue
		}
		b, err := json.Marshal(doc)
		if err == nil {
			v.SetStr(string(b))
		}
	}
	for k, v := range attrs.All() {
		// OpenLLMetry's and OpenInference's indexed messages: pad every user content.
		if v.Type() == pcommon.ValueTypeStr && strings.HasSuffix(k, ".content") &&
			(strings.HasPrefix(k, "gen_ai.prompt.") || strings.HasPrefix(k, "llm.input_messages.")) {
			v.SetStr(pad + v.Str())
		}
	}
}

// padLastUser finds the latest user message in a decoded prompt and pads its text. It
// understands message lists (OpenAI, GenAI parts, Vercel content parts), request bodies
// with messages, and Vercel's {"prompt": "..."}.
func padLastUser(doc any, pad string) bool {
	switch d := doc.(type) {
	case []any:
		for i := len(d) - 1; i >= 0; i-- {
			m, ok := d[i].(map[string]any)
			if ok && m["role"] == "user" {
				return padMessage(m, pad)
			}
		}
	case map[string]any:
		if msgs, ok := d["messages"]; ok {
			return padLastUser(msgs, pad)
		}
		if p, ok := d["prompt"].(string); ok {
			d["prompt"] = pad + p
			return true
		}
	}
	return false
}

func padMessage(m map[string]any, pad string) bool {
	if c, ok := m["content"].(string); ok {
		m["content"] = pad + c
		return true
	}
	for _, key := range []string{"parts", "content"} {
		parts, _ := m[key].([]any)
		for _, p := range parts {
			part, _ := p.(map[string]any)
			for _, field := range []string{"content", "text"} {
				if s, ok := part[field].(string); ok {
					part[field] = pad + s
					return true
				}
			}
		}
	}
	return false
}
