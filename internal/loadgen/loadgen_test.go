package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var sampleDir = filepath.Join("..", "..", "testdata", "sample")

func TestGeneratorGivesFreshIDsAndPadsPrompts(t *testing.T) {
	templates, err := LoadTemplates(2048, sampleDir)
	require.NoError(t, err)
	require.Len(t, templates, 2)

	g := NewGenerator(templates)
	b, err := g.Next(3)
	require.NoError(t, err)
	assert.Equal(t, 3, b.Interactions)
	require.Len(t, b.TraceIDs, 3)

	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(b.Body)
	require.NoError(t, err)
	assert.Equal(t, 3, td.ResourceSpans().Len(), "one resource per replayed file")
	ids := map[string]bool{}
	padded := 0
	forEachSpan(td, func(s ptrace.Span) {
		ids[s.TraceID().String()] = true
		for _, key := range []string{"gen_ai.input.messages", "ai.prompt.messages"} {
			if v, ok := s.Attributes().Get(key); ok && strings.Contains(v.Str(), Padding(2048)) {
				padded++
			}
		}
	})
	assert.ElementsMatch(t, b.TraceIDs, keys(ids))
	assert.Equal(t, 3, padded, "each replay's call span carries the padded prompt")

	again, err := g.Next(1)
	require.NoError(t, err)
	assert.NotContains(t, b.TraceIDs, again.TraceIDs[0], "every replay gets new ids")
}

func TestRunCountsAcceptedAndRefused(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if n.Add(1)%2 == 0 {
			http.Error(w, "queue is full", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	templates, err := LoadTemplates(0, sampleDir)
	require.NoError(t, err)

	var results atomic.Int64
	rep, err := Run(context.Background(), NewGenerator(templates), Options{
		Endpoint: srv.URL + "/v1/traces",
		Rate:     400,
		Duration: 500 * time.Millisecond,
		Batch:    4,
		OnResult: func([]string, error) { results.Add(1) },
	})
	require.NoError(t, err)

	assert.InDelta(t, 50, rep.Requests, 10, "about rate×duration/batch requests")
	assert.Equal(t, int64(rep.Requests), results.Load())
	assert.Equal(t, rep.Sent, rep.Accepted+rep.Rejected)
	assert.InDelta(t, rep.Requests/2, rep.Refused, 1)
	assert.Contains(t, rep.String(), "503 Service Unavailable: queue is full")
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
