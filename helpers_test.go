package raindropexporter

import (
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var testStart = time.Date(2026, 3, 11, 14, 30, 45, 123_456_789, time.UTC)

// chatTraces builds n independent traces of one OTel GenAI chat span each, the i-th asking
// question i.
func chatTraces(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "test-app")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range n {
		s := spans.AppendEmpty()
		s.SetName("chat gpt-4o-mini")
		s.SetTraceID(pcommon.TraceID{byte(i >> 8), byte(i), 1})
		s.SetSpanID(pcommon.SpanID{byte(i >> 8), byte(i), 2})
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(testStart))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(testStart.Add(1500 * time.Millisecond)))
		a := s.Attributes()
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o-mini")
		a.PutStr("gen_ai.input.messages",
			fmt.Sprintf(`[{"role":"user","parts":[{"type":"text","content":"question %d"}]}]`, i))
		a.PutStr("gen_ai.output.messages",
			`[{"role":"assistant","parts":[{"type":"text","content":"answer"}],"finish_reason":"stop"}]`)
		a.PutInt("gen_ai.usage.input_tokens", 10)
		a.PutInt("gen_ai.usage.output_tokens", 5)
	}
	return td
}

// encodeEvent encodes one event into a buffer of its own.
func encodeEvent(ev *event) ([]byte, int, error) {
	b, cuts, err := appendEncoded(nil, ev)
	if err != nil {
		return nil, cuts, err
	}
	return b, cuts, nil
}
