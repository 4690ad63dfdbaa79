package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// projectSlug is the project id format Raindrop accepts in X-Raindrop-Project-Id.
var projectSlug = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// Config defines the configuration of the raindrop exporter.
type Config struct {
	// ClientConfig holds the HTTP client settings. Its endpoint is Raindrop's base URL
	// (default https://api.raindrop.ai); events are posted to <endpoint>/v1/events/track.
	// Its timeout (default 30s) is the only timeout applied to a request.
	ClientConfig confighttp.ClientConfig `mapstructure:",squash"`

	// QueueConfig is the exporterhelper sending queue, enabled by default with batching on.
	QueueConfig configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`

	// BackOffConfig is the retry policy for retryable and throttled failures, enabled by default.
	BackOffConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`

	// WriteKey is the Raindrop write key, sent as a bearer token. Required unless dry_run is set.
	WriteKey configopaque.String `mapstructure:"write_key"`

	// ProjectID selects a Raindrop project through X-Raindrop-Project-Id. Empty (the default)
	// means the write key's default project.
	ProjectID string `mapstructure:"project_id"`

	// ProjectIDAttribute names a span or resource attribute whose value routes each event to
	// that Raindrop project; events without it go to project_id. Empty (the default) sends
	// every event to project_id.
	ProjectIDAttribute string `mapstructure:"project_id_attribute"`

	// EventName is the event name used when no span names one. Default "ai_generation".
	EventName string `mapstructure:"event_name"`

	// DefaultUserID is the user id sent when no span or resource names a user. Default "anonymous".
	DefaultUserID string `mapstructure:"default_user_id"`

	// PrivacyMode leaves out input, output and attachments, keeping model, usage, timing and
	// metadata. Default false.
	PrivacyMode bool `mapstructure:"privacy_mode"`

	// Pricing adds or overrides model prices (USD per million tokens) used to compute a cost
	// when no span carries one; see PRICING.md. Empty by default: the built-in table applies.
	Pricing []ModelPrice `mapstructure:"pricing"`

	// Logs sets how content that arrives as log records (through a logs pipeline into this
	// exporter) is joined to its spans.
	Logs LogsConfig `mapstructure:"logs"`

	// Traces sends the spans of each interaction to Raindrop's trace endpoint as well, linked
	// to the event, so Raindrop shows its steps and tool calls.
	Traces TracesConfig `mapstructure:"traces"`

	// DryRun writes each event as one JSON line to standard output instead of posting it.
	// Default false.
	DryRun bool `mapstructure:"dry_run"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// TracesConfig turns linked traces on.
type TracesConfig struct {
	// Enabled posts every interaction's spans to <endpoint>/v1/traces, each marked with its
	// event's id. Default false.
	Enabled bool `mapstructure:"enabled"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// LogsConfig bounds the wait and the memory of joining log-record content to spans.
type LogsConfig struct {
	// Wait is how long an interaction that found no content waits for its log records
	// before it is sent without them. Default 2s; 0 never waits.
	Wait time.Duration `mapstructure:"wait"`

	// Retention is how long content from log records waits for its spans. Default 30s.
	Retention time.Duration `mapstructure:"retention"`

	// MaxSpans bounds how many spans' content is held at once; the oldest goes first.
	// Default 10000.
	MaxSpans int `mapstructure:"max_spans"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// Validate checks the configuration without applying defaults or doing I/O.
func (cfg *Config) Validate() error {
	var errs []error
	if !cfg.DryRun {
		u, err := url.Parse(cfg.ClientConfig.Endpoint)
		switch {
		case cfg.ClientConfig.Endpoint == "":
			errs = append(errs, errors.New("endpoint: must not be empty"))
		case err != nil:
			errs = append(errs, fmt.Errorf("endpoint: %w", err))
		case u.Scheme != "http" && u.Scheme != "https":
			errs = append(errs, fmt.Errorf("endpoint: scheme must be http or https, got %q", u.Scheme))
		case u.Host == "":
			errs = append(errs, errors.New("endpoint: must include a host"))
		case u.RawQuery != "" || u.Fragment != "":
			errs = append(errs, errors.New("endpoint: must be a base URL without query or fragment"))
		}
		if cfg.WriteKey == "" {
			errs = append(errs, errors.New("write_key: must be set unless dry_run is true"))
		}
	}
	if cfg.ClientConfig.Timeout < 0 {
		errs = append(errs, errors.New("timeout: must not be negative"))
	}
	if cfg.ProjectID != "" && !projectSlug.MatchString(cfg.ProjectID) {
		errs = append(errs, fmt.Errorf(
			"project_id: %q is not a Raindrop project slug (lower-case letters, digits and "+
				"inner hyphens, at most 63 characters)", cfg.ProjectID))
	}
	if cfg.EventName == "" {
		errs = append(errs, errors.New("event_name: must not be empty"))
	}
	if cfg.DefaultUserID == "" {
		errs = append(errs, errors.New("default_user_id: must not be empty"))
	}
	if cfg.Logs.Wait < 0 {
		errs = append(errs, errors.New("logs::wait: must not be negative"))
	}
	if cfg.Logs.Retention <= 0 {
		errs = append(errs, errors.New("logs::retention: must be positive"))
	} else if cfg.Logs.Retention < cfg.Logs.Wait {
		errs = append(errs, errors.New("logs::retention: must be at least logs::wait"))
	}
	if cfg.Logs.MaxSpans <= 0 {
		errs = append(errs, errors.New("logs::max_spans: must be positive"))
	}
	if err := validatePricing(cfg.Pricing); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// validatePricing reports what no single entry can see, such as two entries for one model.
// Each entry's own errors come from its Validate, which confmap runs.
func validatePricing(prices []ModelPrice) error {
	for i := range prices {
		if prices[i].Validate() != nil {
			return nil
		}
	}
	_, err := newPriceTable(prices)
	return err
}
