package raindropexporter

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

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
