// Scenarios that call the official openai client directly, shared by the
// instrumentations that patch that client.
import {
  ERROR_MODEL,
  EMBEDDING_MODEL,
  EMBED_TEXT,
  MODEL,
  QUESTION,
  SYSTEM,
  WEATHER_QUESTION,
  WEATHER_TOOL_SCHEMA,
  getWeather,
} from './scenario.mjs';

const messages = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: QUESTION },
];

const tools = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_TOOL_SCHEMA },
  },
];

// runOpenAIScenario performs one scenario; runTool, when given, wraps the
// local tool execution (e.g. in a library's tool span).
export async function runOpenAIScenario(client, scenario, { runTool = (name, fn) => fn() } = {}) {
  switch (scenario) {
    case 'chat':
      return client.chat.completions.create({ model: MODEL, messages, temperature: 0.2, max_tokens: 64 });
    case 'stream': {
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content || '';
      return text;
    }
    case 'tool_loop': {
      const history = [{ role: 'user', content: WEATHER_QUESTION }];
      const first = await client.chat.completions.create({ model: MODEL, messages: history, tools });
      const assistant = first.choices[0].message;
      history.push(assistant);
      for (const call of assistant.tool_calls) {
        const args = JSON.parse(call.function.arguments);
        const result = await runTool(call.function.name, async () => getWeather(args), args);
        history.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
      }
      return client.chat.completions.create({ model: MODEL, messages: history, tools });
    }
    case 'error':
      try {
        await client.chat.completions.create({ model: ERROR_MODEL, messages });
      } catch (err) {
        return `expected error: ${err.status}`;
      }
      throw new Error('the error scenario did not fail');
    case 'embeddings':
      return client.embeddings.create({ model: EMBEDDING_MODEL, input: EMBED_TEXT });
    case 'responses':
      return client.responses.create({ model: MODEL, instructions: SYSTEM, input: QUESTION });
    case 'responses_stream': {
      const stream = await client.responses.create({ model: MODEL, instructions: SYSTEM, input: QUESTION, stream: true });
      let text = '';
      for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
      return text;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}
