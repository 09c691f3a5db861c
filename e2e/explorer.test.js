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

/** Starts an ensemble with the button and waits for it to end. */
async function ensembleToEnd(page, seeds, timeout = 180000) {
  const before = await page.evaluate(() => (window.app.ens ? window.app.ens.id : null));
  await page.fill('#ens-n', String(seeds));
  await page.click('#ens-run');
  await page.waitForFunction((b) => window.app.ens && window.app.ens.id !== b && window.app.ens.status === 'done' && window.app.ens.summary
    && window.app.ens.summary.runs_done === window.app.ens.runs, before, { timeout });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Presses `key` (Tab or Shift+Tab) until the element `id` has the focus. */
async function tabTo(page, id, key, max = 40) {
  for (let i = 0; i < max; i++) {
    if ((await page.evaluate(() => document.activeElement.id)) === id) return;
    await page.keyboard.press(key);
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), id, `${key} never reached #${id}`);
}

/** The page is no wider than its window: nothing overflows sideways. */
async function assertNoHorizontalOverflow(page) {
  const w = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, win: window.innerWidth }));
  assert.ok(w.doc <= w.win && w.body <= w.win, `horizontal overflow: ${JSON.stringify(w)}`);
}

/** The names in a zip, from its central directory (throws if it is not a zip). */
function zipNames(buf) {
  assert.equal(buf.readUInt32LE(0), 0x04034b50, 'a zip starts with a local file header');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, 'the zip has an end of central directory');
  const entries = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let k = 0; k < entries; k++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const n = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + n));
    at += 46 + n + extra + comment;
  }
  return names;
}

