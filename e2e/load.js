// Load test of `perelom serve` on loopback: N concurrent clients (50 by default). Each
// creates a small run, plays it and streams its server-sent events to the `done` event,
// then runs an ensemble within the server's caps (waiting for a place when the server
// answers 429) and reads its events to the end. Every fifth client also walks away: it
// leaves the event stream of an unfinished run (and every tenth that of a running
// ensemble) and checks that the server frees it after its grace. Meanwhile a probe asks
// for the scenario list every 200 ms, to show that no request starves.
// Bounded in time (LOAD_TIMEOUT_S, 180 s by default). Reports requests, errors, latency
// (p50, p95, max), the probe's latency, total time and the server's peak resident memory
// (VmHWM). Exits non-zero on any error.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const BIN = process.env.PERELOM_BIN || path.resolve(__dirname, '..', 'target', 'release', 'perelom');
const CLIENTS = Number(process.env.LOAD_CLIENTS || 50);
const TIMEOUT_S = Number(process.env.LOAD_TIMEOUT_S || 180);
const ENSEMBLE_SEEDS = Number(process.env.LOAD_ENSEMBLE_SEEDS || 8);
// The server's grace for a reader that leaves (Config::disconnect_grace) and its janitor's tick.
const GRACE_MS = 5000 + 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const latencies = []; // ms of every short request (not the event streams)
const probe = []; // ms of the probe's requests
let requests = 0;
let waits = 0; // 429 answers to ensembles, waited out as the Retry-After header says

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--port', '0', '--max-runs', String(CLIENTS + 14)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start')), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/([^\s/]+):(\d+)\//);
      if (m) { clearTimeout(timer); resolve({ child, host: m[1], port: Number(m[2]) }); }
    });
    child.on('error', reject);
  });
}

