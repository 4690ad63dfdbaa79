// Official OpenTelemetry JS instrumentation for the openai package. Message
// content is captured, and it arrives as log records, not span attributes.
import { createRequire } from 'node:module';

import { metrics, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';

import { runOpenAIScenario } from '../../lib/openai-scenarios.mjs';
import { SESSION_ID, USER_ID, env } from '../../lib/scenario.mjs';

const e = env();
const resource = resourceFromAttributes({ 'service.name': `fixturegen-${e.library}` });
const tracerProvider = new NodeTracerProvider({
  resource,
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${e.otlpBase}/v1/traces` }))],
});
tracerProvider.register();
const loggerProvider = new LoggerProvider({
  resource,
  processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${e.otlpBase}/v1/logs` }) })],
});
logs.setGlobalLoggerProvider(loggerProvider);
// The instrumentation records duration metrics; a provider without readers
// keeps them local (0.21.0 fails on the error path without any provider).
metrics.setGlobalMeterProvider(new MeterProvider({ resource }));
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })] });

// require() after registration so require-in-the-middle can patch openai.
const { OpenAI } = createRequire(import.meta.url)('openai');
const client = new OpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });

// Plain OTel apps carry identity on their own request span.
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
