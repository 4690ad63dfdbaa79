// Vercel AI SDK v6 spans rewritten by the OpenInference span processor from
// @arizeai/openinference-vercel before export (no span filter: all spans kept).
import { createOpenAI } from '@ai-sdk/openai';
import { OpenInferenceSimpleSpanProcessor } from '@arizeai/openinference-vercel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import * as ai from 'ai';
import { z } from 'zod';

import { SESSION_ID, USER_ID, env } from '../../lib/scenario.mjs';
import { runVercelScenario } from '../../lib/vercel-scenarios.mjs';

const e = env();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': `fixturegen-${e.library}` }),
  spanProcessors: [
    new OpenInferenceSimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${e.otlpBase}/v1/traces` }) }),
  ],
});
provider.register();

const openai = createOpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY });
const telemetry = (functionId) => ({
  experimental_telemetry: { isEnabled: true, functionId, metadata: { userId: USER_ID, sessionId: SESSION_ID } },
});
await runVercelScenario({ ai, openai, z, telemetry }, e.scenario);
await provider.forceFlush();
await provider.shutdown();
