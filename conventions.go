package raindropexporter // import "github.com/raindropexporter/raindropexporter"

import (
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// Every attribute key the translation reads lives in this file, grouped by what it means and
// listed in precedence order: the first key present on a span wins. The README's mapping
// tables are written from these lists; keep the two in step.

var (
	keyOperationName      = string(semconv.GenAIOperationNameKey)
	keyInputMessages      = string(semconv.GenAIInputMessagesKey)
	keyOutputMessages     = string(semconv.GenAIOutputMessagesKey)
	keySystemInstructions = string(semconv.GenAISystemInstructionsKey)
	keyAgentName          = string(semconv.GenAIAgentNameKey)
	keyConversationID     = string(semconv.GenAIConversationIDKey)
)

const (
	keyErrorType = "error.type"
	// keyLegacyPrompt and keyLegacyCompletion are the ≤1.27 content attributes, found on the
	// span itself or on its gen_ai.content.prompt / gen_ai.content.completion events.
	keyLegacyPrompt     = "gen_ai.prompt"
	keyLegacyCompletion = "gen_ai.completion"
	// keyEventContent carries the message body on the span events .NET stacks emit.
	keyEventContent = "gen_ai.event.content"

	keyVercelOperationID = "ai.operationId"
	keyVercelPrompt      = "ai.prompt"
	keyVercelMessages    = "ai.prompt.messages"
	keyLLMRequestType    = "llm.request.type"
	keyOpenInferenceKind = "openinference.span.kind"
	keyLangfuseType      = "langfuse.observation.type"
	keyLangfuseLevel     = "langfuse.observation.level"
	keyLangfuseStatus    = "langfuse.observation.status_message"
	keyLangSmithKind     = "langsmith.span.kind"
	// keyLangfuseCompletionStart is the JSON-quoted time of the first streamed token.
	keyLangfuseCompletionStart = "langfuse.observation.completion_start_time"
)

// Operation names (gen_ai.operation.name) by the role their span plays.
var (
	callOperations      = []string{"chat", "text_completion", "generate_content"}
	wrapperOperations   = []string{"invoke_agent"}
	embeddingOperations = []string{"embeddings", "embedding"}
)

var (
	responseModelKeys = []string{
		string(semconv.GenAIResponseModelKey), "ai.response.model", "llm.response.model_name",
		"llm.model_name",
	}
	requestModelKeys = []string{
		string(semconv.GenAIRequestModelKey), "ai.model.id", "llm.request.model_name",
		"langfuse.observation.model.name", "embedding.model_name",
	}
	// OpenRouter names the provider that served the request in its trace metadata; its
	// gen_ai.system is OpenRouter itself.
	providerKeys = []string{
		"trace.metadata.openrouter.provider_name", string(semconv.GenAIProviderNameKey),
		"gen_ai.system", "ai.model.provider", "llm.provider", "llm.system",
	}
	finishReasonKeys = []string{
		string(semconv.GenAIResponseFinishReasonsKey), "gen_ai.response.finish_reason",
		"ai.response.finishReason", "llm.finish_reason", "gen_ai.completion.0.finish_reason",
	}
)

// Token counts. Input counts include cached tokens and output counts include reasoning
// tokens, as the semantic conventions define them.
var (
	inputTokenKeys = []string{
		string(semconv.GenAIUsageInputTokensKey), "gen_ai.usage.prompt_tokens",
		"ai.usage.inputTokens", "ai.usage.promptTokens", "llm.token_count.prompt",
	}
	outputTokenKeys = []string{
		string(semconv.GenAIUsageOutputTokensKey), "gen_ai.usage.completion_tokens",
		"ai.usage.outputTokens", "ai.usage.completionTokens", "llm.token_count.completion",
	}
	totalTokenKeys = []string{
		"gen_ai.usage.total_tokens", "llm.usage.total_tokens", "ai.usage.totalTokens",
		"llm.token_count.total",
	}
	cacheReadTokenKeys = []string{
		string(semconv.GenAIUsageCacheReadInputTokensKey), "gen_ai.usage.cache_read_input_tokens",
		"gen_ai.usage.input_tokens.cached", "ai.usage.cachedInputTokens",
		"ai.usage.inputTokenDetails.cacheReadTokens", "llm.token_count.prompt_details.cache_read",
	}
	cacheWriteTokenKeys = []string{
		string(semconv.GenAIUsageCacheCreationInputTokensKey),
		"gen_ai.usage.cache_creation_input_tokens", "gen_ai.usage.input_tokens.cache_write",
		"llm.token_count.prompt_details.cache_write",
	}
	reasoningTokenKeys = []string{
		"gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens",
		"gen_ai.usage.output_tokens.reasoning", "ai.usage.reasoningTokens",
		"ai.usage.outputTokenDetails.reasoningTokens", "llm.token_count.completion_details.reasoning",
	}
)

// Costs in USD already on the span.
var (
	totalCostKeys = []string{
		"gen_ai.usage.total_cost", "gen_ai.usage.cost", "llm.cost.total", "operation.cost",
	}
	inputCostKeys  = []string{"gen_ai.usage.input_cost", "llm.cost.prompt"}
	outputCostKeys = []string{"gen_ai.usage.output_cost", "llm.cost.completion"}
)

// Time to first token: keys in seconds and keys in milliseconds.
var (
	ttftSecondsKeys = []string{
		"gen_ai.response.time_to_first_chunk", "gen_ai.client.operation.time_to_first_chunk",
	}
	ttftMillisKeys = []string{"ai.response.msToFirstChunk", "ai.stream.msToFirstChunk"}
)

// Raindrop's own identity attributes, as its SDKs write them.
var (
	raindropEventIDKeys = []string{
		"raindrop.event.id", "ai.telemetry.metadata.raindrop.eventId",
		"traceloop.association.properties.event_id",
	}
	raindropEventNameKeys = []string{
		"raindrop.event.name", "ai.telemetry.metadata.raindrop.eventName",
		"traceloop.association.properties.event_name",
	}
	raindropUserIDKeys = []string{
		"raindrop.user.id", "ai.telemetry.metadata.raindrop.ai.userId",
		"ai.telemetry.metadata.raindrop.userId", "traceloop.association.properties.user_id",
	}
	raindropConvoIDKeys = []string{
		"raindrop.convo.id", "ai.telemetry.metadata.raindrop.convoId",
		"traceloop.association.properties.convo_id",
	}
)

// metadataPrefixes are the free-form namespaces libraries put application metadata in. Their
// keys are forwarded as properties without the prefix, the way OpenRouter forwards its trace
// keys, and searched for user and conversation ids.
var metadataPrefixes = []string{
	"trace.metadata.", "ai.telemetry.metadata.", "ai.settings.context.",
	"traceloop.association.properties.", "langfuse.trace.metadata.", "langsmith.metadata.",
	"metadata.",
}

// Identity keys found under metadataPrefixes.
var (
	userIDSuffixes = []string{"userId", "user_id", "user.id", "userID"}
	convoSuffixes  = []string{
		"conversationId", "conversation_id", "convoId", "convo_id", "chatId", "chat_id",
		"threadId", "thread_id",
	}
	sessionSuffixes = []string{"sessionId", "session_id", "session.id"}
)

var (
	// The bare user_id and session_id come last: Logfire carries baggage that way.
	userIDKeys = concat(raindropUserIDKeys,
		[]string{"user.id", "enduser.id", "langfuse.user.id"},
		prefixed(metadataPrefixes, userIDSuffixes),
		[]string{"llm.user", "user_id"},
	)
	// convoIDKeys name a conversation explicitly and win over sessionIDKeys.
	convoIDKeys = concat([]string{keyConversationID}, raindropConvoIDKeys,
		prefixed(metadataPrefixes, convoSuffixes),
		[]string{"spring.ai.chat.client.conversation.id"})
	sessionIDKeys = concat([]string{"session.id", "langfuse.session.id"},
		prefixed(metadataPrefixes, sessionSuffixes),
		[]string{"gcp.vertex.agent.session_id", "session_id"})
	// functionNameKeys name the application's function or agent: the event name when no
	// Raindrop event-name attribute is found.
	functionNameKeys = []string{"ai.telemetry.functionId", keyAgentName}
	traceNameKeys    = []string{
		"trace.metadata.trace_name", "langfuse.trace.name", "langsmith.trace.name",
		"traceloop.workflow.name",
	}
)

// contentPrefixes and contentKeys hold message content. They never become properties: what the
// event uses travels as input and output, and privacy mode must not leak the rest.
var (
	contentPrefixes = []string{
		"gen_ai.prompt.", "gen_ai.completion.", "llm.input_messages.", "llm.output_messages.",
		"ai.prompt.", "ai.response.toolCalls", "ai.toolCall.args", "ai.toolCall.result",
		"traceloop.entity.input", "traceloop.entity.output", "embedding.embeddings.",
		"langfuse.trace.input", "langfuse.trace.output", "pydantic_ai.all_messages",
		"gcp.vertex.agent.llm_request", "gcp.vertex.agent.llm_response",
		"gcp.vertex.agent.tool_call_args", "gcp.vertex.agent.tool_response",
		"llm.request.functions.", "llm.tools.", "langfuse.observation.metadata.instructions",
		"langfuse.observation.metadata.tools",
	}
	contentKeys = []string{
		keyInputMessages, keyOutputMessages, keySystemInstructions, keyLegacyPrompt,
		keyLegacyCompletion, keyVercelPrompt, "ai.response.text", "ai.response.object",
		"ai.response.reasoning", "ai.value", "ai.values", "ai.embedding", "ai.embeddings",
		"input.value", "output.value", "langfuse.observation.input", "langfuse.observation.output",
		string(semconv.GenAIToolCallArgumentsKey), string(semconv.GenAIToolCallResultKey),
		string(semconv.GenAIToolDefinitionsKey), "gen_ai.tool.message", "events",
		"all_messages_events", "final_result", "tool_arguments", "tool_response",
		"gen_ai.request.messages", "gen_ai.response.text", "gen_ai.response.tool_calls",
	}
)

// toolResultKeys say where a tool span keeps its result, and the keys of the tool's name.
var toolResultKeys = []struct {
	result string
	name   []string
}{
	{string(semconv.GenAIToolCallResultKey), []string{string(semconv.GenAIToolNameKey)}},
	{"ai.toolCall.result", []string{"ai.toolCall.name"}},
	{"tool_response", []string{string(semconv.GenAIToolNameKey)}},
	{"gcp.vertex.agent.tool_response", []string{string(semconv.GenAIToolNameKey)}},
}

// signalPrefix marks the attributes that send a Raindrop signal rather than describe a call.
const signalPrefix = "raindrop.signal."

// headerPrefixes hold request headers, which can carry credentials: never forwarded.
var headerPrefixes = []string{
	"ai.request.headers.", "llm.headers", "http.request.header.", "http.response.header.",
}

// usageDetailKeys hold JSON objects of token counts and costs, read into the usage properties.
var usageDetailKeys = []string{
	"langfuse.observation.usage_details", "langfuse.observation.cost_details",
	keyLangfuseCompletionStart, keyLangSmithInputDetails, keyLangSmithOutputDetails,
}

const (
	keyLangSmithInputDetails  = "gen_ai.usage.input_token_details"
	keyLangSmithOutputDetails = "gen_ai.usage.output_token_details"
)

func prefixed(prefixes, suffixes []string) []string {
	out := make([]string, 0, len(prefixes)*len(suffixes))
	for _, p := range prefixes {
		for _, s := range suffixes {
			out = append(out, p+s)
		}
	}
	return out
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
