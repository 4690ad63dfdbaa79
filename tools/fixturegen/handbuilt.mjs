// Writes the hand-built fixtures in ../../testdata/fixtures/handbuilt/: span
// shapes that no JavaScript library available here emits. Ids and timestamps
// are fixed so re-running produces identical files.
//
//   node handbuilt.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '..', '..', 'testdata', 'fixtures', 'handbuilt');

// AnyValue helpers.
const s = (v) => ({ stringValue: v });
const i = (v) => ({ intValue: v });
const d = (v) => ({ doubleValue: v });
const arr = (...values) => ({ arrayValue: { values } });
const kv = (obj) => ({
  kvlistValue: { values: Object.entries(obj).map(([key, value]) => ({ key, value })) },
});
const attrs = (obj) => Object.entries(obj).map(([key, value]) => ({ key, value }));

const BASE_NS = 1764777600000000000n; // 2025-12-03T16:00:00Z
const at = (ms) => String(BASE_NS + BigInt(ms) * 1000000n);

const KIND_INTERNAL = 1;
const KIND_SERVER = 2;
const KIND_CLIENT = 3;

function span({ traceId, spanId, parentSpanId, name, kind, start, end, attributes, events = [], status }) {
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    kind,
    startTimeUnixNano: at(start),
    endTimeUnixNano: at(end),
    attributes: attrs(attributes),
    ...(events.length
      ? { events: events.map((e) => ({ timeUnixNano: at(e.at), name: e.name, attributes: attrs(e.attributes) })) }
      : {}),
    status: status || { code: 0 },
  };
}

function document(serviceName, scope, spans) {
  return {
    resourceSpans: [
      {
        resource: { attributes: attrs({ 'service.name': s(serviceName) }) },
        scopeSpans: [{ scope, spans }],
      },
    ],
  };
}

const SYSTEM = 'You are a concise assistant.';
const QUESTION = 'What is the capital of France?';
const ANSWER = 'The capital of France is Paris.';

// GenAI semconv 1.26/1.27: content as span events with JSON-string attributes.
function otel127SpanEvents() {
  const traceId = '2f1c6a9e0b7d4c3a8e5f1d2c3b4a5968';
  return document('handbuilt-otel-1.27', { name: 'handbuilt.genai', version: '1.27.0' }, [
    span({
      traceId,
      spanId: 'eee19b7ec3c1b174',
      name: 'chat gpt-4o-mini',
      kind: KIND_CLIENT,
      start: 0,
      end: 640,
      attributes: {
        'gen_ai.system': s('openai'),
        'gen_ai.request.model': s('gpt-4o-mini'),
        'gen_ai.request.temperature': d(0.2),
        'gen_ai.request.max_tokens': i(64),
        'gen_ai.response.id': s('chatcmpl-hand0001'),
        'gen_ai.response.model': s('gpt-4o-mini-2024-07-18'),
        'gen_ai.response.finish_reasons': arr(s('stop')),
        'gen_ai.usage.prompt_tokens': i(24),
        'gen_ai.usage.completion_tokens': i(8),
        'enduser.id': s('user-123'),
      },
      events: [
        {
          at: 1,
          name: 'gen_ai.content.prompt',
          attributes: {
            'gen_ai.prompt': s(
              JSON.stringify([
                { role: 'system', content: SYSTEM },
                { role: 'user', content: QUESTION },
              ]),
            ),
          },
        },
        {
          at: 639,
          name: 'gen_ai.content.completion',
          attributes: { 'gen_ai.completion': s(JSON.stringify([{ role: 'assistant', content: ANSWER }])) },
        },
      ],
    }),
  ]);
}