/** One request; resolves with {status, headers, body} whatever the status. */
function raw(srv, method, p, body, into = latencies) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : JSON.stringify(body);
    const t0 = process.hrtime.bigint();
    requests++;
    const req = http.request({ host: srv.host, port: srv.port, method, path: p, agent,
      headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        into.push(Number(process.hrtime.bigint() - t0) / 1e6);
        let parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (_) { parsed = text; }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** A request that must succeed (2xx). */
async function request(srv, method, p, body) {
  const r = await raw(srv, method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Reads an event stream; `onEvent(name, data)` returns true to stop (the client then
 * closes the connection). Resolves with the events seen, by name.
 */
function stream(srv, p, onEvent) {
  return new Promise((resolve, reject) => {
    const seen = {};
    requests++;
    const req = http.get({ host: srv.host, port: srv.port, path: p }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`${p}: ${res.statusCode}`)); return; }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev = (block.match(/^event: ?(.*)$/m) || [])[1];
          if (!ev) continue;
          seen[ev] = (seen[ev] || 0) + 1;
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          if (onEvent(ev, data)) { req.destroy(); resolve(seen); return; }
        }
      });
      res.on('end', () => resolve(seen));
      res.on('error', reject);
    });
    req.on('error', (e) => { if (e.code !== 'ECONNRESET') reject(e); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A run to its end, streamed. */
async function playRun(srv, i) {
  const ussr = i % 2 === 0;
  const steps = ussr ? 104 : 500;
  const body = ussr
    ? { scenario: 'ussr-1928-1929', seed: String(i), set: { 'population.scale': '0.005', 'run.steps': String(steps) } }
    : { scenario: 'epstein-2002', seed: String(i), set: { 'run.steps': String(steps) } };
  const { id } = await request(srv, 'POST', '/api/runs', body);
  const events = stream(srv, `/api/runs/${id}/events`, (ev) => ev === 'done');
  await request(srv, 'POST', `/api/runs/${id}/control`, { action: 'play' });
  const got = (await events).step || 0;
  if (got !== steps) throw new Error(`run ${id}: ${got} step events, expected ${steps}`);
  await request(srv, 'GET', `/api/runs/${id}`);
  if (ussr && i % 4 === 0) {
    // The result directory as a zip, and a month of the event log.
    const z = await raw(srv, 'GET', `/api/runs/${id}/results.zip`);
    if (z.status !== 200 || typeof z.body !== 'string' || !z.body.startsWith('PK')) throw new Error(`run ${id}: results.zip ${z.status}`);
    const log = await request(srv, 'GET', `/api/runs/${id}/log/1928-05`);
    if (log.kinds.reduce((n, k) => n + k.events, 0) !== log.total) throw new Error(`run ${id}: the month's counts do not add up`);
  }
  await request(srv, 'DELETE', `/api/runs/${id}`);
  return got;
}

/** Creates an ensemble, waiting for a place while the server says 429. */
async function createEnsemble(srv, body) {
  for (let tries = 0; tries < 400; tries++) {
    const r = await raw(srv, 'POST', '/api/ensembles', body);
    if (r.status === 202) return r.body;
    if (r.status !== 429) throw new Error(`POST /api/ensembles: ${r.status} ${JSON.stringify(r.body)}`);
    if (r.headers['retry-after'] !== '2') throw new Error(`429 without Retry-After: 2 (${JSON.stringify(r.headers)})`);
    waits++;
    await sleep(250 + Math.random() * 750);
  }
  throw new Error('no place for an ensemble in 400 tries');
}

/** An ensemble to its end, streamed; checks the last summary. */
async function runEnsemble(srv, i) {
  const ussr = i % 2 === 1;
  const body = ussr
    ? { scenario: 'ussr-1928-1929', seeds: ENSEMBLE_SEEDS, first_seed: String(1000 + i), set: { 'population.scale': '0.002', 'run.steps': '26' } }
    : { scenario: 'epstein-2002', seeds: ENSEMBLE_SEEDS, first_seed: String(1000 + i), set: { 'run.steps': '100' } };
  // Every other ussr ensemble compares X1 branched from a date in its 26 weeks.
  const branched = ussr && i % 4 === 3;
  if (branched) Object.assign(body, { compare: 'x1-opposition-leads-strikes', branch_at: '1928-03-05' });
  const { id } = await createEnsemble(srv, body);
  let summary = null;
  let end = null;
  await stream(srv, `/api/ensembles/${id}/events`, (ev, data) => {
    if (ev === 'summary') summary = JSON.parse(data);
    if (ev === 'end') { end = JSON.parse(data); return true; }
    return false;
  });
  if (!end || end.status !== 'done') throw new Error(`ensemble ${id} ended ${JSON.stringify(end)}`);
  if (!summary || summary.runs_done !== ENSEMBLE_SEEDS) throw new Error(`ensemble ${id}: summary of ${summary && summary.runs_done} runs`);
  const first = Object.values(summary.series)[0];
  if (first.length !== 5 || first[2].length !== (ussr ? 26 : 100)) throw new Error(`ensemble ${id}: bands of the wrong shape`);
  if (ussr && !(summary.areas && summary.areas.runs === ENSEMBLE_SEEDS)) throw new Error(`ensemble ${id}: no map of its ${ENSEMBLE_SEEDS} runs`);
  if (branched && !(summary.baseline_series && summary.paired)) throw new Error(`ensemble ${id}: a comparison without its baseline`);
  await request(srv, 'DELETE', `/api/ensembles/${id}`);
  return ENSEMBLE_SEEDS;
}

/** Leaves an unfinished run's event stream; the server must free the run after the grace. */
async function walkAwayFromRun(srv, i) {
  const body = { scenario: 'epstein-2002', seed: String(i), delay_ms: 20, set: { 'run.steps': '2000', 'grid.width': '20', 'grid.height': '20' } };
  const { id } = await request(srv, 'POST', '/api/runs', body);
  let steps = 0;
  const events = stream(srv, `/api/runs/${id}/events`, (ev) => ev === 'step' && ++steps >= 5);
  await request(srv, 'POST', `/api/runs/${id}/control`, { action: 'play' });
  await events;
  await sleep(GRACE_MS + 500);
  const r = await raw(srv, 'GET', `/api/runs/${id}`);
  if (r.status !== 404) throw new Error(`run ${id} left mid-stream is still held (${r.status} ${JSON.stringify(r.body)})`);
}

/** Leaves a running ensemble's event stream; the server must cancel and drop it. */
async function walkAwayFromEnsemble(srv, i) {
  const body = { scenario: 'ussr-1928-1929', seeds: 100, first_seed: String(5000 + i), set: { 'population.scale': '0.01' } };
  const { id } = await createEnsemble(srv, body);
  await stream(srv, `/api/ensembles/${id}/events`, (ev) => ev === 'progress');
  await sleep(GRACE_MS + 500);
  const r = await raw(srv, 'GET', `/api/ensembles/${id}`);
  if (r.status !== 404) throw new Error(`ensemble ${id} left mid-stream is still held (${r.status} ${JSON.stringify(r.body)})`);
}

async function client(srv, i) {
  const out = { steps: 0, ensembleRuns: 0, walkedAway: 0 };
  if (i % 5 === 0) {
    await walkAwayFromRun(srv, i);
    out.walkedAway++;
  }
  out.steps = await playRun(srv, i);
  if (i % 10 === 3) {
    await walkAwayFromEnsemble(srv, i);
    out.walkedAway++;
  }
  out.ensembleRuns = await runEnsemble(srv, i);
  return out;
}

function peakRss(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number((s.match(/VmHWM:\s*(\d+) kB/) || [])[1]);
  } catch (_) { return NaN; }
}

function pct(xs, p) {
  if (!xs.length) return NaN;
  const v = xs.slice().sort((a, b) => a - b);
  return Math.round(v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)] * 10) / 10;
}

