package raindropexporter

import (
	"math"
	"os"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/raindropexporter/raindropexporter/internal/raindroptest"
)

// checkTranslation fails when a batch translates into anything but valid events.
func checkTranslation(t *testing.T, td ptrace.Traces) {
	for _, opts := range []translateOptions{defaultOptions, {eventName: "e", defaultUserID: "u", privacyMode: true}} {
		tr := translate(td, opts, nil)
		if n := len(tr.interactions) + tr.skippedNotLLM + tr.skippedEmbeddings; n > tr.spans {
			t.Fatalf("%d spans accounted for, %d seen", n, tr.spans)
		}
		for _, in := range tr.interactions {
			b, _, err := encodeEvent(&in.event)
			if err != nil {
				t.Fatalf("encoding: %v", err)
			}
			if _, err := raindroptest.ValidateEvent(b); err != nil {
				t.Fatalf("invalid event: %v\n%s", err, b)
			}
		}
	}
}

// FuzzTranslateOTLP feeds arbitrary OTLP/JSON, seeded with every fixture, through the
// translation: whatever decodes must give valid events or counted skips, never a panic.
func FuzzTranslateOTLP(f *testing.F) {
	for _, path := range traceFixtures(f) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data)
		if err != nil {
			return
		}
		checkTranslation(t, td)
	})
}

// FuzzAttributeValues puts one fuzzed value under every key the translation reads as
// content, identity, usage or role, on a wrapper and on a call below it.
func FuzzAttributeValues(f *testing.F) {
	f.Add("chat", `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`, int64(3), 1.5)
	f.Add("invoke_agent", `{"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]}`, int64(-1), math.NaN())
	f.Add("chat", "[{\"role\":\"user\",\"content\":\"\xff\xfe\"}]", int64(1<<62), math.Inf(1))
	f.Add("embeddings", `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`, int64(0), math.Copysign(0, -1))
	f.Add("LLM", `{"choices":[{"message":{"tool_calls":[{"function":{"name":null}}]}}]}`, int64(7), 1e308)
	keys := concat(contentKeys, userIDKeys, convoIDKeys, raindropEventNameKeys, functionNameKeys, raindropEventIDKeys,
		inputTokenKeys, outputTokenKeys, totalCostKeys, responseModelKeys, providerKeys,
		finishReasonKeys, usageDetailKeys, []string{"gen_ai.prompt.0.content",
			"gen_ai.prompt.0.role", "gen_ai.completion.0.content", "llm.input_messages.0.message.content",
			"llm.output_messages.1.message.tool_calls.0.tool_call.function.arguments", "metadata"})
	f.Fuzz(func(t *testing.T, op, value string, n int64, x float64) {
		td := ptrace.NewTraces()
		spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
		for i, kind := range []string{op, "chat"} {
			s := spans.AppendEmpty()
			s.SetTraceID(pcommon.TraceID{1})
			s.SetSpanID(pcommon.SpanID{byte(i + 1)})
			if i > 0 {
				s.SetParentSpanID(pcommon.SpanID{1})
			}
			s.SetStartTimestamp(pcommon.Timestamp(uint64(n)))
			s.SetEndTimestamp(pcommon.Timestamp(uint64(n) / 2))
			a := s.Attributes()
			a.PutStr(keyOperationName, kind)
			a.PutStr(keyOpenInferenceKind, op)
			for j, k := range keys {
				switch j % 3 {
				case 0:
					a.PutStr(k, value)
				case 1:
					a.PutInt(k, n)
				default:
					a.PutDouble(k, x)
				}
			}
			ev := s.Events().AppendEmpty()
			ev.SetName("gen_ai.choice")
			ev.Attributes().PutStr(keyEventContent, value)
		}
		checkTranslation(t, td)
	})
}
