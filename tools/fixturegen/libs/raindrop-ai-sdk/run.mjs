// Raindrop's own AI SDK integration wrapping Vercel AI SDK v6. It needs no
// OpenTelemetry SDK: it builds its own spans and posts them as OTLP/JSON to
// <endpoint>traces, and posts Raindrop events to <endpoint>events/track_partial.
// The endpoint is the capture server and Workshop mirroring is off, so nothing
// leaves the machine.
import { createOpenAI } from '@ai-sdk/openai';
import { createRaindropAISDK, eventMetadata } from '@raindrop-ai/ai-sdk';
import * as ai from 'ai';
import { z } from 'zod';

import { SESSION_ID, USER_ID, env } from '../../lib/scenario.mjs';
import { runVercelScenario } from '../../lib/vercel-scenarios.mjs';

const e = env();
const raindrop = createRaindropAISDK({
  writeKey: 'rk-fixturegen',
  endpoint: `${e.otlpBase}/v1/`,
  localWorkshopUrl: false,
});
// Conversation and event name for every call through the wrapper; the user
// per call, the way the SDK's README shows it.
const wrapped = raindrop.wrap(ai, { context: { convoId: SESSION_ID, eventName: `fixturegen_${e.scenario}` } });

const openai = createOpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY });
const telemetry = (functionId) => ({
  experimental_telemetry: { isEnabled: true, functionId, metadata: eventMetadata({ userId: USER_ID }) },
});
await runVercelScenario({ ai: wrapped, openai, z, telemetry }, e.scenario);
await raindrop.flush();
await raindrop.shutdown?.();
