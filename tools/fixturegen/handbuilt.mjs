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

const fixtures = {
  'otel-1.27-span-events.json': otel127SpanEvents(),
  'dotnet-span-events.json': dotnetSpanEvents(),
  'otel-1.37-structured.json': otel137Structured(),
  'openrouter-broadcast.json': openrouterBroadcast(),
  'invoke-agent.json': invokeAgent(),
};
fs.mkdirSync(outDir, { recursive: true });
for (const [name, doc] of Object.entries(fixtures)) {
  fs.writeFileSync(path.join(outDir, name), JSON.stringify(doc, null, 2) + '\n');
  console.log(`handbuilt/${name}`);
}
