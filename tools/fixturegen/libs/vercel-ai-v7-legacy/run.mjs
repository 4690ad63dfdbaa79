// Vercel AI SDK v7 with @ai-sdk/otel LegacyOpenTelemetry, which keeps the
// v6-style ai.* spans (ai.generateText > ai.generateText.doGenerate > ai.toolCall).
import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry } from '@ai-sdk/otel';
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
// and is emitted (as ai.settings.context.*) for the keys the call whitelists.
ai.registerTelemetry(new LegacyOpenTelemetry());

const openai = createOpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY });
const telemetry = (functionId) => ({
  runtimeContext: { userId: USER_ID, sessionId: SESSION_ID },
  telemetry: { functionId, includeRuntimeContext: { userId: true, sessionId: true } },
});
await runVercelScenario({ ai, openai, z, telemetry }, e.scenario);
await provider.forceFlush();
await provider.shutdown();
