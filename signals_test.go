package raindropexporter

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

func TestSignalsFromSpans(t *testing.T) {
	td := buildTrace(t, nil,
		spec{"chat", -1, 0, chatAttrs("hi", "hello", 1, 1, nil)},
		spec{"feedback", 0, time.Second, map[string]any{
			"raindrop.signal.name": "thumbs_down", "raindrop.signal.comment": "off-topic",
			"raindrop.signal.sentiment": "negative",
		}},
	)
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	eval := span.Events().AppendEmpty()
	eval.SetName("gen_ai.evaluation.result")
	eval.SetTimestamp(pcommon.NewTimestampFromTime(testStart))
	eval.Attributes().PutStr("gen_ai.evaluation.name", "relevance")
	eval.Attributes().PutDouble("gen_ai.evaluation.score.value", 0.25)
	eval.Attributes().PutStr("gen_ai.evaluation.score.label", "irrelevant")

	tr := translate(td, defaultOptions, nil)

	ev := only(t, tr)
	require.Len(t, tr.signals, 2)
	byName := map[string]signal{}
	for _, s := range tr.signals {
		assert.Equal(t, ev.EventID, s.signal.EventID, "aimed at the interaction's event")
		byName[s.signal.SignalName] = s.signal
	}
	assert.Equal(t, signal{
		EventID: ev.EventID, SignalName: "thumbs_down", SignalType: "feedback",
		Timestamp:  "2026-03-11T14:30:46.123Z",
		Properties: map[string]any{"comment": "off-topic", "sentiment": "NEGATIVE"},
	}, byName["thumbs_down"])
	assert.Equal(t, signal{
		EventID: ev.EventID, SignalName: "relevance", SignalType: "default",
		Timestamp:  "2026-03-11T14:30:45.123Z",
		Properties: map[string]any{"score": 0.25, "label": "irrelevant"},
	}, byName["relevance"])
	assert.NotContains(t, ev.Properties, "raindrop.signal.name")
}

func TestSignalTargets(t *testing.T) {
	chat := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "hello", 1, 1, nil)})
	want := only(t, translate(chat, defaultOptions, nil)).EventID
	target := chat.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)

	// A later trace, say a click on thumbs up, names the call it rates.
	later := buildTrace(t, nil, spec{"thumbs up clicked", -1, 0, map[string]any{
		"raindrop.signal.name":     "thumbs_up",
		"raindrop.signal.trace_id": target.TraceID().String(),
		"raindrop.signal.span_id":  target.SpanID().String(),
	}})
	tr := translate(later, defaultOptions, nil)
	require.Len(t, tr.signals, 1)
	assert.Equal(t, want, tr.signals[0].signal.EventID)

	orphan := buildTrace(t, nil, spec{"click", -1, 0, map[string]any{"raindrop.signal.name": "x"}})
	tr = translate(orphan, defaultOptions, nil)
	assert.Empty(t, tr.signals)
	assert.Equal(t, 1, tr.untargetedSignals)
}

func TestSignalsAreSentAfterEvents(t *testing.T) {
	f := newFakeRaindrop(t)
	exp := newTestExporter(t, f.srv.URL)
	td := buildTrace(t, nil,
		spec{"chat", -1, 0, chatAttrs("hi", "hello", 1, 1, nil)},
		spec{"feedback", 0, time.Second, map[string]any{"raindrop.signal.name": "thumbs_up"}},
	)
	require.NoError(t, exp.pushTraces(context.Background(), td))

	require.Len(t, f.signals, 1)
	var sigs []map[string]any
	require.NoError(t, json.Unmarshal(f.signals[0], &sigs))
	require.Len(t, sigs, 1)
	assert.Equal(t, f.events(t)[0].EventID, sigs[0]["event_id"])
	assert.Equal(t, "thumbs_up", sigs[0]["signal_name"])

	ld := plog.NewLogs()
	r := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	r.SetEventName("gen_ai.evaluation.result")
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	r.SetTraceID(span.TraceID())
	r.SetSpanID(span.SpanID())
	r.Attributes().PutStr("gen_ai.evaluation.name", "accuracy")
	require.NoError(t, exp.pushLogs(context.Background(), ld))
	require.Len(t, f.signals, 2)
	require.NoError(t, json.Unmarshal(f.signals[1], &sigs))
	assert.Equal(t, f.events(t)[0].EventID, sigs[0]["event_id"], "a record in the call's context")
}
