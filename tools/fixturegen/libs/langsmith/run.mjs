// LangSmith JS SDK in OTel mode: traceable() and wrapOpenAI runs are turned
// into OpenTelemetry spans by the SDK's translator. initializeOTEL is given a
// tracer provider of our own with the OTLP/HTTP JSON exporter, the way an app
// that ships to its own collector sets it up; the LangSmith exporter (OTLP
// protobuf to the LangSmith host) is not used, LANGSMITH_ENDPOINT points at a
// closed local port, and the client's fetch is replaced, so no run can leave
// the machine.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';

import { runOpenAIScenario } from '../../lib/openai-scenarios.mjs';
import { SESSION_ID, USER_ID, env } from '../../lib/scenario.mjs';

const e = env();
// The SDK reads these when it traces, so setting them before the dynamic
// imports below is enough.
process.env.LANGSMITH_TRACING = 'true';
process.env.LANGSMITH_TRACING_MODE = 'otel';
process.env.LANGSMITH_API_KEY = 'lsv2-fixturegen';
process.env.LANGSMITH_PROJECT = 'fixturegen';
process.env.LANGSMITH_ENDPOINT = 'http://127.0.0.1:9/langsmith-unused';

const { initializeOTEL } = await import('langsmith/experimental/otel/setup');
const { traceable } = await import('langsmith/traceable');
const { wrapOpenAI } = await import('langsmith/wrappers');
const { Client } = await import('langsmith');

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': `fixturegen-${e.library}` }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${e.otlpBase}/v1/traces` }))],
});
provider.register();
initializeOTEL({ globalTracerProvider: provider, skipGlobalContextManagerSetup: true });

// In OTel mode the client hands runs to its OTel translator instead of
// uploading them. It still asks the API for server info once; that request
// is answered here, and any other API request fails the scenario.
const apiCalls = [];
const lsClient = new Client({
  tracingMode: 'otel',
  fetchImplementation: async (url) => {
    if (String(url).endsWith('/info')) return new Response('{}', { headers: { 'content-type': 'application/json' } });
    apiCalls.push(String(url));
    throw new Error(`unexpected LangSmith API call: ${url}`);
  },
});
const client = wrapOpenAI(
  new OpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 }),
  { client: lsClient },
);
const runTool = (name, fn) => traceable(fn, { name, run_type: 'tool', client: lsClient })();

const handle = traceable(
  async () => {
    const result = await runOpenAIScenario(client, e.scenario, { runTool });
    return typeof result === 'string' ? { answer: result } : { done: true };
  },
  {
    name: `handle ${e.scenario}`,
    run_type: 'chain',
    metadata: { user_id: USER_ID, session_id: SESSION_ID, tenant: 'acme' },
    tags: ['fixturegen'],
    client: lsClient,
  },
);
await handle();
// Runs reach the translator through the client's batch queue.
await lsClient.awaitPendingTraceBatches();
await provider.forceFlush();
await provider.shutdown();
if (apiCalls.length > 0) throw new Error(`LangSmith API calls: ${apiCalls.join(', ')}`);
