package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
)

const (
	eventsPath  = "/v1/events/track"
	signalsPath = "/v1/signals/track"
	// maxItemsPerRequest and maxRequestBytes follow Raindrop's SDKs, which flush at 50
	// events, and keep every body far from any server-side size limit.
	maxItemsPerRequest = 50
	maxRequestBytes    = 1 << 20
	// maxBodySnippet bounds how much of an error response ends up in an error message.
	maxBodySnippet = 512
	// maxDrain bounds how much of a response is read so the connection can be reused.
	maxDrain = 64 << 10
)

// payload is one kind of thing the exporter posts: events or signals, each to its endpoint
// with its own counters.
type payload struct {
	name    string
	url     string
	sent    metric.Int64Counter
	dropped metric.Int64Counter
}

// item is one encoded event or signal, the project it goes to, and the spans a retry must
// resend to make it again.
type item struct {
	body    []byte
	project string
	spans   []spanPos
}

// request is one POST of one kind and one project: a JSON array of items, each with the spans
// a retry must resend, or, for linked spans, an OTLP protobuf body of n spans.
type request struct {
	kind      *payload
	project   string
	items     [][]byte
	itemSpans [][]spanPos
	otlp      []byte
	n         int
	// spans are what a retry of an OTLP body must resend.
	spans []spanPos
	// loans, when set, counts the bodies made from items in recycled buffers.
	loans *loans
}

// size is how many events, signals or spans the request carries.
func (r request) size() int {
	if r.otlp != nil {
		return r.n
	}
	return len(r.items)
}

// encodeEvents encodes the events, dropping (and counting) those that cannot be sent. The
// items' bodies live in pooled buffers, which the caller gives back with putBuffers once
// they are sent.
func (e *raindropExporter) encodeEvents(
	ctx context.Context,
	interactions []interaction,
) ([]item, [][]byte) {
	items := make([]item, 0, len(interactions))
	var bufs [][]byte
	var cur []byte
	for i := range interactions {
		in := &interactions[i]
		if in.invalidProject != "" {
			e.countDropped(ctx, e.events, "invalid_project", 1)
			e.warnOnce("invalid_project:"+in.invalidProject, "dropping an event whose project "+
				"attribute is not a Raindrop project slug", zap.String("project", in.invalidProject))
			continue
		}
		if hint := sizeHint(&in.event); cap(cur)-len(cur) < hint {
			if cur != nil {
				bufs = append(bufs, cur)
			}
			cur = getBuffer(hint)
		}
		start := len(cur)
		var cuts int
		var err error
		// When an event outgrows the buffer's room, the buffer moves; the bodies already
		// cut from it stay where they are.
		cur, cuts, err = appendEncoded(cur, &in.event)
		if cuts > 0 {
			e.telemetry.ExporterRaindropFieldsTruncated.Add(ctx, int64(cuts))
		}
		if err != nil {
			// Nothing in a retry would encode differently, so the event is dropped here.
			e.countDropped(ctx, e.events, "unencodable", 1)
			e.logger.Warn("dropping an event that cannot be encoded", zap.Error(err))
			continue
		}
		body := cur[start:len(cur):len(cur)]
		items = append(items, item{body: body, project: in.project, spans: in.spans})
	}
	if cur != nil {
		bufs = append(bufs, cur)
	}
	return items, bufs
}

func (e *raindropExporter) encodeSignals(ctx context.Context, signals []signalItem) []item {
	items := make([]item, 0, len(signals))
	for _, s := range signals {
		b, err := json.Marshal(s.signal)
		if err != nil {
			e.countDropped(ctx, e.signals, "unencodable", 1)
			continue
		}
		items = append(items, item{body: b, project: s.project, spans: s.spans})
	}
	return items
}

// group packs items into requests of at most maxItemsPerRequest items and maxRequestBytes
// bytes. Requests never mix projects: items are grouped by project, in the order each
// project first appears, keeping the batch's order within a project.
func group(kind *payload, items []item) []request {
	var order []string
	byProject := map[string][]int{}
	for i, it := range items {
		if _, ok := byProject[it.project]; !ok {
			order = append(order, it.project)
		}
		byProject[it.project] = append(byProject[it.project], i)
	}
	var reqs []request
	for _, project := range order {
		cur := request{kind: kind, project: project}
		size := 2 // the array's brackets
		for _, i := range byProject[project] {
			it := items[i]
			if len(cur.items) == maxItemsPerRequest || size+len(it.body)+1 > maxRequestBytes {
				reqs = append(reqs, cur)
				cur, size = request{kind: kind, project: project}, 2
			}
			cur.items = append(cur.items, it.body)
			cur.itemSpans = append(cur.itemSpans, it.spans)
			size += len(it.body) + 1
		}
		if len(cur.items) > 0 {
			reqs = append(reqs, cur)
		}
	}
	return reqs
}

