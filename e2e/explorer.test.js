// End-to-end test of `perelom serve` in Debian's headless Chromium, driven by playwright-core.
// Never downloads a browser. Exits non-zero on failure; screenshots go to e2e/screenshots/.
'use strict';

const { chromium } = require('playwright-core');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');

const ROOT = path.resolve(__dirname, '..');
const BIN = process.env.PERELOM_BIN || path.join(ROOT, 'target', 'release', 'perelom');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(__dirname, 'screenshots');
const DOWNLOADS = path.join(__dirname, 'downloads');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts the server on a free loopback port; resolves with its base URL. */
function startServer(extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--bind', '127.0.0.1', '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s: ${out}`)), 20000);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s/]+\/)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
  });
}

async function step(name, f) {
  const t0 = Date.now();
  await f();
  console.log(`ok  ${name} (${Date.now() - t0} ms)`);
}

async function setParam(page, key, value) {
  const input = page.locator(`[data-key="${key}"]`);
  await input.fill(String(value));
}

/** Clicks Run and waits for a new run to finish and its charts to be drawn. */
async function runToEnd(page, timeout = 120000) {
  const before = await page.evaluate(() => (window.app.run ? window.app.run.id : null));
  await page.click('#run');
  await page.waitForFunction((b) => window.app.run && window.app.run.id !== b && window.app.run.status === 'done', before, { timeout });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(DOWNLOADS, { recursive: true });
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN}: run cargo build --release -p perelom`);
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium`);
  const { child, url } = await startServer();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perelom-e2e-'));
  let context;
  const errors = [];
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true,
      viewport: { width: 1400, height: 1000 },
    });
    const page = context.pages()[0] || (await context.newPage());
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
    });
    // The only failing request expected is the refused bad value (422); the browser's own
    // favicon request gets 404.
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (r.status() >= 400 && u.pathname !== '/favicon.ico' && !(r.status() === 422 && u.pathname === '/api/runs')) {
        errors.push(`HTTP ${r.status()} for ${u.pathname}`);
      }
    });

    await step('the page loads with scenarios and grouped parameters', async () => {
      await page.goto(url);
      await page.waitForSelector('#params fieldset legend');
      const options = await page.locator('#scenario option').allTextContents();
      assert.ok(options.some((o) => o.startsWith('ussr-1928-1929')), options.join());
      assert.ok(options.some((o) => o.startsWith('epstein-2002')), options.join());
      const legends = await page.locator('#params legend').allTextContents();
      assert.ok(legends.includes('population') && legends.includes('ogpu'), legends.join());
      const cites = await page.locator('#params .cite').allTextContents();
      assert.ok(cites.some((c) => c.startsWith('source: F')) && cites.includes('assumed'));
    });

    await step('a bad value is refused with the scenario-file message', async () => {
      await setParam(page, 'population.scale', '2');
      await page.click('#run');
      await page.waitForFunction(() => document.getElementById('error').textContent.includes('from 0.0001 to 1'));
    });

    await step('the baseline runs: charts update, the survey appears', async () => {
      await setParam(page, 'population.scale', '0.005');
      await setParam(page, 'run.steps', '40');
      await page.fill('#seed', '7');
      await runToEnd(page);
      const n = await page.evaluate(() => window.app.charts.map((c) => c.plot.data[1].filter((x) => x !== null).length));
      const groups = await page.evaluate(() => window.app.scenario.charts.length);
      assert.equal(n.length, groups);
      assert.ok(n.every((k) => k === 40), `chart points: ${n}`);
      await page.waitForSelector('#survey-box:not([hidden])');
      const survey = await page.locator('#survey').textContent();
      assert.ok(survey.length > 100, survey);
      assert.match(await page.locator('#status').textContent(), /step 40\/40 · 1928-/);
      await page.screenshot({ path: path.join(SHOTS, '1-ussr-baseline.png'), fullPage: true });
    });

    await step('download the CSV', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-data-csv')]);
      const file = path.join(DOWNLOADS, 'baseline.csv');
      await download.saveAs(file);
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
      assert.ok(lines[0].startsWith('step,date,strikes_started'), lines[0]);
      assert.equal(lines.length, 41);
      const pq = await page.evaluate(async () => {
        const r = await fetch(document.getElementById('dl-data-parquet').href);
        const b = new Uint8Array(await r.arrayBuffer());
        return [r.status, String.fromCharCode(...b.slice(0, 4))];
      });
      assert.deepEqual(pq, [200, 'PAR1']);
    });

    await step('the finished run offers its HTML report', async () => {
      await page.waitForSelector('#dl-report');
      const rep = await page.evaluate(async () => {
        const r = await fetch(document.getElementById('dl-report').href);
        const t = await r.text();
        return [r.status, r.headers.get('content-type'), t.includes('<svg'), t.includes('Parameters and their sources')];
      });
      assert.deepEqual(rep, [200, 'text/html; charset=utf-8', true, true]);
    });

    await step('compare: pin the baseline, run a counterfactual beside it', async () => {
      await page.click('#pin');
      await page.waitForFunction(() => window.app.baseline !== null);
      await setParam(page, 'ogpu.informers', '5');
      await runToEnd(page);
      const charts = await page.evaluate(() => window.app.charts.map((c) => ({
        labels: c.plot.series.map((s) => s.label),
        current: c.plot.data[1].filter((x) => x !== null).length,
        base: c.plot.data[1 + c.spec.cols.length].filter((x) => x !== null).length,
      })));
      for (const c of charts) {
        assert.ok(c.labels.some((l) => l.endsWith('(baseline)')), c.labels.join());
        assert.equal(c.current, 40);
        assert.equal(c.base, 40);
      }
      assert.match(await page.locator('#baseline-note').textContent(), /Baseline/);
      await page.screenshot({ path: path.join(SHOTS, '2-ussr-compare.png'), fullPage: true });
    });

    await step('Epstein: the grid is drawn live, pause and step work', async () => {
      await page.selectOption('#scenario', 'epstein-2002');
      await page.waitForSelector('[data-key="grid.width"]');
      await setParam(page, 'run.steps', '60');
      await page.fill('#delay', '30');
      await page.click('#run');
      await page.waitForFunction(() => window.app.run && window.app.run.rows.length >= 5);
      await page.click('#pause');
      await page.waitForFunction(() => window.app.run.status === 'paused');
      const at = await page.evaluate(() => window.app.run.rows.length);
      await page.click('#step');
      await page.waitForFunction((k) => window.app.run.rows.length === k + 1, at);
      await page.click('#run');
      await page.waitForFunction(() => window.app.run.status === 'done', null, { timeout: 120000 });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const drawn = await page.evaluate(() => {
        const cv = document.getElementById('grid');
        const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
        let coloured = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i] !== 255 || px[i + 1] !== 255) coloured++;
        return { step: cv.dataset.step, coloured, hidden: cv.hidden };
      });
      assert.equal(drawn.step, '60');
      assert.ok(!drawn.hidden && drawn.coloured > 1000, JSON.stringify(drawn));
      await page.screenshot({ path: path.join(SHOTS, '3-epstein.png'), fullPage: true });
    });

    assert.deepEqual(errors, [], 'no page errors');
    console.log('all end-to-end checks passed; screenshots in', SHOTS);
  } finally {
    if (context) await context.close().catch(() => {});
    child.kill('SIGTERM');
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error('FAILED:', e && e.stack ? e.stack : e);
    process.exit(1);
  },
);
