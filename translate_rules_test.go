package raindropexporter

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/raindropexporter/raindropexporter/internal/raindroptest"
)

// tree builds one trace from spans listed parent first; parent -1 makes a root.
type spec struct {
	name   string
	parent int
	start  time.Duration
	attrs  map[string]any
}

func buildTrace(t *testing.T, resource map[string]any, specs ...spec) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	require.NoError(t, rs.Resource().Attributes().FromRaw(resource))
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i, s := range specs {
		sp := spans.AppendEmpty()
		sp.SetName(s.name)
		sp.SetTraceID(pcommon.TraceID{0xab, 1})
		sp.SetSpanID(pcommon.SpanID{byte(i + 1)})
		if s.parent >= 0 {
			sp.SetParentSpanID(pcommon.SpanID{byte(s.parent + 1)})
		}
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(testStart.Add(s.start)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(testStart.Add(s.start + time.Second)))
		require.NoError(t, sp.Attributes().FromRaw(s.attrs))
	}
	return td
}

func chatAttrs(in, out string, inTok, outTok int64, extra map[string]any) map[string]any {
	a := map[string]any{
		"gen_ai.operation.name":      "chat",
		"gen_ai.provider.name":       "openai",
		"gen_ai.request.model":       "gpt-4o-mini",
		"gen_ai.usage.input_tokens":  inTok,
		"gen_ai.usage.output_tokens": outTok,
	}
	if in != "" {
		a["gen_ai.input.messages"] = `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},` +
			`{"role":"user","parts":[{"type":"text","content":"` + in + `"}]}]`
	}
	if out != "" {
		a["gen_ai.output.messages"] = `[{"role":"assistant","parts":[{"type":"text","content":"` + out + `"}]}]`
	}
	for k, v := range extra {
		a[k] = v
	}
	return a
}

func only(t *testing.T, tr translation) event {
	t.Helper()
	require.Len(t, tr.interactions, 1)
	return tr.interactions[0].event
}

func TestAgentFoldsItsCalls(t *testing.T) {
	td := buildTrace(t, map[string]any{"service.name": "app"},
		spec{"invoke_agent travel", -1, 0, map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "travel",
			"gen_ai.conversation.id": "conv-1", "user.id": "u-1",
			"gen_ai.usage.input_tokens": 999, // a wrapper's own total is not added on top
		}},
		spec{"chat", 0, 1 * time.Millisecond, chatAttrs("Weather in Paris?", "", 10, 3, map[string]any{
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1",` +
				`"name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}]`,
		})},
		spec{"execute_tool get_weather", 0, 2 * time.Millisecond, map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather",
			"gen_ai.tool.call.result": `{"temp":21}`,
		}},
		spec{"chat", 0, 3 * time.Millisecond, chatAttrs("", "It is 21°C in Paris.", 20, 7, map[string]any{
			"gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.response.finish_reasons": []any{"stop"},
		})},
		spec{"embeddings", 0, 4 * time.Millisecond, map[string]any{"gen_ai.operation.name": "embeddings"}},
	)

	tr := translate(td, defaultOptions, nil)
	ev := only(t, tr)

	assert.Equal(t, "travel", ev.Event, "the agent's name names the event")
	assert.Equal(t, "u-1", ev.UserID)
	require.NotNil(t, ev.AIData)
	assert.Equal(t, "Weather in Paris?", ev.AIData.Input, "input from the first call")
	assert.Equal(t, "It is 21°C in Paris.", ev.AIData.Output, "output from the last call")
	assert.Equal(t, "gpt-4o-mini-2024-07-18", ev.AIData.Model)
	assert.Equal(t, "conv-1", ev.AIData.ConvoID)
	assert.Equal(t, int64(30), props(ev)["prompt_tokens"], "usage summed over the calls")
	assert.Equal(t, int64(10), props(ev)["completion_tokens"])
	assert.Equal(t, int64(40), props(ev)["total_tokens"])
	assert.Equal(t, "stop", props(ev)["finish_reason"])
	assert.Equal(t, "2026-03-11T14:30:45.123Z", ev.Timestamp)
	assert.Equal(t, 1000.0, props(ev)["duration_ms"])
	assert.Equal(t, "invoke_agent travel", props(ev)["trace_name"])
	require.Len(t, ev.Attachments, 2)
	assert.Equal(t, attachment{Type: "code", Value: `{"city":"Paris"}`, Role: "output",
		Name: "get_weather", Language: "json"}, ev.Attachments[0])
	assert.Equal(t, attachment{Type: "code", Value: `{"temp":21}`, Role: "input",
		Name: "get_weather", Language: "json"}, ev.Attachments[1])
	assert.Equal(t, 1, tr.skippedEmbeddings)
	assert.Equal(t, 1, tr.skippedNotLLM, "the tool span")
	assert.Len(t, tr.interactions[0].spans, 5, "a retry resends the whole interaction")
}