// deliver posts the requests in order and reports what did not get through. Items Raindrop
// rejects for good are dropped and counted, and delivery goes on; at the first retryable
// failure it stops, since the requests after it would most likely fail the same way. It
// returns the spans a retry must resend (those of the items that failed retryably, and of
// every request after them) and the error: the retryable one, carrying the text of any
// rejections, or a permanent error when only rejections happened.
func (e *raindropExporter) deliver(ctx context.Context, reqs []request) ([]spanPos, error) {
	var rejected []error
	for i, r := range reqs {
		if wait := e.throttled(); wait > 0 {
			// Raindrop asked to wait: nothing more is sent until the delay ends.
			err := exporterhelper.NewThrottleRetry(
				fmt.Errorf("raindrop: waiting %s more, as Retry-After asked", wait), wait)
			return unsentFrom(reqs[i:], nil), withRejections(err, rejected)
		}
		var o outcome
		if r.otlp != nil {
			o = e.postOTLP(ctx, r)
		} else {
			o = e.post(ctx, r.kind, r.project, r.items, indexes(len(r.items)), r.loans)
		}
		r.kind.sent.Add(ctx, int64(o.sent))
		e.countDropped(ctx, r.kind, "rejected", o.rejected)
		rejected = append(rejected, o.rejectedErrs...)
		if o.retryErr != nil {
			return unsentFrom(reqs[i:], o.retry), withRejections(o.retryErr, rejected)
		}
	}
	if len(rejected) > 0 {
		return nil, consumererror.NewPermanent(errors.Join(rejected...))
	}
	return nil, nil
}

// outcome is what became of the items of one request.
type outcome struct {
	sent         int
	rejected     int
	rejectedErrs []error
	// retry holds the indexes of the items that failed retryably, and retryErr why.
	retry    []int
	retryErr error
}

func (o *outcome) merge(other outcome) {
	o.sent += other.sent
	o.rejected += other.rejected
	o.rejectedErrs = append(o.rejectedErrs, other.rejectedErrs...)
	o.retry = append(o.retry, other.retry...)
	if o.retryErr == nil {
		o.retryErr = other.retryErr
	}
}

// unsentFrom lists the spans of the items to retry in the first request (all of its items
// when retry is nil) and of every request after it.
func unsentFrom(reqs []request, retry []int) []spanPos {
	var out []spanPos
	for i, r := range reqs {
		if r.otlp != nil {
			out = append(out, r.spans...)
			continue
		}
		if i == 0 && retry != nil {
			for _, j := range retry {
				out = append(out, r.itemSpans[j]...)
			}
			continue
		}
		for _, s := range r.itemSpans {
			out = append(out, s...)
		}
	}
	return out
}

func withRejections(err error, rejected []error) error {
	if len(rejected) == 0 {
		return err
	}
	// Plain text, not wrapping: a wrapped permanent error would make the retry give up.
	return fmt.Errorf("%w (other items of this batch were rejected: %s)",
		err, errors.Join(rejected...).Error())
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// throttled is how long Raindrop's last Retry-After still asks every request to wait.
func (e *raindropExporter) throttled() time.Duration {
	return time.Until(time.Unix(0, e.notBefore.Load()))
}

// throttle holds back every request, not only the one that got it, until Retry-After's
// delay ends: the queue's other consumers would otherwise each earn a 429 of their own.
func (e *raindropExporter) throttle(delay time.Duration) {
	until := time.Now().Add(delay).UnixNano()
	for {
		cur := e.notBefore.Load()
		if cur >= until || e.notBefore.CompareAndSwap(cur, until) {
			return
		}
	}
}

// writeDryRun prints each event as one JSON line, and each signal as one line
// {"signal": {...}}, so that a reader of events can skip signals.
func (e *raindropExporter) writeDryRun(ctx context.Context, reqs []request) error {
	var buf bytes.Buffer
	for _, r := range reqs {
		if r.otlp != nil {
			// Linked spans are OTLP protobuf: a dry run reports them in a line of their own.
			fmt.Fprintf(&buf, "{\"linked_spans\":%d}\n", r.n)
			continue
		}
		for _, it := range r.items {
			if r.kind == e.signals {
				buf.WriteString(`{"signal":`)
				buf.Write(it)
				buf.WriteString("}\n")
				continue
			}
			buf.Write(it)
			buf.WriteByte('\n')
		}
	}
	e.stdoutMu.Lock()
	defer e.stdoutMu.Unlock()
	if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("raindrop: writing dry-run output: %w", err)
	}
	for _, r := range reqs {
		r.kind.sent.Add(ctx, int64(r.size()))
	}
	return nil
}