// .NET / Semantic Kernel style: per-message span events carrying
// gen_ai.event.content as a JSON string.
function dotnetSpanEvents() {
  const traceId = '7e3d9b1a5c2f4e6d8a0b1c2d3e4f5a6b';
  return document(
    'handbuilt-semantic-kernel',
    { name: 'Microsoft.SemanticKernel.Diagnostics', version: '1.30.0' },
    [
      span({
        traceId,
        spanId: 'b7ad6b7169203331',
        name: 'chat.completions gpt-4o-mini',
        kind: KIND_CLIENT,
        start: 0,
        end: 720,
        attributes: {
          'gen_ai.operation.name': s('chat.completions'),
          'gen_ai.system': s('openai'),
          'gen_ai.request.model': s('gpt-4o-mini'),
          'gen_ai.response.id': s('chatcmpl-hand0002'),
          'gen_ai.response.finish_reason': s('stop'),
          'gen_ai.usage.input_tokens': i(24),
          'gen_ai.usage.output_tokens': i(8),
        },
        events: [
          {
            at: 1,
            name: 'gen_ai.system.message',
            attributes: {
              'gen_ai.system': s('openai'),
              'gen_ai.event.content': s(JSON.stringify({ role: 'system', content: SYSTEM })),
            },
          },
          {
            at: 1,
            name: 'gen_ai.user.message',
            attributes: {
              'gen_ai.system': s('openai'),
              'gen_ai.event.content': s(JSON.stringify({ role: 'user', content: QUESTION })),
            },
          },
          {
            at: 719,
            name: 'gen_ai.choice',
            attributes: {
              'gen_ai.system': s('openai'),
              'gen_ai.event.content': s(
                JSON.stringify({
                  index: 0,
                  finish_reason: 'stop',
                  message: { role: 'assistant', content: ANSWER },
                }),
              ),
            },
          },
        ],
      }),
    ],
  );
}

// GenAI semconv 1.37+ with structured (kvlist/array) message attributes, as
// the spec recommends for languages that support complex attributes.
function otel137Structured() {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const textPart = (content) => kv({ type: s('text'), content: s(content) });
  return document('handbuilt-otel-1.37', { name: 'handbuilt.genai', version: '1.37.0' }, [
    span({
      traceId,
      spanId: '00f067aa0ba902b7',
      name: 'chat gpt-4o-mini',
      kind: KIND_CLIENT,
      start: 0,
      end: 580,
      attributes: {
        'gen_ai.operation.name': s('chat'),
        'gen_ai.provider.name': s('openai'),
        'gen_ai.request.model': s('gpt-4o-mini'),
        'gen_ai.request.temperature': d(0.2),
        'gen_ai.response.id': s('chatcmpl-hand0003'),
        'gen_ai.response.model': s('gpt-4o-mini-2024-07-18'),
        'gen_ai.response.finish_reasons': arr(s('stop')),
        'gen_ai.usage.input_tokens': i(24),
        'gen_ai.usage.output_tokens': i(8),
        'gen_ai.usage.cache_read.input_tokens': i(16),
        'gen_ai.usage.reasoning.output_tokens': i(0),
        'gen_ai.conversation.id': s('session-456'),
        'user.id': s('user-123'),
        'server.address': s('api.openai.com'),
        'server.port': i(443),
        'gen_ai.system_instructions': arr(textPart(SYSTEM)),
        'gen_ai.input.messages': arr(kv({ role: s('user'), parts: arr(textPart(QUESTION)) })),
        'gen_ai.output.messages': arr(
          kv({ role: s('assistant'), parts: arr(textPart(ANSWER)), finish_reason: s('stop') }),
        ),
      },
    }),
  ]);
}

