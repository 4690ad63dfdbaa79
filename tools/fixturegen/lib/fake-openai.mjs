// A deterministic stand-in for the OpenAI HTTP API, listening on 127.0.0.1.
//
// It answers just enough of /v1/chat/completions, /v1/responses and
// /v1/embeddings for the instrumentation libraries to record realistic spans.
// The reply depends only on the request:
//   - model "gpt-missing"            -> 404 model_not_found error
//   - tools offered, no tool result  -> one get_weather tool call
//   - a tool result in the history   -> a sentence about the weather
//   - a JSON response format         -> {"city":"Paris","country":"France"}
//   - anything else                  -> "The capital of France is Paris."
import http from 'node:http';

export const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
export const EMBEDDING_MODEL = 'text-embedding-3-small';
export const ERROR_MODEL = 'gpt-missing';
const CREATED = 1764777600; // 2025-12-03T16:00:00Z, fixed so bodies are stable

const ANSWER = 'The capital of France is Paris.';
const WEATHER_ANSWER = 'It is 18°C and sunny in Paris.';
const OBJECT_ANSWER = '{"city":"Paris","country":"France"}';
const TOOL_ARGS = '{"city":"Paris"}';

// Usage numbers are chosen so that cached and reasoning tokens are visible
// and so that every call of a multi-step scenario has distinct counts.
const USAGE = {
  text: { prompt: 24, completion: 8, cached: 16, reasoning: 0 },
  toolCall: { prompt: 62, completion: 15, cached: 0, reasoning: 4 },
  afterTool: { prompt: 91, completion: 13, cached: 48, reasoning: 0 },
  object: { prompt: 70, completion: 11, cached: 32, reasoning: 0 },
};

function chatUsage(u) {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function responsesUsage(u) {
  return {
    input_tokens: u.prompt,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.completion,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.prompt + u.completion,
  };
}

// plan decides what the model "says" for a request, independent of the API shape.
function plan(body, messages) {
  const hasToolResult = messages.some(
    (m) => m.role === 'tool' || m.type === 'function_call_output',
  );
  const tools = body.tools || body.functions || [];
  const format = body.response_format || (body.text && body.text.format);
  if (hasToolResult) {
    return { kind: 'text', text: WEATHER_ANSWER, usage: USAGE.afterTool };
  }
  if (tools.length > 0) {
    const tool = tools[0];
    const name = (tool.function && tool.function.name) || tool.name || 'get_weather';
    return { kind: 'tool', name, args: TOOL_ARGS, usage: USAGE.toolCall };
  }
  if (format && format.type && format.type.startsWith('json')) {
    return { kind: 'text', text: OBJECT_ANSWER, usage: USAGE.object };
  }
  return { kind: 'text', text: ANSWER, usage: USAGE.text };
}

function notFound(res, model) {
  const body = {
    error: {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      param: null,
      code: 'model_not_found',
    },
  };
  res.writeHead(404, { 'content-type': 'application/json', 'x-request-id': 'req_fake_404' });
  res.end(JSON.stringify(body));
}

function sse(res) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-request-id': 'req_fake_stream',
  });
  return (data, event) => {
    if (event) res.write(`event: ${event}\n`);
    res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  };
}

function chatCompletions(body, res, seq) {
  const id = `chatcmpl-fake${String(seq).padStart(4, '0')}`;
  const p = plan(body, body.messages || []);
  const toolCall = {
    id: `call_fake${String(seq).padStart(4, '0')}`,
    type: 'function',
    function: { name: p.name, arguments: p.args },
  };
  const finish = p.kind === 'tool' ? 'tool_calls' : 'stop';
  const base = {
    id,
    created: CREATED,
    model: RESPONSE_MODEL,
    system_fingerprint: 'fp_fake0001',
    service_tier: 'default',
  };

  if (!body.stream) {
    const message =
      p.kind === 'tool'
        ? { role: 'assistant', content: null, tool_calls: [toolCall], refusal: null, annotations: [] }
        : { role: 'assistant', content: p.text, refusal: null, annotations: [] };
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake_chat' });
    res.end(
      JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage: chatUsage(p.usage),
      }),
    );
    return;
  }

  const send = sse(res);
  const chunk = (delta, finishReason) => ({
    ...base,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(body.stream_options && body.stream_options.include_usage ? { usage: null } : {}),
  });
  send(chunk({ role: 'assistant', content: '', refusal: null }, null));
  if (p.kind === 'tool') {
    send(chunk({ tool_calls: [{ index: 0, ...toolCall, function: { name: p.name, arguments: '' } }] }, null));
    send(chunk({ tool_calls: [{ index: 0, function: { arguments: p.args } }] }, null));
  } else {
    for (const piece of p.text.match(/\S+\s*/g)) send(chunk({ content: piece }, null));
  }
  send(chunk({}, finish));
  if (body.stream_options && body.stream_options.include_usage) {
    send({ ...base, object: 'chat.completion.chunk', choices: [], usage: chatUsage(p.usage) });
  }
  send('[DONE]');
  res.end();
}