async function main() {
  const srv = await startServer();
  const rssBefore = peakRss(srv.child.pid);
  const t0 = Date.now();
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const r = await raw(srv, 'GET', '/api/scenarios', undefined, probe);
      if (r.status !== 200) throw new Error(`probe: ${r.status}`);
      await sleep(200);
    }
  })();
  let timer;
  const deadline = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`not done in ${TIMEOUT_S} s`)), TIMEOUT_S * 1000); });
  const results = await Promise.race([Promise.allSettled(Array.from({ length: CLIENTS }, (_, i) => client(srv, i))), deadline])
    .finally(() => clearTimeout(timer));
  probing = false;
  await prober;
  const secs = (Date.now() - t0) / 1000;
  const errors = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason && r.reason.message));
  const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  // The server still answers after the load, and holds nothing.
  const left = await request(srv, 'GET', '/api/runs');
  const leftEns = await request(srv, 'GET', '/api/ensembles');
  const peak = peakRss(srv.child.pid);
  srv.child.kill('SIGTERM');
  console.log(JSON.stringify({
    clients: CLIENTS, ok: ok.length, errors: errors.length, requests, ensemble_waits_429: waits,
    step_events: ok.reduce((a, r) => a + r.steps, 0), ensemble_runs: ok.reduce((a, r) => a + r.ensembleRuns, 0),
    walked_away_and_freed: ok.reduce((a, r) => a + r.walkedAway, 0),
    latency_ms: { requests: latencies.length, p50: pct(latencies, 0.5), p95: pct(latencies, 0.95), max: pct(latencies, 1) },
    probe_ms: { requests: probe.length, p50: pct(probe, 0.5), p95: pct(probe, 0.95), max: pct(probe, 1) },
    runs_left: left.runs.length, ensembles_left: leftEns.ensembles.length,
    total_seconds: secs, server_peak_rss_before_kb: rssBefore, server_peak_rss_kb: peak,
  }, null, 1));
  for (const e of errors.slice(0, 10)) console.error('error:', e);
  process.exit(errors.length ? 1 : 0);
}

main().catch((e) => { console.error('FAILED:', e.message); process.exit(1); });