// OpenRouter Broadcast: one parent span per request and one child span per
// provider attempt; here the first provider fails and the second answers.
function openrouterBroadcast() {
  const traceId = 'a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3';
  const parent = '1a2b3c4d5e6f7a8b';
  const identity = {
    'user.id': s('user-123'),
    'session.id': s('session-456'),
    'trace.metadata.trace_name': s('capital-quiz'),
    'trace.metadata.feature': s('geography'),
  };
  const messages = {
    'gen_ai.input.messages': s(JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: QUESTION }] }])),
  };
  return document('openrouter', { name: 'openrouter.broadcast' }, [
    span({
      traceId,
      spanId: parent,
      name: 'chat openai/gpt-4o-mini',
      kind: KIND_SERVER,
      start: 0,
      end: 1450,
      attributes: {
        'gen_ai.operation.name': s('chat'),
        'gen_ai.system': s('openrouter'),
        'gen_ai.request.model': s('openai/gpt-4o-mini'),
        'gen_ai.response.model': s('openai/gpt-4o-mini-2024-07-18'),
        'gen_ai.response.id': s('gen-hand0004'),
        'gen_ai.response.finish_reason': s('stop'),
        'gen_ai.usage.input_tokens': i(24),
        'gen_ai.usage.output_tokens': i(8),
        'gen_ai.usage.total_tokens': i(32),
        'gen_ai.usage.input_tokens.cached': i(16),
        'gen_ai.usage.output_tokens.reasoning': i(0),
        'gen_ai.usage.input_cost': d(0.0000024),
        'gen_ai.usage.output_cost': d(0.0000048),
        'gen_ai.usage.total_cost': d(0.0000072),
        ...identity,
        'trace.metadata.openrouter.provider_name': s('OpenAI'),
        'trace.metadata.openrouter.price_per_input_token': d(0.00000015),
        'trace.metadata.openrouter.price_per_output_token': d(0.0000006),
        ...messages,
        'gen_ai.output.messages': s(
          JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }]),
        ),
      },
    }),
    span({
      traceId,
      spanId: '2b3c4d5e6f7a8b9c',
      parentSpanId: parent,
      name: 'chat openai/gpt-4o-mini',
      kind: KIND_CLIENT,
      start: 5,
      end: 610,
      attributes: {
        'gen_ai.operation.name': s('chat'),
        'gen_ai.system': s('azure'),
        'gen_ai.request.model': s('openai/gpt-4o-mini'),
        'trace.metadata.openrouter.provider_name': s('Azure'),
        'error.type': s('429'),
        ...identity,
      },
      status: { code: 2, message: 'provider returned 429: rate limited' },
    }),
    span({
      traceId,
      spanId: '3c4d5e6f7a8b9c0d',
      parentSpanId: parent,
      name: 'chat openai/gpt-4o-mini',
      kind: KIND_CLIENT,
      start: 615,
      end: 1440,
      attributes: {
        'gen_ai.operation.name': s('chat'),
        'gen_ai.system': s('openai'),
        'gen_ai.request.model': s('openai/gpt-4o-mini'),
        'gen_ai.response.model': s('openai/gpt-4o-mini-2024-07-18'),
        'gen_ai.response.finish_reason': s('stop'),
        'gen_ai.usage.input_tokens': i(24),
        'gen_ai.usage.output_tokens': i(8),
        'gen_ai.usage.total_tokens': i(32),
        'gen_ai.usage.total_cost': d(0.0000072),
        'trace.metadata.openrouter.provider_name': s('OpenAI'),
        ...identity,
      },
    }),
  ]);
}