func TestToolCallOnlyAnswerSaysWhichTools(t *testing.T) {
	td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("Weather?", "", 1, 1, map[string]any{
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","name":"get_weather",` +
			`"arguments":{}},{"type":"tool_call","name":"get_time","arguments":{}}]}]`,
	})})
	assert.Equal(t, "Called tools: get_weather, get_time", only(t, translate(td, defaultOptions, nil)).AIData.Output)
}

func TestIdentityPrecedence(t *testing.T) {
	for _, tt := range []struct {
		name              string
		resource, parent  map[string]any
		span              map[string]any
		wantUser, wantCnv string
	}{
		{"defaults", nil, nil, nil, "anonymous", ""},
		{"resource", map[string]any{"user.id": "r-user", "session.id": "r-sess"}, nil, nil, "r-user", "r-sess"},
		{"ancestor over resource", map[string]any{"user.id": "r-user"},
			map[string]any{"user.id": "p-user"}, nil, "p-user", ""},
		{"span over ancestor", nil, map[string]any{"user.id": "p-user"},
			map[string]any{"user.id": "s-user"}, "s-user", ""},
		{"conversation over session, wherever they sit", nil,
			map[string]any{"gen_ai.conversation.id": "conv"},
			map[string]any{"session.id": "sess"}, "anonymous", "conv"},
		{"metadata spellings", nil, nil, map[string]any{
			"ai.telemetry.metadata.userId": "m-user", "ai.telemetry.metadata.sessionId": "m-sess",
		}, "m-user", "m-sess"},
		{"traceloop association properties", nil, nil, map[string]any{
			"traceloop.association.properties.user_id": "t-user",
			"traceloop.association.properties.chatId":  "t-chat",
		}, "t-user", "t-chat"},
		{"raindrop's own keys win", nil, nil, map[string]any{
			"user.id": "generic", "raindrop.user.id": "rd-user", "raindrop.convo.id": "rd-convo",
			"gen_ai.conversation.id": "conv",
		}, "rd-user", "conv"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			td := buildTrace(t, tt.resource,
				spec{"workflow", -1, 0, tt.parent},
				spec{"chat", 0, 0, chatAttrs("hi", "hello", 1, 1, tt.span)})
			ev := only(t, translate(td, defaultOptions, nil))
			assert.Equal(t, tt.wantUser, ev.UserID)
			assert.Equal(t, tt.wantCnv, ev.AIData.ConvoID)
		})
	}
}

func TestEventIDAndName(t *testing.T) {
	td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "hello", 1, 1, nil)})
	first := only(t, translate(td, defaultOptions, nil))
	again := only(t, translate(td, defaultOptions, nil))
	assert.Equal(t, first.EventID, again.EventID, "derived ids are stable")
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, first.EventID)
	assert.Equal(t, "ai_generation", first.Event)

	td = buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "hello", 1, 1, map[string]any{
		"ai.telemetry.metadata.raindrop.eventId":   "sdk-event-1",
		"ai.telemetry.metadata.raindrop.eventName": "support_chat",
	})})
	ev := only(t, translate(td, defaultOptions, nil))
	assert.Equal(t, "sdk-event-1", ev.EventID, "spans from Raindrop's SDK land on its event")
	assert.Equal(t, "support_chat", ev.Event)
}

