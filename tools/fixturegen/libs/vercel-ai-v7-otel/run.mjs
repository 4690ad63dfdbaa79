// Vercel AI SDK v7 with the new @ai-sdk/otel OpenTelemetry integration
// (gen_ai semconv spans: invoke_agent > step > chat / execute_tool).
import { createOpenAI } from '@ai-sdk/openai';
import { OpenTelemetry } from '@ai-sdk/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import * as ai from 'ai';
import { z } from 'zod';

import { SESSION_ID, USER_ID, env } from '../../lib/scenario.mjs';
import { runVercelScenario } from '../../lib/vercel-scenarios.mjs';

const e = env();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': `fixturegen-${e.library}` }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${e.otlpBase}/v1/traces` }))],
});
provider.register();

// v7 dropped telemetry metadata; per-call identity travels as runtimeContext
// and is emitted (as ai.settings.context.*) only when both the integration
// and the call opt in. usage: true adds the non-semconv token details.
ai.registerTelemetry(new OpenTelemetry({ runtimeContext: true, usage: true }));

const openai = createOpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY });
const telemetry = (functionId) => ({
  runtimeContext: { userId: USER_ID, sessionId: SESSION_ID },
  telemetry: { functionId, includeRuntimeContext: { userId: true, sessionId: true } },
});
await runVercelScenario({ ai, openai, z, telemetry }, e.scenario);
await provider.forceFlush();
await provider.shutdown();
