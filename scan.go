package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"strings"
)

// scanLatestUser reads the text of the latest user message from a JSON message list without
// decoding it: the list is walked once, strings are cut out of the attribute's own text
// (unescaped only when they hold an escape), and only user messages' content is read.
// Prompts are the largest values on LLM spans, and this is the hottest path of the exporter.
// It understands messages {"role", "content": string | [parts]} and {"role", "parts": [parts]}
// with parts {"type", "content" | "text"} or plain strings; for anything else it reports false
// and the general reader decides.
func scanLatestUser(s string) (string, bool) {
	var latest string
	sc := scanner{s: s}
	ok := sc.list(func() bool {
		text, ok := sc.userText()
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

// userText reads the message object at the scanner and returns the text of its content (its
// "parts", or else its "content") when the message is the user's.
func (sc *scanner) userText() (string, bool) {
	var field, text, unread string
	// The general reader takes a message without a role as the user's.
	user, readable := true, true
	ok := sc.fields(func(key string) bool {
		switch key {
		case "role":
			role, ok := sc.str()
			user = userRole(role)
			return ok
		case "parts", "content":
			if field != "" && field != key {
				return false
			}
			field = key
			if !user {
				// Roles usually come first and most messages are not the user's, so their
				// content is only passed over; a later role may still claim it.
				start := sc.i
				if !sc.skip() {
					return false
				}
				unread = sc.s[start:sc.i]
				return true
			}
			unread = ""
			i, depth := sc.i, sc.depth
			if text, readable = sc.contentText(); readable {
				return true
			}
			// Content the scanner cannot read matters only if the message stays the user's,
			// but the list must still be well formed.
			sc.i, sc.depth = i, depth
			return sc.skip()
		case "name", "finish_reason", "providerOptions", "experimental_providerMetadata":
			return sc.skip()
		}
		// Fields such as tool_calls, message or contents change what the text is.
		return false
	})
	if !ok || field == "" || !user {
		return "", ok
	}
	if unread != "" {
		sub := scanner{s: unread}
		text, readable = sub.contentText()
	}
	if !readable {
		return "", false
	}
	return text, true
}

// userRole reports whether a message with this role is the user's, as the general reader has it.
func userRole(role string) bool {
	switch strings.ToLower(role) {
	case "user", "human", "":
		return true
	}
	return false
}

// contentText reads the content value at the scanner: a string, or a list of parts and strings.
func (sc *scanner) contentText() (string, bool) {
	switch sc.peek() {
	case '"':
		return sc.stringContent()
	case 'n':
		start := sc.i
		return "", sc.skip() && sc.s[start:sc.i] == "null"
	case '[':
	default:
		return "", false
	}
	var texts lines
	ok := sc.items(func() bool {
		var text string
		var ok bool
		if sc.peek() == '"' {
			text, ok = sc.stringContent()
		} else {
			text, ok = sc.partText()
		}
		texts.add(text)
		return ok
	})
	return texts.join(), ok
}

// lines joins texts with newlines. Content is usually a single part, which needs no list.
type lines struct {
	one  string
	many []string
}

// add adds a text, unless it is empty.
func (l *lines) add(text string) {
	switch {
	case text == "":
	case l.many != nil:
		l.many = append(l.many, text)
	case l.one != "":
		l.many = []string{l.one, text}
	default:
		l.one = text
	}
}

func (l *lines) join() string {
	if l.many != nil {
		return strings.Join(l.many, "\n")
	}
	return l.one
}

// stringContent reads content given as a string, as the general reader does.
func (sc *scanner) stringContent() (string, bool) {
	text, ok := sc.str()
	// OpenLLMetry writes multimodal content as a JSON string of parts: not plain text.
	if !ok || strings.HasPrefix(text, "[{") {
		return "", false
	}
	if text == "null" {
		return "", true
	}
	return text, true
}

// partText reads the part object at the scanner and returns its content, else its text, for
// text parts; nothing for the other kinds.
func (sc *scanner) partText() (string, bool) {
	var typ, content, text string
	ok := sc.fields(func(key string) bool {
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
			if key != "" && key[0] >= '0' && key[0] <= '9' {
				return false
			}
			return sc.skip()
		}
		var ok bool
		*dst, ok = sc.str()
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
	sc := scanner{s: s}
	ok := sc.list(func() bool {
		m, ok := sc.outputMessage()
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

func (sc *scanner) outputMessage() (message, bool) {
	var m message
	parts := false
	ok := sc.fields(func(key string) bool {
		switch key {
		case "role":
			role, ok := sc.str()
			m.role = strings.ToLower(role)
			return ok
		case "parts":
			// A repeated "parts" is left to the general reader, for which the last one
			// stands alone.
			if parts {
				return false
			}
			parts = true
			return sc.readParts(&m)
		case "finish_reason", "name":
			return sc.skip()
		}
		return false
	})
	return m, ok
}

// readParts reads the list of parts at the scanner into m.
func (sc *scanner) readParts(m *message) bool {
	var texts lines
	ok := sc.items(func() bool {
		var typ, content, id, name, args string
		ok := sc.fields(func(key string) bool {
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
				start := sc.i
				if !sc.skip() {
					return false
				}
				args = sc.s[start:sc.i]
				return true
			case "response", "mime_type", "modality", "uri", "file_id":
				return sc.skip()
			default:
				return false
			}
			var ok bool
			*dst, ok = sc.str()
			return ok
		})
		if !ok {
			return false
		}
		switch typ {
		case "", "text", "input_text", "output_text":
			texts.add(content)
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
	m.text = texts.join()
	return ok
}

// scanner walks JSON text without decoding it. Its readers stream: each one is called with the
// scanner at a value and moves it past exactly that value, reading what it needs on the way,
// so a large string is searched once for its closing quote and once for a backslash, never
// cut out first and walked again.
type scanner struct {
	s     string
	i     int
	depth int
}

// maxScanDepth bounds nesting, the list itself aside; deeper values go to the general reader.
const maxScanDepth = 64

// list walks the JSON array that is the whole of the text, white space aside, calling f at
// each element. f must move the scanner past the element, and reports false to stop.
func (sc *scanner) list(f func() bool) bool {
	// The list is not counted, so that its messages sit at depth 1.
	sc.depth = -1
	sc.ws()
	if !sc.items(f) {
		return false
	}
	sc.ws()
	return sc.i == len(sc.s)
}

// items walks the array at the scanner as list does.
func (sc *scanner) items(f func() bool) bool {
	return sc.container('[', f)
}

// fields walks the object at the scanner, calling f with each key and the scanner at its
// value. f must move the scanner past the value, and reports false to stop.
func (sc *scanner) fields(f func(key string) bool) bool {
	return sc.container('{', func() bool {
		key, ok := sc.str()
		return ok && sc.colon() && f(key)
	})
}

// container walks the array or object at the scanner, calling each at every element or
// member; each moves the scanner past it, and reports false to stop.
func (sc *scanner) container(open byte, each func() bool) bool {
	closer := byte(']')
	if open == '{' {
		closer = '}'
	}
	if !sc.enter(open) {
		return false
	}
	for first := true; ; first = false {
		sc.ws()
		if sc.eat(closer) {
			sc.depth--
			return true
		}
		if !first && !sc.eat(',') {
			return false
		}
		sc.ws()
		if !each() {
			return false
		}
	}
}

// colon passes over the colon after an object's key, and the white space around it.
func (sc *scanner) colon() bool {
	sc.ws()
	if !sc.eat(':') {
		return false
	}
	sc.ws()
	return true
}

// enter opens a container. A failed walk leaves depth raised: it is over, or restarted from
// a saved position and depth.
func (sc *scanner) enter(open byte) bool {
	if !sc.eat(open) {
		return false
	}
	sc.depth++
	return sc.depth <= maxScanDepth
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

// peek returns the byte at the scanner, or 0 at the end; callers treat both alike, as
// neither starts a value they read.
func (sc *scanner) peek() byte {
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

// str reads the JSON string at the scanner and returns its value.
func (sc *scanner) str() (string, bool) {
	start := sc.i
	ok, plain := sc.endString()
	if !ok {
		return "", false
	}
	if plain {
		return sc.s[start+1 : sc.i-1], true
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

func (sc *scanner) skipString() bool {
	ok, _ := sc.endString()
	return ok
}

// shortString is how far endString looks byte by byte before it calls the vectorised search.
const shortString = 16

// endString passes over a string. Most strings the scanner meets are keys, roles and types of
// a few bytes, which a byte loop ends sooner than a call to the vectorised search would, and
// which the loop then knows to hold no escape: plain says so. Longer strings go to the search,
// which finds each quote and counts the backslashes before it.
func (sc *scanner) endString() (ok, plain bool) {
	if !sc.eat('"') {
		return false, false
	}
	head := sc.s[sc.i:]
	if len(head) > shortString {
		head = head[:shortString]
	}
	for j := range len(head) {
		if head[j] == '"' {
			sc.i += j + 1
			return true, true
		}
		if head[j] == '\\' {
			break
		}
	}
	for {
		j := strings.IndexByte(sc.s[sc.i:], '"')
		if j < 0 {
			return false, false
		}
		end := sc.i + j
		backslashes := 0
		for k := end - 1; k >= sc.i && sc.s[k] == '\\'; k-- {
			backslashes++
		}
		sc.i = end + 1
		if backslashes%2 == 0 {
			return true, false
		}
	}
}

// skipContainer passes over an array or object. Unlike fields, it leaves keys undecoded:
// only the messages and parts the scanner reads must have keys that decode.
func (sc *scanner) skipContainer(open byte) bool {
	return sc.container(open, func() bool {
		// Keys are passed over, not decoded.
		if open == '{' && (!sc.skipString() || !sc.colon()) {
			return false
		}
		return sc.skip()
	})
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