func TestFailedCallKeepsInputAndReportsError(t *testing.T) {
	td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "", 0, 0, nil)})
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	span.Status().SetCode(ptrace.StatusCodeError)
	exc := span.Events().AppendEmpty()
	exc.SetName("exception")
	exc.Attributes().PutStr("exception.type", "RateLimitError")
	exc.Attributes().PutStr("exception.message", "slow down")

	ev := only(t, translate(td, defaultOptions, nil))

	assert.Equal(t, "hi", ev.AIData.Input)
	assert.Equal(t, "RateLimitError", props(ev)["error.type"])
	assert.Equal(t, "slow down", props(ev)["error.message"])
}

func TestPrivacyModeMovesModelAndConvoToProperties(t *testing.T) {
	td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("secret question", "secret answer", 1, 1,
		map[string]any{"gen_ai.conversation.id": "c-9", "gen_ai.system_instructions": "secret system"})})
	opts := defaultOptions
	opts.privacyMode = true

	ev := only(t, translate(td, opts, nil))

	assert.Nil(t, ev.AIData)
	assert.Equal(t, "gpt-4o-mini", props(ev)["model"])
	assert.Equal(t, "c-9", props(ev)["convo_id"])
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "secret")
}

func TestContentFreeSpanSendsNoAIData(t *testing.T) {
	// OTel's own OpenAI instrumentation puts content in logs, not on the span.
	td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("", "", 3, 4, nil)})
	ev := only(t, translate(td, defaultOptions, nil))
	assert.Nil(t, ev.AIData, "Raindrop rejects ai_data with neither input nor output")
	assert.Equal(t, "gpt-4o-mini", props(ev)["model"])
}

func TestCustomMetadataIsFlattened(t *testing.T) {
	td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "hello", 1, 1, map[string]any{
		"trace.metadata.feature":       "checkout",
		"ai.telemetry.metadata.tenant": "acme",
		"trace.metadata.model":         "not the model",
		"gen_ai.request.temperature":   0.3,
		"gen_ai.usage.total_cost":      0.0021,
		"trace.metadata.trace_name":    "checkout-flow",
	})})
	ev := only(t, translate(td, defaultOptions, nil))
	assert.Equal(t, "checkout", props(ev)["feature"])
	assert.Equal(t, "acme", props(ev)["tenant"])
	assert.Equal(t, "gpt-4o-mini", props(ev)["model"], "computed properties win")
	assert.Equal(t, 0.3, props(ev)["gen_ai.request.temperature"])
	assert.Equal(t, 0.0021, props(ev)["total_cost"])
	assert.Equal(t, "span", props(ev)["cost_source"])
	assert.Equal(t, "checkout-flow", props(ev)["trace_name"])
	assert.NotContains(t, props(ev), "gen_ai.input.messages")
}

func TestGatewayAttemptsAreOneEvent(t *testing.T) {
	// OpenRouter broadcasts a parent span and one child per provider attempt.
	td := buildTrace(t, nil,
		spec{"chat", -1, 0, chatAttrs("hi", "hello", 10, 2, map[string]any{"gen_ai.usage.total_cost": 0.01})},
		spec{"attempt 1", 0, 0, chatAttrs("hi", "", 10, 0, map[string]any{"gen_ai.usage.total_cost": 0.004})},
		spec{"attempt 2", 0, 0, chatAttrs("hi", "hello", 10, 2, map[string]any{"gen_ai.usage.total_cost": 0.006})},
	)
	ev := only(t, translate(td, defaultOptions, nil))
	assert.Equal(t, int64(10), props(ev)["prompt_tokens"], "the call's own count, not its attempts'")
	assert.Equal(t, 0.01, props(ev)["total_cost"])
}

