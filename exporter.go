package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/raindropexporter/raindropexporter/internal/metadata"
)

type raindropExporter struct {
	cfg       *Config
	settings  component.TelemetrySettings
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	opts      translateOptions
	events    *payload
	signals   *payload
	traces    *payload
	userAgent string
	// client stays nil until start: auth extensions are reachable only from the host.
	client    *http.Client
	startOnce sync.Once
	startErr  error

	// notBefore is when Raindrop's last Retry-After ends, in Unix nanoseconds.
	notBefore atomic.Int64

	// users counts the signals (traces, logs) that share this exporter.
	users int
	// joiner holds content from log records; logsEnabled is set once a logs pipeline
	// feeds this exporter, and only then do spans wait for it.
	joiner      *joiner
	logsEnabled atomic.Bool

	// stdout receives dry-run events; one mutex keeps concurrent queue consumers from
	// interleaving lines.
	stdoutMu sync.Mutex
	stdout   io.Writer

	// warned remembers when each warning was last logged.
	warnedMu sync.Mutex
	warned   map[string]time.Time
}

func newExporter(cfg *Config, set exporter.Settings) (*raindropExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("raindrop: telemetry: %w", err)
	}
	prices, err := newPriceTable(cfg.Pricing)
	if err != nil {
		return nil, fmt.Errorf("raindrop: %w", err)
	}
	base := strings.TrimRight(cfg.ClientConfig.Endpoint, "/")
	return &raindropExporter{
		cfg:       cfg,
		settings:  set.TelemetrySettings,
		logger:    set.Logger,
		telemetry: tb,
		opts: translateOptions{
			eventName:        cfg.EventName,
			defaultUserID:    cfg.DefaultUserID,
			privacyMode:      cfg.PrivacyMode,
			prices:           prices,
			projectAttribute: cfg.ProjectIDAttribute,
			project:          cfg.ProjectID,
		},
		events: &payload{
			name: "events", url: base + eventsPath,
			sent: tb.ExporterRaindropEventsSent, dropped: tb.ExporterRaindropEventsDropped,
		},
		signals: &payload{
			name: "signals", url: base + signalsPath,
			sent: tb.ExporterRaindropSignalsSent, dropped: tb.ExporterRaindropSignalsDropped,
		},
		traces: &payload{
			name: "spans", url: base + tracesPath,
			sent: tb.ExporterRaindropLinkedSpansSent, dropped: tb.ExporterRaindropLinkedSpansDropped,
		},
		userAgent: "raindropexporter/" + set.BuildInfo.Version + " (" + set.BuildInfo.Command + ")",
		stdout:    os.Stdout,
		warned:    map[string]time.Time{},
		joiner:    newJoiner(cfg.Logs.Retention, cfg.Logs.MaxSpans),
	}, nil
}

// start runs once for both signals of the component.
func (e *raindropExporter) start(ctx context.Context, host component.Host) error {
	e.startOnce.Do(func() { e.startErr = e.startClient(ctx, host) })
	return e.startErr
}

func (e *raindropExporter) startClient(ctx context.Context, host component.Host) error {
	if e.cfg.DryRun {
		e.logger.Info("dry_run is on: events are written to standard output, nothing is sent to Raindrop")
		return nil
	}
	if insecureRemote(e.events.url) {
		e.logger.Warn("endpoint uses plain http to a host that is not loopback: the write key " +
			"travels unencrypted")
	}
	client, err := e.cfg.ClientConfig.ToClient(ctx, host.GetExtensions(), e.settings)
	if err != nil {
		return fmt.Errorf("raindrop: building HTTP client: %w", err)
	}
	e.client = client
	return nil
}

func (e *raindropExporter) shutdown(context.Context) error {
	if release(e) {
		e.telemetry.Shutdown()
	}
	return nil
}

// pushLogs keeps the message content of GenAI log records for their spans, and sends the
// signals (feedback, evaluations) that log records carry.
func (e *raindropExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	e.telemetry.ExporterRaindropLogRecordsReceived.Add(ctx, int64(ld.LogRecordCount()))
	// Privacy mode sends no content, so it keeps none either.
	if content, records := contentFromLogs(ld); records > 0 && !e.cfg.PrivacyMode {
		if evicted := e.joiner.add(time.Now(), content); evicted > 0 {
			e.telemetry.ExporterRaindropLogContentEvicted.Add(ctx, int64(evicted))
		}
	}

	found, untargeted := signalsFromLogs(ld)
	e.countDropped(ctx, e.signals, "no_event", untargeted)
	if len(found) == 0 {
		return nil
	}
	items := make([]signalItem, len(found))
	for i, s := range found {
		items[i] = signalItem{signal: s, project: e.cfg.ProjectID}
	}
	reqs := group(e.signals, e.encodeSignals(ctx, items))

	if e.cfg.DryRun {
		return e.writeDryRun(ctx, reqs)
	}
	// A retry resends the whole batch: content merges idempotently for the join, and
	// delivered signals would be sent again.
	if _, err := e.deliver(ctx, reqs); err != nil {
		return err
	}
	return nil
}

