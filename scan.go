package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"strings"
)

// scanLatestUser reads the text of the latest user message from a JSON message list without
// decoding it: the list is scanned once, strings are cut out of the attribute's own text
// (unescaped only when they hold an escape), and only the chosen message's content is read.
// Prompts are the largest values on LLM spans, and this is the hottest path of the exporter.
// It understands messages {"role", "content": string | [parts]} and {"role", "parts": [parts]}
// with parts {"type", "content" | "text"} or plain strings; for anything else it reports false
// and the general reader decides.
func scanLatestUser(s string) (string, bool) {
	var latest string
	ok := eachItem(s, func(item string) bool {
		role, content, ok := userMessage(item)
		if !ok {
			return false
		}
		// The general reader takes a message without a role, or a "human" one, as the user's.
		if r := strings.ToLower(role); (r != "user" && r != "human" && r != "") || content == "" {
			return true
		}
		text, ok := contentText(content)
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

// userMessage reads one message object and returns its role and the raw JSON of its content
// (its "parts", or else its "content").
func userMessage(raw string) (role, content string, ok bool) {
	var parts, plain string
	ok = eachField(raw, func(key, value string) bool {
		switch key {
		case "role":
			var ok bool
			role, ok = unquote(value)
			return ok
		case "parts":
			parts = value
		case "content":
			plain = value
		case "name", "finish_reason", "providerOptions", "experimental_providerMetadata":
		default:
			// Fields such as tool_calls, message or contents change what the text is.
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

// contentText is the text of a content value: a string, or a list of parts and strings.
func contentText(raw string) (string, bool) {
	switch raw[0] {
	case '"':
		return stringContent(raw)
	case 'n':
		return "", raw == "null"
	case '[':
	default:
		return "", false
	}
	var texts []string
	ok := eachItem(raw, func(item string) bool {
		var text string
		var ok bool
		if item[0] == '"' {
			text, ok = stringContent(item)
		} else {
			text, ok = partText(item)
		}
		if text != "" {
			texts = append(texts, text)
		}
		return ok
	})
	return strings.Join(texts, "\n"), ok
}

// stringContent is the text of content given as a string, read as the general reader does.
func stringContent(raw string) (string, bool) {
	text, ok := unquote(raw)
	// OpenLLMetry writes multimodal content as a JSON string of parts: not plain text.
	if !ok || strings.HasPrefix(text, "[{") {
		return "", false
	}
	if text == "null" {
		return "", true
	}
	return text, true
}

// partText is the text of one part object: its content, else its text, for text parts;
// nothing for the other kinds.
func partText(raw string) (string, bool) {
	var typ, content, text string
	ok := eachField(raw, func(key, value string) bool {
		var dst *string
		switch key {
		case "type":
			dst = &typ
		case "content":
			dst = &content
		case "text":
			dst = &text
		case "message_content":
			// OpenInference's wrapper: the general reader unwraps it.
			return false
		default:
			// The general reader takes an object of index keys for a list.
			return key == "" || key[0] < '0' || key[0] > '9'
		}
		var ok bool
		*dst, ok = unquote(value)
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

// scanFirstAnswer reads the answer of a gen_ai.output.messages list (one message per choice)
// as the general reader's firstAnswer would, without decoding the list: text parts are cut
// out of the attribute's text, and only tool-call arguments are decoded. Any field beyond
// the convention's reports false, and the general reader decides.
func scanFirstAnswer(s string) (message, bool) {
	var answer message
	found := false
	ok := eachItem(s, func(item string) bool {
		m, ok := outputMessage(item)
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

func outputMessage(raw string) (message, bool) {
	var m message
	ok := eachField(raw, func(key, value string) bool {
		switch key {
		case "role":
			role, ok := unquote(value)
			m.role = strings.ToLower(role)
			return ok
		case "parts":
			return readParts(value, &m)
		case "finish_reason", "name":
			return true
		}
		return false
	})
	return m, ok
}

func readParts(raw string, m *message) bool {
	var texts []string
	ok := eachItem(raw, func(item string) bool {
		var typ, content, id, name, args string
		ok := eachField(item, func(key, value string) bool {
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
			*dst, ok = unquote(value)
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

// eachItem calls f with the raw text of each element of the JSON array that is the whole of
// raw, white space aside. It reports false when raw is no such array or f refuses an element.
func eachItem(raw string, f func(item string) bool) bool {
	sc := scanner{s: raw}
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

// eachField calls f with each key and raw value of the JSON object that is the whole of raw.
// It reports false when raw is no such object or f refuses a field.
func eachField(raw string, f func(key, value string) bool) bool {
	sc := scanner{s: raw}
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

// scanner walks JSON text without decoding it.
type scanner struct {
	s     string
	i     int
	depth int
}

func (sc *scanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

func (sc *scanner) eat(c byte) bool {
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

// str reads a JSON string and returns its value.
func (sc *scanner) str() (string, bool) {
	start := sc.i
	if !sc.skipString() {
		return "", false
	}
	return unquote(sc.s[start:sc.i])
}

// skip passes over one JSON value of any kind.
func (sc *scanner) skip() bool {
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

// skipString passes over a string, finding each quote with a fast search and counting the
// backslashes before it.
func (sc *scanner) skipString() bool {
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

// maxScanDepth bounds nesting; deeper values go to the general reader.
const maxScanDepth = 64

func (sc *scanner) skipContainer(open byte) bool {
	sc.depth++
	defer func() { sc.depth-- }()
	if sc.depth > maxScanDepth {
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

// unquote returns the value of a JSON string token: the text between the quotes as it is
// when it holds no escape, else decoded.
func unquote(token string) (string, bool) {
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