func TestOldConventions(t *testing.T) {
	t.Run("indexed attributes", func(t *testing.T) {
		td := buildTrace(t, nil, spec{"openai.chat", -1, 0, map[string]any{
			"llm.request.type": "chat", "gen_ai.system": "OpenAI", "gen_ai.request.model": "gpt-4o",
			"gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "Be brief.",
			"gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "first",
			"gen_ai.prompt.2.role": "assistant", "gen_ai.prompt.2.content": "ok",
			"gen_ai.prompt.10.role": "user", "gen_ai.prompt.10.content": "latest",
			"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "answer",
			"gen_ai.completion.0.finish_reason": "stop",
			"gen_ai.usage.prompt_tokens":        7, "gen_ai.usage.completion_tokens": "3",
			"llm.usage.total_tokens": 10,
		}})
		ev := only(t, translate(td, defaultOptions, nil))
		assert.Equal(t, "latest", ev.AIData.Input, "index 10 sorts after 2")
		assert.Equal(t, "answer", ev.AIData.Output)
		assert.Equal(t, "openai", props(ev)["provider"])
		assert.Equal(t, int64(3), props(ev)["completion_tokens"], "a string int counts")
		assert.Equal(t, "stop", props(ev)["finish_reason"])
		assert.NotContains(t, props(ev), "gen_ai.prompt.0.content")
	})
	t.Run("content in span events", func(t *testing.T) {
		td := buildTrace(t, nil, spec{"chat gpt-4", -1, 0, map[string]any{
			"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4",
		}})
		span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		p := span.Events().AppendEmpty()
		p.SetName("gen_ai.content.prompt")
		p.Attributes().PutStr("gen_ai.prompt", `[{"role":"user","content":"from event"}]`)
		c := span.Events().AppendEmpty()
		c.SetName("gen_ai.content.completion")
		c.Attributes().PutStr("gen_ai.completion", `[{"role":"assistant","content":"event answer"}]`)
		ev := only(t, translate(td, defaultOptions, nil))
		assert.Equal(t, "from event", ev.AIData.Input)
		assert.Equal(t, "event answer", ev.AIData.Output)
	})
	t.Run("per-message span events", func(t *testing.T) {
		td := buildTrace(t, nil, spec{"chat", -1, 0, map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.system": "az.ai.inference",
		}})
		span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		u := span.Events().AppendEmpty()
		u.SetName("gen_ai.user.message")
		u.Attributes().PutStr("gen_ai.event.content", `{"role":"user","content":"dotnet question"}`)
		c := span.Events().AppendEmpty()
		c.SetName("gen_ai.choice")
		c.Attributes().PutStr("gen_ai.event.content",
			`{"index":0,"finish_reason":"stop","message":{"content":"dotnet answer"}}`)
		ev := only(t, translate(td, defaultOptions, nil))
		assert.Equal(t, "dotnet question", ev.AIData.Input)
		assert.Equal(t, "dotnet answer", ev.AIData.Output)
	})
	t.Run("structured messages", func(t *testing.T) {
		td := buildTrace(t, nil, spec{"chat", -1, 0, map[string]any{
			"gen_ai.operation.name": "chat",
			"gen_ai.input.messages": []any{map[string]any{"role": "user",
				"parts": []any{map[string]any{"type": "text", "content": "structured"}}}},
		}})
		assert.Equal(t, "structured", only(t, translate(td, defaultOptions, nil)).AIData.Input)
	})
}

func TestMalformedTreesDoNotBreakTranslation(t *testing.T) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	// Two spans that name each other as parent, one that is its own parent, one with no ids.
	for i, parent := range []byte{2, 1, 3, 0} {
		s := spans.AppendEmpty()
		if i < 3 {
			s.SetSpanID(pcommon.SpanID{byte(i + 1)})
		}
		if parent != 0 {
			s.SetParentSpanID(pcommon.SpanID{parent})
		}
		s.Attributes().PutStr("gen_ai.operation.name", "chat")
		s.Attributes().PutStr("gen_ai.input.messages", "not json at all")
		s.Attributes().PutDouble("gen_ai.usage.input_tokens", 1e300*10)
		s.Attributes().PutEmpty("gen_ai.output.messages")
	}
	tr := translate(td, defaultOptions, nil)
	require.NotEmpty(t, tr.interactions)
	for _, in := range tr.interactions {
		b, _, err := encodeEvent(&in.event)
		require.NoError(t, err)
		_, err = raindroptest.ValidateEvent(b)
		require.NoError(t, err)
	}
}

