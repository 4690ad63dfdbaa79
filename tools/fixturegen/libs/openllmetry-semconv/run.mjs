import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import * as traceloop from '@traceloop/node-server-sdk';
import OpenAI from 'openai';

import { runTraceloop } from '../../lib/traceloop-scenarios.mjs';

await runTraceloop({ traceloop, OpenAI, OTLPTraceExporter });
