package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/raindropexporter/raindropexporter/internal/metadata"
)

const (
	defaultEndpoint      = "https://api.raindrop.ai"
	defaultEventName     = "ai_generation"
	defaultUserID        = "anonymous"
	defaultClientTimeout = 30 * time.Second
	// SDKs flush logs every second and spans every five, so content usually arrives first;
	// two seconds covers the other order without holding a queue consumer for long.
	defaultLogsWait      = 2 * time.Second
	defaultLogsRetention = 30 * time.Second
	defaultLogsMaxSpans  = 10_000
)

// NewFactory returns the factory of the raindrop exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithTraces(createTraces, metadata.TracesStability),
		exporter.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Endpoint = defaultEndpoint
	// A request carries at most 50 events of at most 1 MB each, so 30s leaves room for a
	// slow upload without holding a queue consumer for minutes.
	client.Timeout = defaultClientTimeout

	queue := exporterhelper.NewDefaultQueueConfig()
	// Batching is off by default at this collector release; turned on, it merges the spans
	// of one trace that arrive in separate receiver requests, so their interaction folds
	// into one event, and it fills Raindrop requests.
	queue.Batch = configoptional.Some(exporterhelper.NewDefaultBatchConfig())

	return &Config{
		Logs: LogsConfig{
			Wait:      defaultLogsWait,
			Retention: defaultLogsRetention,
			MaxSpans:  defaultLogsMaxSpans,
		},
		ClientConfig:  client,
		QueueConfig:   configoptional.Some(queue),
		BackOffConfig: configretry.NewDefaultBackOffConfig(),
		EventName:     defaultEventName,
		DefaultUserID: defaultUserID,
	}
}

func createTraces(
	ctx context.Context,
	set exporter.Settings,
	cfg component.Config,
) (exporter.Traces, error) {
	c := cfg.(*Config)
	exp, err := sharedExporter(c, set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewTraces(ctx, set, cfg, exp.pushTraces, helperOptions(c, exp)...)
}

// createLogs accepts the log records that carry message content or signals. It shares one
// exporter with the traces pipeline of the same component, which is where the content is
// used; the queue and retry apply to the signals it sends.
func createLogs(
	ctx context.Context,
	set exporter.Settings,
	cfg component.Config,
) (exporter.Logs, error) {
	c := cfg.(*Config)
	exp, err := sharedExporter(c, set)
	if err != nil {
		return nil, err
	}
	exp.logsEnabled.Store(true)
	return exporterhelper.NewLogs(ctx, set, cfg, exp.pushLogs, helperOptions(c, exp)...)
}

func helperOptions(c *Config, exp *raindropExporter) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(exp.start),
		exporterhelper.WithShutdown(exp.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		// The HTTP client's timeout applies to each request; a second timeout here would
		// cut a push that posts several requests in the middle.
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{Timeout: 0}),
		exporterhelper.WithRetry(c.BackOffConfig),
		exporterhelper.WithQueue(c.QueueConfig),
	}
}
