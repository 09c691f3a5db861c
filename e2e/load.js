// Load test of `perelom serve` on loopback: N concurrent clients (50 by default), each creating
// a small run, playing it and streaming its server-sent events to the `done` event.
// Bounded in time (LOAD_TIMEOUT_S, 120 s by default). Reports errors, total time and the
// server's peak resident memory (VmHWM). Exits non-zero on any error.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const BIN = process.env.PERELOM_BIN || path.resolve(__dirname, '..', 'target', 'release', 'perelom');
const CLIENTS = Number(process.env.LOAD_CLIENTS || 50);
const TIMEOUT_S = Number(process.env.LOAD_TIMEOUT_S || 120);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

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

function request(srv, method, p, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : JSON.stringify(body);
    const req = http.request({ host: srv.host, port: srv.port, method, path: p, agent,
      headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => (res.statusCode < 300 ? resolve(text ? JSON.parse(text) : null) : reject(new Error(`${method} ${p}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** Streams a run's events until `done`; resolves with the number of step events. */
function stream(srv, id) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: srv.host, port: srv.port, path: `/api/runs/${id}/events` }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`events: ${res.statusCode}`)); return; }
      let buf = '';
      let steps = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev = (block.match(/^event: ?(.*)$/m) || [])[1];
          if (ev === 'step') steps++;
          if (ev === 'done') { req.destroy(); resolve(steps); return; }
        }
      });
      res.on('error', reject);
    });
    req.on('error', (e) => { if (e.code !== 'ECONNRESET') reject(e); });
  });
}

async function client(srv, i) {
  const ussr = i % 2 === 0;
  const steps = ussr ? 104 : 500;
  const body = ussr
    ? { scenario: 'ussr-1928-1929', seed: i, set: { 'population.scale': '0.005', 'run.steps': String(steps) } }
    : { scenario: 'epstein-2002', seed: i, set: { 'run.steps': String(steps) } };
  const { id } = await request(srv, 'POST', '/api/runs', body);
  const events = stream(srv, id);
  await request(srv, 'POST', `/api/runs/${id}/control`, { action: 'play' });
  const got = await events;
  if (got !== steps) throw new Error(`run ${id}: ${got} step events, expected ${steps}`);
  await request(srv, 'DELETE', `/api/runs/${id}`);
  return got;
}

function peakRss(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return (s.match(/VmHWM:\s*(\d+) kB/) || [])[1] + ' kB';
  } catch (_) { return 'unknown'; }
}

async function main() {
  const srv = await startServer();
  const rssBefore = peakRss(srv.child.pid);
  const t0 = Date.now();
  let timer;
  const deadline = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`not done in ${TIMEOUT_S} s`)), TIMEOUT_S * 1000); });
  const results = await Promise.race([Promise.allSettled(Array.from({ length: CLIENTS }, (_, i) => client(srv, i))), deadline])
    .finally(() => clearTimeout(timer));
  const secs = (Date.now() - t0) / 1000;
  const errors = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason && r.reason.message));
  const events = results.filter((r) => r.status === 'fulfilled').reduce((a, r) => a + r.value, 0);
  // The server still answers after the load.
  await request(srv, 'GET', '/api/scenarios');
  const peak = peakRss(srv.child.pid);
  srv.child.kill('SIGTERM');
  console.log(JSON.stringify({ clients: CLIENTS, ok: CLIENTS - errors.length, errors: errors.length, step_events: events,
    total_seconds: secs, server_peak_rss_before: rssBefore, server_peak_rss: peak }, null, 1));
  for (const e of errors.slice(0, 10)) console.error('error:', e);
  process.exit(errors.length ? 1 : 0);
}

main().catch((e) => { console.error('FAILED:', e.message); process.exit(1); });
