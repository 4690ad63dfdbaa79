// A local OTLP/HTTP receiver that keeps every JSON request body in memory.
//
// Exporters are pointed at http://127.0.0.1:<port>/<library>/<scenario>, so
// the first two path segments say which recording a body belongs to and the
// rest of the path (…/v1/traces or …/v1/logs) says which signal it is. The
// Raindrop SDK's own event posts (…/v1/events/track_partial) are kept apart,
// as are bodies sent to any other path, so they never mix with spans.
import http from 'node:http';
import zlib from 'node:zlib';

export async function startCapture() {
  const bodies = new Map(); // "<library>/<scenario>" -> { traces, logs, events, other }
  const empty = () => ({ traces: [], logs: [], events: [], other: [] });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = zlib.gunzipSync(raw);
      const parts = req.url.split('?')[0].split('/').filter(Boolean);
      const key = parts.slice(0, 2).join('/');
      const signal = parts[parts.length - 1]; // "traces", "logs" or "track_partial"
      const type = String(req.headers['content-type'] || '');
      if (!type.includes('json')) {
        res.writeHead(415, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `expected JSON, got ${type}` }));
        console.error(`capture: ${req.url} sent ${type}, not JSON`);
        return;
      }
      if (!bodies.has(key)) bodies.set(key, empty());
      const entry = bodies.get(key);
      const body = JSON.parse(raw.toString('utf8'));
      if (signal === 'traces') entry.traces.push(body);
      else if (signal === 'logs') entry.logs.push(body);
      else if (signal === 'track_partial') entry.events.push(body);
      else entry.other.push({ path: parts.slice(2).join('/'), body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    base: `http://127.0.0.1:${port}`,
    take(key) {
      const entry = bodies.get(key) || empty();
      bodies.delete(key);
      return entry;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
