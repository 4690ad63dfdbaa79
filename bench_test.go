package raindropexporter

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/raindropexporter/raindropexporter/internal/loadgen"
	"github.com/raindropexporter/raindropexporter/internal/metadata"
)

// agentBatch builds n interactions shaped like real agent runs: an invoke_agent span over two
// chat calls, a tool span and an HTTP span, with prompts of promptBytes bytes.
func agentBatch(n, promptBytes int) ptrace.Traces {
	prompt := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", promptBytes/57+1)[:promptBytes]
	input := fmt.Sprintf(`[{"role":"system","parts":[{"type":"text","content":"You are helpful."}]},`+
		`{"role":"user","parts":[{"type":"text","content":%q}]}]`, prompt)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "bench")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	start := pcommon.NewTimestampFromTime(testStart)
	for i := range n {
		tid := pcommon.TraceID{byte(i >> 16), byte(i >> 8), byte(i), 9}
		add := func(sid, parent byte, name string, attrs map[string]any) {
			s := spans.AppendEmpty()
			s.SetName(name)
			s.SetTraceID(tid)
			s.SetSpanID(pcommon.SpanID{sid})
			if parent != 0 {
				s.SetParentSpanID(pcommon.SpanID{parent})
			}
			s.SetStartTimestamp(start + pcommon.Timestamp(sid))
			s.SetEndTimestamp(start + pcommon.Timestamp(time.Second))
			_ = s.Attributes().FromRaw(attrs)
		}
		add(1, 0, "invoke_agent support", map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support",
			"gen_ai.conversation.id": fmt.Sprintf("conv-%d", i%50), "user.id": fmt.Sprintf("user-%d", i%200),
			"trace.metadata.feature": "help-center",
		})
		add(2, 1, "chat gpt-4o-mini", chatAttrs("", "", 900, 40, map[string]any{
			"gen_ai.input.messages": input,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1",` +
				`"name":"search_docs","arguments":{"query":"refund policy"}}]}]`,
		}))
		add(3, 1, "execute_tool search_docs", map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search_docs",
			"gen_ai.tool.call.result": `{"hits":3}`,
		})
		add(4, 1, "chat gpt-4o-mini", chatAttrs("", "", 1100, 120, map[string]any{
			"gen_ai.input.messages": input,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":` +
				`"Refunds are available within 30 days of purchase."}],"finish_reason":"stop"}]`,
			"gen_ai.response.model": "gpt-4o-mini-2024-07-18",
		}))
		add(5, 2, "POST", map[string]any{"http.request.method": "POST", "url.full": "https://api.openai.com/v1/chat/completions"})
	}
	return td
}

func BenchmarkTranslate(b *testing.B) {
	for _, size := range []int{200, 2048, 8192} {
		td := agentBatch(100, size)
		b.Run(fmt.Sprintf("prompt=%dB", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tr := translate(td, defaultOptions, nil)
				if len(tr.interactions) != 100 {
					b.Fatal(len(tr.interactions))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/interaction")
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	tr := translate(agentBatch(100, 2048), defaultOptions, nil)
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = buf[:0]
		for i := range tr.interactions {
			var err error
			if buf, _, err = appendEncoded(buf, &tr.interactions[i].event); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkPush measures the whole push path: translation, encoding, and the HTTP requests to
// a local server that accepts everything.
func BenchmarkPush(b *testing.B) {
	exp := benchExporter(b)
	td := agentBatch(100, 2048)
	b.ReportAllocs()
	for b.Loop() {
		if err := exp.pushTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/interaction")
}

// sampleBatch is what a collector's queue hands the exporter under `make perf`'s load: the
// sample interactions (testdata/sample) with fresh ids and prompts padded by 2 KB.
func sampleBatch(b *testing.B, interactions int) (ptrace.Traces, int) {
	templates, err := loadgen.LoadTemplates(2048, "testdata/sample")
	require.NoError(b, err)
	batch, err := loadgen.NewGenerator(templates).Next(interactions)
	require.NoError(b, err)
	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(batch.Body)
	require.NoError(b, err)
	return td, batch.Interactions
}

func BenchmarkTranslateSamples(b *testing.B) {
	td, n := sampleBatch(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if tr := translate(td, defaultOptions, nil); len(tr.interactions) != n {
			b.Fatal(len(tr.interactions))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/interaction")
}

func BenchmarkPushSamples(b *testing.B) {
	exp := benchExporter(b)
	td, n := sampleBatch(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := exp.pushTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/interaction")
}

// benchExporter is an exporter posting to a local server that accepts everything.
func benchExporter(b *testing.B) *raindropExporter {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(srv.Close)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = srv.URL
	cfg.WriteKey = "bench"
	exp, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(b, err)
	require.NoError(b, exp.start(context.Background(), componenttest.NewNopHost()))
	return exp
}
