package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const sampleDir = "../../testdata/sample"

// recorder is a stand-in OTLP/HTTP receiver that keeps every body it is sent.
type recorder struct {
	t      *testing.T
	mu     sync.Mutex
	bodies [][]byte
	paths  []string
	status int
	answer string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	assert.NoError(r.t, err)
	assert.Equal(r.t, http.MethodPost, req.Method)
	assert.Contains(r.t, []string{"/v1/traces", "/v1/logs"}, req.URL.Path)
	assert.Equal(r.t, "application/json", req.Header.Get("Content-Type"))
	r.mu.Lock()
	r.bodies = append(r.bodies, body)
	r.paths = append(r.paths, req.URL.Path)
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.status != 0 {
		w.WriteHeader(r.status)
	}
	_, _ = io.WriteString(w, r.answer)
}

func newReceiver(t *testing.T, rec *recorder) string {
	t.Helper()
	rec.t = t
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return srv.URL + "/v1/traces"
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func decode(t *testing.T, body []byte) ptrace.Traces {
	t.Helper()
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(body)
	require.NoError(t, err)
	return td
}

func spans(td ptrace.Traces) []ptrace.Span {
	var out []ptrace.Span
	forEachSpan(td, func(s ptrace.Span) { out = append(out, s) })
	return out
}

func TestSendSamplesUnchanged(t *testing.T) {
	rec := &recorder{answer: `{}`}
	url := newReceiver(t, rec)

	code, stdout, stderr := runCLI(t, "-endpoint", url, sampleDir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "genai-chat.json")
	assert.Contains(t, stdout, "vercel-generate-text.json (2 spans)")

	files, err := filepath.Glob(filepath.Join(sampleDir, "*.json"))
	require.NoError(t, err)
	require.Len(t, rec.bodies, len(files), "one request per file")
	for i, path := range files {
		want, err := load(path)
		require.NoError(t, err)
		assert.Equal(t, want, decode(t, rec.bodies[i]), "%s is sent as it is", path)
	}
}

func TestRefresh(t *testing.T) {
	td, err := load(filepath.Join(sampleDir, "vercel-generate-text.json"))
	require.NoError(t, err)
	before := spans(td)
	oldTrace := before[0].TraceID()
	oldStarts := []pcommon.Timestamp{before[0].StartTimestamp(), before[1].StartTimestamp()}
	// A second trace in the same file, linked to the first, must get its own id.
	other := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty()
	other.SetTraceID(pcommon.TraceID{1, 2, 3})
	other.SetSpanID(pcommon.SpanID{4, 5, 6})
	other.Links().AppendEmpty().SetTraceID(oldTrace)

	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	_, err = refresh(td, now)
	require.NoError(t, err)

	after := spans(td)
	root, child := after[0], after[1]
	assert.NotEqual(t, oldTrace, root.TraceID(), "trace id is replaced")
	assert.Equal(t, root.TraceID(), child.TraceID(), "one trace keeps one id")
	assert.Equal(t, root.SpanID(), child.ParentSpanID(), "parent link still holds")
	assert.NotEqual(t, root.TraceID(), other.TraceID(), "each trace gets its own id")
	assert.NotEqual(t, pcommon.TraceID{1, 2, 3}, other.TraceID())
	assert.Equal(t, root.TraceID(), other.Links().At(0).TraceID(), "links follow the new id")

	assert.Equal(t, now, root.EndTimestamp().AsTime().UTC(), "latest timestamp becomes now")
	assert.Equal(t,
		oldStarts[1].AsTime().Sub(oldStarts[0].AsTime()),
		child.StartTimestamp().AsTime().Sub(root.StartTimestamp().AsTime()),
		"spans keep their relative timing")
	assert.Zero(t, other.StartTimestamp(), "unset timestamps stay unset")
}

func TestFreshSendsDifferentTraceIDsEachTime(t *testing.T) {
	rec := &recorder{}
	url := newReceiver(t, rec)
	file := filepath.Join(sampleDir, "genai-chat.json")

	for range 2 {
		code, _, stderr := runCLI(t, "-fresh", "-endpoint", url, file)
		require.Equal(t, 0, code, stderr)
	}

	require.Len(t, rec.bodies, 2)
	first, second := spans(decode(t, rec.bodies[0]))[0], spans(decode(t, rec.bodies[1]))[0]
	assert.NotEqual(t, first.TraceID(), second.TraceID())
	assert.WithinDuration(t, time.Now(), first.EndTimestamp().AsTime(), time.Minute)
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	good := filepath.Join(sampleDir, "genai-chat.json")
	notJSON := write("broken.json", `{"resourceSpans": [`)
	noSpans := write("logs.json", `{"resourceLogs": []}`)
	emptyDir := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(emptyDir, 0o700))

	rejecting := &recorder{status: http.StatusBadRequest, answer: `{"message":"bad span"}`}
	partial := &recorder{
		answer: `{"partialSuccess":{"rejectedSpans":"1","errorMessage":"too old"}}`,
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no arguments", nil, 2, "usage: sendspans"},
		{"unknown flag", []string{"-bogus"}, 2, "flag provided but not defined"},
		{"missing file", []string{filepath.Join(dir, "nope.json")}, 1, "no such file"},
		{"empty directory", []string{emptyDir}, 1, "no OTLP/JSON trace files found"},
		{"invalid JSON", []string{"-endpoint", newReceiver(t, &recorder{}), notJSON}, 1,
			"broken.json: not OTLP/JSON traces"},
		{"no spans", []string{"-endpoint", newReceiver(t, &recorder{}), noSpans}, 1,
			"logs.json: no spans found"},
		{"non-2xx answer", []string{"-endpoint", newReceiver(t, rejecting), good}, 1,
			`answered 400 Bad Request: {"message":"bad span"}`},
		{"partial success", []string{"-endpoint", newReceiver(t, partial), good}, 1,
			"1 spans rejected: too old"},
		{"nothing listening", []string{"-endpoint", "http://127.0.0.1:1/v1/traces", good}, 1,
			"is the collector running?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			assert.Equal(t, tt.wantCode, code)
			assert.Contains(t, stderr, tt.wantErr)
		})
	}
}

