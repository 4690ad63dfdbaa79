// Scenarios for the Vercel AI SDK. The caller passes in its own `ai`,
// provider and zod modules plus a telemetry(functionId) function returning
// the per-call telemetry option for its SDK version, so one script serves v5
// to v7.
import {
  ERROR_MODEL,
  EMBEDDING_MODEL,
  EMBED_TEXT,
  MODEL,
  OBJECT_QUESTION,
  QUESTION,
  SYSTEM,
  WEATHER_QUESTION,
  getWeather,
} from './scenario.mjs';

export async function runVercelScenario({ ai, openai, z, telemetry }, scenario) {
  const { generateText, streamText, embed, tool } = ai;
  const chat = openai.chat(MODEL);
  switch (scenario) {
    case 'chat':
      return generateText({
        model: chat,
        system: SYSTEM,
        prompt: QUESTION,
        temperature: 0.2,
        maxOutputTokens: 64,
        ...telemetry('answer-question'),
      });
    case 'responses':
      // openai(model) goes through the Responses API in @ai-sdk/openai v2+.
      return generateText({ model: openai(MODEL), system: SYSTEM, prompt: QUESTION, ...telemetry('answer-question') });
    case 'stream': {
      const result = streamText({ model: chat, system: SYSTEM, prompt: QUESTION, ...telemetry('answer-question') });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      await result.usage;
      return text;
    }
    case 'tool_loop': {
      const weather = tool({
        description: 'Current weather for a city',
        inputSchema: z.object({ city: z.string().describe('City name') }),
        execute: async (args) => getWeather(args),
      });
      return generateText({
        model: chat,
        prompt: WEATHER_QUESTION,
        tools: { get_weather: weather },
        stopWhen: ai.stepCountIs(3),
        ...telemetry('weather-agent'),
      });
    }
    case 'structured_output': {
      // generateObject, deprecated in v7 but still the common call.
      const schema = z.object({ city: z.string(), country: z.string() });
      return ai.generateObject({ model: chat, schema, prompt: OBJECT_QUESTION, ...telemetry('extract-city') });
    }
    case 'structured_output_text': {
      // The v6+ replacement for generateObject: generateText with an output.
      const schema = z.object({ city: z.string(), country: z.string() });
      return generateText({
        model: chat,
        output: ai.Output.object({ schema }),
        prompt: OBJECT_QUESTION,
        ...telemetry('extract-city'),
      });
    }
    case 'error':
      try {
        await generateText({ model: openai.chat(ERROR_MODEL), prompt: QUESTION, maxRetries: 0, ...telemetry('answer-question') });
      } catch (err) {
        return `expected error: ${err.statusCode}`;
      }
      throw new Error('the error scenario did not fail');
    case 'embeddings':
      return embed({ model: openai.embedding(EMBEDDING_MODEL), value: EMBED_TEXT, ...telemetry('embed-note') });
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}