func TestDuplicateKeysFirstWins(t *testing.T) {
	td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "hello", 1, 1, nil)})
	attrs := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	// pcommon.Map refuses duplicates through Put, but decoded OTLP can carry them.
	attrs.PutStr("custom", "first")

	raw, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	text := strings.Replace(string(raw), `{"key":"custom","value":{"stringValue":"first"}}`,
		`{"key":"custom","value":{"stringValue":"first"}},{"key":"custom","value":{"stringValue":"second"}}`, 1)
	dup, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(text))
	require.NoError(t, err)
	assert.Equal(t, "first", props(only(t, translate(dup, defaultOptions, nil)))["custom"])
}

func TestTruncateField(t *testing.T) {
	short := strings.Repeat("é", 1000)
	got, n := truncateField(short)
	assert.Equal(t, short, got)
	assert.Zero(t, n)

	long := strings.Repeat("日本", maxFieldChars)
	got, n = truncateField(long)
	assert.Equal(t, 1, n)
	assert.True(t, utf8.ValidString(got))
	assert.LessOrEqual(t, utf8.RuneCountInString(got), maxFieldChars)
	assert.Contains(t, got, "[truncated by raindropexporter:")
}

func TestEncodeEventShrinksToFit(t *testing.T) {
	ev := event{
		EventID: "0b5e3f0c-7f64-5d0a-9c8e-1f2a3b4c5d6e", Event: "e", UserID: "u", Timestamp: "2026-01-01T00:00:00.000Z",
		AIData: &aiData{Input: strings.Repeat("a", 900_000), Output: strings.Repeat("\x01", 400_000)},
	}
	attrs := pcommon.NewMap()
	require.NoError(t, attrs.FromRaw(map[string]any{
		"big":  strings.Repeat("p", 500_000),
		"list": []any{strings.Repeat("q", 300_000)},
	}))
	ev.Properties.addForwarded(attrs)
	ev.Properties = ev.Properties.sorted()
	b, cuts, err := encodeEvent(&ev)
	require.NoError(t, err)
	assert.Positive(t, cuts)
	assert.LessOrEqual(t, len(b), maxEventBytes)
	_, err = raindroptest.ValidateEvent(b)
	require.NoError(t, err)
	assert.Contains(t, ev.AIData.Input, "truncated by raindropexporter")
}

func TestLangfuseUsageBucketsAreAddedBack(t *testing.T) {
	td := buildTrace(t, nil, spec{"OpenAI-generation", -1, 0, map[string]any{
		"langfuse.observation.type":       "generation",
		"langfuse.observation.model.name": "gpt-4o-mini",
		"langfuse.observation.input":      `[{"role":"user","content":"hi"}]`,
		"langfuse.observation.output":     `{"role":"assistant","content":"hello"}`,
		"langfuse.observation.usage_details": `{"input":80,"input_cached_tokens":20,` +
			`"output":30,"output_reasoning_tokens":10,"total":140}`,
		"langfuse.observation.cost_details": `{"input":0.001,"output":0.002,"total":0.003}`,
	}})
	ev := only(t, translate(td, defaultOptions, nil))
	assert.Equal(t, int64(100), props(ev)["prompt_tokens"], "input includes cached")
	assert.Equal(t, int64(40), props(ev)["completion_tokens"], "output includes reasoning")
	assert.Equal(t, int64(20), props(ev)["cached_tokens"])
	assert.Equal(t, int64(10), props(ev)["reasoning_tokens"])
	assert.Equal(t, int64(140), props(ev)["total_tokens"])
	assert.Equal(t, 0.003, props(ev)["total_cost"])
	assert.Equal(t, "hi", ev.AIData.Input)
	assert.Equal(t, "hello", ev.AIData.Output)
	assert.NotContains(t, props(ev), "langfuse.observation.usage_details")
}

