// Command sendspans posts OTLP/JSON trace files to an OTLP/HTTP endpoint, such as a
// locally running otelcol-raindrop, so that a developer can watch spans turn into
// Raindrop events without instrumenting an application.
//
//	sendspans [-endpoint URL] [-fresh] FILE_OR_DIR...
//
// Each file holds one OTLP/JSON export request ({"resourceSpans":[...]}) and is
// posted as one request. Directories are searched for trace files. A file's sibling
// NAME.logs.json, where an instrumentation recorded prompts and answers as log
// records, is posted first to the logs endpoint. With -fresh, every trace gets a new
// random trace id and its timestamps are moved to now, so sending the same file twice
// produces new events rather than repeats of old ones.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/raindropexporter/raindropexporter/internal/otlpfiles"
)

const (
	defaultEndpoint = "http://localhost:4318/v1/traces"
	// maxErrorBody bounds how much of a failed response is read and shown.
	maxErrorBody = 2048
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("sendspans", flag.ContinueOnError)
	flags.SetOutput(stderr)
	endpoint := flags.String("endpoint", defaultEndpoint, "OTLP/HTTP traces URL")
	logsEndpoint := flags.String("logs-endpoint", "",
		"OTLP/HTTP logs URL for NAME.logs.json siblings (default: -endpoint with /v1/logs)")
	fresh := flags.Bool("fresh", false,
		"give every trace a new random trace id and shift its timestamps to now")
	timeout := flags.Duration("timeout", 10*time.Second, "timeout of each request")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: sendspans [flags] FILE_OR_DIR...")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return 2
	}

	files, err := otlpfiles.Expand(flags.Args())
	if err != nil {
		fmt.Fprintf(stderr, "sendspans: %v\n", err)
		return 1
	}
	if *logsEndpoint == "" {
		*logsEndpoint = strings.TrimSuffix(*endpoint, "/v1/traces") + "/v1/logs"
	}
	s := sender{
		client:       &http.Client{Timeout: *timeout},
		endpoint:     *endpoint,
		logsEndpoint: *logsEndpoint,
		fresh:        *fresh,
	}
	failed := 0
	for _, path := range files {
		n, err := s.sendFile(ctx, path, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "sendspans: %s: %v\n", path, err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "sent %s (%s)\n", path, plural(n, "span"))
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "sendspans: %d of %d files failed\n", failed, len(files))
		return 1
	}
	return 0
}

type sender struct {
	client       *http.Client
	endpoint     string
	logsEndpoint string
	fresh        bool
}

// sendFile posts one file, after its log records if it has any, and returns the
// number of spans it held.
func (s sender) sendFile(ctx context.Context, path string, now time.Time) (int, error) {
	td, err := load(path)
	if err != nil {
		return 0, err
	}
	ld, hasLogs, err := loadLogs(strings.TrimSuffix(path, ".json") + ".logs.json")
	if err != nil {
		return 0, err
	}
	if s.fresh {
		r, err := refresh(td, now)
		if err != nil {
			return 0, err
		}
		if hasLogs {
			r.apply(ld)
		}
	}

	// Logs first: the exporter holds content that arrives before its spans, so the
	// spans then find it at once.
	if hasLogs {
		body, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		if err != nil {
			return 0, fmt.Errorf("encoding logs: %w", err)
		}
		if err := post(ctx, s.client, s.logsEndpoint, body); err != nil {
			return 0, fmt.Errorf("logs: %w", err)
		}
	}
	body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		return 0, fmt.Errorf("encoding: %w", err)
	}
	if err := post(ctx, s.client, s.endpoint, body); err != nil {
		return 0, err
	}
	return td.SpanCount(), nil
}

// loadLogs reads the log records recorded beside a trace file, if there are any.
func loadLogs(path string) (plog.Logs, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return plog.Logs{}, false, nil
	}
	if err != nil {
		return plog.Logs{}, false, err
	}
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(data)
	if err != nil {
		return plog.Logs{}, false, fmt.Errorf("%s: not OTLP/JSON logs: %w", path, err)
	}
	return ld, true, nil
}

