package raindropexporter

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/raindropexporter/raindropexporter/internal/metadata"
	"github.com/raindropexporter/raindropexporter/internal/raindroptest"
)

// The limits tests push inputs far past Raindrop's limits through the exporter as the
// collector builds it (factory, queue, batcher, retry) and hold every request to 50 events
// and 1 MiB, and every event to 1 MB.

// limitSink is a Raindrop stand-in that checks each request's size and schema.
type limitSink struct {
	t      *testing.T
	mu     sync.Mutex
	events []raindroptest.Event
	bodies int
}

func newLimitSink(t *testing.T) (*limitSink, string) {
	s := &limitSink{t: t}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		assert.NoError(t, err)
		assert.LessOrEqual(t, len(body), maxRequestBytes, "request body")
		evs, err := raindroptest.ValidateEvents(body)
		assert.NoError(t, err)
		assert.LessOrEqual(t, len(evs), raindroptest.MaxBatch, "events in one request")
		for _, ev := range evs {
			assert.LessOrEqual(t, len(ev.Raw), raindroptest.MaxEventBytes, "event %s", ev.EventID)
		}
		s.mu.Lock()
		s.events = append(s.events, evs...)
		s.bodies++
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// exportThroughFactory sends td through an exporter built by the factory with its default
// queue and batching, and shuts it down, which drains the queue.
func exportThroughFactory(t *testing.T, endpoint string, td ptrace.Traces) {
	t.Helper()
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = endpoint
	cfg.WriteKey = "limits-test"
	require.NoError(t, cfg.Validate())
	exp, err := f.CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, exp.ConsumeTraces(context.Background(), td))
	require.NoError(t, exp.Shutdown(context.Background()))
}

// limitChat appends one chat span to spans.
func limitChat(spans ptrace.SpanSlice, trace pcommon.TraceID, id, parent uint32, prompt string) ptrace.Span {
	s := spans.AppendEmpty()
	s.SetName("chat gpt-4o-mini")
	s.SetTraceID(trace)
	s.SetSpanID(pcommon.SpanID{byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id), 1})
	if parent != 0 {
		s.SetParentSpanID(pcommon.SpanID{byte(parent >> 24), byte(parent >> 16), byte(parent >> 8),
			byte(parent), 1})
	}
	start := time.Date(2026, 3, 11, 14, 30, 45, 0, time.UTC)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Second)))
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.provider.name", "openai")
	a.PutStr("gen_ai.request.model", "gpt-4o-mini")
	a.PutStr("gen_ai.input.messages",
		fmt.Sprintf(`[{"role":"user","parts":[{"type":"text","content":%q}]}]`, prompt))
	a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call",`+
		`"id":"c1","name":"lookup","arguments":{"query":"refund policy for order 1234"}}]}]`)
	a.PutInt("gen_ai.usage.input_tokens", 10)
	a.PutInt("gen_ai.usage.output_tokens", 5)
	return s
}

func limitSpans() (ptrace.Traces, ptrace.SpanSlice) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "limits")
	return td, rs.ScopeSpans().AppendEmpty().Spans()
}

func TestLimitsHundredThousandSpansInOneBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 100,000 events")
	}
	const n = 100_000
	td, spans := limitSpans()
	for i := range n {
		limitChat(spans, pcommon.TraceID{byte(i >> 16), byte(i >> 8), byte(i), 7}, uint32(i+1), 0,
			fmt.Sprintf("question %d", i))
	}
	sink, url := newLimitSink(t)

	exportThroughFactory(t, url, td)

	require.Len(t, sink.events, n)
	ids := make(map[string]bool, n)
	for _, ev := range sink.events {
		ids[ev.EventID] = true
	}
	assert.Len(t, ids, n, "one distinct event per interaction")
	assert.GreaterOrEqual(t, sink.bodies, n/raindroptest.MaxBatch)
}