// An agent run: invoke_agent over chat, execute_tool, chat. Only the agent
// span knows the conversation id, so it must be resolved from the ancestor.
function invokeAgent() {
  const traceId = 'd4cda95b652f4a1592b449d5929fda1b';
  const agent = '6e0c63257de34c92';
  const common = { 'gen_ai.provider.name': s('openai'), 'gen_ai.request.model': s('gpt-4o-mini') };
  const user = { role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] };
  const toolCall = { type: 'tool_call', id: 'call_hand0005', name: 'get_weather', arguments: { city: 'Paris' } };
  const toolResult = {
    type: 'tool_call_response',
    id: 'call_hand0005',
    response: { city: 'Paris', temperatureC: 18, condition: 'sunny' },
  };
  const finalText = { type: 'text', content: 'It is 18°C and sunny in Paris.' };
  const json = (v) => s(JSON.stringify(v));
  return document('handbuilt-agent', { name: 'handbuilt.agent', version: '1.0.0' }, [
    span({
      traceId,
      spanId: agent,
      name: 'invoke_agent weather-agent',
      kind: KIND_INTERNAL,
      start: 0,
      end: 2100,
      attributes: {
        'gen_ai.operation.name': s('invoke_agent'),
        ...common,
        'gen_ai.agent.name': s('weather-agent'),
        'gen_ai.agent.id': s('agent-weather-01'),
        'gen_ai.conversation.id': s('conv-789'),
        'gen_ai.input.messages': json([user]),
        'gen_ai.output.messages': json([{ role: 'assistant', parts: [finalText], finish_reason: 'stop' }]),
      },
    }),
    span({
      traceId,
      spanId: '7a1f1a1f1a1f1a1f',
      parentSpanId: agent,
      name: 'chat gpt-4o-mini',
      kind: KIND_CLIENT,
      start: 10,
      end: 900,
      attributes: {
        'gen_ai.operation.name': s('chat'),
        ...common,
        'gen_ai.response.id': s('chatcmpl-hand0005'),
        'gen_ai.response.model': s('gpt-4o-mini-2024-07-18'),
        'gen_ai.response.finish_reasons': arr(s('tool_call')),
        'gen_ai.usage.input_tokens': i(62),
        'gen_ai.usage.output_tokens': i(15),
        'gen_ai.input.messages': json([user]),
        'gen_ai.output.messages': json([{ role: 'assistant', parts: [toolCall], finish_reason: 'tool_call' }]),
      },
    }),
    span({
      traceId,
      spanId: '8b2e2b2e2b2e2b2e',
      parentSpanId: agent,
      name: 'execute_tool get_weather',
      kind: KIND_INTERNAL,
      start: 905,
      end: 960,
      attributes: {
        'gen_ai.operation.name': s('execute_tool'),
        'gen_ai.tool.name': s('get_weather'),
        'gen_ai.tool.type': s('function'),
        'gen_ai.tool.call.id': s('call_hand0005'),
        'gen_ai.tool.call.arguments': json({ city: 'Paris' }),
        'gen_ai.tool.call.result': json(toolResult.response),
      },
    }),
    span({
      traceId,
      spanId: '9c3d3c3d3c3d3c3d',
      parentSpanId: agent,
      name: 'chat gpt-4o-mini',
      kind: KIND_CLIENT,
      start: 965,
      end: 2090,
      attributes: {
        'gen_ai.operation.name': s('chat'),
        ...common,
        'gen_ai.response.id': s('chatcmpl-hand0006'),
        'gen_ai.response.model': s('gpt-4o-mini-2024-07-18'),
        'gen_ai.response.finish_reasons': arr(s('stop')),
        'gen_ai.usage.input_tokens': i(91),
        'gen_ai.usage.output_tokens': i(13),
        'gen_ai.usage.cache_read.input_tokens': i(48),
        'gen_ai.input.messages': json([
          user,
          { role: 'assistant', parts: [toolCall] },
          { role: 'tool', parts: [toolResult] },
        ]),
        'gen_ai.output.messages': json([{ role: 'assistant', parts: [finalText], finish_reason: 'stop' }]),
      },
    }),
  ]);
}

