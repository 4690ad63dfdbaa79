package raindropexporter

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/raindropexporter/raindropexporter/internal/metadata"
	"github.com/raindropexporter/raindropexporter/internal/raindroptest"
)

const testKey = "rk_live_very-secret-write-key"

// fakeRaindrop records every request and answers with the statuses it is given, in turn;
// after the last one it answers 200.
type fakeRaindrop struct {
	t        *testing.T
	mu       sync.Mutex
	statuses []int
	headers  []http.Header
	bodies   [][]byte
	signals  [][]byte
	traces   [][]byte
	srv      *httptest.Server
	header   http.Header
}

func newFakeRaindrop(t *testing.T, statuses ...int) *fakeRaindrop {
	f := &fakeRaindrop{t: t, statuses: statuses, header: http.Header{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.handle))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRaindrop) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	assert.NoError(f.t, err)
	assert.Equal(f.t, http.MethodPost, r.Method)
	f.mu.Lock()
	if r.URL.Path == "/v1/traces" {
		assert.Equal(f.t, "application/x-protobuf", r.Header.Get("Content-Type"))
		f.traces = append(f.traces, body)
		f.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.URL.Path == "/v1/signals/track" {
		f.signals = append(f.signals, body)
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	assert.Equal(f.t, "/v1/events/track", r.URL.Path)
	f.headers = append(f.headers, r.Header.Clone())
	f.bodies = append(f.bodies, body)
	status := http.StatusOK
	if len(f.statuses) > 0 {
		status, f.statuses = f.statuses[0], f.statuses[1:]
	}
	f.mu.Unlock()
	for k, v := range f.header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	if status >= 300 {
		_, _ = w.Write([]byte(`{"error":"` + http.StatusText(status) + `"}`))
	}
}

func (f *fakeRaindrop) events(t *testing.T) []raindroptest.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []raindroptest.Event
	for _, b := range f.bodies {
		evs, err := raindroptest.ValidateEvents(b)
		require.NoError(t, err)
		all = append(all, evs...)
	}
	return all
}

func newTestExporter(t *testing.T, endpoint string, edit ...func(*Config)) *raindropExporter {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = endpoint
	cfg.WriteKey = testKey
	for _, e := range edit {
		e(cfg)
	}
	require.NoError(t, cfg.Validate())
	exp, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	require.NoError(t, exp.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, exp.shutdown(context.Background())) })
	return exp
}