func TestLimitsFiftyMegabyteAttribute(t *testing.T) {
	huge := strings.Repeat("a long prompt ", 50<<20/14)
	for _, tt := range []struct {
		name string
		set  func(ptrace.Span)
		// field reads the text that carried the attribute from the delivered event.
		field func(raindroptest.Event) string
	}{
		{
			name: "prompt",
			set: func(s ptrace.Span) {
				s.Attributes().PutStr("gen_ai.input.messages",
					`[{"role":"user","parts":[{"type":"text","content":"`+huge+`"}]}]`)
			},
			field: func(ev raindroptest.Event) string { return ev.AIData.Input },
		},
		{
			name:  "plain attribute",
			set:   func(s ptrace.Span) { s.Attributes().PutStr("app.document", huge) },
			field: func(ev raindroptest.Event) string { s, _ := ev.Properties["app.document"].(string); return s },
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			td, spans := limitSpans()
			tt.set(limitChat(spans, pcommon.TraceID{1}, 1, 0, "small"))
			limitChat(spans, pcommon.TraceID{2}, 2, 0, "a neighbour in the same batch")
			sink, url := newLimitSink(t)

			exportThroughFactory(t, url, td)

			require.Len(t, sink.events, 2, "the big event is cut, not dropped, and its neighbour goes too")
			for _, ev := range sink.events {
				if ev.Properties["trace_id"] == (pcommon.TraceID{1}).String() {
					text := tt.field(ev)
					assert.Contains(t, text, "[truncated by raindropexporter:")
					assert.Greater(t, len(text), 100_000, "the cut keeps a useful part")
				}
			}
		})
	}
}

func TestLimitsTraceOfTenThousandLLMSpans(t *testing.T) {
	const n = 10_000
	trace := pcommon.TraceID{0xab}

	t.Run("under one agent", func(t *testing.T) {
		td, spans := limitSpans()
		root := spans.AppendEmpty()
		root.SetName("invoke_agent support")
		root.SetTraceID(trace)
		root.SetSpanID(pcommon.SpanID{0, 0, 0, 0, 1})
		root.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
		root.Attributes().PutStr("gen_ai.agent.name", "support")
		for i := range n {
			limitChat(spans, trace, uint32(i+2), 0, fmt.Sprintf("step %d of a long agent run", i)).
				SetParentSpanID(root.SpanID())
		}
		sink, url := newLimitSink(t)

		exportThroughFactory(t, url, td)

		// Its 10,000 tool-call attachments are about 1.2 MB together, each one short: the
		// event must be shrunk by dropping pieces, not dropped.
		require.Len(t, sink.events, 1, "one interaction, folded")
		ev := sink.events[0]
		assert.EqualValues(t, 10*n, ev.Properties["prompt_tokens"], "usage summed over every call")
		t.Logf("event of %d bytes for %d calls", len(ev.Raw), n)
	})

	t.Run("side by side", func(t *testing.T) {
		td, spans := limitSpans()
		for i := range n {
			limitChat(spans, trace, uint32(i+1), 0, fmt.Sprintf("question %d", i))
		}
		sink, url := newLimitSink(t)

		exportThroughFactory(t, url, td)

		assert.Len(t, sink.events, n, "one event per top-level call")
	})
}

// TestLimitsTooLargeEventDoesNotTakeItsNeighbours has the server refuse bodies over 64 KiB
// with 413: the one event over that size on its own is dropped, and every other event of its
// request, once split, must still be delivered.
func TestLimitsTooLargeEventDoesNotTakeItsNeighbours(t *testing.T) {
	const limit = 64 << 10
	var mu sync.Mutex
	var delivered []raindroptest.Event
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		if len(body) > limit {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		evs, err := raindroptest.ValidateEvents(body)
		assert.NoError(t, err)
		mu.Lock()
		delivered = append(delivered, evs...)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	td, spans := limitSpans()
	limitChat(spans, pcommon.TraceID{1}, 1, 0, strings.Repeat("x", 2*limit))
	for i := range 49 {
		limitChat(spans, pcommon.TraceID{2, byte(i)}, uint32(i+2), 0, "small")
	}

	exportThroughFactory(t, srv.URL, td)

	assert.Len(t, delivered, 49, "every event but the oversized one")
}