// post sends items as one JSON array. A 413 splits them in two and sends both halves, so
// one item too large on its own costs only itself. idx numbers the items within their
// request, for the outcome.
func (e *raindropExporter) post(
	ctx context.Context,
	kind *payload,
	project string,
	items [][]byte,
	idx []int,
	l *loans,
) outcome {
	// The body is written from the encoded items where they are, not copied into one slice.
	body := make(net.Buffers, 0, 2*len(items)+1)
	for i, it := range items {
		if i == 0 {
			body = append(body, openBracket)
		} else {
			body = append(body, comma)
		}
		body = append(body, it)
	}
	body = append(body, closeBracket)

	err := e.send(ctx, kind, project, "application/json", body, l)
	if errors.Is(err, errTooLarge) && len(items) > 1 {
		half := len(items) / 2
		o := e.post(ctx, kind, project, items[:half], idx[:half], l)
		o.merge(e.post(ctx, kind, project, items[half:], idx[half:], l))
		return o
	}
	return outcomeOf(err, idx)
}

func (e *raindropExporter) postOTLP(ctx context.Context, r request) outcome {
	err := e.send(ctx, r.kind, r.project, "application/x-protobuf", net.Buffers{r.otlp}, nil)
	switch {
	case err == nil:
		return outcome{sent: r.n}
	case consumererror.IsPermanent(err):
		return outcome{rejected: r.n, rejectedErrs: []error{err}}
	default:
		return outcome{retryErr: err}
	}
}

func outcomeOf(err error, idx []int) outcome {
	switch {
	case err == nil:
		return outcome{sent: len(idx)}
	case consumererror.IsPermanent(err):
		return outcome{rejected: len(idx), rejectedErrs: []error{err}}
	default:
		return outcome{retry: idx, retryErr: err}
	}
}

var (
	openBracket  = []byte{'['}
	comma        = []byte{','}
	closeBracket = []byte{']'}
)

// errTooLarge marks a 413 answer, which post meets by splitting the request.
var errTooLarge = errors.New("payload too large")

// send posts one body and classifies the answer.
func (e *raindropExporter) send(
	ctx context.Context,
	kind *payload,
	project, contentType string,
	body net.Buffers,
	l *loans,
) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, kind.url, nil)
	if err != nil {
		return consumererror.NewPermanent(fmt.Errorf("raindrop: building request: %w", err))
	}
	for _, b := range body {
		req.ContentLength += int64(len(b))
	}
	// Reading consumes a net.Buffers, so each read of the body, first or replayed, gets
	// its own copy of the slice headers.
	req.GetBody = func() (io.ReadCloser, error) {
		bufs := slices.Clone(body)
		if l == nil {
			return io.NopCloser(&bufs), nil
		}
		l.open.Add(1)
		return &loanedBody{bufs: bufs, loans: l}, nil
	}
	req.Body, _ = req.GetBody()
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+string(e.cfg.WriteKey))
	req.Header.Set("User-Agent", e.userAgent)
	if project != "" {
		req.Header.Set("X-Raindrop-Project-Id", project)
	}

	resp, err := e.client.Do(req)
	if err != nil {
		// A transport error is worth retrying; url.Error's text carries the redacted URL.
		return fmt.Errorf("raindrop: sending %s: %w", kind.name, err)
	}
	err = responseError(resp, redact(kind.url))
	if resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode == http.StatusServiceUnavailable {
		if delay, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			e.throttle(delay)
		}
	}
	if resp.StatusCode == http.StatusRequestEntityTooLarge {
		return fmt.Errorf("%w: %w", errTooLarge, err)
	}
	return err
}

// responseError reads and closes resp and classifies its status: nil for 2xx, a throttled
// retry for 429 and 503 with Retry-After, a plain (retryable) error for other 5xx, 408 and
// 429, and a permanent error for every other status.
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

// selectSpans copies the given spans into a new batch, keeping their resources and scopes.
func selectSpans(td ptrace.Traces, spans []spanPos) ptrace.Traces {
	want := make(map[spanPos]bool, len(spans))
	for _, p := range spans {
		want[p] = true
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

// loans counts the request bodies written from recycled buffers that the HTTP transport has
// not closed yet. The transport may still be reading a body after Do returns (a server that
// answers before reading it all, a cancelled request), so a push's buffers are recycled only
// when every body made from them has been closed; otherwise they are left to the garbage
// collector.
type loans struct{ open atomic.Int64 }

func (l *loans) settled() bool { return l.open.Load() == 0 }

// loanedBody is a request body that tells its loans when the transport closes it.
type loanedBody struct {
	bufs   net.Buffers
	loans  *loans
	closed atomic.Bool
}

func (b *loanedBody) Read(p []byte) (int, error) { return b.bufs.Read(p) }

// WriteTo lets the transport write the buffers as they are, without copying them first.
func (b *loanedBody) WriteTo(w io.Writer) (int64, error) { return b.bufs.WriteTo(w) }

func (b *loanedBody) Close() error {
	if b.closed.CompareAndSwap(false, true) {
		b.loans.open.Add(-1)
	}
	return nil
}