func TestPushSendsEventsWithHeaders(t *testing.T) {
	f := newFakeRaindrop(t)
	exp := newTestExporter(t, f.srv.URL+"/", func(c *Config) { c.ProjectID = "team-a" })

	require.NoError(t, exp.pushTraces(context.Background(), chatTraces(3)))

	require.Len(t, f.headers, 1)
	h := f.headers[0]
	assert.Equal(t, "Bearer "+testKey, h.Get("Authorization"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "team-a", h.Get("X-Raindrop-Project-Id"))
	assert.Contains(t, h.Get("User-Agent"), "raindropexporter/")
	evs := f.events(t)
	require.Len(t, evs, 3)
	assert.Equal(t, "question 0", evs[0].AIData.Input)
	assert.Equal(t, "answer", evs[0].AIData.Output)
}

func TestPushSplitsRequestsAt50Events(t *testing.T) {
	f := newFakeRaindrop(t)
	exp := newTestExporter(t, f.srv.URL)

	require.NoError(t, exp.pushTraces(context.Background(), chatTraces(120)))

	require.Len(t, f.bodies, 3)
	var sizes []int
	for _, b := range f.bodies {
		var arr []json.RawMessage
		require.NoError(t, json.Unmarshal(b, &arr))
		sizes = append(sizes, len(arr))
	}
	assert.Equal(t, []int{50, 50, 20}, sizes)
	assert.Len(t, f.events(t), 120)
}

func TestPushKeepsRequestsUnderOneMiB(t *testing.T) {
	f := newFakeRaindrop(t)
	exp := newTestExporter(t, f.srv.URL)
	td := chatTraces(10)
	big := strings.Repeat("x", 300_000)
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := 0; i < spans.Len(); i++ {
		spans.At(i).Attributes().PutStr("gen_ai.input.messages",
			`[{"role":"user","parts":[{"type":"text","content":"`+big+`"}]}]`)
	}

	require.NoError(t, exp.pushTraces(context.Background(), td))

	for _, b := range f.bodies {
		assert.LessOrEqual(t, len(b), maxRequestBytes)
	}
	assert.Len(t, f.events(t), 10)
}

func TestResponseClassification(t *testing.T) {
	for _, tt := range []struct {
		status     int
		retryAfter string
		want       string // "ok", "permanent", "retryable" or "throttled"
	}{
		{200, "", "ok"},
		{204, "", "ok"},
		{202, "", "ok"},
		{400, "", "permanent"},
		{401, "", "permanent"},
		{403, "", "permanent"},
		{404, "", "permanent"},
		{413, "", "permanent"},
		{422, "", "permanent"},
		{408, "", "retryable"},
		{429, "", "retryable"},
		{429, "7", "throttled"},
		{429, "garbage", "retryable"},
		{500, "", "retryable"},
		{502, "", "retryable"},
		{503, "", "retryable"},
		{503, "2", "throttled"},
		{504, "5", "retryable"},
	} {
		t.Run(http.StatusText(tt.status)+"/"+tt.retryAfter, func(t *testing.T) {
			resp := &http.Response{
				StatusCode: tt.status,
				Header:     http.Header{},
				Body:       io.NopCloser(strings.NewReader("server said no")),
			}
			if tt.retryAfter != "" {
				resp.Header.Set("Retry-After", tt.retryAfter)
			}
			err := responseError(resp, "http://raindrop.test/v1/events/track")
			switch tt.want {
			case "ok":
				require.NoError(t, err)
				return
			case "permanent":
				require.True(t, consumererror.IsPermanent(err), "%v", err)
			case "retryable":
				require.Error(t, err)
				require.False(t, consumererror.IsPermanent(err))
				require.NotContains(t, err.Error(), "Throttle")
			case "throttled":
				require.Error(t, err)
				require.False(t, consumererror.IsPermanent(err))
				require.Contains(t, err.Error(), "Throttle")
			}
			assert.Contains(t, err.Error(), "server said no", "a body snippet helps the reader")
			assert.Contains(t, err.Error(), "raindrop.test")
		})
	}
}

func TestResponseBodySnippetIsBounded(t *testing.T) {
	resp := &http.Response{
		StatusCode: 400,
		Header:     http.Header{},
		Body:       io.NopCloser(strings.NewReader(strings.Repeat("e", 1<<20))),
	}
	err := responseError(resp, "http://raindrop.test")
	require.Error(t, err)
	assert.Less(t, len(err.Error()), maxBodySnippet+200)
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 3 ", 3 * time.Second, true},
		{"-5", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"soon", 0, false},
	} {
		got, ok := retryAfter(tt.in, now)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestPartialFailureRetriesOnlyUndeliveredSpans(t *testing.T) {
	// The first request of 50 events is accepted, the second fails.
	f := newFakeRaindrop(t, http.StatusOK, http.StatusBadGateway)
	exp := newTestExporter(t, f.srv.URL)
	td := chatTraces(70)

	err := exp.pushTraces(context.Background(), td)

	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err))
	var tracesErr consumererror.Traces
	require.True(t, errors.As(err, &tracesErr))
	unsent := tracesErr.Data()
	assert.Equal(t, 20, unsent.SpanCount(), "only the 20 undelivered interactions come back")

	// Retrying the unsent part yields exactly the missing events, with the same ids.
	require.NoError(t, exp.pushTraces(context.Background(), unsent))
	evs := f.events(t)
	ids := map[string]bool{}
	for _, e := range evs {
		ids[e.EventID] = true
	}
	// 50 delivered + 20 rejected by the 502 + the same 20 delivered on retry.
	assert.Len(t, evs, 90)
	assert.Len(t, ids, 70, "a retry lands on the same event ids")
}

