package raindropexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/raindropexporter/raindropexporter/internal/metadata"
)

func TestCreateDefaultConfig(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, componenttest.CheckConfigStruct(cfg))

	assert.Equal(t, "https://api.raindrop.ai", cfg.ClientConfig.Endpoint, "endpoint is Raindrop's API")
	assert.Equal(t, 30*time.Second, cfg.ClientConfig.Timeout, "one 30s timeout per request")
	assert.Equal(t, configcompression.Type(""), cfg.ClientConfig.Compression,
		"event bodies go uncompressed: Raindrop's SDKs never compress them")
	assert.Equal(t, "ai_generation", cfg.EventName, "the event name Raindrop's SDKs use")
	assert.Equal(t, "anonymous", cfg.DefaultUserID, "Raindrop needs a user id on every event")
	assert.Empty(t, cfg.WriteKey, "no write key by default")
	assert.Empty(t, cfg.ProjectID, "default project")
	assert.False(t, cfg.PrivacyMode, "content is sent by default")
	assert.False(t, cfg.DryRun, "events are posted by default")
	assert.True(t, cfg.BackOffConfig.Enabled, "retries are on")
	require.True(t, cfg.QueueConfig.HasValue(), "the sending queue is on")
	assert.True(t, cfg.QueueConfig.Get().Batch.HasValue(), "batching in the queue is on")
	assert.Equal(t, 2*time.Second, cfg.Logs.Wait, "spans wait briefly for late log records")
	assert.Equal(t, 30*time.Second, cfg.Logs.Retention, "log content waits for its spans")
	assert.Equal(t, 10_000, cfg.Logs.MaxSpans, "log content is bounded")
	assert.Empty(t, cfg.Pricing, "the built-in price table alone")
}

func TestCreateTracesNeedsNoIO(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.WriteKey = "k"
	exp, err := NewFactory().CreateTraces(context.Background(),
		exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NotNil(t, exp)
	require.NoError(t, exp.Shutdown(context.Background()))
}
