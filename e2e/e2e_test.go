// Package e2e runs the otelcol-raindrop distribution, built by make build, against a
// fake Raindrop ingest API, and checks every request it makes against Raindrop's
// event contract. It sends the sample traces and every recorded fixture.
//
// The test takes minutes the first time (it builds the collector); `go test -short`
// skips it, and OTELCOL_RAINDROP_BINARY=path reuses a binary already built.
package e2e

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raindropexporter/raindropexporter/internal/raindroptest"
)

const (
	writeKey  = "e2e-secret-key"
	projectID = "e2e-project"

	// deliveryTimeout bounds the wait for events: groupbytrace holds each trace for
	// its wait_duration, then the queue's batcher for its flush_timeout.
	deliveryTimeout = 60 * time.Second
	// quietPeriod is how long no new request must arrive before the test takes what
	// it has as complete, so that an extra, unexpected event is still seen.
	quietPeriod = 2 * time.Second
	pollEvery   = 100 * time.Millisecond

	maxRequestBytes = 1 << 20
)

var (
	sampleDir  = filepath.Join("..", "testdata", "sample")
	fixtureDir = filepath.Join("..", "testdata", "fixtures")
)

func collectorConfig(otlpAddr, healthAddr, raindropURL string) string {
	return fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: %[1]s
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 512
  groupbytrace:
    wait_duration: 500ms
exporters:
  raindrop:
    endpoint: %[3]s
    write_key: %[4]s
    project_id: %[5]s
    sending_queue:
      batch:
        flush_timeout: 200ms
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 10s
extensions:
  health_check:
    endpoint: %[2]s
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, groupbytrace]
      exporters: [raindrop]
    logs:
      receivers: [otlp]
      processors: [memory_limiter]
      exporters: [raindrop]
