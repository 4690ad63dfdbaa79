package raindropexporter

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/raindropexporter/raindropexporter/internal/otlpfiles"
	"github.com/raindropexporter/raindropexporter/internal/raindroptest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var defaultOptions = translateOptions{
	eventName:     "ai_generation",
	defaultUserID: "anonymous",
	prices:        mustPriceTable(),
}

func mustPriceTable() *priceTable {
	t, err := newPriceTable(nil)
	if err != nil {
		panic(err)
	}
	return t
}

// traceFixtures lists every recorded or hand-built OTLP/JSON trace file.
func traceFixtures(t testing.TB) []string {
	files, err := otlpfiles.Expand([]string{"testdata/fixtures", "testdata/sample"})
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func loadTraces(t testing.TB, path string) ptrace.Traces {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(b)
	require.NoError(t, err, path)
	return td
}

// loadLogContent reads the log records recorded beside a trace fixture (name.logs.json),
// if there are any.
func loadLogContent(t testing.TB, tracePath string) logContents {
	b, err := readSibling(tracePath, ".logs.json")
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(b)
	require.NoError(t, err)
	content, _ := contentFromLogs(ld)
	return content
}

// readSibling reads the file recorded beside a trace fixture with the given suffix.
func readSibling(tracePath, suffix string) ([]byte, error) {
	return os.ReadFile(strings.TrimSuffix(tracePath, ".json") + suffix)
}

// golden is what a golden file pins: the events and how the batch's spans were accounted for.
type golden struct {
	Spans             int     `json:"spans"`
	SkippedNotLLM     int     `json:"skipped_not_llm"`
	SkippedEmbeddings int     `json:"skipped_embeddings"`
	Events            []event `json:"events"`
}

func TestTranslateGolden(t *testing.T) {
	for _, path := range traceFixtures(t) {
		t.Run(strings.TrimPrefix(path, "testdata/"), func(t *testing.T) {
			tr := translate(loadTraces(t, path), defaultOptions, loadLogContent(t, path))
			got := golden{
				Spans:             tr.spans,
				SkippedNotLLM:     tr.skippedNotLLM,
				SkippedEmbeddings: tr.skippedEmbeddings,
				Events:            []event{},
			}
			for _, in := range tr.interactions {
				got.Events = append(got.Events, in.event)
				b, _, err := encodeEvent(&in.event)
				require.NoError(t, err)
				_, err = raindroptest.ValidateEvent(b)
				require.NoError(t, err, "every event meets Raindrop's schema")
			}
			gotJSON, err := json.MarshalIndent(got, "", "  ")
			require.NoError(t, err)
			gotJSON = append(gotJSON, '\n')

			goldenPath := filepath.Join("testdata", "golden", strings.TrimPrefix(path, "testdata/"))
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(goldenPath), 0o755))
				require.NoError(t, os.WriteFile(goldenPath, gotJSON, 0o600))
			}
			want, err := os.ReadFile(goldenPath)
			require.NoError(t, err, "no golden file: run go test -run TestTranslateGolden -update")
			assert.JSONEq(t, string(want), string(gotJSON))
		})
	}
}

// TestTranslatePrivacyMode checks every fixture: in privacy mode no text of the normal
// events' input, output or attachments survives anywhere in the encoded events.
func TestTranslatePrivacyMode(t *testing.T) {
	private := defaultOptions
	private.privacyMode = true
	for _, path := range traceFixtures(t) {
		t.Run(strings.TrimPrefix(path, "testdata/"), func(t *testing.T) {
			logs := loadLogContent(t, path)
			normal := translate(loadTraces(t, path), defaultOptions, logs)
			hidden := translate(loadTraces(t, path), private, logs)
			require.Len(t, hidden.interactions, len(normal.interactions))
			var encoded bytes.Buffer
			for _, in := range hidden.interactions {
				assert.Nil(t, in.event.AIData)
				assert.Empty(t, in.event.Attachments)
				b, _, err := encodeEvent(&in.event)
				require.NoError(t, err)
				_, err = raindroptest.ValidateEvent(b)
				require.NoError(t, err)
				encoded.Write(b)
			}
			for i, in := range normal.interactions {
				ev := in.event
				if ev.AIData != nil {
					for _, text := range []string{ev.AIData.Input, ev.AIData.Output} {
						if len(text) > 12 {
							assert.NotContains(t, encoded.String(), jsonText(text))
						}
					}
					assert.Equal(t, ev.AIData.Model, props(hidden.interactions[i].event)["model"])
					if ev.AIData.ConvoID != "" {
						assert.Equal(t, ev.AIData.ConvoID, props(hidden.interactions[i].event)["convo_id"])
					}
				}
			}
		})
	}
}

func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}
