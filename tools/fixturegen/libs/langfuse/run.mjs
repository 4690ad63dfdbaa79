// Langfuse JS SDK v5: LangfuseSpanProcessor exporting to the capture server
// (as if it were a Langfuse host), the observeOpenAI wrapper for model calls,
// and propagateAttributes for user, session and metadata.
import { observeOpenAI } from '@langfuse/openai';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { propagateAttributes, startActiveObservation } from '@langfuse/tracing';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';

import { runOpenAIScenario } from '../../lib/openai-scenarios.mjs';
import { SESSION_ID, USER_ID, env } from '../../lib/scenario.mjs';

const e = env();
const processor = new LangfuseSpanProcessor({
  publicKey: 'pk-lf-fixturegen',
  secretKey: 'sk-lf-fixturegen',
  // The processor appends /api/public/otel/v1/traces.
  baseUrl: `${e.otlpBase}/langfuse`,
  environment: 'fixturegen',
  flushAt: 1,
});
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': `fixturegen-${e.library}` }),
  spanProcessors: [processor],
});
provider.register();

const client = observeOpenAI(
  new OpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 }),
);
const runTool = (name, fn, args) =>
  startActiveObservation(
    name,
    async (tool) => {
      tool.update({ input: args });
      const result = await fn();
      tool.update({ output: result });
      return result;
    },
    { asType: 'tool' },
  );

await startActiveObservation(`handle ${e.scenario}`, (span) =>
  propagateAttributes({ userId: USER_ID, sessionId: SESSION_ID, metadata: { tenant: 'acme' } }, async () => {
    const result = await runOpenAIScenario(client, e.scenario, { runTool });
    span.update({ output: typeof result === 'string' ? result : { done: true } });
  }),
);
await provider.forceFlush();
await provider.shutdown();