// load decodes a file through pdata, so that a file the collector would refuse is
// reported here with its name rather than as a 400 from the receiver.
func load(path string) (ptrace.Traces, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ptrace.Traces{}, err
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data)
	if err != nil {
		return ptrace.Traces{}, fmt.Errorf("not OTLP/JSON traces: %w", err)
	}
	if td.SpanCount() == 0 {
		return ptrace.Traces{}, errors.New(`no spans found (expected {"resourceSpans":[...]})`)
	}
	return td, nil
}

// refreshed says how refresh changed a file's spans, so that its log records can
// follow them.
type refreshed struct {
	ids   map[pcommon.TraceID]pcommon.TraceID
	shift time.Duration
}

// apply moves log records to their traces' new ids and shifts their timestamps by
// the spans' offset.
func (r refreshed) apply(ld plog.Logs) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if id, ok := r.ids[lr.TraceID()]; ok {
					lr.SetTraceID(id)
				}
				lr.SetTimestamp(shifted(lr.Timestamp(), r.shift))
				lr.SetObservedTimestamp(shifted(lr.ObservedTimestamp(), r.shift))
			}
		}
	}
}

func shifted(ts pcommon.Timestamp, by time.Duration) pcommon.Timestamp {
	if ts == 0 {
		return 0
	}
	return pcommon.NewTimestampFromTime(ts.AsTime().Add(by))
}

// refresh gives each trace of td a new random id, the same one wherever the old id
// appears (spans, links), and shifts every timestamp by one offset so that the latest
// one becomes now. Span ids stay, so parent links still hold.
func refresh(td ptrace.Traces, now time.Time) (refreshed, error) {
	ids := map[pcommon.TraceID]pcommon.TraceID{}
	remap := func(old pcommon.TraceID) (pcommon.TraceID, error) {
		if old.IsEmpty() {
			return old, nil
		}
		if id, ok := ids[old]; ok {
			return id, nil
		}
		var id pcommon.TraceID
		if _, err := rand.Read(id[:]); err != nil {
			return old, fmt.Errorf("generating a trace id: %w", err)
		}
		ids[old] = id
		return id, nil
	}

	var latest pcommon.Timestamp
	forEachSpan(td, func(s ptrace.Span) {
		latest = max(latest, s.StartTimestamp(), s.EndTimestamp())
	})
	var shift time.Duration
	if latest != 0 {
		shift = now.Sub(latest.AsTime())
	}
	move := func(ts pcommon.Timestamp) pcommon.Timestamp { return shifted(ts, shift) }

	var err error
	forEachSpan(td, func(s ptrace.Span) {
		id, e := remap(s.TraceID())
		err = errors.Join(err, e)
		s.SetTraceID(id)
		s.SetStartTimestamp(move(s.StartTimestamp()))
		s.SetEndTimestamp(move(s.EndTimestamp()))
		for _, ev := range s.Events().All() {
			ev.SetTimestamp(move(ev.Timestamp()))
		}
		// A link to a trace of the same file follows it to its new id; a link to a
		// trace elsewhere is left alone.
		for _, l := range s.Links().All() {
			if id, ok := ids[l.TraceID()]; ok {
				l.SetTraceID(id)
			}
		}
	})
	return refreshed{ids: ids, shift: shift}, err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func forEachSpan(td ptrace.Traces, fn func(ptrace.Span)) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				fn(s)
			}
		}
	}
}

func post(ctx context.Context, client *http.Client, endpoint string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("posting to %s: %w (is the collector running?)", endpoint, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, resp.Body)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s answered %s: %s", endpoint, resp.Status,
			strings.TrimSpace(string(answer)))
	}
	return partialSuccess(resp.Header.Get("Content-Type"), answer)
}

// partialSuccess reports spans the receiver accepted the request for but rejected,
// which OTLP signals with a 200 and a partial_success in the body.
func partialSuccess(contentType string, answer []byte) error {
	if !strings.HasPrefix(contentType, "application/json") || len(answer) == 0 {
		return nil
	}
	resp := ptraceotlp.NewExportResponse()
	if err := resp.UnmarshalJSON(answer); err != nil {
		return nil //nolint:nilerr // an unreadable success body is still a success
	}
	ps := resp.PartialSuccess()
	if ps.RejectedSpans() > 0 {
		return fmt.Errorf("%d spans rejected: %s", ps.RejectedSpans(), ps.ErrorMessage())
	}
	return nil
}