func TestGeminiContentShapes(t *testing.T) {
	td := buildTrace(t, nil, spec{"call_llm", -1, 0, map[string]any{
		"gen_ai.operation.name": "generate_content", "gen_ai.request.model": "gemini-2.5-flash",
		"gcp.vertex.agent.llm_request": `{"model":"gemini-2.5-flash","contents":[` +
			`{"role":"user","parts":[{"text":"Hola"}]}]}`,
		"gcp.vertex.agent.llm_response": `{"content":{"role":"model","parts":[{"text":"¡Hola!"}]}}`,
	}})
	ev := only(t, translate(td, defaultOptions, nil))
	assert.Equal(t, "Hola", ev.AIData.Input)
	assert.Equal(t, "¡Hola!", ev.AIData.Output)
}

func TestCostSources(t *testing.T) {
	overrides, err := newPriceTable([]ModelPrice{{Model: "my-finetune-*", Input: ptr(1.0), Output: ptr(2.0)}})
	require.NoError(t, err)
	opts := defaultOptions
	opts.prices = overrides

	t.Run("table", func(t *testing.T) {
		td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "hello", 1_000_000, 1_000_000, map[string]any{
			"gen_ai.response.model":                "gpt-4o-mini-2024-07-18",
			"gen_ai.usage.cache_read.input_tokens": 400_000,
		})})
		ev := only(t, translate(td, opts, nil))
		assert.Equal(t, "table", props(ev)["cost_source"])
		// 600k uncached at $0.15/M, 400k cached at $0.075/M, 1M output at $0.60/M.
		assert.InDelta(t, 0.09+0.03, props(ev)["input_cost"], 1e-9)
		assert.InDelta(t, 0.6, props(ev)["output_cost"], 1e-9)
		assert.InDelta(t, 0.72, props(ev)["total_cost"], 1e-9)
	})
	t.Run("config", func(t *testing.T) {
		td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "hello", 1_000_000, 500_000,
			map[string]any{"gen_ai.request.model": "my-finetune-v3"})})
		ev := only(t, translate(td, opts, nil))
		assert.Equal(t, "config", props(ev)["cost_source"])
		assert.InDelta(t, 2.0, props(ev)["total_cost"], 1e-9)
	})
	t.Run("span wins", func(t *testing.T) {
		td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "hello", 1_000_000, 1_000_000,
			map[string]any{"llm.cost.total": 0.5})})
		ev := only(t, translate(td, opts, nil))
		assert.Equal(t, "span", props(ev)["cost_source"])
		assert.Equal(t, 0.5, props(ev)["total_cost"])
	})
	t.Run("unknown model", func(t *testing.T) {
		td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "hello", 10, 10,
			map[string]any{"gen_ai.request.model": "mystery-model-9"})})
		tr := translate(td, opts, nil)
		ev := only(t, tr)
		for _, k := range []string{"total_cost", "input_cost", "output_cost", "cost_source"} {
			assert.NotContains(t, props(ev), k)
		}
		assert.Equal(t, []string{"mystery-model-9"}, tr.unpricedModels)
	})
	t.Run("tiers follow each call", func(t *testing.T) {
		// Two 150k-token calls: neither crosses Gemini 2.5 Pro's 200k tier, their sum would.
		call := func(start time.Duration) spec {
			return spec{"chat", 0, start, chatAttrs("", "", 150_000, 1000,
				map[string]any{"gen_ai.request.model": "gemini-2.5-pro", "gen_ai.provider.name": "gcp.gemini"})}
		}
		td := buildTrace(t, nil, spec{"invoke_agent", -1, 0, map[string]any{"gen_ai.operation.name": "invoke_agent"}},
			call(0), call(time.Millisecond))
		ev := only(t, translate(td, opts, nil))
		base := 2 * (0.15*1.25 + 0.001*10)
		assert.InDelta(t, base, props(ev)["total_cost"], 1e-9)
	})
}

func ptr(f float64) *float64 { return &f }

