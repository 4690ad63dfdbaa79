package raindropexporter

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/raindropexporter/raindropexporter/internal/metadatatest"
)

func TestTelemetryCountsWhatHappened(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	// The first request (50 events) is rejected, the second (10 events) accepted.
	f := newFakeRaindrop(t, http.StatusUnauthorized)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = f.srv.URL
	cfg.WriteKey = testKey
	exp, err := newExporter(cfg, metadatatest.NewSettings(tel))
	require.NoError(t, err)
	require.NoError(t, exp.start(context.Background(), componenttest.NewNopHost()))

	td := chatTraces(60)
	httpSpan := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty()
	httpSpan.SetName("POST /v1/chat/completions")
	require.Error(t, exp.pushTraces(context.Background(), td))

	ignore := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}
	metadatatest.AssertEqualExporterRaindropSpansReceived(t, tel,
		[]metricdata.DataPoint[int64]{{Value: 61}}, ignore...)
	metadatatest.AssertEqualExporterRaindropSpansSkipped(t, tel,
		[]metricdata.DataPoint[int64]{{
			Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "not_llm")),
		}}, ignore...)
	metadatatest.AssertEqualExporterRaindropEventsTranslated(t, tel,
		[]metricdata.DataPoint[int64]{{Value: 60}}, ignore...)
	metadatatest.AssertEqualExporterRaindropEventsSent(t, tel,
		[]metricdata.DataPoint[int64]{{Value: 10}}, ignore...)
	metadatatest.AssertEqualExporterRaindropEventsDropped(t, tel,
		[]metricdata.DataPoint[int64]{{
			Value: 50, Attributes: attribute.NewSet(attribute.String("reason", "rejected")),
		}}, ignore...)
}

func TestUnpricedModelsAreCountedAndWarnedOnce(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.DryRun = true
	set := metadatatest.NewSettings(tel)
	core, logs := observer.New(zap.WarnLevel)
	set.Logger = zap.New(core)
	exp, err := newExporter(cfg, set)
	require.NoError(t, err)
	exp.stdout = io.Discard

	td := chatTraces(3)
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := 0; i < spans.Len(); i++ {
		spans.At(i).Attributes().PutStr("gen_ai.request.model", "mystery-model-9")
	}
	require.NoError(t, exp.pushTraces(context.Background(), td))
	require.NoError(t, exp.pushTraces(context.Background(), td))

	metadatatest.AssertEqualExporterRaindropEventsUnpriced(t, tel,
		[]metricdata.DataPoint[int64]{{Value: 6}}, metricdatatest.IgnoreTimestamp())
	require.Equal(t, 1, logs.Len(), "one warning per model, not one per event")
	require.Equal(t, "mystery-model-9", logs.All()[0].ContextMap()["model"])
}

// TestWriteKeyInNoLogLine runs failing deliveries through the factory, with exporterhelper's
// retries and queue, logging at debug level, and looks for the key in every line and field.
func TestWriteKeyInNoLogLine(t *testing.T) {
	f := newFakeRaindrop(t, http.StatusUnauthorized, http.StatusInternalServerError,
		http.StatusTooManyRequests, http.StatusBadRequest)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = f.srv.URL
	cfg.WriteKey = testKey
	cfg.BackOffConfig.InitialInterval = 5 * time.Millisecond
	cfg.QueueConfig.Get().Batch.Get().FlushTimeout = 5 * time.Millisecond
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := metadatatest.NewSettings(tel)
	core, logs := observer.New(zap.DebugLevel)
	set.Logger = zap.New(core)

	exp, err := NewFactory().CreateTraces(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	// Separate batches, so the two permanent failures drop two of them.
	for range 4 {
		require.NoError(t, exp.ConsumeTraces(context.Background(), chatTraces(2)))
		time.Sleep(20 * time.Millisecond)
	}
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.statuses) == 0
	}, 10*time.Second, 10*time.Millisecond, "every failure answer was used")
	require.NoError(t, exp.Shutdown(context.Background()))

	require.NotZero(t, logs.Len(), "the failures were logged")
	for _, entry := range logs.All() {
		line, err := json.Marshal(map[string]any{"msg": entry.Message, "fields": entry.ContextMap()})
		require.NoError(t, err)
		assert.NotContains(t, string(line), testKey)
		assert.NotContains(t, string(line), "Bearer")
	}
}
