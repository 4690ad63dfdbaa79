// OpenInference instrumentation for the openai package, with session, user
// and metadata set through @arizeai/openinference-core context helpers.
import { setMetadata, setSession, setUser, traceChain, traceTool } from '@arizeai/openinference-core';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';

import { runOpenAIScenario } from '../../lib/openai-scenarios.mjs';
import { SESSION_ID, USER_ID, env } from '../../lib/scenario.mjs';

const e = env();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': `fixturegen-${e.library}` }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${e.otlpBase}/v1/traces` }))],
});
provider.register();

// ESM imports cannot be patched by require hooks, so patch the module by hand.
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.manuallyInstrument(OpenAI);

const client = new OpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });
const runTool = (name, fn, args) => traceTool((input) => fn(input), { name })(args);
const handle = traceChain(() => runOpenAIScenario(client, e.scenario, { runTool }), { name: `handle ${e.scenario}` });

let ctx = context.active();
ctx = setSession(ctx, { sessionId: SESSION_ID });
ctx = setUser(ctx, { userId: USER_ID });
ctx = setMetadata(ctx, { tenant: 'acme', feature: 'capital-quiz' });
await context.with(ctx, handle);
await provider.forceFlush();
await provider.shutdown();
