// Scenarios for the OpenLLMetry (Traceloop) JS SDK. The caller passes in the
// modules from its own node_modules, so one script serves several SDK versions.
import {
  ERROR_MODEL,
  EMBEDDING_MODEL,
  EMBED_TEXT,
  MODEL,
  QUESTION,
  SESSION_ID,
  SYSTEM,
  USER_ID,
  WEATHER_QUESTION,
  WEATHER_TOOL_SCHEMA,
  env,
  getWeather,
} from './scenario.mjs';

export async function runTraceloop({ traceloop, OpenAI, OTLPTraceExporter }) {
  const e = env();
  traceloop.initialize({
    appName: `fixturegen-${e.library}`,
    exporter: new OTLPTraceExporter({ url: `${e.otlpBase}/v1/traces` }),
    disableBatch: true,
    traceContent: true,
    instrumentModules: { openAI: OpenAI },
    silenceInitializationMessage: true,
    traceloopSyncEnabled: false,
  });
  const client = new OpenAI({ baseURL: e.openaiBaseURL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });
  const messages = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: QUESTION },
  ];

  const scenarios = {
    chat: () => client.chat.completions.create({ model: MODEL, messages, temperature: 0.2 }),
    stream: async () => {
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content || '';
      return text;
    },
    tool_loop: async () => {
      const tools = [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_TOOL_SCHEMA },
        },
      ];
      const history = [{ role: 'user', content: WEATHER_QUESTION }];
      const first = await client.chat.completions.create({ model: MODEL, messages: history, tools });
      const assistant = first.choices[0].message;
      history.push(assistant);
      for (const call of assistant.tool_calls) {
        const args = JSON.parse(call.function.arguments);
        const result = await traceloop.withTool({ name: call.function.name }, async () => getWeather(args));
        history.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
      }
      return client.chat.completions.create({ model: MODEL, messages: history, tools });
    },
    error: async () => {
      try {
        await client.chat.completions.create({ model: ERROR_MODEL, messages });
      } catch (err) {
        return `expected error: ${err.status}`;
      }
      throw new Error('the error scenario did not fail');
    },
    embeddings: () => client.embeddings.create({ model: EMBEDDING_MODEL, input: EMBED_TEXT }),
    responses: () => client.responses.create({ model: MODEL, instructions: SYSTEM, input: QUESTION }),
  };
  const run = scenarios[e.scenario];
  if (!run) throw new Error(`unknown scenario ${e.scenario}`);

  await traceloop.withAssociationProperties({ userId: USER_ID, sessionId: SESSION_ID }, () =>
    traceloop.withWorkflow({ name: `${e.scenario}_workflow` }, run),
  );
  await traceloop.forceFlush();
}
