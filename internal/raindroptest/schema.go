// Package raindroptest checks request bodies against the event schema of Raindrop's
// ingest API, so that unit tests and the end-to-end test hold the exporter to the
// same contract.
//
// The checks are deliberately stricter than what the server is known to enforce:
// Raindrop's SDKs reject unknown keys, and whether the server does is unconfirmed,
// so anything the SDK schema would refuse fails here too.
package raindroptest // import "github.com/raindropexporter/raindropexporter/internal/raindroptest"

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"time"
)

const (
	// MaxBatch is the most events one request to /v1/events/track carries.
	MaxBatch = 50

	// MaxEventBytes is Raindrop's documented size limit of one encoded event.
	MaxEventBytes = 1_000_000
)

// Event is one validated event, decoded for further assertions.
type Event struct {
	EventID    string
	Event      string
	UserID     string
	Timestamp  time.Time
	AIData     *AIData
	Properties map[string]any
	IsPending  *bool

	// Raw is the event exactly as it was sent.
	Raw json.RawMessage
}

// AIData is the ai_data object of an event.
type AIData struct {
	Model   string `json:"model"`
	Input   string `json:"input"`
	Output  string `json:"output"`
	ConvoID string `json:"convo_id"`
}

var (
	eventKeys = []string{
		"event_id", "event", "user_id", "timestamp", "ai_data", "properties",
		"attachments", "feature_flags", "is_pending",
	}
	aiDataKeys     = []string{"model", "input", "output", "convo_id"}
	attachmentKeys = []string{"type", "value", "role", "name", "language", "attachment_id"}

	attachmentTypes = []string{"code", "text", "image", "iframe"}
	attachmentRoles = []string{"input", "output"}

	// The JS SDK sends UTC with exactly three fractional digits; the exporter is held
	// to the same form so that events sort and compare the same way whatever sent them.
	timestampPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
)

// ValidateEvents checks a request body for POST /v1/events/track: a JSON array of
// 1 to MaxBatch events, each valid as ValidateEvent defines. It returns the decoded
// events, and every problem found joined into one error.
func ValidateEvents(body []byte) ([]Event, error) {
	var raws []json.RawMessage
	if err := decodeStrict(body, &raws); err != nil {
		return nil, fmt.Errorf("body: not a JSON array of events: %w", err)
	}
	if raws == nil {
		return nil, errors.New("body: must be a JSON array, got null")
	}

	var errs []error
	if len(raws) == 0 || len(raws) > MaxBatch {
		errs = append(errs, fmt.Errorf("body: %d events, want 1 to %d", len(raws), MaxBatch))
	}
	events := make([]Event, 0, len(raws))
	for i, raw := range raws {
		ev, err := ValidateEvent(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("event[%d]: %w", i, err))
			continue
		}
		events = append(events, ev)
	}
	return events, errors.Join(errs...)
}

// ValidateEvent checks one event object: only the keys Raindrop's schema knows, the
// required identity fields present and well formed, and every optional field of the
// documented type. Dry-run output carries one such object per line.
func ValidateEvent(raw []byte) (Event, error) {
	ev := Event{Raw: json.RawMessage(raw)}
	var fields map[string]json.RawMessage
	if err := decodeStrict(raw, &fields); err != nil {
		return ev, fmt.Errorf("not a JSON object: %w", err)
	}
	if fields == nil {
		return ev, errors.New("must be a JSON object, got null")
	}

	var errs []error
	if len(raw) > MaxEventBytes {
		errs = append(errs, fmt.Errorf("%d bytes, over the %d byte limit", len(raw), MaxEventBytes))
	}
	errs = append(errs, unknownKeys("", fields, eventKeys)...)

	var err error
	// Any non-empty id is valid: events of Raindrop's SDK carry the ids the SDK chose.
	if ev.EventID, err = requiredString(fields, "event_id"); err != nil {
		errs = append(errs, err)
	}
	if ev.Event, err = requiredString(fields, "event"); err != nil {
		errs = append(errs, err)
	}
	if ev.UserID, err = requiredString(fields, "user_id"); err != nil {
		errs = append(errs, err)
	}
	if ev.Timestamp, err = timestamp(fields); err != nil {
		errs = append(errs, err)
	}
	if ev.AIData, err = aiData(fields); err != nil {
		errs = append(errs, err)
	}
	if ev.Properties, err = properties(fields); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, attachments(fields)...)
	if err = featureFlags(fields); err != nil {
		errs = append(errs, err)
	}
	if ev.IsPending, err = isPending(fields); err != nil {
		errs = append(errs, err)
	}
	return ev, errors.Join(errs...)
}

// decodeStrict decodes exactly one JSON value, so trailing data is an error too.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