func TestEncodeEventDropsManySmallPieces(t *testing.T) {
	ev := event{
		EventID: "e", Event: "e", UserID: "u", Timestamp: "2026-01-01T00:00:00.000Z",
		AIData: &aiData{Input: "hi"},
	}
	ev.Properties.addText("model", "m")
	attrs := pcommon.NewMap()
	for i := range 10_000 {
		ev.Attachments = append(ev.Attachments, attachment{
			Type: "code", Language: "json", Role: "output", Name: "lookup",
			Value: fmt.Sprintf(`{"query":"refund policy for order %d"}`, i),
		})
	}
	for i := range 30_000 {
		attrs.PutStr(fmt.Sprintf("app.tag.%d", i), "some value")
	}
	ev.Properties.addForwarded(attrs)
	ev.Properties = ev.Properties.sorted()
	b, _, err := encodeEvent(&ev)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(b), maxEventBytes)
	last := ev.Attachments[len(ev.Attachments)-1]
	var omitted int
	_, err = fmt.Sscanf(last.Value, omittedAttachmentsText, &omitted)
	require.NoError(t, err)
	assert.Equal(t, 10_000, omitted+len(ev.Attachments)-1, "the note counts what was left out")
	assert.Equal(t, "m", props(ev)["model"], "computed properties stay")
}

func TestLangSmithShapes(t *testing.T) {
	td := buildTrace(t, nil, spec{"ChatOpenAI", -1, 0, map[string]any{
		"langsmith.span.kind": "llm", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.prompt": `{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi there"}]}`,
		"gen_ai.completion": `{"choices":[{"message":{"role":"assistant","content":"Hello!"},` +
			`"finish_reason":"stop"}]}`,
		"gen_ai.response.finish_reasons":    "stop",
		"gen_ai.usage.input_tokens":         12,
		"gen_ai.usage.output_tokens":        3,
		"gen_ai.usage.input_token_details":  `{"cache_read":8}`,
		"gen_ai.usage.output_token_details": `{"reasoning":1}`,
		"langsmith.metadata.thread_id":      "thread-1",
		"langsmith.metadata.user_id":        "u-9",
	}})
	ev := only(t, translate(td, defaultOptions, nil))
	assert.Equal(t, "Hi there", ev.AIData.Input)
	assert.Equal(t, "Hello!", ev.AIData.Output)
	assert.Equal(t, "thread-1", ev.AIData.ConvoID)
	assert.Equal(t, "u-9", ev.UserID)
	assert.Equal(t, "stop", props(ev)["finish_reason"])
	assert.Equal(t, int64(8), props(ev)["cached_tokens"])
	assert.Equal(t, int64(1), props(ev)["reasoning_tokens"])
}

func TestRaindropEventNameWinsWhereverItSits(t *testing.T) {
	td := buildTrace(t, nil,
		spec{"request", -1, 0, map[string]any{"raindrop.event.name": "support_reply"}},
		spec{"ai.generateText", 0, 0, map[string]any{
			"ai.operationId": "ai.generateText", "ai.telemetry.functionId": "answer-question",
			"ai.prompt": `{"prompt":"hi"}`, "ai.response.text": "hello",
		}})
	assert.Equal(t, "support_reply", only(t, translate(td, defaultOptions, nil)).Event)
}

func TestOutputMessagesBeyondTheConventionFallBack(t *testing.T) {
	// A part with "text" instead of "content" is not the convention's shape: the general
	// reader must still find the answer.
	td := buildTrace(t, nil, spec{"chat", -1, 0, chatAttrs("hi", "", 1, 1, map[string]any{
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","text":"from text"}],` +
			`"extra":{"x":1}}]`,
	})})
	assert.Equal(t, "from text", only(t, translate(td, defaultOptions, nil)).AIData.Output)
}

func FuzzAppendTimestamp(f *testing.F) {
	for _, ts := range []uint64{0, 1, 999_999, 1_741_703_445_123_456_789, math.MaxInt64, 1 << 63, math.MaxUint64} {
		f.Add(ts)
	}
	f.Fuzz(func(t *testing.T, ts uint64) {
		want := time.Unix(0, int64(ts)).UTC().Format(timestampLayout)
		require.Equal(t, want, string(appendTimestamp(nil, pcommon.Timestamp(ts))))
	})
}