`, otlpAddr, healthAddr, raindropURL, writeKey, projectID)
}

func TestDeliversEveryTraceFileToRaindrop(t *testing.T) {
	t.Parallel()
	binary := collectorBinary(t)
	raindrop := newFakeRaindrop(t)
	otlpAddr, healthAddr := freeAddr(t), freeAddr(t)
	configPath := writeConfig(t, collectorConfig(otlpAddr, healthAddr, raindrop.URL))
	c := startCollector(t, binary, healthAddr, nil, "--config="+configPath)

	files := traceFiles(t, sampleDir, fixtureDir)
	require.NotEmpty(t, files, "no trace files under %s or %s", sampleDir, fixtureDir)
	receiver := "http://" + otlpAddr
	for _, f := range files {
		f.send(t, receiver)
	}
	t.Logf("sent %d trace files", len(files))
	waitForEvents(t, "an event for every trace file", func() []string {
		return undelivered(files, decodeEvents(raindrop.requests()))
	})

	// The same spans sent again must come out as the same events with the same ids,
	// which is what lets Raindrop drop a retried or re-sent event as a duplicate.
	resent := files[slices.IndexFunc(files, func(f *traceFile) bool { return f.minEvents() > 0 })]
	before := len(eventsOf(resent, decodeEvents(raindrop.requests())))
	resent.send(t, receiver)
	waitForEvents(t, "the re-sent file's events", func() []string {
		if len(eventsOf(resent, decodeEvents(raindrop.requests()))) < 2*before {
			return []string{resent.name}
		}
		return nil
	})
	waitForQuiet(t, raindrop)
	c.stop(t)

	events := checkRequests(t, raindrop.requests())
	checkFiles(t, files, events)
	checkEventIDs(t, files, resent, events)
	checkOutput(t, c)
}

func TestDryRunPrintsEvents(t *testing.T) {
	t.Parallel()
	binary := collectorBinary(t)
	raindrop := newFakeRaindrop(t)
	grpcAddr, httpAddr, healthAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	// The developer configuration with the override make run adds when no write key
	// is set; the other overrides only move it to free ports, and point the endpoint
	// at the fake so that a dry run that posted anyway would be caught.
	c := startCollector(t, binary, healthAddr, []string{"RAINDROP_WRITE_KEY"},
		"--config="+filepath.Join("..", "config", "collector.yaml"),
		"--set=exporters::raindrop::dry_run=true",
		"--set=exporters::raindrop::endpoint="+raindrop.URL,
		"--set=receivers::otlp::protocols::grpc::endpoint="+grpcAddr,
		"--set=receivers::otlp::protocols::http::endpoint="+httpAddr,
		"--set=extensions::health_check::endpoint="+healthAddr,
		"--set=processors::groupbytrace::wait_duration=500ms",
		"--set=service::telemetry::metrics::level=none",
	)

	files := traceFiles(t, sampleDir)
	require.NotEmpty(t, files)
	for _, f := range files {
		f.send(t, "http://"+httpAddr)
	}
	waitForEvents(t, "a printed event for every sample", func() []string {
		events, _ := stdoutEvents(c.stdout.String())
		return undelivered(files, events)
	})
	c.stop(t)

	events, err := stdoutEvents(c.stdout.String())
	require.NoError(t, err, "standard output must hold only events, one JSON object a line")
	checkFiles(t, files, events)
	assert.Empty(t, raindrop.requests(), "a dry run must not post anything")

	var mentions []string
	for line := range strings.Lines(c.stderr.String()) {
		l := strings.ToLower(line)
		if strings.Contains(l, "dry_run") || strings.Contains(l, "dry run") ||
			strings.Contains(l, "dry-run") {
			mentions = append(mentions, strings.TrimSpace(line))
		}
	}
	assert.Len(t, mentions, 1, "the exporter should say once that it is in dry-run mode")
	assert.Empty(t, logLines(c.stderr.String(), "error"), "no errors expected in a dry run")
}

func writeConfig(t *testing.T, config string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "collector.yaml")
	require.NoError(t, os.WriteFile(path, []byte(config), 0o600))
	return path
}

// waitForEvents polls until missing reports nothing, and on timeout fails with what
// is still missing.
func waitForEvents(t *testing.T, what string, missing func() []string) {
	t.Helper()
	deadline := time.Now().Add(deliveryTimeout)
	for {
		left := missing()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; still missing:\n%s", deliveryTimeout,
				what, strings.Join(left, "\n"))
		}
		time.Sleep(pollEvery)
	}
}

func waitForQuiet(t *testing.T, raindrop *fakeRaindrop) {
	t.Helper()
	deadline := time.Now().Add(deliveryTimeout)
	n, since := len(raindrop.requests()), time.Now()
	for time.Since(since) < quietPeriod {
		if time.Now().After(deadline) {
			t.Fatalf("requests kept coming for %s", deliveryTimeout)
		}
		time.Sleep(pollEvery)
		if m := len(raindrop.requests()); m != n {
			n, since = m, time.Now()
		}
	}
}

// decodeEvents reads what it can from the requests so far; the strict checks come
// once delivery is complete.
func decodeEvents(reqs []request) []raindroptest.Event {
	var out []raindroptest.Event
	for _, r := range reqs {
		events, _ := raindroptest.ValidateEvents(r.Body)
		out = append(out, events...)
	}
	return out
}

func stdoutEvents(stdout string) ([]raindroptest.Event, error) {
	var events []raindroptest.Event
	for line := range strings.Lines(stdout) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ev, err := raindroptest.ValidateEvent([]byte(line))
		if err != nil {
			return events, fmt.Errorf("line %q: %w", line, err)
		}
		events = append(events, ev)
	}
	return events, nil
}

func traceID(ev raindroptest.Event) string {
	id, _ := ev.Properties["trace_id"].(string)
	return id
}

func eventModel(ev raindroptest.Event) string {
	if ev.AIData != nil && ev.AIData.Model != "" {
		return ev.AIData.Model
	}
	m, _ := ev.Properties["model"].(string)
	return m
}

// eventsOf returns the events made from the file's spans, matched through the
// trace_id property the exporter sets on every event.
func eventsOf(f *traceFile, events []raindroptest.Event) []raindroptest.Event {
	var out []raindroptest.Event
	for _, ev := range events {
		if slices.Contains(f.traceIDs, traceID(ev)) {
			out = append(out, ev)
		}
	}
	return out
}

// undelivered names the files that have not produced all their events yet.
func undelivered(files []*traceFile, events []raindroptest.Event) []string {
	var names []string
	for _, f := range files {
		if got, want := len(eventsOf(f, events)), f.minEvents(); got < want {
			names = append(names, fmt.Sprintf("%s: %d of %d events", f.name, got, want))
		}
	}
	return names
}

// checkRequests holds every request to Raindrop's contract and returns the events.
func checkRequests(t *testing.T, reqs []request) []raindroptest.Event {
	t.Helper()
	require.NotEmpty(t, reqs, "Raindrop received nothing")
	var all []raindroptest.Event
	for i, r := range reqs {
		where := fmt.Sprintf("request %d", i)
		assert.Equal(t, http.MethodPost, r.Method, where)
		assert.Equal(t, "/v1/events/track", r.Path, where)
		assert.Equal(t, "Bearer "+writeKey, r.Header.Get("Authorization"), where)
		assert.Equal(t, projectID, r.Header.Get("X-Raindrop-Project-Id"), where)
		mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		assert.NoError(t, err, where)
		assert.Equal(t, "application/json", mediaType, where)
		// Raindrop does not document compressed event bodies.
		assert.Empty(t, r.Header.Get("Content-Encoding"), where)
		// Raindrop's behaviour past about 1 MiB is unsettled; the exporter stays under it.
		assert.LessOrEqual(t, len(r.Body), maxRequestBytes, where)

		events, err := raindroptest.ValidateEvents(r.Body)
		assert.NoError(t, err, "%s: body %s", where, tail(r.Body))
		all = append(all, events...)
	}
	t.Logf("Raindrop received %d requests with %d events", len(reqs), len(all))
	return all
}

// checkFiles requires an event with a model the file mentions for each file that
// holds an LLM interaction, and that every event can be traced to a file.
func checkFiles(t *testing.T, files []*traceFile, events []raindroptest.Event) {
	t.Helper()
	for _, f := range files {
		mine := eventsOf(f, events)
		if f.hasGolden {
			checkGolden(t, f, mine)
		}
		if f.minEvents() == 0 {
			continue
		}
		if !assert.NotEmpty(t, mine, "%s: no event", f.name) || len(f.models) == 0 {
			continue
		}
		var models []string
		for _, ev := range mine {
			models = append(models, eventModel(ev))
		}
		assert.True(t, slices.ContainsFunc(models, func(m string) bool {
			return slices.Contains(f.models, m)
		}), "%s: events name models %q, want one of %q", f.name, models, f.models)
	}
	for _, ev := range events {
		found := slices.ContainsFunc(files, func(f *traceFile) bool {
			return slices.Contains(f.traceIDs, traceID(ev))
		})
		assert.True(t, found, "event %s has trace_id %q of no file sent", ev.EventID, traceID(ev))
	}
}

// checkGolden requires the events delivered for a file to be the ones the translation
// test pins for it, so that nothing is lost, split or altered between the receiver
// and Raindrop. The event ids differ, being derived from the trace ids the test
// replaced; everything else must match once the original trace ids are put back.
func checkGolden(t *testing.T, f *traceFile, got []raindroptest.Event) {
	t.Helper()
	var want, have []string
	for _, raw := range f.golden {
		want = append(want, withoutEventID(t, string(raw)))
	}
	seen := map[string]bool{}
	for _, ev := range got {
		// A re-sent file delivers its events twice; checkEventIDs checks the copies.
		if seen[ev.EventID] {
			continue
		}
		seen[ev.EventID] = true
		raw := string(ev.Raw)
		for fresh, original := range f.originalIDs {
			raw = strings.ReplaceAll(raw, fresh, original)
		}
		have = append(have, withoutEventID(t, raw))
	}
	slices.Sort(want)
	slices.Sort(have)
	if !assert.Equal(t, len(want), len(have), "%s: events delivered versus golden", f.name) {
		return
	}
	for i := range want {
		assert.JSONEq(t, want[i], have[i], "%s: event differs from its golden file", f.name)
	}
}

// withoutEventID re-encodes an event in a canonical form without its event_id.
func withoutEventID(t *testing.T, raw string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	delete(m, "event_id")
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// checkEventIDs requires one event id per distinct event: each file's events appear
// once, the re-sent file's twice, and the copies are identical.
func checkEventIDs(
	t *testing.T,
	files []*traceFile,
	resent *traceFile,
	events []raindroptest.Event,
) {
	t.Helper()
	byID := map[string][]raindroptest.Event{}
	for _, ev := range events {
		byID[ev.EventID] = append(byID[ev.EventID], ev)
	}
	for id, same := range byID {
		want := 1
		if len(eventsOf(resent, same)) > 0 {
			want = 2
		}
		if !assert.Len(t, same, want, "event_id %s: sent %d times", id, len(same)) {
			continue
		}
		for _, ev := range same[1:] {
			assert.JSONEq(t, string(same[0].Raw), string(ev.Raw),
				"event_id %s names two different events", id)
		}
	}
	total := 0
	for _, f := range files {
		total += len(eventsOf(f, events))
	}
	assert.Equal(t, len(events), total, "events per file add up to all events")
}

func checkOutput(t *testing.T, c *collector) {
	t.Helper()
	for name, out := range map[string]string{"stdout": c.stdout.String(),
		"stderr": c.stderr.String()} {
		assert.NotContains(t, out, writeKey, "the write key leaked into the collector's %s", name)
	}
	assert.Empty(t, logLines(c.stderr.String(), "error"), "the collector logged errors")
}

// Sanity check of the fixture attribution itself, so a test failure above is about
// the exporter and not about the test.
func TestTraceFiles(t *testing.T) {
	files := traceFiles(t, sampleDir, fixtureDir)
	require.NotEmpty(t, files)
	seen := map[string]string{}
	for _, f := range files {
		assert.NotEmpty(t, f.traceIDs, f.name)
		for _, id := range f.traceIDs {
			assert.NotContains(t, seen, id, "%s reuses a trace id of %s", f.name, seen[id])
			seen[id] = f.name
		}
		var doc map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(f.body, &doc))
		assert.Contains(t, doc, "resourceSpans", f.name)
		if f.logs != nil {
			// Every log record that named a trace of the file follows it to its new id.
			for _, old := range f.originalIDs {
				assert.NotContains(t, string(f.logs), old, "%s: logs keep an old trace id", f.name)
			}
		}
	}
	sample := files[slices.IndexFunc(files, func(f *traceFile) bool {
		return strings.HasSuffix(f.name, "genai-chat.json")
	})]
	assert.Equal(t, []string{"gpt-4o-mini", "gpt-4o-mini-2024-07-18"}, sample.models)
}
