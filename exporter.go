package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/raindropexporter/raindropexporter/internal/metadata"
)

const (
	eventsPath = "/v1/events/track"
	// maxEventsPerRequest and maxRequestBytes follow Raindrop's SDKs, which flush at 50
	// events, and keep every body far from any server-side size limit.
	maxEventsPerRequest = 50
	maxRequestBytes     = 1 << 20
	// maxBodySnippet bounds how much of an error response ends up in an error message.
	maxBodySnippet = 512
	// maxDrain bounds how much of a response is read so the connection can be reused.
	maxDrain = 64 << 10
)

type raindropExporter struct {
	cfg       *Config
	settings  component.TelemetrySettings
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	opts      translateOptions
	url       string
	userAgent string
	// client stays nil until start: auth extensions are reachable only from the host.
	client    *http.Client
	startOnce sync.Once
	startErr  error

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
	return &raindropExporter{
		cfg:       cfg,
		settings:  set.TelemetrySettings,
		logger:    set.Logger,
		telemetry: tb,
		opts: translateOptions{
			eventName:     cfg.EventName,
			defaultUserID: cfg.DefaultUserID,
			privacyMode:   cfg.PrivacyMode,
			prices:        prices,
			projectKey:    cfg.ProjectIDAttribute,
			project:       cfg.ProjectID,
		},
		url:       strings.TrimRight(cfg.ClientConfig.Endpoint, "/") + eventsPath,
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
	if insecureRemote(e.url) {
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

func (e *raindropExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	content, records := contentFromLogs(ld)
	e.telemetry.ExporterRaindropLogRecordsReceived.Add(ctx, int64(ld.LogRecordCount()))
	if records == 0 {
		return nil
	}
	if evicted := e.joiner.add(time.Now(), content); evicted > 0 {
		e.telemetry.ExporterRaindropLogContentEvicted.Add(ctx, int64(evicted))
	}
	return nil
}

// request is one POST to Raindrop: the encoded events of one project and the spans they came
// from.
type request struct {
	project string
	items   [][]byte
	spans   []spanPos
}

func (e *raindropExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	tr := e.translateJoined(ctx, td)
	e.recordTranslation(ctx, tr)

	reqs := e.pack(ctx, tr.interactions)

	if e.cfg.DryRun {
		return e.writeDryRun(ctx, reqs)
	}

	var rejected []error
	for i, r := range reqs {
		err := e.post(ctx, r.project, r.items)
		if err == nil {
			e.telemetry.ExporterRaindropEventsSent.Add(ctx, int64(len(r.items)))
			continue
		}
		if consumererror.IsPermanent(err) {
			e.countDropped(ctx, "rejected", len(r.items))
			rejected = append(rejected, err)
			continue
		}
		// Only this request and the ones after it go back for a retry: events already
		// delivered are not sent twice, and rejected ones would only be rejected again.
		if len(rejected) > 0 {
			err = fmt.Errorf("%w (an earlier request of this batch was rejected: %s)",
				err, errors.Join(rejected...).Error())
		}
		return consumererror.NewTraces(err, selectSpans(td, reqs[i:]))
	}
	if len(rejected) > 0 {
		return consumererror.NewPermanent(errors.Join(rejected...))
	}
	return nil
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

func (e *raindropExporter) countDropped(ctx context.Context, reason string, n int) {
	e.telemetry.ExporterRaindropEventsDropped.Add(ctx, int64(n), reasonAttr(reason))
}

func reasonAttr(reason string) metric.AddOption {
	return metric.WithAttributes(attribute.String("reason", reason))
}

// pack encodes the events and groups them into requests of at most maxEventsPerRequest
// events and maxRequestBytes bytes.
func (e *raindropExporter) pack(ctx context.Context, interactions []interaction) []request {
	// Requests never mix projects: events are grouped by project, in the order each project
	// first appears, so the batch's order is kept within a project.
	var order []string
	byProject := map[string][]int{}
	for i := range interactions {
		in := &interactions[i]
		if in.invalidProject != "" {
			e.countDropped(ctx, "invalid_project", 1)
			e.warnOnce("invalid_project:"+in.invalidProject, "dropping an event whose project "+
				"attribute is not a Raindrop project slug", zap.String("project", in.invalidProject))
			continue
		}
		if _, ok := byProject[in.project]; !ok {
			order = append(order, in.project)
		}
		byProject[in.project] = append(byProject[in.project], i)
	}

	var reqs []request
	for _, project := range order {
		cur := request{project: project}
		size := 2 // the array's brackets
		for _, i := range byProject[project] {
			in := &interactions[i]
			b, cuts, err := encodeEvent(&in.event)
			if cuts > 0 {
				e.telemetry.ExporterRaindropFieldsTruncated.Add(ctx, int64(cuts))
			}
			if err != nil {
				// Nothing in a retry would encode differently, so the event is dropped here.
				e.countDropped(ctx, "unencodable", 1)
				e.logger.Warn("dropping an event that cannot be encoded", zap.Error(err))
				continue
			}
			if len(cur.items) == maxEventsPerRequest || size+len(b)+1 > maxRequestBytes {
				reqs = append(reqs, cur)
				cur, size = request{project: project}, 2
			}
			cur.items = append(cur.items, b)
			cur.spans = append(cur.spans, in.spans...)
			size += len(b) + 1
		}
		if len(cur.items) > 0 {
			reqs = append(reqs, cur)
		}
	}
	return reqs
}

func (e *raindropExporter) writeDryRun(ctx context.Context, reqs []request) error {
	e.stdoutMu.Lock()
	defer e.stdoutMu.Unlock()
	for _, r := range reqs {
		var buf bytes.Buffer
		for _, item := range r.items {
			buf.Write(item)
			buf.WriteByte('\n')
		}
		if _, err := e.stdout.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("raindrop: writing dry-run events: %w", err)
		}
		e.telemetry.ExporterRaindropEventsSent.Add(ctx, int64(len(r.items)))
	}
	return nil
}

// post sends one request. A 413 splits it in two and sends each half, down to single events.
func (e *raindropExporter) post(ctx context.Context, project string, items [][]byte) error {
	body := make([]byte, 0, maxRequestBytes)
	body = append(body, '[')
	for i, item := range items {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, item...)
	}
	body = append(body, ']')

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return consumererror.NewPermanent(fmt.Errorf("raindrop: building request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+string(e.cfg.WriteKey))
	req.Header.Set("User-Agent", e.userAgent)
	if project != "" {
		req.Header.Set("X-Raindrop-Project-Id", project)
	}

	resp, err := e.client.Do(req)
	if err != nil {
		// A transport error is worth retrying; url.Error's text carries the redacted URL.
		return fmt.Errorf("raindrop: sending events: %w", err)
	}
	err = responseError(resp, redact(e.url))
	if resp.StatusCode == http.StatusRequestEntityTooLarge && len(items) > 1 {
		half := len(items) / 2
		if err := e.post(ctx, project, items[:half]); err != nil {
			return err
		}
		return e.post(ctx, project, items[half:])
	}
	return err
}

// responseError reads and closes resp and classifies its status: nil for 2xx, a throttled
// retry for 429 and 503 with Retry-After, a plain (retryable) error for other 5xx and 429,
// and a permanent error for every other status.
func responseError(resp *http.Response, target string) error {
	defer func() {
		_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodySnippet))
	err := fmt.Errorf("raindrop: %s answered %d %s: %q", target, resp.StatusCode,
		http.StatusText(resp.StatusCode), strings.TrimSpace(string(snippet)))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode == http.StatusServiceUnavailable:
		if delay, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return exporterhelper.NewThrottleRetry(err, delay)
		}
		return err
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return err
	default:
		return consumererror.NewPermanent(err)
	}
}

// retryAfter parses a Retry-After value given in seconds or as an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the Raindrop endpoint"
	}
	return u.Redacted()
}

// insecureRemote tells whether the endpoint would carry the write key in clear text over a
// network: plain http to anything but a loopback host.
func insecureRemote(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// selectSpans copies the spans the given requests were made from into a new batch, keeping
// their resources and scopes.
func selectSpans(td ptrace.Traces, reqs []request) ptrace.Traces {
	want := map[spanPos]bool{}
	for _, r := range reqs {
		for _, p := range r.spans {
			want[p] = true
		}
	}
	out := ptrace.NewTraces()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		var outRS ptrace.ResourceSpans
		hasRS := false
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			var outSS ptrace.ScopeSpans
			hasSS := false
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				if !want[spanPos{i, j, k}] {
					continue
				}
				if !hasRS {
					outRS, hasRS = out.ResourceSpans().AppendEmpty(), true
					rs.Resource().CopyTo(outRS.Resource())
					outRS.SetSchemaUrl(rs.SchemaUrl())
				}
				if !hasSS {
					outSS, hasSS = outRS.ScopeSpans().AppendEmpty(), true
					ss.Scope().CopyTo(outSS.Scope())
					outSS.SetSchemaUrl(ss.SchemaUrl())
				}
				spans.At(k).CopyTo(outSS.Spans().AppendEmpty())
			}
		}
	}
	return out
}
