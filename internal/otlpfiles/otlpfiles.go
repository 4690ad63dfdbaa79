// Package otlpfiles finds OTLP/JSON trace files, as the fixture tree keeps them beside log
// exports, version notes and other JSON, for the tools that send them.
package otlpfiles // import "github.com/raindropexporter/raindropexporter/internal/otlpfiles"

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Expand turns paths into a list of files: a file is kept as named, so a wrong one is
// reported by whoever reads it rather than ignored; a directory gives the trace files found
// under it, sorted, and is an error when it holds none.
func Expand(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") && IsTraceFile(path) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no OTLP/JSON trace files found", p)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, nil
}

// IsTraceFile reports whether a file holds a JSON object with a resourceSpans key.
func IsTraceFile(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var top map[string]json.RawMessage
	return json.Unmarshal(data, &top) == nil && top["resourceSpans"] != nil
}