func TestOneBadFileDoesNotStopTheOthers(t *testing.T) {
	rec := &recorder{}
	url := newReceiver(t, rec)
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("nope"), 0o600))

	good := filepath.Join(sampleDir, "genai-chat.json")
	code, stdout, stderr := runCLI(t, "-endpoint", url, bad, good)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "genai-chat.json (1 span)")
	assert.True(t, strings.HasSuffix(strings.TrimSpace(stderr), "1 of 2 files failed"), stderr)
	assert.Len(t, rec.bodies, 1)
}

func TestDirectoriesHoldOnlyTraceFiles(t *testing.T) {
	rec := &recorder{}
	url := newReceiver(t, rec)
	dir := t.TempDir()
	sample, err := os.ReadFile(filepath.Join(sampleDir, "genai-chat.json"))
	require.NoError(t, err)
	nested := filepath.Join(dir, "lib")
	require.NoError(t, os.Mkdir(nested, 0o700))
	for name, content := range map[string]string{
		"lib/chat.json":      string(sample),
		"lib/chat.logs.json": `{"resourceLogs": []}`,
		"lib/versions.json":  `{"library": "x"}`,
		"notes.txt":          "not JSON",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}

	code, stdout, stderr := runCLI(t, "-endpoint", url, dir)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "sent "+filepath.Join(nested, "chat.json")+" (1 span)\n", stdout)
	// The logs file goes along with its trace file, not as a trace file of its own.
	assert.Equal(t, []string{"/v1/logs", "/v1/traces"}, rec.paths)
}

func TestSendsLogRecordsBesideTheirSpans(t *testing.T) {
	rec := &recorder{}
	url := newReceiver(t, rec)
	dir := t.TempDir()
	sample, err := os.ReadFile(filepath.Join(sampleDir, "genai-chat.json"))
	require.NoError(t, err)
	td := decode(t, sample)
	span := spans(td)[0]
	logs := plog.NewLogs()
	lr := logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTraceID(span.TraceID())
	lr.SetSpanID(span.SpanID())
	lr.SetTimestamp(span.EndTimestamp())
	lr.Body().SetStr("content")
	logsJSON, err := (&plog.JSONMarshaler{}).MarshalLogs(logs)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "chat.json"), sample, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "chat.logs.json"), logsJSON, 0o600))

	code, _, stderr := runCLI(t, "-fresh", "-endpoint", url, dir)
	require.Equal(t, 0, code, stderr)

	require.Equal(t, []string{"/v1/logs", "/v1/traces"}, rec.paths, "logs go first")
	gotLogs, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(rec.bodies[0])
	require.NoError(t, err)
	gotRecord := gotLogs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	gotSpan := spans(decode(t, rec.bodies[1]))[0]
	assert.NotEqual(t, span.TraceID(), gotSpan.TraceID())
	assert.Equal(t, gotSpan.TraceID(), gotRecord.TraceID(), "the record follows its span")
	assert.Equal(t, gotSpan.EndTimestamp(), gotRecord.Timestamp(), "and is shifted with it")
}