func TestPermanentFailureDropsAndContinues(t *testing.T) {
	f := newFakeRaindrop(t, http.StatusBadRequest, http.StatusOK)
	exp := newTestExporter(t, f.srv.URL)

	err := exp.pushTraces(context.Background(), chatTraces(60))

	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	assert.Len(t, f.bodies, 2, "the rejected request does not stop the next one")
}

func TestThrottleSurvivesPartialRetryWrapping(t *testing.T) {
	f := newFakeRaindrop(t, http.StatusTooManyRequests)
	f.header.Set("Retry-After", "30")
	exp := newTestExporter(t, f.srv.URL)

	err := exp.pushTraces(context.Background(), chatTraces(1))

	require.Error(t, err)
	assert.Contains(t, err.Error(), "Throttle")
	var tracesErr consumererror.Traces
	require.True(t, errors.As(err, &tracesErr))
	assert.Equal(t, 1, tracesErr.Data().SpanCount())
}

func TestPayloadTooLargeSplits(t *testing.T) {
	f := newFakeRaindrop(t, http.StatusRequestEntityTooLarge)
	exp := newTestExporter(t, f.srv.URL)

	require.NoError(t, exp.pushTraces(context.Background(), chatTraces(4)))

	// One refused request of 4, then its two halves.
	require.Len(t, f.bodies, 3)
	assert.Len(t, f.events(t), 8)
}

func TestTransportErrorIsRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	exp := newTestExporter(t, url)

	err := exp.pushTraces(context.Background(), chatTraces(1))

	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err))
	assert.NotContains(t, err.Error(), testKey)
}

func TestWriteKeyNeverInErrors(t *testing.T) {
	for _, status := range []int{400, 401, 429, 500} {
		f := newFakeRaindrop(t, status)
		exp := newTestExporter(t, f.srv.URL)
		err := exp.pushTraces(context.Background(), chatTraces(1))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), testKey)
	}
}

func TestDryRunWritesOneLinePerEvent(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.DryRun = true
	exp, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	var out bytes.Buffer
	exp.stdout = &out
	require.NoError(t, exp.start(context.Background(), componenttest.NewNopHost()))

	require.NoError(t, exp.pushTraces(context.Background(), chatTraces(3)))

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	for _, l := range lines {
		_, err := raindroptest.ValidateEvent([]byte(l))
		require.NoError(t, err)
	}
}

func TestInsecureRemote(t *testing.T) {
	assert.True(t, insecureRemote("http://raindrop.example.com"))
	assert.True(t, insecureRemote("http://10.1.2.3:8080"))
	assert.False(t, insecureRemote("http://127.0.0.1:8080"))
	assert.False(t, insecureRemote("http://localhost:8080"))
	assert.False(t, insecureRemote("http://[::1]:8080"))
	assert.False(t, insecureRemote("https://api.raindrop.ai"))
}

// TestThroughFactory runs the exporter as the collector does: built by the factory, with
// exporterhelper's queue, batching and retry in front of it.
func TestThroughFactory(t *testing.T) {
	f := newFakeRaindrop(t, http.StatusServiceUnavailable)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = f.srv.URL
	cfg.WriteKey = testKey
	cfg.BackOffConfig.InitialInterval = 10 * time.Millisecond
	cfg.QueueConfig.Get().Batch.Get().FlushTimeout = 10 * time.Millisecond
	exp, err := NewFactory().CreateTraces(context.Background(),
		exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))

	require.NoError(t, exp.ConsumeTraces(context.Background(), chatTraces(5)))
	require.NoError(t, exp.ConsumeTraces(context.Background(), chatTraces(5)))
	require.Eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.bodies) >= 2
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, exp.Shutdown(context.Background()))

	// The first attempt was refused with a 503, the retry delivered; duplicates of one
	// trace across both ConsumeTraces calls share their ids, so 5 distinct events remain.
	ids := map[string]bool{}
	for _, e := range f.events(t) {
		ids[e.EventID] = true
	}
	assert.Len(t, ids, 5)
}