func unknownKeys(prefix string, fields map[string]json.RawMessage, allowed []string) []error {
	var unknown []string
	for k := range fields {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	errs := make([]error, 0, len(unknown))
	for _, k := range unknown {
		errs = append(errs, fmt.Errorf("%s%s: unknown key", prefix, k))
	}
	return errs
}

func requiredString(fields map[string]json.RawMessage, key string) (string, error) {
	raw, ok := fields[key]
	if !ok {
		return "", fmt.Errorf("%s: required", key)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || isNull(raw) {
		return "", fmt.Errorf("%s: must be a string, got %s", key, snippet(raw))
	}
	if s == "" {
		return "", fmt.Errorf("%s: must not be empty", key)
	}
	return s, nil
}

func timestamp(fields map[string]json.RawMessage) (time.Time, error) {
	s, err := requiredString(fields, "timestamp")
	if err != nil {
		return time.Time{}, err
	}
	if !timestampPattern.MatchString(s) {
		return time.Time{}, fmt.Errorf(
			"timestamp: %q is not RFC 3339 UTC with milliseconds (2006-01-02T15:04:05.000Z)", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp: %w", err)
	}
	return t, nil
}

func aiData(fields map[string]json.RawMessage) (*AIData, error) {
	raw, ok := fields["ai_data"]
	if !ok {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("ai_data: must be an object, got %s", snippet(raw))
	}
	errs := unknownKeys("ai_data.", obj, aiDataKeys)
	for _, k := range aiDataKeys {
		if v, ok := obj[k]; ok && !isString(v) {
			errs = append(errs, fmt.Errorf("ai_data.%s: must be a string, got %s", k, snippet(v)))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var ai AIData
	if err := json.Unmarshal(raw, &ai); err != nil {
		return nil, fmt.Errorf("ai_data: %w", err)
	}
	// Raindrop refuses ai_data that says nothing about the interaction itself; an event
	// without input and output must leave ai_data out altogether.
	if ai.Input == "" && ai.Output == "" {
		return nil, errors.New("ai_data: at least one of input and output must be non-empty")
	}
	return &ai, nil
}

func properties(fields map[string]json.RawMessage) (map[string]any, error) {
	raw, ok := fields["properties"]
	if !ok {
		return nil, nil
	}
	var props map[string]any
	if err := json.Unmarshal(raw, &props); err != nil || props == nil {
		return nil, fmt.Errorf("properties: must be an object, got %s", snippet(raw))
	}
	return props, nil
}

func attachments(fields map[string]json.RawMessage) []error {
	raw, ok := fields["attachments"]
	if !ok {
		return nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		return []error{fmt.Errorf("attachments: must be an array of objects, got %s", snippet(raw))}
	}
	var errs []error
	for i, a := range list {
		prefix := fmt.Sprintf("attachments[%d].", i)
		if a == nil {
			errs = append(errs, fmt.Errorf("attachments[%d]: must be an object", i))
			continue
		}
		errs = append(errs, unknownKeys(prefix, a, attachmentKeys)...)
		errs = append(errs, enumField(prefix, a, "type", attachmentTypes)...)
		errs = append(errs, enumField(prefix, a, "role", attachmentRoles)...)
		if v, ok := a["value"]; !ok || !isString(v) {
			errs = append(errs, fmt.Errorf("%svalue: required string", prefix))
		}
		for _, k := range []string{"name", "language", "attachment_id"} {
			if v, ok := a[k]; ok && !isString(v) {
				errs = append(errs,
					fmt.Errorf("%s%s: must be a string, got %s", prefix, k, snippet(v)))
			}
		}
	}
	return errs
}

func enumField(prefix string, obj map[string]json.RawMessage, key string, values []string) []error {
	var s string
	if err := json.Unmarshal(obj[key], &s); err != nil || !slices.Contains(values, s) {
		return []error{fmt.Errorf("%s%s: must be one of %v, got %s", prefix, key, values,
			snippet(obj[key]))}
	}
	return nil
}

func featureFlags(fields map[string]json.RawMessage) error {
	raw, ok := fields["feature_flags"]
	if !ok {
		return nil
	}
	var flags map[string]string
	if err := json.Unmarshal(raw, &flags); err != nil || flags == nil {
		return fmt.Errorf("feature_flags: must be an object of strings, got %s", snippet(raw))
	}
	return nil
}

func isPending(fields map[string]json.RawMessage) (*bool, error) {
	raw, ok := fields["is_pending"]
	if !ok {
		return nil, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil || isNull(raw) {
		return nil, fmt.Errorf("is_pending: must be a boolean, got %s", snippet(raw))
	}
	return &b, nil
}

func isString(raw json.RawMessage) bool {
	var s string
	return json.Unmarshal(raw, &s) == nil && !isNull(raw)
}

// isNull reports a JSON null, which json.Unmarshal accepts silently into any type.
func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// snippet keeps error messages short when a field holds a large value.
func snippet(raw json.RawMessage) string {
	const limit = 60
	if raw == nil {
		return "nothing"
	}
	if len(raw) > limit {
		return string(raw[:limit]) + "..."
	}
	return string(raw)
}
