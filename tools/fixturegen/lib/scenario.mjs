// Shared inputs for every library's scenarios, so fixtures are comparable.
export const MODEL = 'gpt-4o-mini';
export const ERROR_MODEL = 'gpt-missing';
export const EMBEDDING_MODEL = 'text-embedding-3-small';
export const SYSTEM = 'You are a concise assistant.';
export const QUESTION = 'What is the capital of France?';
export const WEATHER_QUESTION = 'What is the weather in Paris?';
export const OBJECT_QUESTION = 'Name the capital of France as JSON.';
export const EMBED_TEXT = 'Paris is the capital of France.';
export const USER_ID = 'user-123';
export const SESSION_ID = 'session-456';

// weather is the tool every tool_loop scenario offers and runs.
export function getWeather({ city }) {
  return { city, temperatureC: 18, condition: 'sunny' };
}

export const WEATHER_TOOL_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string', description: 'City name' } },
  required: ['city'],
  additionalProperties: false,
};

// env reads what the recorder passes to each scenario process.
export function env() {
  const need = (k) => {
    if (!process.env[k]) throw new Error(`${k} is not set; run through record.mjs`);
    return process.env[k];
  };
  return {
    openaiBaseURL: need('OPENAI_BASE_URL'),
    otlpBase: need('FIXTURE_OTLP_BASE'),
    library: need('FIXTURE_LIBRARY'),
    scenario: need('FIXTURE_SCENARIO'),
  };
}
