package raindroptest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const validEvent = `{
	"event_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
	"event": "ai_generation",
	"user_id": "user-42",
	"timestamp": "2026-03-11T14:30:45.123Z",
	"ai_data": {"model": "gpt-4o-mini", "input": "hi", "output": "hello", "convo_id": "c-1"},
	"properties": {"prompt_tokens": 3, "nested": {"a": [1, null, true]}},
	"attachments": [{"type": "code", "value": "x := 1", "role": "output", "language": "go"}],
	"feature_flags": {"beta": "on"},
	"is_pending": false
}`

// withField returns validEvent with one top-level key replaced, added or (for a nil
// value) removed.
func withField(t *testing.T, key string, value any) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(validEvent), &m))
	if value == nil {
		delete(m, key)
	} else {
		m[key] = value
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

func TestValidateEventAccepts(t *testing.T) {
	ev, err := ValidateEvent([]byte(validEvent))
	require.NoError(t, err)
	assert.Equal(t, "0f8fad5b-d9cb-469f-a165-70867728950e", ev.EventID)
	assert.Equal(t, "ai_generation", ev.Event)
	assert.Equal(t, "user-42", ev.UserID)
	assert.Equal(t, 123_000_000, ev.Timestamp.Nanosecond())
	require.NotNil(t, ev.AIData)
	assert.Equal(t, AIData{Model: "gpt-4o-mini", Input: "hi", Output: "hello", ConvoID: "c-1"},
		*ev.AIData)
	assert.Contains(t, ev.Properties, "prompt_tokens")
	require.NotNil(t, ev.IsPending)
	assert.False(t, *ev.IsPending)

	minimal := `{"event_id":"0F8FAD5B-D9CB-469F-A165-70867728950E","event":"e",` +
		`"user_id":"u","timestamp":"2026-01-02T03:04:05.000Z"}`
	ev, err = ValidateEvent([]byte(minimal))
	require.NoError(t, err, "optional fields may be left out")
	assert.Nil(t, ev.AIData)
	assert.Nil(t, ev.Properties)
	assert.Nil(t, ev.IsPending)

	onlyOutput := withField(t, "ai_data", map[string]string{"output": "done"})
	_, err = ValidateEvent([]byte(onlyOutput))
	assert.NoError(t, err, "output alone is enough for ai_data")
}

func TestValidateEventRejects(t *testing.T) {
	tests := []struct {
		name    string
		event   string
		wantErr string
	}{
		{"not an object", `[1]`, "not a JSON object"},
		{"null", `null`, "got null"},
		{"trailing data", validEvent + ` {}`, "trailing data"},
		{"unknown top-level key", withField(t, "received_at", "x"), "received_at: unknown key"},
		{"camel case key", withField(t, "userId", "u"), "userId: unknown key"},
		{"missing event_id", withField(t, "event_id", nil), "event_id: required"},
		{"event_id a number", withField(t, "event_id", 7), "event_id: must be a string"},
		{"empty event", withField(t, "event", ""), "event: must not be empty"},
		{"missing user_id", withField(t, "user_id", nil), "user_id: required"},
		{"null user_id", strings.Replace(validEvent, `"user-42"`, `null`, 1),
			"user_id: must be a string"},
		{"timestamp without millis", withField(t, "timestamp", "2026-03-11T14:30:45Z"),
			"not RFC 3339 UTC with milliseconds"},
		{"timestamp with offset", withField(t, "timestamp", "2026-03-11T14:30:45.123+01:00"),
			"not RFC 3339 UTC with milliseconds"},
		{"timestamp impossible date", withField(t, "timestamp", "2026-13-11T14:30:45.123Z"),
			"timestamp:"},
		{"ai_data not an object", withField(t, "ai_data", "x"), "ai_data: must be an object"},
		{"ai_data unknown key",
			withField(t, "ai_data", map[string]any{"input": "a", "tokens": 1}),
			"ai_data.tokens: unknown key"},
		{"ai_data model not a string",
			withField(t, "ai_data", map[string]any{"input": "a", "model": 1}),
			"ai_data.model: must be a string"},
		{"ai_data without input and output",
			withField(t, "ai_data", map[string]any{"model": "m", "input": ""}),
			"at least one of input and output"},
		{"properties an array", withField(t, "properties", []int{1}),
			"properties: must be an object"},
		{"attachments an object", withField(t, "attachments", map[string]any{}),
			"attachments: must be an array"},
		{"attachment bad type",
			withField(t, "attachments",
				[]any{map[string]any{"type": "pdf", "value": "v", "role": "input"}}),
			"attachments[0].type: must be one of"},
		{"attachment without value",
			withField(t, "attachments",
				[]any{map[string]any{"type": "text", "role": "input"}}),
			"attachments[0].value: required string"},
		{"feature flag not a string", withField(t, "feature_flags", map[string]any{"a": true}),
			"feature_flags: must be an object of strings"},
		{"is_pending a string", withField(t, "is_pending", "false"),
			"is_pending: must be a boolean"},
		{"too large",
			withField(t, "properties",
				map[string]string{"x": strings.Repeat("a", MaxEventBytes)}),
			"byte limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ValidateEvent([]byte(tt.event))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestValidateEvents(t *testing.T) {
	events, err := ValidateEvents([]byte("[" + validEvent + "," + validEvent + "]"))
	require.NoError(t, err)
	assert.Len(t, events, 2)

	batch := strings.TrimSuffix(strings.Repeat(validEvent+",", MaxBatch), ",")
	_, err = ValidateEvents([]byte("[" + batch + "]"))
	require.NoError(t, err, "a full batch is allowed")

	tests := []struct {
		name    string
		body    string
		wantErr string
	}{
		{"object instead of array", validEvent, "not a JSON array"},
		{"null", `null`, "got null"},
		{"empty array", `[]`, "0 events, want 1 to 50"},
		{"too many events", "[" + batch + "," + validEvent + "]", "51 events"},
		{"one bad event", "[" + validEvent + `,{"event":"x"}]`, "event[1]: event_id: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ValidateEvents([]byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestValidateEventReportsEveryProblem(t *testing.T) {
	_, err := ValidateEvent([]byte(`{"extra":1,"event":"","timestamp":"yesterday"}`))
	require.Error(t, err)
	for _, want := range []string{
		"extra: unknown key", "event_id: required", "event: must not be empty",
		"user_id: required", "timestamp:",
	} {
		assert.Contains(t, err.Error(), want, fmt.Sprintf("error should mention %q", want))
	}
}
