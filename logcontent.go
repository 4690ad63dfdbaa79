package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// spanKey names one span across batches and signals.
type spanKey struct {
	trace pcommon.TraceID
	span  pcommon.SpanID
}

func keyOf(span ptrace.Span) spanKey { return spanKey{span.TraceID(), span.SpanID()} }

// logContent is the message content that log records carried for one span: the official
// OpenTelemetry OpenAI instrumentations record prompts and answers this way, not on spans.
type logContent struct {
	input  []message
	output []message
}

// logContents maps a span to the content its log records carried. A span that is present
// with no messages had records without content (content capture off): nothing to wait for.
type logContents map[spanKey]*logContent

// Event names of the GenAI content records, as the event.name attribute or the record's
// event name carries them.
const (
	logEventChoice  = "gen_ai.choice"
	logEventDetails = "gen_ai.client.inference.operation.details"
)

// contentFromLogs reads the GenAI content records of a logs batch by the span they belong
// to, and returns how many records it read. Records of other kinds, and records not tied to
// a span, are left out.
func contentFromLogs(ld plog.Logs) (logContents, int) {
	out := logContents{}
	read := 0
	eachRecord(ld, func(name string, r plog.LogRecord) {
		if !isContentEvent(name) || r.SpanID().IsEmpty() {
			return
		}
		read++
		key := spanKey{r.TraceID(), r.SpanID()}
		c := out[key]
		if c == nil {
			c = &logContent{}
			out[key] = c
		}
		c.add(name, r)
	})
	return out, read
}

// eachRecord calls f with every log record of ld and its event name, taken from the record
// itself or, as older SDKs write it, from its event.name attribute.
func eachRecord(ld plog.Logs, f func(name string, r plog.LogRecord)) {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			records := sls.At(j).LogRecords()
			for k := 0; k < records.Len(); k++ {
				r := records.At(k)
				name := r.EventName()
				if name == "" {
					name, _ = attrString(r.Attributes(), "event.name")
				}
				f(name, r)
			}
		}
	}
}

func isContentEvent(name string) bool {
	return name == logEventChoice || name == logEventDetails ||
		(strings.HasPrefix(name, "gen_ai.") && strings.HasSuffix(name, ".message"))
}

func (c *logContent) add(name string, r plog.LogRecord) {
	switch name {
	case logEventDetails:
		c.input = append(c.input, jsonMessages(r.Attributes(), keyInputMessages)...)
		c.output = append(c.output, jsonMessages(r.Attributes(), keyOutputMessages)...)
	case logEventChoice:
		c.output = append(c.output, bodyMessages(r.Body(), "assistant")...)
	default:
		role := strings.TrimSuffix(strings.TrimPrefix(name, "gen_ai."), ".message")
		c.input = append(c.input, bodyMessages(r.Body(), role)...)
	}
}

// bodyMessages reads a record body ({content, role?, tool_calls?} or, for a choice,
// {index, finish_reason, message}); an empty body, as sent with content capture off, gives
// no message.
func bodyMessages(body pcommon.Value, role string) []message {
	x, ok := valueJSON(body)
	if !ok {
		return nil
	}
	var msgs []message
	for _, m := range messagesFrom(x) {
		if m.empty() {
			continue
		}
		if m.role == "" {
			m.role = role
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// merge adds what other holds, for content of one span that arrived in several batches.
func (c *logContent) merge(other *logContent) {
	c.input = append(c.input, other.input...)
	c.output = append(c.output, other.output...)
}
