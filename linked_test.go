package raindropexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

func linkedFixture(t *testing.T) ptrace.Traces {
	return buildTrace(t, map[string]any{"service.name": "app"},
		spec{"http request", -1, 0, map[string]any{"http.route": "/chat"}},
		spec{"invoke_agent", 0, 0, map[string]any{
			"gen_ai.operation.name": "invoke_agent", "raindrop.user.id": "u-1",
			"ai.telemetry.metadata.raindrop.userId": "u-1", "user.id": "u-1",
		}},
		spec{"chat", 1, 1, chatAttrs("secret prompt", "secret answer", 3, 4, nil)},
		spec{"execute_tool", 1, 2, map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.result": "secret result",
		}},
	)
}

func decodeLinked(t *testing.T, bodies [][]byte) []ptrace.Span {
	var spans []ptrace.Span
	for _, b := range bodies {
		req := ptraceotlp.NewExportRequest()
		require.NoError(t, req.UnmarshalProto(b))
		rss := req.Traces().ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			sss := rss.At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				for k := 0; k < sss.At(j).Spans().Len(); k++ {
					spans = append(spans, sss.At(j).Spans().At(k))
				}
			}
		}
	}
	return spans
}

func TestLinkedTracesCarryTheEventID(t *testing.T) {
	for _, privacy := range []bool{false, true} {
		f := newFakeRaindrop(t)
		exp := newTestExporter(t, f.srv.URL, func(c *Config) {
			c.Traces.Enabled = true
			c.PrivacyMode = privacy
		})
		require.NoError(t, exp.pushTraces(context.Background(), linkedFixture(t)))

		eventID := f.events(t)[0].EventID
		spans := decodeLinked(t, f.traces)
		require.Len(t, spans, 3, "the interaction's own spans, not its HTTP parent")
		for _, s := range spans {
			id, ok := s.Attributes().Get("raindrop.event.id")
			require.True(t, ok, s.Name())
			assert.Equal(t, eventID, id.Str())
			_, hasUser := s.Attributes().Get("raindrop.user.id")
			assert.False(t, hasUser, "a Raindrop user key would make the backend create an event")
			_, hasVercelUser := s.Attributes().Get("ai.telemetry.metadata.raindrop.userId")
			assert.False(t, hasVercelUser)
			for _, k := range []string{"gen_ai.input.messages", "gen_ai.tool.call.result"} {
				_, has := s.Attributes().Get(k)
				if privacy {
					assert.False(t, has, "privacy mode strips %s from linked spans", k)
				}
			}
		}
	}
}

func TestLinkedTracesAreOffByDefault(t *testing.T) {
	f := newFakeRaindrop(t)
	exp := newTestExporter(t, f.srv.URL)
	require.NoError(t, exp.pushTraces(context.Background(), linkedFixture(t)))
	assert.Empty(t, f.traces)
}

func TestLinkedTracesStayInSmallRequests(t *testing.T) {
	td := agentBatch(40, 2048)
	tr := translate(td, defaultOptions, nil)
	reqs, err := linkedTraces(td, tr.interactions, false)
	require.NoError(t, err)
	total := 0
	for _, r := range reqs {
		assert.LessOrEqual(t, r.count, maxSpansPerTraceRequest)
		assert.LessOrEqual(t, len(r.body), maxRequestBytes)
		total += r.count
	}
	assert.Equal(t, 40*5, total, "each agent span and everything below it, once")
}
