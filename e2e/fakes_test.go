package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// request is one request as the fake Raindrop received it.
type request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// fakeRaindrop stands in for Raindrop's ingest API: it accepts everything and keeps
// each request for the test to check afterwards, so that a wrong request shows up
// as a test failure with the request in hand rather than as an exporter retry.
type fakeRaindrop struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []request
}

func newFakeRaindrop(t *testing.T) *fakeRaindrop {
	t.Helper()
	f := &fakeRaindrop{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Bounded well above the exporter's 1 MiB request limit, so a request that
		// breaks the limit is recorded and reported rather than cut.
		body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		assert.NoError(t, err)
		f.mu.Lock()
		f.reqs = append(f.reqs, request{r.Method, r.URL.Path, r.Header.Clone(), body})
		f.mu.Unlock()
		// Raindrop answers some successes without a body; the exporter must not need one.
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeRaindrop) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

// traceFile is one OTLP/JSON trace file sent to the collector.
type traceFile struct {
	path string
	name string // relative to testdata, for messages
	body []byte // what was sent, after giving its traces fresh ids
	// logs is the file's sibling name.logs.json, with the same fresh ids, or nil: some
	// instrumentations record prompts and answers as log records instead of on spans.
	logs []byte
	// traceIDs are the hex trace ids the file's spans were sent with, and originalIDs
	// maps each back to the id in the file.
	traceIDs    []string
	originalIDs map[string]string
	// models are the model names its spans mention; an event made from the file must
	// name one of them.
	models []string
	// golden holds the events the translation unit test pins for this file, when it
	// has a golden file: the pipeline must deliver exactly those.
	golden    []json.RawMessage
	hasGolden bool
}

// minEvents is how many events the file must produce at least: its golden events,
// else one, except for embedding-only files, which the exporter skips by design.
func (f *traceFile) minEvents() int {
	switch {
	case f.hasGolden:
		return len(f.golden)
	case strings.HasPrefix(filepath.Base(f.path), "embed"):
		return 0
	default:
		return 1
	}
}

// traceFiles finds every OTLP/JSON trace file under the given roots, so fixtures are
// picked up as they are recorded. Files of other signals (the recorder also writes
// *.logs.json) and metadata such as versions.json are told apart by content.
func traceFiles(t *testing.T, roots ...string) []*traceFile {
	t.Helper()
	var files []*traceFile
	for _, root := range roots {
		if _, err := os.Stat(root); os.IsNotExist(err) {
			continue
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
				return err
			}
			if strings.Contains(path, string(filepath.Separator)+"node_modules"+
				string(filepath.Separator)) {
				return nil
			}
			if f := loadTraceFile(t, path); f != nil {
				files = append(files, f)
			}
			return nil
		})
		require.NoError(t, err)
	}
	return files
}

func loadTraceFile(t *testing.T, path string) *traceFile {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || top["resourceSpans"] == nil {
		return nil
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data)
	require.NoError(t, err, "%s: not OTLP/JSON traces", path)

	name, err := filepath.Rel(filepath.Join("..", "testdata"), path)
	require.NoError(t, err)
	f := &traceFile{path: path, name: name, models: modelNames(td)}
	f.golden, f.hasGolden = goldenEvents(t, name)
	fresh := freshTraceIDs(t, td)
	f.originalIDs = map[string]string{}
	for old, id := range fresh {
		f.traceIDs = append(f.traceIDs, id.String())
		f.originalIDs[id.String()] = old.String()
	}
	f.body, err = (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	f.logs = loadLogs(t, strings.TrimSuffix(path, ".json")+".logs.json", fresh)
	return f
}

// loadLogs reads the log records recorded beside a trace file and moves them to the
// trace ids its spans were given, so that the exporter can still join the two.
func loadLogs(t *testing.T, path string, fresh map[pcommon.TraceID]pcommon.TraceID) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(data)
	require.NoError(t, err, "%s: not OTLP/JSON logs", path)
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if id, ok := fresh[lr.TraceID()]; ok {
					lr.SetTraceID(id)
				}
			}
		}
	}
	body, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	return body
}

// goldenEvents reads the events pinned by the translation's golden test, which keeps
// testdata/golden/<name> for every testdata/<name>.
func goldenEvents(t *testing.T, name string) ([]json.RawMessage, bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "golden", name))
	if os.IsNotExist(err) {
		return nil, false
	}
	require.NoError(t, err)
	var g struct {
		Events []json.RawMessage `json:"events"`
	}
	require.NoError(t, json.Unmarshal(data, &g), "golden file of %s", name)
	return g.Events, true
}

// freshTraceIDs gives every trace in td a new random id, consistently within the
// file, so that each event can be traced back to the file it came from through its
// trace_id property, even when two fixtures were recorded with the same ids. It
// returns the new id of each old one.
func freshTraceIDs(t *testing.T, td ptrace.Traces) map[pcommon.TraceID]pcommon.TraceID {
	t.Helper()
	ids := map[pcommon.TraceID]pcommon.TraceID{}
	forEachSpan(td, func(s ptrace.Span) {
		id, ok := ids[s.TraceID()]
		if !ok {
			_, err := rand.Read(id[:])
			require.NoError(t, err)
			ids[s.TraceID()] = id
		}
		s.SetTraceID(id)
	})
	return ids
}

// modelKeys says which attribute keys name a model: the gen_ai, OpenInference,
// Vercel, Langfuse and LangSmith spellings all contain "model", and the few
// model-related keys that hold something else are excluded.
func isModelKey(key string) bool {
	k := strings.ToLower(key)
	return strings.Contains(k, "model") &&
		!strings.Contains(k, "provider") && !strings.Contains(k, "parameter")
}

func modelNames(td ptrace.Traces) []string {
	var models []string
	forEachSpan(td, func(s ptrace.Span) {
		for k, v := range s.Attributes().All() {
			if isModelKey(k) && v.Type() == pcommon.ValueTypeStr && v.Str() != "" &&
				!slices.Contains(models, v.Str()) {
				models = append(models, v.Str())
			}
		}
	})
	slices.Sort(models)
	return models
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

// send posts a file's log records, if any, then its spans to the collector's OTLP/HTTP
// receiver at base. Logs go first so their content is waiting when the spans come,
// which keeps the test from depending on the exporter's logs::wait.
func (f *traceFile) send(t *testing.T, base string) {
	t.Helper()
	if f.logs != nil {
		postOTLP(t, base+"/v1/logs", f.logs)
	}
	postOTLP(t, base+"/v1/traces", f.body)
}

// postOTLP sends one OTLP/JSON export request to the collector's HTTP receiver.
func postOTLP(t *testing.T, url string, body []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body)) //nolint:gosec
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	require.Equal(t, http.StatusOK, resp.StatusCode, "receiver answered: %s", answer)
}