// responseInputMessages flattens the Responses API input into message-like items.
function responseInputMessages(body) {
  if (typeof body.input === 'string') return [{ role: 'user', content: body.input }];
  return body.input || [];
}

function responses(body, res, seq) {
  const id = `resp_fake${String(seq).padStart(4, '0')}`;
  const msgId = `msg_fake${String(seq).padStart(4, '0')}`;
  const p = plan(body, responseInputMessages(body));
  const item =
    p.kind === 'tool'
      ? {
          type: 'function_call',
          id: `fc_fake${String(seq).padStart(4, '0')}`,
          call_id: `call_fake${String(seq).padStart(4, '0')}`,
          name: p.name,
          arguments: p.args,
          status: 'completed',
        }
      : {
          type: 'message',
          id: msgId,
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: p.text, annotations: [], logprobs: [] }],
        };
  const response = (status, output, usage) => ({
    id,
    object: 'response',
    created_at: CREATED,
    status,
    error: null,
    incomplete_details: null,
    instructions: body.instructions || null,
    max_output_tokens: body.max_output_tokens || null,
    model: RESPONSE_MODEL,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: true,
    temperature: body.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: body.tool_choice || 'auto',
    tools: body.tools || [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  });

  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake_resp' });
    res.end(JSON.stringify(response('completed', [item], responsesUsage(p.usage))));
    return;
  }

  const send = sse(res);
  let n = 0;
  const ev = (type, fields) => send({ type, sequence_number: n++, ...fields }, type);
  ev('response.created', { response: response('in_progress', [], null) });
  ev('response.in_progress', { response: response('in_progress', [], null) });
  if (p.kind === 'tool') {
    ev('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
    ev('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: p.args });
    ev('response.function_call_arguments.done', { item_id: item.id, output_index: 0, arguments: p.args });
    ev('response.output_item.done', { output_index: 0, item });
  } else {
    const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    ev('response.output_item.added', {
      output_index: 0,
      item: { ...item, status: 'in_progress', content: [] },
    });
    ev('response.content_part.added', { item_id: msgId, output_index: 0, content_index: 0, part });
    for (const piece of p.text.match(/\S+\s*/g)) {
      ev('response.output_text.delta', {
        item_id: msgId,
        output_index: 0,
        content_index: 0,
        delta: piece,
        logprobs: [],
      });
    }
    ev('response.output_text.done', {
      item_id: msgId,
      output_index: 0,
      content_index: 0,
      text: p.text,
      logprobs: [],
    });
    ev('response.content_part.done', {
      item_id: msgId,
      output_index: 0,
      content_index: 0,
      part: { ...part, text: p.text },
    });
    ev('response.output_item.done', { output_index: 0, item });
  }
  ev('response.completed', { response: response('completed', [item], responsesUsage(p.usage)) });
  res.end();
}

function embeddings(body, res) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  // Short deterministic vectors keep the fixtures small.
  const data = inputs.map((text, index) => {
    const vector = [0.0123, -0.0456, 0.0789, (String(text).length % 10) / 100];
    // The official SDKs ask for base64 (little-endian float32) by default.
    const embedding =
      body.encoding_format === 'base64'
        ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
        : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = inputs.reduce((sum, t) => sum + String(t).split(/\s+/).length, 0);
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake_embed' });
  res.end(
    JSON.stringify({
      object: 'list',
      data,
      model: EMBEDDING_MODEL,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    }),
  );
}

// startFakeOpenAI listens on a random loopback port and resolves to
// { url, close, requests } where url ends in /v1.
export async function startFakeOpenAI() {
  let seq = 0;
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'invalid JSON', type: 'invalid_request_error' } }));
        return;
      }
      seq += 1;
      requests.push({ method: req.method, path: req.url, body });
      const path = req.url.split('?')[0];
      if (body.model === ERROR_MODEL) return notFound(res, body.model);
      if (req.method === 'POST' && path === '/v1/chat/completions') return chatCompletions(body, res, seq);
      if (req.method === 'POST' && path === '/v1/responses') return responses(body, res, seq);
      if (req.method === 'POST' && path === '/v1/embeddings') return embeddings(body, res);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