// pydantic-ai (Python) with its default instrumentation settings, content
// as JSON strings. Version 2 (the default) names the agent span `agent run`
// and the tool span `running tool` with tool_arguments / tool_response;
// version 3 renames them `invoke_agent {agent}` / `execute_tool {tool}` with
// gen_ai.tool.call.arguments / result. Everything else is the same, so one
// function writes both. Per call: `chat {model}` with gen_ai.input.messages,
// gen_ai.output.messages, gen_ai.system_instructions and operation.cost; the
// agent span holds the summed usage, pydantic_ai.all_messages and final_result.
function pydanticAI(version) {
  const v3 = version >= 3;
  const traceId = v3 ? '5d0e7a3c9b214f86a1c3e5f7092b4d61' : 'c81f4b2e6a9d4073b5e2f1a8c3d69e04';
  const agent = v3 ? '41a7c2e9f0b3d586' : '52b8d3fa01c4e697';
  const json = (v) => s(JSON.stringify(v));
  const instructions = [{ type: 'text', content: SYSTEM }];
  const user = { role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] };
  const toolCall = { type: 'tool_call', id: 'call_hand0601', name: 'get_weather', arguments: { city: 'Paris' } };
  const toolResult = { city: 'Paris', temperatureC: 18, condition: 'sunny' };
  const toolReturn = { type: 'tool_call_response', id: 'call_hand0601', name: 'get_weather', result: toolResult };
  const finalText = 'It is 18°C and sunny in Paris.';
  const first = { role: 'assistant', parts: [toolCall], finish_reason: 'tool_call' };
  const last = { role: 'assistant', parts: [{ type: 'text', content: finalText }], finish_reason: 'stop' };
  const model = {
    'gen_ai.provider.name': s('openai'),
    'gen_ai.system': s('openai'),
    'gen_ai.request.model': s('gpt-4o-mini'),
    'server.address': s('api.openai.com'),
  };
  const params = json({
    function_tools: [{ name: 'get_weather', description: 'Current weather for a city', parameters_json_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
    builtin_tools: [],
    output_mode: 'text',
    output_object: null,
    output_tools: [],
    allow_text_output: true,
  });
  const chatSchema = json({
    type: 'object',
    properties: {
      'gen_ai.input.messages': { type: 'array' },
      'gen_ai.output.messages': { type: 'array' },
      'gen_ai.system_instructions': { type: 'array' },
      model_request_parameters: { type: 'object' },
    },
  });
  const chat = (spanId, start, end, input, output, usage, cost, responseId, finish) =>
    span({
      traceId,
      spanId,
      parentSpanId: agent,
      name: 'chat gpt-4o-mini',
      kind: KIND_CLIENT,
      start,
      end,
      attributes: {
        'gen_ai.operation.name': s('chat'),
        ...model,
        model_request_parameters: params,
        'logfire.json_schema': chatSchema,
        'gen_ai.input.messages': json(input),
        'gen_ai.output.messages': json([output]),
        'gen_ai.system_instructions': json(instructions),
        ...usage,
        'gen_ai.response.model': s('gpt-4o-mini-2024-07-18'),
        'operation.cost': d(cost),
        'gen_ai.response.id': s(responseId),
        'gen_ai.response.finish_reasons': arr(s(finish)),
        'logfire.msg': s('chat gpt-4o-mini'),
      },
    });
  const toolAttrs = v3
    ? { 'gen_ai.tool.call.arguments': json({ city: 'Paris' }), 'gen_ai.tool.call.result': json(toolResult) }
    : { tool_arguments: json({ city: 'Paris' }), tool_response: json(toolResult) };
  const all = [user, first, { role: 'user', parts: [toolReturn] }, last];
  return document(
    'handbuilt-pydantic-ai',
    { name: 'pydantic-ai', version: '1.0.0' },
    [
      chat(
        v3 ? '62c9e4a1b7d3f805' : '73dae5b2c8e4a916',
        10,
        820,
        [user],
        first,
        { 'gen_ai.usage.input_tokens': i(62), 'gen_ai.usage.output_tokens': i(15), 'gen_ai.usage.details.reasoning_tokens': i(4) },
        0.0000183,
        'chatcmpl-hand0601',
        'tool_call',
      ),
      span({
        traceId,
        spanId: v3 ? '83ebf6c3d9f5b027' : '94fc07d4eaf6c138',
        parentSpanId: agent,
        name: v3 ? 'execute_tool get_weather' : 'running tool',
        kind: KIND_INTERNAL,
        start: 825,
        end: 840,
        attributes: {
          'gen_ai.tool.name': s('get_weather'),
          'gen_ai.tool.call.id': s('call_hand0601'),
          ...toolAttrs,
          'logfire.msg': s('running tool: get_weather'),
          'logfire.json_schema': json({
            type: 'object',
            properties: v3
              ? { 'gen_ai.tool.call.arguments': { type: 'object' }, 'gen_ai.tool.call.result': { type: 'object' }, 'gen_ai.tool.name': {}, 'gen_ai.tool.call.id': {} }
              : { tool_arguments: { type: 'object' }, tool_response: { type: 'object' }, 'gen_ai.tool.name': {}, 'gen_ai.tool.call.id': {} },
          }),
        },
      }),
      chat(
        v3 ? 'a50d18e5fb07d249' : 'b61e29f60c18e35a',
        845,
        1930,
        [user, { role: 'assistant', parts: [toolCall] }, { role: 'user', parts: [toolReturn] }],
        last,
        { 'gen_ai.usage.input_tokens': i(91), 'gen_ai.usage.output_tokens': i(13), 'gen_ai.usage.details.cache_read_tokens': i(48) },
        0.00001356,
        'chatcmpl-hand0602',
        'stop',
      ),
      span({
        traceId,
        spanId: agent,
        name: v3 ? 'invoke_agent weather_agent' : 'agent run',
        kind: KIND_INTERNAL,
        start: 0,
        end: 1940,
        attributes: {
          model_name: s('gpt-4o-mini'),
          ...(v3 ? {} : { agent_name: s('weather_agent') }),
          'gen_ai.agent.name': s('weather_agent'),
          'logfire.msg': s('weather_agent run'),
          'gen_ai.usage.input_tokens': i(153),
          'gen_ai.usage.output_tokens': i(28),
          'gen_ai.usage.details.reasoning_tokens': i(4),
          'gen_ai.usage.details.cache_read_tokens': i(48),
          'pydantic_ai.all_messages': json(all),
          'gen_ai.system_instructions': json(instructions),
          final_result: s(finalText),
          // Set by the app with Logfire baggage, which copies each entry onto
          // the spans opened inside it.
          user_id: s('user-123'),
          session_id: s('session-456'),
          'logfire.json_schema': json({
            type: 'object',
            properties: { 'pydantic_ai.all_messages': { type: 'array' }, final_result: { type: 'object' } },
          }),
        },
      }),
    ],
  );
}

// Google ADK (Python): invocation > invoke_agent {agent} > call_llm (twice)
// and execute_tool {tool}. Content is Gemini-shaped vendor JSON in
// gcp.vertex.agent.llm_request / llm_response; the ADK session id is both
// gen_ai.conversation.id (agent span) and gcp.vertex.agent.session_id
// (call_llm spans). The user id is not on any span.
function googleADK() {
  const traceId = 'e27a9c4b1d6f4308a5c7e9b2d4f6a813';
  const invocation = 'c3d5e7f9a1b3c5d7';
  const agent = 'd4e6f8a0b2c4d6e8';
  const session = 'session-456';
  const invocationId = 'e-hand0701';
  const json = (v) => s(JSON.stringify(v));
  const userContent = { parts: [{ text: 'What is the weather in Paris?' }], role: 'user' };
  const call = { function_call: { id: 'adk-hand0701', args: { city: 'Paris' }, name: 'get_weather' } };
  const toolResult = { city: 'Paris', temperatureC: 18, condition: 'sunny' };
  const reply = { function_response: { id: 'adk-hand0701', name: 'get_weather', response: toolResult } };
  const config = {
    system_instruction: `${SYSTEM}\n\nYou are an agent. Your internal name is "weather_agent".`,
    tools: [
      {
        function_declarations: [
          {
            description: 'Current weather for a city',
            name: 'get_weather',
            parameters: { properties: { city: { type: 'STRING' } }, required: ['city'], type: 'OBJECT' },
          },
        ],
      },
    ],
  };
  const callLLM = (spanId, start, end, contents, response, usage, eventId) =>
    span({
      traceId,
      spanId,
      parentSpanId: agent,
      name: 'call_llm',
      kind: KIND_INTERNAL,
      start,
      end,
      attributes: {
        'gen_ai.system': s('gcp.vertex.agent'),
        'gen_ai.request.model': s('gemini-2.5-flash'),
        'gcp.vertex.agent.invocation_id': s(invocationId),
        'gcp.vertex.agent.session_id': s(session),
        'gcp.vertex.agent.event_id': s(eventId),
        'gcp.vertex.agent.llm_request': json({ model: 'gemini-2.5-flash', config, contents }),
        'gcp.vertex.agent.llm_response': json(response),
        'gen_ai.usage.input_tokens': i(usage[0]),
        'gen_ai.usage.output_tokens': i(usage[1]),
        'gen_ai.response.finish_reasons': arr(s('stop')),
      },
    });
  const usageMeta = (p, c) => ({ candidates_token_count: c, prompt_token_count: p, total_token_count: p + c });
  return document('handbuilt-google-adk', { name: 'gcp.vertex.agent', version: '1.15.1' }, [
    callLLM(
      'e5f7a9b1c3d5e7f9',
      12,
      780,
      [userContent],
      { content: { parts: [call], role: 'model' }, finish_reason: 'STOP', usage_metadata: usageMeta(58, 6) },
      [58, 6],
      'ev-hand0701',
    ),
    span({
      traceId,
      spanId: 'f6a8b0c2d4e6f8a0',
      parentSpanId: agent,
      name: 'execute_tool get_weather',
      kind: KIND_INTERNAL,
      start: 785,
      end: 795,
      attributes: {
        'gen_ai.operation.name': s('execute_tool'),
        'gen_ai.tool.description': s('Current weather for a city'),
        'gen_ai.tool.name': s('get_weather'),
        'gen_ai.tool.type': s('FunctionTool'),
        'gcp.vertex.agent.llm_request': s('{}'),
        'gcp.vertex.agent.llm_response': s('{}'),
        'gcp.vertex.agent.tool_call_args': json({ city: 'Paris' }),
        'gen_ai.tool.call.id': s('adk-hand0701'),
        'gcp.vertex.agent.event_id': s('ev-hand0702'),
        'gcp.vertex.agent.tool_response': json(toolResult),
      },
    }),
    callLLM(
      'a7b9c1d3e5f7a9b1',
      800,
      1650,
      [userContent, { parts: [call], role: 'model' }, { parts: [reply], role: 'user' }],
      {
        content: { parts: [{ text: 'It is 18°C and sunny in Paris.' }], role: 'model' },
        finish_reason: 'STOP',
        usage_metadata: usageMeta(87, 12),
      },
      [87, 12],
      'ev-hand0703',
    ),
    span({
      traceId,
      spanId: agent,
      parentSpanId: invocation,
      name: 'invoke_agent weather_agent',
      kind: KIND_INTERNAL,
      start: 5,
      end: 1660,
      attributes: {
        'gen_ai.operation.name': s('invoke_agent'),
        'gen_ai.agent.description': s('Answers weather questions'),
        'gen_ai.agent.name': s('weather_agent'),
        'gen_ai.conversation.id': s(session),
      },
    }),
    span({ traceId, spanId: invocation, name: 'invocation', kind: KIND_INTERNAL, start: 0, end: 1665, attributes: {} }),
  ]);
}

// Spring AI (Java) through the Micrometer tracing bridge: a ChatClient
// observation (`spring_ai chat_client`, gen_ai.operation.name=framework) over
// a ChatModel observation (`chat gpt-4o-mini`). Micrometer key-values are
// strings, so token counts, temperature and finish reasons arrive as strings
// (finish reasons as the text `["STOP"]`). With log-prompt / log-completion on,
// the content is in span events gen_ai.content.prompt / gen_ai.content.completion
// whose attributes gen_ai.prompt / gen_ai.completion are string arrays (texts
// only, no roles).
function springAI() {
  const traceId = '0b3d5f7a9c1e4b6d8f0a2c4e6b8d0f13';
  const client = '1c3e5a7b9d0f2a4c';
  return document('handbuilt-spring-ai', { name: 'org.springframework.boot', version: '3.5.0' }, [
    span({
      traceId,
      spanId: '2d4f6b8c0e1a3b5d',
      parentSpanId: client,
      name: 'chat gpt-4o-mini',
      kind: KIND_CLIENT,
      start: 8,
      end: 690,
      attributes: {
        'gen_ai.operation.name': s('chat'),
        'gen_ai.system': s('openai'),
        'gen_ai.request.model': s('gpt-4o-mini'),
        'gen_ai.response.model': s('gpt-4o-mini-2024-07-18'),
        'gen_ai.request.temperature': s('0.2'),
        'gen_ai.request.max_tokens': s('64'),
        'gen_ai.response.id': s('chatcmpl-hand0801'),
        'gen_ai.response.finish_reasons': s('["STOP"]'),
        'gen_ai.usage.input_tokens': s('24'),
        'gen_ai.usage.output_tokens': s('8'),
        'gen_ai.usage.total_tokens': s('32'),
      },
      events: [
        { at: 689, name: 'gen_ai.content.prompt', attributes: { 'gen_ai.prompt': arr(s(SYSTEM), s(QUESTION)) } },
        { at: 689, name: 'gen_ai.content.completion', attributes: { 'gen_ai.completion': arr(s(ANSWER)) } },
      ],
    }),
    span({
      traceId,
      spanId: client,
      name: 'spring_ai chat_client',
      kind: KIND_INTERNAL,
      start: 0,
      end: 700,
      attributes: {
        'gen_ai.operation.name': s('framework'),
        'gen_ai.system': s('spring_ai'),
        'spring.ai.kind': s('chat_client'),
        'spring.ai.chat.client.stream': s('false'),
        'spring.ai.chat.client.advisors': s('["MessageChatMemoryAdvisor"]'),
        'spring.ai.chat.client.conversation.id': s('session-456'),
      },
    }),
  ]);
}

// Values a translator must survive, all in one trace: ints as strings, empty
// AnyValues, duplicate keys with different values, a span without kind or
// status, finish reasons as a plain string, an unknown scope, and a child
// whose parent is not in the batch.
function oddValues() {
  const traceId = '9f8e7d6c5b4a49382716f5e4d3c2b1a0';
  const root = '0a1b2c3d4e5f6a7b';
  const json = (v) => s(JSON.stringify(v));
  const doc = document('handbuilt-odd-values', { name: 'handbuilt.odd' }, [
    span({
      traceId,
      spanId: root,
      name: 'chat gpt-4o-mini',
      kind: KIND_CLIENT,
      start: 0,
      end: 600,
      attributes: {
        'gen_ai.operation.name': s('chat'),
        'gen_ai.provider.name': s('openai'),
        'gen_ai.request.model': s('gpt-4o-mini'),
        'gen_ai.response.model': s('gpt-4o-mini-2024-07-18'),
        'gen_ai.response.finish_reasons': s('stop'),
        'gen_ai.usage.input_tokens': { intValue: '24' },
        'gen_ai.usage.output_tokens': s('8'),
        'gen_ai.usage.cache_read.input_tokens': {},
        'gen_ai.request.temperature': {},
        'gen_ai.input.messages': json([{ role: 'user', parts: [{ type: 'text', content: QUESTION }] }]),
        'gen_ai.output.messages': json([
          { role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' },
        ]),
        'user.id': s('user-123'),
        'gen_ai.conversation.id': s('session-456'),
      },
    }),
  ]);
  const spans = doc.resourceSpans[0].scopeSpans[0].spans;
  // Duplicate keys, first and second copies differ; pdata keeps both.
  spans[0].attributes.push(
    { key: 'user.id', value: s('user-999') },
    { key: 'gen_ai.usage.input_tokens', value: i(25) },
  );
  // An attribute whose value is missing altogether.
  spans[0].attributes.push({ key: 'gen_ai.response.id' });
  // A span with neither kind nor status, empty kvlist and array values, a
  // string intValue, and a parent that is not in this document.
  spans.push({
    traceId,
    spanId: '1b2c3d4e5f6a7b8c',
    parentSpanId: 'ffeeddccbbaa9988',
    name: 'execute_tool get_weather',
    startTimeUnixNano: at(610),
    endTimeUnixNano: at(650),
    attributes: attrs({
      'gen_ai.operation.name': s('execute_tool'),
      'gen_ai.tool.name': s('get_weather'),
      'gen_ai.tool.call.arguments': { kvlistValue: {} },
      'gen_ai.tool.call.result': { arrayValue: {} },
      retries: { intValue: '0' },
    }),
  });
  // A span with no attributes at all and an empty status object.
  spans.push({ traceId, spanId: '2c3d4e5f6a7b8c9d', parentSpanId: root, name: '', status: {} });
  return doc;
}

const fixtures = {
  'otel-1.27-span-events.json': otel127SpanEvents(),
  'dotnet-span-events.json': dotnetSpanEvents(),
  'otel-1.37-structured.json': otel137Structured(),
  'openrouter-broadcast.json': openrouterBroadcast(),
  'invoke-agent.json': invokeAgent(),
  'pydantic-ai-v2.json': pydanticAI(2),
  'pydantic-ai-v3.json': pydanticAI(3),
  'google-adk.json': googleADK(),
  'spring-ai.json': springAI(),
  'odd-values.json': oddValues(),
};
fs.mkdirSync(outDir, { recursive: true });
for (const [name, doc] of Object.entries(fixtures)) {
  fs.writeFileSync(path.join(outDir, name), JSON.stringify(doc, null, 2) + '\n');
  console.log(`handbuilt/${name}`);
}
