package raindropexporter

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/raindropexporter/raindropexporter/internal/metadata"
)

func key(i byte) spanKey { return spanKey{pcommon.TraceID{i}, pcommon.SpanID{i}} }

func TestJoinerBoundsMemory(t *testing.T) {
	j := newJoiner(time.Minute, 2)
	now := time.Now()
	// One span per add: the order within one batch is a map's.
	assert.Zero(t, j.add(now, logContents{key(1): {}}))
	assert.Zero(t, j.add(now, logContents{key(2): {}}))
	evicted := j.add(now, logContents{key(3): {}})
	assert.Equal(t, 1, evicted, "the oldest span's content makes room")
	_, missing, _ := j.lookup([]spanKey{key(1)})
	assert.True(t, missing)
	found, missing, _ := j.lookup([]spanKey{key(2), key(3)})
	assert.False(t, missing)
	assert.Len(t, found, 2)
}

func TestJoinerExpires(t *testing.T) {
	j := newJoiner(time.Second, 100)
	start := time.Now()
	j.add(start, logContents{key(1): {}})
	j.add(start.Add(2*time.Second), logContents{key(2): {}})
	_, missing, _ := j.lookup([]spanKey{key(1)})
	assert.True(t, missing, "content older than retention is gone")
}

func TestJoinerAwaitWakesOnArrival(t *testing.T) {
	j := newJoiner(time.Minute, 100)
	go func() {
		time.Sleep(20 * time.Millisecond)
		j.add(time.Now(), logContents{key(1): {input: []message{{role: "user", text: "late"}}}})
	}()
	begin := time.Now()
	got := j.await(context.Background(), []spanKey{key(1)}, 10*time.Second)
	assert.Less(t, time.Since(begin), 5*time.Second)
	require.Contains(t, got, key(1))
	assert.Equal(t, "late", got[key(1)].input[0].text)
}

func TestJoinerAwaitGivesUp(t *testing.T) {
	j := newJoiner(time.Minute, 100)
	got := j.await(context.Background(), []spanKey{key(1)}, 10*time.Millisecond)
	assert.Empty(t, got)
}

// TestLogsPipelineJoinsContent runs the recorded OpenTelemetry OpenAI instrumentation through
// both signals of one component: spans first, then the log records that hold the prompt.
func TestLogsPipelineJoinsContent(t *testing.T) {
	for _, order := range []string{"logs first", "spans first"} {
		t.Run(order, func(t *testing.T) {
			f := newFakeRaindrop(t)
			cfg := NewFactory().CreateDefaultConfig().(*Config)
			cfg.ClientConfig.Endpoint = f.srv.URL
			cfg.WriteKey = testKey
			cfg.QueueConfig = NewFactory().CreateDefaultConfig().(*Config).QueueConfig
			cfg.QueueConfig.Get().Batch.Get().FlushTimeout = 10 * time.Millisecond
			set := exportertest.NewNopSettings(metadata.Type)
			ctx := context.Background()
			traces, err := NewFactory().CreateTraces(ctx, set, cfg)
			require.NoError(t, err)
			logs, err := NewFactory().CreateLogs(ctx, set, cfg)
			require.NoError(t, err)
			require.NoError(t, traces.Start(ctx, componenttest.NewNopHost()))
			require.NoError(t, logs.Start(ctx, componenttest.NewNopHost()))

			path := filepath.Join("testdata", "fixtures", "otel-instrumentation-openai", "chat.json")
			td := loadTraces(t, path)
			ld := loadLogs(t, path)
			if order == "logs first" {
				require.NoError(t, logs.ConsumeLogs(ctx, ld))
				require.NoError(t, traces.ConsumeTraces(ctx, td))
			} else {
				require.NoError(t, traces.ConsumeTraces(ctx, td))
				time.Sleep(50 * time.Millisecond)
				require.NoError(t, logs.ConsumeLogs(ctx, ld))
			}
			require.Eventually(t, func() bool {
				f.mu.Lock()
				defer f.mu.Unlock()
				return len(f.bodies) > 0
			}, 5*time.Second, 10*time.Millisecond)
			require.NoError(t, traces.Shutdown(ctx))
			require.NoError(t, logs.Shutdown(ctx))

			evs := f.events(t)
			require.Len(t, evs, 1)
			require.NotNil(t, evs[0].AIData)
			assert.Equal(t, "What is the capital of France?", evs[0].AIData.Input)
			assert.Equal(t, "The capital of France is Paris.", evs[0].AIData.Output)
		})
	}
}

func loadLogs(t *testing.T, tracePath string) plog.Logs {
	b, err := readSibling(tracePath, ".logs.json")
	require.NoError(t, err)
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(b)
	require.NoError(t, err)
	return ld
}
