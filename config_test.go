package raindropexporter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.yaml.in/yaml/v3"

	"github.com/raindropexporter/raindropexporter/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	full := NewFactory().CreateDefaultConfig().(*Config)
	full.ClientConfig.Endpoint = "https://raindrop.example.com/"
	full.ClientConfig.Timeout = 10 * time.Second
	full.ClientConfig.Compression = configcompression.TypeGzip
	full.ClientConfig.Headers = configopaque.MapList{{Name: "X-Extra", Value: "extra"}}
	full.WriteKey = "full-key"
	full.ProjectID = "team-a"
	full.EventName = "chat_turn"
	full.DefaultUserID = "nobody"
	full.PrivacyMode = true
	queue := full.QueueConfig.Get()
	queue.NumConsumers = 2
	queue.QueueSize = 50
	full.BackOffConfig.InitialInterval = 2 * time.Second
	full.BackOffConfig.MaxInterval = 20 * time.Second
	full.BackOffConfig.MaxElapsedTime = 5 * time.Minute

	defaults := NewFactory().CreateDefaultConfig().(*Config)
	defaults.WriteKey = "test-key"

	dryRun := NewFactory().CreateDefaultConfig().(*Config)
	dryRun.DryRun = true

	for _, tt := range []struct {
		id   component.ID
		want *Config
	}{
		{component.NewID(metadata.Type), defaults},
		{component.NewIDWithName(metadata.Type, "full"), full},
		{component.NewIDWithName(metadata.Type, "dry_run"), dryRun},
	} {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			require.NoError(t, confmap.Validate(cfg))
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestConfigValidateRejects(t *testing.T) {
	for _, tt := range []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"no write key", func(c *Config) { c.WriteKey = "" }, "write_key: must be set"},
		{"empty endpoint", func(c *Config) { c.ClientConfig.Endpoint = "" }, "endpoint: must not be empty"},
		{"bad scheme", func(c *Config) { c.ClientConfig.Endpoint = "ftp://api.raindrop.ai" }, "endpoint: scheme"},
		{"no host", func(c *Config) { c.ClientConfig.Endpoint = "https://" }, "endpoint: must include a host"},
		{"unparsable", func(c *Config) { c.ClientConfig.Endpoint = "http://[::1" }, "endpoint:"},
		{"query", func(c *Config) { c.ClientConfig.Endpoint = "https://api.raindrop.ai?x=1" }, "endpoint: must be a base URL"},
		{"upper-case project", func(c *Config) { c.ProjectID = "Team-A" }, "project_id:"},
		{"trailing hyphen", func(c *Config) { c.ProjectID = "team-" }, "project_id:"},
		{"long project", func(c *Config) { c.ProjectID = string(make([]byte, 64)) }, "project_id:"},
		{"empty event name", func(c *Config) { c.EventName = "" }, "event_name: must not be empty"},
		{"empty default user", func(c *Config) { c.DefaultUserID = "" }, "default_user_id: must not be empty"},
		{"negative timeout", func(c *Config) { c.ClientConfig.Timeout = -time.Second }, "timeout"},
		{"negative logs wait", func(c *Config) { c.Logs.Wait = -time.Second }, "logs::wait"},
		{"zero retention", func(c *Config) { c.Logs.Retention = 0 }, "logs::retention: must be positive"},
		{"retention under wait", func(c *Config) { c.Logs.Wait = time.Minute }, "logs::retention: must be at least"},
		{"zero max spans", func(c *Config) { c.Logs.MaxSpans = 0 }, "logs::max_spans"},
		{"price without output", func(c *Config) {
			c.Pricing = []ModelPrice{{Model: "m", Input: ptr(1)}}
		}, "output"},
		{"duplicate prices", func(c *Config) {
			c.Pricing = []ModelPrice{{Model: "m", Input: ptr(1), Output: ptr(1)}, {Model: "m", Input: ptr(2), Output: ptr(2)}}
		}, "duplicates"},
		{"zero queue size", func(c *Config) { c.QueueConfig.Get().QueueSize = 0 }, "queue_size"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig().(*Config)
			cfg.WriteKey = "k"
			tt.edit(cfg)
			err := confmap.Validate(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestConfigValidateDryRunNeedsNoKey(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.DryRun = true
	cfg.ClientConfig.Endpoint = ""
	assert.NoError(t, confmap.Validate(cfg))
}

func TestConfigUnknownKeyFailsAtLoad(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig()
	err := confmap.NewFromStringMap(map[string]any{"write_kye": "x"}).Unmarshal(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "write_kye")
}

// TestReadmeFullExample loads the README's full example, so the documented keys and the code
// cannot drift apart.
func TestReadmeFullExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(readme), "Full (this block is loaded")
	require.True(t, ok, "README has the full example")
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	require.True(t, ok)
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)

	var doc map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(block), &doc))
	conf := confmap.NewFromStringMap(doc)
	sub, err := conf.Sub("exporters::raindrop")
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	// The example reads the key from the environment, which the collector resolves first.
	assert.Equal(t, "${env:RAINDROP_WRITE_KEY}", string(cfg.WriteKey))
	require.NoError(t, confmap.Validate(cfg))
	assert.True(t, cfg.Traces.Enabled)
	assert.Equal(t, "raindrop.project", cfg.ProjectIDAttribute)
	require.Len(t, cfg.Pricing, 1)
}