/** Reads a download into a string. */
async function downloadText(page, selector, name) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const file = path.join(DOWNLOADS, name);
  await download.saveAs(file);
  return fs.readFileSync(file, 'utf8');
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
      // A refused branch (422 from /api/ensembles) is asked for on purpose too.
      const refused = r.status() === 422 && (u.pathname === '/api/runs' || u.pathname === '/api/ensembles');
      if (r.status() >= 400 && u.pathname !== '/favicon.ico' && !refused) {
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
      assert.match(await page.locator('#param-count').textContent(), /^\d{3} parameters$/);
    });

    await step('the search box filters the parameters by key and description', async () => {
      const visible = () => page.evaluate(() => [...document.querySelectorAll('#params .param')].filter((d) => !d.hidden).map((d) => d.querySelector('[data-key]').dataset.key));
      const all = await visible();
      await page.fill('#param-search', 'informer');
      const found = await visible();
      assert.ok(found.includes('ogpu.informers') && found.length < 10, found.join());
      assert.match(await page.locator('#param-count').textContent(), /^\d+ of \d+ parameters match$/);
      // Words of a description, in any order.
      await page.fill('#param-search', 'seven-hour day');
      const byDoc = await visible();
      assert.ok(byDoc.length >= 1 && byDoc.length < all.length, byDoc.join());
      const hiddenGroups = await page.locator('#params fieldset[hidden]').count();
      assert.ok(hiddenGroups > 0);
      await page.press('#param-search', 'Escape');
      assert.equal((await visible()).length, all.length);
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

    await step('readable charts: dates on the time axis, labels from the data dictionary, small counts on a right axis', async () => {
      const charts = await page.evaluate(() => window.app.charts.map((c) => ({
        time: c.plot.scales.x.time,
        x0: c.plot.data[0][0],
        x1: c.plot.data[0][1],
        labels: c.plot.series.slice(1).map((s) => s.label),
        scales: c.plot.series.slice(1).map((s) => s.scale),
        maxes: c.plot.data.slice(1).map((d) => Math.max(0, ...d.filter((v) => v != null).map(Math.abs))),
        axes: c.plot.axes.map((a) => a.label || ''),
      })));
      const jan2 = Date.UTC(1928, 0, 2) / 1000;
      for (const c of charts) {
        assert.equal(c.time, true);
        assert.equal(c.x0, jan2);
        assert.equal(c.x1 - c.x0, 7 * 86400, 'weekly steps');
        for (const l of c.labels) assert.ok(!l.includes('_') && /^[A-Z]/.test(l), `a column name as a label: ${l}`);
        assert.ok(c.axes[1].length > 0, 'the value axis says its unit');
      }
      assert.ok(charts.some((c) => c.labels.includes('Strikes begun')));
      const split = charts.filter((c) => c.scales.includes('y2'));
      assert.ok(split.length >= 1, 'some chart has counts of very different sizes');
      for (const c of split) {
        const leftMax = Math.max(...c.maxes.filter((_, i) => c.scales[i] === 'y'));
        c.maxes.forEach((m, i) => { if (c.scales[i] === 'y2') assert.ok(m * 10 < leftMax, `${c.labels[i]}: ${m} beside ${leftMax}`); });
        assert.match(c.axes[2], /right axis/);
      }
      const key = await page.locator('#charts .chart .legend.key li').first().textContent();
      assert.ok(key.length > 3 && !key.includes('_'), key);
    });

    await step('the survey is rendered from its Markdown, escaped', async () => {
      const s = await page.evaluate(() => {
        const box = document.getElementById('survey');
        return { h3: box.querySelectorAll('h3').length, months: [...box.querySelectorAll('h4')].map((h) => h.id), strong: box.querySelectorAll('strong').length,
          li: box.querySelectorAll('li').length, text: box.textContent };
      });
      assert.equal(s.h3, 1);
      assert.ok(s.months.length >= 9 && s.months[0] === 'survey-1928-01', s.months.join());
      assert.ok(s.strong > 5 && s.li > 0);
      assert.ok(!s.text.includes('**') && !s.text.includes('## '), 'no raw Markdown');
      const html = await page.evaluate(() => {
        const d = document.createElement('div');
        d.appendChild(window.renderMarkdown('# Title\n\n<img src=x onerror="window.pwned=1"> **bold** & *it* `code`\n\n- one\n\n- two'));
        return d.innerHTML;
      });
      assert.ok(html.includes('&lt;img') && !html.includes('<img'), html);
      assert.ok(html.includes('<strong>bold</strong>') && html.includes('<em>it</em>') && html.includes('<code>code</code>') && html.includes('&amp;'), html);
      assert.ok(html.includes('<h3>Title</h3>') && /<ul><li>one<\/li><li>two<\/li><\/ul>/.test(html), html);
      assert.equal(await page.evaluate(() => window.pwned), undefined);
    });

    await step('the map of the regions with a time slider', async () => {
      await page.waitForSelector('#map-box:not([hidden])');
      // The map fills while the run goes; once it has ended, with every week.
      await page.waitForFunction(() => window.app.map && window.app.map.x.length === 40);
      assert.equal(await page.locator('#map g.area').count(), 6);
      const layers = await page.locator('#map-layer option').allTextContents();
      assert.equal(layers.length, 3);
      // The slow-downs: a count in every window the data have, equal to the API's.
      await page.selectOption('#map-layer', { index: 1 });
      const api = await page.evaluate(async () => (await fetch(`/api/runs/${window.app.run.id}/areas`)).json());
      const windowSum = (w) => api.layers[1].counts.map((a) => a.slice(Math.max(0, w - 3), w + 1).reduce((x, y) => x + y, 0));
      const shown = async () => (await page.locator('#map .count').allTextContents()).map(Number);
      assert.deepEqual(await shown(), windowSum(39));
      assert.match(await page.locator('#map-date').textContent(), /to 1 Oct 1928$/);
      // The keyboard moves the slider: Home goes to the first week.
      await page.focus('#map-week');
      await page.keyboard.press('Home');
      assert.match(await page.locator('#map-date').textContent(), /^2 Jan 1928 to 2 Jan 1928$/);
      assert.deepEqual(await shown(), windowSum(0));
      for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
      assert.deepEqual(await shown(), windowSum(20));
      assert.match(await page.locator('#map-summary').textContent(), /^Shops in a slow-down \(shop-weeks\) in the four weeks from /);
      await page.locator('#map-box .table-alt summary').click();
      await page.waitForSelector('#map-table table');
      assert.equal(await page.locator('#map-table tbody tr').count(), 6);
      await page.locator('#map-box').screenshot({ path: path.join(SHOTS, '1b-ussr-map.png') });
      await page.locator('#map-box .table-alt summary').click();
    });

    await step('a click on a week of a chart opens that month of the survey', async () => {
      // The 20th week (14 May 1928) belongs to May 1928.
      await page.locator('#charts .chart .u-over').first().scrollIntoViewIfNeeded();
      const box = await page.locator('#charts .chart .u-over').first().boundingBox();
      const x = await page.evaluate(() => window.app.charts[0].plot.valToPos(window.app.charts[0].plot.data[0][19], 'x'));
      await page.mouse.click(box.x + x, box.y + 20);
      await page.waitForSelector('#survey-1928-05.current');
      assert.equal(await page.locator('#survey h4.current').count(), 1);
      // ... and that month's factory events, from the run's event log, with counts per kind.
      await page.waitForFunction(() => document.getElementById('month-events').dataset.month === '1928-05');
      const title = await page.locator('#month-events-title').textContent();
      const m = /^Factory events in May 1928: (\d+)$/.exec(title);
      assert.ok(m, title);
      const total = Number(m[1]);
      const log = await page.evaluate(async () => (await fetch(`/api/runs/${window.app.run.id}/log/1928-05`)).json());
      assert.equal(total, log.total);
      assert.ok(total > 0, 'a month of a 40-week run has factory events');
      assert.equal(await page.locator('#month-events-table tbody tr').count(), Math.min(total, 1000));
      const head = await page.locator('#month-events-table thead th').allTextContents();
      assert.deepEqual(head.slice(0, 5), ['date', 'factory', 'region', 'sector', 'event type'], head.join());
      const counts = await page.locator('#month-events-counts').textContent();
      for (const k of log.kinds) assert.ok(counts.includes(`${k.kind}: ${k.events} (`), `${k.kind} in ${counts}`);
      const firstDate = await page.locator('#month-events-table tbody tr th').first().textContent();
      assert.match(firstDate, /^1928-0[45]-\d\d$/);
      await page.locator('#survey-box').screenshot({ path: path.join(SHOTS, '1c-ussr-month-events.png') });
      const months = await page.locator('#survey-months a').count();
      assert.equal(months, await page.locator('#survey h4[id^="survey-"]').count());
      await page.locator('#survey-months a').first().click();
      await page.waitForSelector('#survey-1928-01.current');
      await page.evaluate(() => window.scrollTo(0, 0));
    });

    await step('every chart has its values as a table', async () => {
      const n = await page.locator('#charts .table-alt').count();
      assert.equal(n, await page.evaluate(() => window.app.scenario.charts.length));
      await page.locator('#charts .table-alt summary').first().click();
      await page.waitForSelector('#charts .table-alt table');
      const table = await page.evaluate(() => {
        const t = document.querySelector('#charts .table-alt table');
        return { rows: t.tBodies[0].rows.length, head: [...t.tHead.rows[0].cells].map((c) => c.textContent), first: t.tBodies[0].rows[0].cells[0].textContent };
      });
      assert.equal(table.rows, 40);
      assert.equal(table.head[0], 'Date');
      assert.equal(table.first, '2 Jan 1928');
      assert.ok(table.head.includes('Strikes begun'), table.head.join());
      await page.locator('#charts .table-alt summary').first().click();
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

    await step('download the scenario file that reproduces the run', async () => {
      const toml = await downloadText(page, '#dl-scenario', 'baseline.toml');
      assert.match(toml, /^seed = \{ value = 7\b/m);
      assert.match(toml, /^steps = \{ value = 40\b/m);
      assert.match(toml, /^scale = \{ value = 0\.005\b/m);
      assert.match(toml, /^model = "/m);
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

    await step('download the result directory as a zip: the files perelom run writes', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-results-zip')]);
      const file = path.join(DOWNLOADS, 'baseline.zip');
      await download.saveAs(file);
      const names = zipNames(fs.readFileSync(file));
      const id = await page.evaluate(() => window.app.run.id);
      const want = ['metrics.csv', 'monthly.csv', 'events.csv', 'survey.md', 'dictionary.csv', 'scenario.toml', 'manifest.json'];
      assert.deepEqual([...names].sort(), want.map((n) => `ussr-1928-1929-run${id}/${n}`).sort());
      assert.match(download.suggestedFilename(), /^ussr-1928-1929-run\d+\.zip$/);
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

    await step('an ensemble: medians with 50 % and 90 % bands, and the targets table', async () => {
      // 104 weeks reach every target's date.
      await setParam(page, 'run.steps', '104');
      await ensembleToEnd(page, 8);
      const charts = await page.evaluate(() => window.app.ensCharts.map((c) => {
        const d = c.plot.data;
        const k = c.spec.cols.length;
        let ordered = true;
        for (let j = 0; j < k; j++) {
          for (let t = 0; t < d[0].length; t++) {
            const q = [1, 2, 3, 4, 5].map((i) => d[j * 5 + i][t]);
            if (q.some((v) => v == null) || q.some((v, i) => i > 0 && v < q[i - 1])) ordered = false;
          }
        }
        return { steps: d[0].length, series: d.length - 1, cols: k, bands: (c.plot.bands || []).length, ordered };
      }));
      assert.equal(charts.length, await page.evaluate(() => window.app.scenario.charts.length));
      for (const c of charts) {
        assert.equal(c.steps, 104);
        assert.equal(c.series, 5 * c.cols);
        assert.equal(c.bands, 2 * c.cols);
        assert.ok(c.ordered, 'percentiles in order at every week');
      }
      const rows = await page.locator('#targets tbody tr').count();
      assert.equal(rows, await page.evaluate(() => window.app.scenario.targets.length));
      const results = await page.locator('#targets td.result').allTextContents();
      assert.ok(results.every((r) => ['hit', 'missed', 'not measurable'].includes(r)), results.join());
      assert.ok(results.filter((r) => r === 'not measurable').length === 0, 'a 104-week run measures every target');
      assert.match(await page.locator('#targets caption').textContent(), /\d+ of \d+ measurable targets hit by the mean of 8 runs$/);
      assert.match(await page.locator('#ens-status').textContent(), /8 of 8 runs done · done/);
      assert.ok(await page.locator('#regime-box').isHidden());
      const toml = await downloadText(page, '#dl-ens-scenario', 'ensemble.toml');
      assert.match(toml, /^# An ensemble of 8 runs, seeds 7 to 14/);
      assert.match(toml, /^informers = \{ value = 5\b/m);
      // The table alternative of an ensemble chart: median and intervals a week.
      await page.locator('#ens-charts .table-alt summary').first().click();
      await page.waitForSelector('#ens-charts .table-alt table');
      const head = await page.locator('#ens-charts .table-alt thead th').allTextContents();
      assert.ok(head.some((h) => h.endsWith(': 90 % interval')), head.join());
      assert.equal(await page.locator('#ens-charts .table-alt tbody tr').count(), 104);
      await page.locator('#ens-charts .table-alt summary').first().click();
      await page.locator('#ensemble').screenshot({ path: path.join(SHOTS, '4-ussr-ensemble.png') });
    });

    await step('each target beside the charts of the columns it reads; the full table stays', async () => {
      const placed = await page.evaluate(() => window.app.ensCharts.map((c) => ({
        cols: c.spec.cols,
        ids: [...c.targets.querySelectorAll('tbody th')].map((th) => th.textContent),
        results: [...c.targets.querySelectorAll('tbody td:last-child')].map((td) => td.textContent),
      })));
      const targets = await page.evaluate(() => window.app.scenario.targets);
      for (const c of placed) {
        const want = targets.filter((t) => t.metrics.some((m) => c.cols.includes(m))).map((t) => t.id);
        assert.deepEqual(c.ids, want, c.cols.join());
        assert.ok(c.results.every((r) => ['hit', 'missed', 'not measurable'].includes(r)), c.results.join());
      }
      const strikes = placed.find((c) => c.cols.includes('strikes_started'));
      assert.ok(['T1', 'T11', 'T12'].every((id) => strikes.ids.includes(id)), strikes.ids.join());
      // The full table agrees with the chart's.
      const t1 = await page.locator('#target-T1 td.result').textContent();
      assert.equal(strikes.results[strikes.ids.indexOf('T1')], t1);
      await page.locator('#ens-charts .chart').first().screenshot({ path: path.join(SHOTS, '4c-ussr-chart-targets.png') });
    });

    await step('the map fills for the ensemble: the mean per run of each region', async () => {
      await page.waitForSelector('#map-source-label:not([hidden])');
      assert.equal(await page.inputValue('#map-source'), 'ensemble');
      await page.selectOption('#map-layer', { index: 0 });
      const summary = await page.evaluate(() => window.app.ens.summary);
      assert.equal(summary.areas.runs, 8);
      assert.equal(summary.areas.layers[0].length, 6);
      const w = summary.x.length - 1;
      const mean = summary.areas.layers[0].map((a) => a.slice(w - 3, w + 1).reduce((x, y) => x + y, 0));
      const shown = (await page.locator('#map .count').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
      shown.forEach((v, i) => assert.ok(Math.abs(v - Math.round(mean[i] * 10) / 10) < 0.051, `${v} against ${mean[i]}`));
      assert.match(await page.locator('#map-summary').textContent(), /mean per run over the 8 runs of the ensemble so far/);
      await page.locator('#map-box').screenshot({ path: path.join(SHOTS, '4d-ussr-ensemble-map.png') });
      // Back to the single run, from the keyboard.
      await page.focus('#map-source');
      await page.selectOption('#map-source', 'run');
      assert.doesNotMatch(await page.locator('#map-summary').textContent(), /mean per run/);
      await page.selectOption('#map-source', 'ensemble');
    });

    await step('compare an experiment (X1) with the baseline on common seeds: paired differences', async () => {
      const options = await page.locator('#ens-compare option').allTextContents();
      assert.ok(options.length === 7 && options.some((o) => o.startsWith('X1:')), options.join());
      await page.selectOption('#ens-compare', 'x1-opposition-leads-strikes');
      assert.match(await page.locator('#ens-compare-note').textContent(), /^Question: /);
      // The experiment's own branch date is shown, in an input limited to the run's dates.
      assert.equal(await page.inputValue('#ens-branch'), '1928-10-01');
      assert.deepEqual(await page.evaluate(() => [document.getElementById('ens-branch').min, document.getElementById('ens-branch').max]), ['1928-01-02', '1929-12-29']);
      assert.match(await page.locator('#ens-branch-hint').textContent(), /own date is 1 Oct 1928/);
      await ensembleToEnd(page, 4);
      const c = await page.evaluate(() => {
        const ch = window.app.ensCharts[0];
        const k = ch.spec.cols.length;
        const d = ch.plot.data;
        return { series: d.length - 1, cols: k, expMedian: d[3], baseMedian: d[5 * k + 1], dashed: ch.plot.series.slice(5 * k + 1).every((s) => s.dash) };
      });
      assert.equal(c.series, 6 * c.cols);
      assert.ok(c.dashed);
      // The same seeds: the same history until the branch on 1 October 1928 (week 40).
      assert.deepEqual(c.expMedian.slice(0, 39), c.baseMedian.slice(0, 39));
      assert.match(await page.locator('#ens-note').textContent(), /branched from the baseline's own runs on 1 Oct 1928/);
      const rows = await page.locator('#paired tbody tr').count();
      assert.ok(rows > 10, `${rows} outcomes`);
      assert.match(await page.locator('#paired caption').textContent(), /^Paired differences, experiment − baseline, on 4 common seeds: \d+ of \d+ outcomes change clearly/);
      assert.match(await page.locator('#ens-note').textContent(), /^4 runs of X1: .*, against ussr-1928-1929 on the same seeds/);
      assert.equal(await page.locator('#targets tbody tr').count(), await page.evaluate(() => window.app.scenario.targets.length));
      await page.locator('#ensemble').screenshot({ path: path.join(SHOTS, '4b-ussr-compare-x1.png') });
    });

    await step('branch from a week clicked on the timeline: the past is shared until then', async () => {
      // Week 20 (14 May 1928) of an ensemble chart.
      await page.locator('#ens-charts .chart .u-over').first().scrollIntoViewIfNeeded();
      const box = await page.locator('#ens-charts .chart .u-over').first().boundingBox();
      const x = await page.evaluate(() => window.app.ensCharts[0].plot.valToPos(window.app.ensCharts[0].plot.data[0][19], 'x'));
      await page.mouse.click(box.x + x, box.y + 20);
      assert.equal(await page.inputValue('#ens-branch'), '1928-05-14');
      assert.match(await page.locator('#ens-branch-hint').textContent(), /holding 14 May 1928/);
      await ensembleToEnd(page, 4);
      // Every chart's medians: the experiment's and the baseline's (dashed), column by column.
      const pairs = await page.evaluate(() => window.app.ensCharts.flatMap((ch) => {
        const k = ch.spec.cols.length;
        return ch.spec.cols.map((_, j) => ({ exp: ch.plot.data[5 * j + 3], base: ch.plot.data[5 * k + 1 + j] }));
      }));
      for (const c of pairs) assert.deepEqual(c.exp.slice(0, 19), c.base.slice(0, 19), 'the same past until the branch');
      assert.ok(pairs.some((c) => JSON.stringify(c.exp.slice(19)) !== JSON.stringify(c.base.slice(19))), 'the experiment acts from the branch on');
      assert.match(await page.locator('#ens-note').textContent(), /branched from the baseline's own runs on 14 May 1928/);
      const toml = await downloadText(page, '#dl-ens-scenario', 'x1-branched.toml');
      assert.match(toml, /^branch_at = 1928-05-14$/m);
      // The baseline's file beside it: the pair that `perelom compare` reproduces.
      assert.match(toml, /^# Reproduce with: perelom compare \S+-baseline\.toml /m);
      const base = await downloadText(page, '#dl-ens-baseline', 'x1-baseline.toml');
      assert.match(base, /^# The baseline of ensemble /m);
      assert.doesNotMatch(base, /^branch_at/m);
      await page.locator('#ensemble').screenshot({ path: path.join(SHOTS, '4e-ussr-branch-picked.png') });
      // The keyboard: Tab from the comparison to the date, Enter on "From the start".
      await page.focus('#ens-compare');
      await tabTo(page, 'ens-branch', 'Tab', 6);
      await tabTo(page, 'ens-branch-start', 'Tab', 6);
      await page.keyboard.press('Enter');
      assert.equal(await page.inputValue('#ens-branch'), '1928-01-02');
      assert.match(await page.locator('#ens-branch-hint').textContent(), /^From the start/);
    });

    await step('a branch the state cannot take is refused with its message', async () => {
      await page.selectOption('#ens-compare', 'edits');
      await page.fill('#ens-branch', '1928-05-14');
      await setParam(page, 'protest.threshold_mean', '0.5');
      await page.click('#ens-run');
      await page.waitForFunction(() => document.getElementById('error').textContent.includes('cannot change at a branch'));
      assert.match(await page.locator('#error').textContent(), /protest\.threshold_mean/);
      await setParam(page, 'protest.threshold_mean', await page.getAttribute('[data-key="protest.threshold_mean"]', 'data-orig'));
      await page.selectOption('#ens-compare', '');
    });

    await step('Epstein: the grid is drawn live, pause and step work', async () => {
      await page.selectOption('#scenario', 'epstein-2002');
      await page.waitForSelector('[data-key="grid.width"]');
      await setParam(page, 'run.steps', '60');
      // A seed beyond 2^53 is kept exactly (a JavaScript number would change it).
      await page.fill('#seed', '9007199254740993');
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
      // Undated: step numbers on the x axis; the grid's colour key and a text account.
      const xs = await page.evaluate(() => window.app.charts[0].plot.data[0]);
      assert.equal(xs.length, 60);
      assert.ok(xs.every((x, i) => i === 0 || x === xs[i - 1] + 1), xs.slice(0, 5).join());
      assert.equal(await page.evaluate(() => window.app.charts[0].plot.scales.x.time), false);
      assert.equal(await page.locator('#grid-legend li').count(), 5);
      assert.match(await page.locator('#grid').getAttribute('aria-label'), /^The grid at step 60: \d+ empty, \d+ quiet citizen/);
    });

    await step('seeds beyond 2^53 are kept exactly', async () => {
      const seed = await page.evaluate(() => window.app.run.seed);
      assert.equal(seed, '9007199254740993');
      const run = await page.evaluate(async () => (await fetch(`/api/runs/${window.app.run.id}`)).json());
      assert.equal(run.seed, '9007199254740993');
      const toml = await downloadText(page, '#dl-scenario', 'epstein.toml');
      assert.match(toml, /^seed = \{ value = 9007199254740993\b/m);
    });

    await step('an Epstein ensemble: bands over steps and the regime table', async () => {
      await page.fill('#seed', '1');
      await ensembleToEnd(page, 6);
      assert.ok(await page.locator('#targets-box').isHidden());
      assert.equal(await page.locator('#regime tbody tr').count(), 5);
      assert.match(await page.locator('#regime caption').textContent(), /^The regime: \d+ of 6 runs have an outburst/);
      const x = await page.evaluate(() => window.app.ensCharts[0].plot.data[0].slice(0, 3));
      assert.deepEqual(x, [0, 1, 2]);
      await page.screenshot({ path: path.join(SHOTS, '5-epstein-ensemble.png'), fullPage: true });
    });

    await step('keyboard only: reach and use the main controls with Tab and Enter', async () => {
      await page.goto(url);
      await page.waitForSelector('#params fieldset legend');
      const order = [];
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement.className || document.activeElement.id));
      assert.equal(order[0], 'skip', 'the first Tab offers the skip link');
      // Tab through to the seed box, type a seed, go on to Run and press Enter.
      for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement.id)) !== 'seed'; i++) await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'seed');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('5');
      for (let i = 0; i < 5 && (await page.evaluate(() => document.activeElement.id)) !== 'run'; i++) await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'run');
      // A small run: the scale through the search box and the keyboard.
      await page.focus('#param-search');
      await page.keyboard.type('population.scale');
      for (let i = 0; i < 6 && (await page.evaluate(() => document.activeElement.dataset.key)) !== 'population.scale'; i++) await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.dataset.key), 'population.scale');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('0.002');
      await tabTo(page, 'run', 'Shift+Tab');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => window.app.run && window.app.run.status === 'done' && window.app.run.seed === '5', null, { timeout: 120000 });
      // The ensemble button the same way; Escape empties the search box.
      await tabTo(page, 'ens-n', 'Tab');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('3');
      await tabTo(page, 'ens-run', 'Tab', 3);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => window.app.ens && window.app.ens.status === 'done', null, { timeout: 120000 });
      await page.focus('#param-search');
      await page.keyboard.press('Escape');
      assert.equal(await page.inputValue('#param-search'), '');
      // The table of a chart opens from the keyboard.
      await page.focus('#charts .table-alt summary');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#charts .table-alt table', { state: 'visible' });
    });

    await step('a phone\'s width (390 px): one column, no horizontal overflow', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(url);
      await page.waitForSelector('#params fieldset legend');
      await assertNoHorizontalOverflow(page);
      await setParam(page, 'population.scale', '0.003');
      await setParam(page, 'run.steps', '30');
      await runToEnd(page);
      await ensembleToEnd(page, 4);
      await page.locator('#charts .table-alt summary').first().click();
      await page.locator('#ens-charts .table-alt summary').first().click();
      await page.waitForSelector('#ens-charts .table-alt table');
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await assertNoHorizontalOverflow(page);
      const widths = await page.evaluate(() => [...document.querySelectorAll('.chart')].map((c) => c.getBoundingClientRect().right));
      assert.ok(widths.every((r) => r <= 390), widths.join());
      // The survey's month with its factory events, and the targets under the charts.
      await page.locator('#charts .chart .u-over').first().scrollIntoViewIfNeeded();
      const box = await page.locator('#charts .chart .u-over').first().boundingBox();
      const x = await page.evaluate(() => window.app.charts[0].plot.valToPos(window.app.charts[0].plot.data[0][10], 'x'));
      await page.mouse.click(box.x + x, box.y + 20);
      await page.waitForSelector('#month-events:not([hidden])');
      assert.ok(await page.locator('#ens-charts .chart-targets table').count() > 0);
      await assertNoHorizontalOverflow(page);
      await page.locator('#month-events').screenshot({ path: path.join(SHOTS, '6b-phone-month-events.png') });
      await page.locator('#ens-charts .chart').first().screenshot({ path: path.join(SHOTS, '6c-phone-chart-targets.png') });
      await page.screenshot({ path: path.join(SHOTS, '6-phone-ussr.png'), fullPage: true });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(SHOTS, '6-phone-ussr-top.png') });
      // Controls, then results, then the parameters.
      const tops = await page.evaluate(() => ['run', 'ens-run', 'charts', 'param-search'].map((id) => document.getElementById(id).getBoundingClientRect().top));
      assert.ok(tops[0] < tops[1] && tops[1] < tops[2] && tops[2] < tops[3], tops.join());
      await page.selectOption('#scenario', 'epstein-2002');
      await page.waitForSelector('[data-key="grid.width"]');
      await setParam(page, 'run.steps', '40');
      await runToEnd(page);
      await assertNoHorizontalOverflow(page);
      await page.screenshot({ path: path.join(SHOTS, '7-phone-epstein.png'), fullPage: true });
      await page.setViewportSize({ width: 1400, height: 1000 });
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