func (e *raindropExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	tr := e.translateJoined(ctx, td)
	e.recordTranslation(ctx, tr)

	// Events go first: linked spans and signals name an event Raindrop should already have.
	events, bufs := e.encodeEvents(ctx, tr.interactions)
	// Encoded, the events' properties are done with: their memory serves the next push
	// while this one sends.
	tr.release()
	reqs := group(e.events, events)
	held := new(loans)
	for i := range reqs {
		reqs[i].loans = held
	}
	defer func() {
		if held.settled() {
			putBuffers(bufs)
		}
	}()
	if e.cfg.Traces.Enabled {
		reqs = append(reqs, e.linkedSpans(ctx, td, tr.interactions)...)
	}
	reqs = append(reqs, group(e.signals, e.encodeSignals(ctx, tr.signals))...)

	if e.cfg.DryRun {
		return e.writeDryRun(ctx, reqs)
	}

	// Only what failed retryably, and what was not tried, goes back for a retry: items
	// already delivered are not sent twice, and rejected ones would only be rejected again.
	unsent, err := e.deliver(ctx, reqs)
	if len(unsent) > 0 {
		return consumererror.NewTraces(err, selectSpans(td, unsent))
	}
	return err
}

func (e *raindropExporter) linkedSpans(
	ctx context.Context,
	td ptrace.Traces,
	interactions []interaction,
) []request {
	trs, err := linkedTraces(td, interactions, e.cfg.PrivacyMode)
	if err != nil {
		// Encoding spans that decoded fine cannot fail in a way a retry would fix.
		e.logger.Warn("not sending linked spans that cannot be encoded", zap.Error(err))
		return nil
	}
	reqs := make([]request, len(trs))
	for i, t := range trs {
		reqs[i] = request{kind: e.traces, project: t.project, otlp: t.body, n: t.count, spans: t.spans}
	}
	return reqs
}

// translateJoined translates a batch and, when a logs pipeline feeds this exporter, gives the
// calls that found no content on their spans the content their log records brought, waiting
// up to logs::wait for records that have not arrived yet.
func (e *raindropExporter) translateJoined(ctx context.Context, td ptrace.Traces) translation {
	tr := translate(td, e.opts, nil)
	if !e.logsEnabled.Load() {
		return tr
	}
	var keys []spanKey
	for _, in := range tr.interactions {
		keys = append(keys, in.contentless...)
	}
	if len(keys) == 0 {
		return tr
	}
	content := e.joiner.await(ctx, keys, e.cfg.Logs.Wait)
	if len(content) == 0 {
		return tr
	}
	tr.release()
	return translate(td, e.opts, content)
}

func (e *raindropExporter) recordTranslation(ctx context.Context, tr translation) {
	t := e.telemetry
	t.ExporterRaindropSpansReceived.Add(ctx, int64(tr.spans))
	t.ExporterRaindropEventsTranslated.Add(ctx, int64(len(tr.interactions)))
	if tr.skippedNotLLM > 0 {
		t.ExporterRaindropSpansSkipped.Add(ctx, int64(tr.skippedNotLLM), reasonAttr("not_llm"))
	}
	if tr.skippedEmbeddings > 0 {
		t.ExporterRaindropSpansSkipped.Add(ctx, int64(tr.skippedEmbeddings), reasonAttr("embeddings"))
	}
	if tr.truncatedFields > 0 {
		t.ExporterRaindropFieldsTruncated.Add(ctx, int64(tr.truncatedFields))
	}
	e.countDropped(ctx, e.signals, "no_event", tr.untargetedSignals)
	if len(tr.unpricedModels) > 0 {
		t.ExporterRaindropEventsUnpriced.Add(ctx, int64(len(tr.unpricedModels)))
		e.warnUnpriced(tr.unpricedModels)
	}
}

const (
	warnInterval  = time.Hour
	maxWarnedKeys = 1000
)

func (e *raindropExporter) warnUnpriced(models []string) {
	for _, m := range models {
		e.warnOnce("unpriced:"+m, "no price known for a model: its events are sent without "+
			"cost; add it under pricing in the exporter config", zap.String("model", m))
	}
}

// warnOnce logs msg at most once an hour per key, so a steady stream of the same problem
// does not become a log line per event.
func (e *raindropExporter) warnOnce(key, msg string, fields ...zap.Field) {
	e.warnedMu.Lock()
	now := time.Now()
	if last, ok := e.warned[key]; ok && now.Sub(last) < warnInterval {
		e.warnedMu.Unlock()
		return
	}
	if len(e.warned) >= maxWarnedKeys {
		// A stream of distinct keys must not grow the map without bound.
		clear(e.warned)
	}
	e.warned[key] = now
	e.warnedMu.Unlock()
	e.logger.Warn(msg, fields...)
}

func (e *raindropExporter) countDropped(ctx context.Context, kind *payload, reason string, n int) {
	if n > 0 {
		kind.dropped.Add(ctx, int64(n), reasonAttr(reason))
	}
}

func reasonAttr(reason string) metric.AddOption {
	return metric.WithAttributes(attribute.String("reason", reason))
}
