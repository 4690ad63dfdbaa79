package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"sync"

	"go.opentelemetry.io/collector/exporter"
)

// The traces and logs pipelines of one raindrop component share one exporter: log records
// bring content that the spans need. The collector hands both signals the same *Config, so
// the config's address identifies the component.
var (
	sharedMu  sync.Mutex
	exporters = map[*Config]*raindropExporter{}
)

func sharedExporter(cfg *Config, set exporter.Settings) (*raindropExporter, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if exp, ok := exporters[cfg]; ok {
		exp.users++
		return exp, nil
	}
	exp, err := newExporter(cfg, set)
	if err != nil {
		return nil, err
	}
	exp.users = 1
	exporters[cfg] = exp
	return exp, nil
}

// release drops one signal's hold on the shared exporter and reports whether it was the last.
func release(exp *raindropExporter) bool {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	exp.users--
	if exp.users > 0 {
		return false
	}
	if exporters[exp.cfg] == exp {
		delete(exporters, exp.cfg)
	}
	return true
}
