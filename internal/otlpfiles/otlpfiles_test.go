package otlpfiles

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		return path
	}
	b := write("lib/b.json", `{"resourceSpans":[]}`)
	a := write("lib/a.json", `{"resourceSpans":[]}`)
	write("lib/a.logs.json", `{"resourceLogs":[]}`)
	versions := write("lib/versions.json", `{"packages":{}}`)
	write("lib/notes.txt", "not json")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "empty"), 0o755))

	files, err := Expand([]string{filepath.Join(dir, "lib")})
	require.NoError(t, err)
	assert.Equal(t, []string{a, b}, files, "trace files only, sorted")

	files, err = Expand([]string{versions})
	require.NoError(t, err)
	assert.Equal(t, []string{versions}, files, "a named file is kept, whatever it holds")

	_, err = Expand([]string{filepath.Join(dir, "empty")})
	assert.ErrorContains(t, err, "no OTLP/JSON trace files")
	_, err = Expand([]string{filepath.Join(dir, "missing")})
	assert.Error(t, err)
}