func TestRequestsNeverMixProjects(t *testing.T) {
	f := newFakeRaindrop(t)
	exp := newTestExporter(t, f.srv.URL, func(c *Config) {
		c.ProjectID = "default-team"
		c.ProjectIDAttribute = "raindrop.project"
	})
	td := chatTraces(6)
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i, project := range []string{"team-a", "team-b", "", "team-a", "Not A Slug", "team-b"} {
		if project != "" {
			spans.At(i).Attributes().PutStr("raindrop.project", project)
		}
	}

	require.NoError(t, exp.pushTraces(context.Background(), td))

	got := map[string]int{}
	for i, h := range f.headers {
		evs, err := raindroptest.ValidateEvents(f.bodies[i])
		require.NoError(t, err)
		got[h.Get("X-Raindrop-Project-Id")] += len(evs)
	}
	assert.Equal(t, map[string]int{"team-a": 2, "team-b": 2, "default-team": 1}, got,
		"one request per project; the invalid slug is dropped, not sent to another project")
}

func TestRetryAfterHoldsBackEveryRequest(t *testing.T) {
	f := newFakeRaindrop(t, http.StatusTooManyRequests)
	f.header.Set("Retry-After", "30")
	exp := newTestExporter(t, f.srv.URL)

	first := exp.pushTraces(context.Background(), chatTraces(1))
	require.Error(t, first)
	assert.Contains(t, first.Error(), "Throttle")

	// A second batch, as another queue consumer would push it, waits without a request.
	second := exp.pushTraces(context.Background(), chatTraces(2))
	require.Error(t, second)
	assert.Contains(t, second.Error(), "Throttle")
	assert.False(t, consumererror.IsPermanent(second))
	var tracesErr consumererror.Traces
	require.True(t, errors.As(second, &tracesErr))
	assert.Equal(t, 2, tracesErr.Data().SpanCount(), "the whole batch waits for its retry")
	assert.Len(t, f.bodies, 1, "nothing is sent before the delay ends")
}

func TestTooLargeSplitSendsBothHalves(t *testing.T) {
	// The first request of 4 is too large; its first half is rejected for good, the second
	// half is accepted.
	f := newFakeRaindrop(t, http.StatusRequestEntityTooLarge, http.StatusBadRequest)
	exp := newTestExporter(t, f.srv.URL)

	err := exp.pushTraces(context.Background(), chatTraces(4))

	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	assert.Len(t, f.bodies, 3)
	var last []json.RawMessage
	require.NoError(t, json.Unmarshal(f.bodies[2], &last))
	assert.Len(t, last, 2, "the second half went out despite the first half's rejection")
}

func TestCompressedBodies(t *testing.T) {
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "gzip", r.Header.Get("Content-Encoding"))
		zr, err := gzip.NewReader(r.Body)
		if assert.NoError(t, err) {
			got, err = io.ReadAll(zr)
			assert.NoError(t, err)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	exp := newTestExporter(t, srv.URL, func(c *Config) { c.ClientConfig.Compression = "gzip" })

	require.NoError(t, exp.pushTraces(context.Background(), chatTraces(3)))

	evs, err := raindroptest.ValidateEvents(got)
	require.NoError(t, err)
	assert.Len(t, evs, 3)
}

// TestBuffersComeBackOnlyOnceTheTransportClosedTheBodies: a buffer goes back to the free list
// only when no request body made from it can still be read.
func TestBuffersComeBackOnlyOnceTheTransportClosedTheBodies(t *testing.T) {
	var l loans
	open := func() io.ReadCloser {
		l.open.Add(1)
		return &loanedBody{bufs: net.Buffers{[]byte("[]")}, loans: &l}
	}
	a, b := open(), open()
	got, err := io.ReadAll(a)
	require.NoError(t, err)
	assert.Equal(t, "[]", string(got))
	require.NoError(t, a.Close())
	require.NoError(t, a.Close())
	assert.False(t, l.settled(), "one body is still open")
	require.NoError(t, b.Close())
	assert.True(t, l.settled())

	// Through a whole push, the transport closes every body it was given.
	f := newFakeRaindrop(t)
	exp := newTestExporter(t, f.srv.URL)
	for {
		if _, ok := eventBuffers.get(); !ok {
			break
		}
	}
	require.NoError(t, exp.pushTraces(context.Background(), chatTraces(3)))
	_, ok := eventBuffers.get()
	assert.True(t, ok, "the push gave its buffer back")
}
