// Perelom explorer: plain JavaScript, no build step. Talks to the JSON API of `perelom serve`.
'use strict';

const COLOURS = ['#c0392b', '#2471a3', '#229954', '#8e44ad', '#d68910', '#566573'];
// Chart groups, the data dictionary (labels, units), documents, targets and the grid's
// legend all come from the model's descriptor through the API (GET /api/scenarios/NAME,
// the `grid` event): nothing here names a model.

// A column goes on the right-hand axis when its largest value is under a tenth of the
// chart's largest: counts of very different sizes are not drawn flat on one axis.
const SPLIT_RATIO = 10;
// Tick spacings of a count axis: whole numbers.
const COUNT_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4, 1e5, 2e5, 2.5e5, 5e5, 1e6, 2e6, 5e6, 1e7, 1e8];

const app = {
  facts: {}, // the evidence table, by id (GET /api/facts)
  limits: {}, // the server's caps (GET /api/limits)
  scenario: null, // the scenario's JSON description
  dict: {}, // the data dictionary, by column name
  run: null, // {id, es, seed, columns, rows, status, label, done}
  baseline: null, // {label, columns, rows}
  ens: null, // {id, es, runs, status, summary}
  charts: [], // single-run charts: {spec, plot, right: Set of columns on the right axis}
  ensCharts: [], // ensemble charts: {spec, plot, right}
  dirty: true,
  redrawQueued: false,
};
window.app = app;

const $ = (id) => document.getElementById(id);

async function api(method, url, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(url, opts);
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = { error: text }; }
  if (!r.ok) {
    const e = new Error((data && data.error) || `${r.status} ${r.statusText}`);
    e.status = r.status;
    e.retryAfter = Number(r.headers.get('Retry-After')) || 0;
    throw e;
  }
  return data;
}

function showError(msg) { $('error').textContent = msg || ''; }

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

// --- numbers and dates ------------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

// Seconds since 1970 of a YYYY-MM-DD date (UTC midnight), for the time axis.
function dateSeconds(d) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / 1000 : null;
}

function fmtDate(secs) {
  if (secs == null) return '';
  const d = new Date(secs * 1000);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()].slice(0, 3)} ${d.getUTCFullYear()}`;
}

function fmtNum(x) {
  if (x == null || Number.isNaN(x)) return '–';
  const a = Math.abs(x);
  if (a !== 0 && (a < 0.001 || a >= 1e7)) return x.toExponential(2);
  if (Number.isInteger(x)) return x.toLocaleString('en');
  return x.toLocaleString('en', { maximumSignificantDigits: 3 });
}

// --- scenarios and parameters -------------------------------------------------------------

async function loadFacts() {
  const t = await api('GET', '/api/facts');
  for (const f of t.facts) app.facts[f.id] = f;
}

// The citation of a parameter as the panel shows it: kind, text, the facts it names.
function citeLabel(p) {
  if (p.source) return { cls: 'source', text: `source: ${p.source}` };
  if (p.mechanism) return { cls: 'mechanism', text: `mechanism: ${p.mechanism}; value assumed` };
  return { cls: 'assumed', text: 'assumed' };
}

function factLines(p) {
  return (p.facts || []).map((f) => {
    const full = app.facts[f.id] || f;
    return `${full.id} (Gusev 2008, fn ${full.footnotes_text}): ${full.text}`;
  });
}

async function loadScenarios() {
  const list = await api('GET', '/api/scenarios');
  const sel = $('scenario');
  sel.innerHTML = '';
  for (const s of list) sel.appendChild(el('option', { value: s.name, text: `${s.name} (${s.model})` }));
  sel.onchange = () => guarded(() => chooseScenario(sel.value));
  if (list.length) await chooseScenario(list[0].name);
}

async function chooseScenario(name) {
  showError('');
  const s = await api('GET', `/api/scenarios/${encodeURIComponent(name)}`);
  app.scenario = s;
  app.dict = {};
  for (const m of s.metrics || []) app.dict[m.name] = m;
  $('scenario-desc').textContent = s.description;
  // Small models run too fast to watch: slow them down by default.
  $('delay').value = s.population <= 10000 ? 20 : 0;
  $('ens-targets-hint').hidden = !s.targets;
  const form = $('params');
  form.innerHTML = '';
  for (const g of s.groups) {
    const fs = el('fieldset', {}, el('legend', { text: g.name }));
    for (const p of g.params) {
      if (p.key === 'run.seed') continue; // the seed box sets it
      fs.appendChild(paramRow(p, g.name));
    }
    form.appendChild(fs);
  }
  $('seed').value = s.seed || '1';
  const cmp = $('ens-compare');
  cmp.innerHTML = '';
  cmp.append(el('option', { value: '', text: 'no comparison' }), el('option', { value: 'edits', text: 'your changes against the scenario\'s values' }));
  for (const x of s.experiments || []) cmp.appendChild(el('option', { value: x.name, text: x.title }));
  describeCompare();
  $('param-search').value = '';
  filterParams();
  app.dirty = true;
  if (app.baseline && app.baseline.model !== s.model) clearBaseline();
  buildCharts();
  $('grid-box').hidden = true;
  $('grid-legend').innerHTML = '';
  setupMap();
  $('survey-box').hidden = true;
  if (app.ens && app.ens.status === 'running') api('DELETE', `/api/ensembles/${app.ens.id}`).catch(() => {});
  clearEnsemble();
}

function paramRow(p, group) {
  const div = el('div', { class: 'param' });
  const label = el('label', { text: p.key + ' ' });
  const cite = el('span');
  const c = citeLabel(p);
  const facts = factLines(p);
  const citeTitle = [p.source || p.mechanism || '', p.assumed ? `assumed: ${p.assumed}` : '', ...facts].filter(Boolean).join('\n\n');
  cite.className = 'cite ' + c.cls;
  cite.textContent = c.text;
  cite.title = citeTitle;
  label.appendChild(cite);
  let input;
  if (p.choices || p.type === 'a boolean') {
    input = el('select');
    for (const ch of p.choices || ['true', 'false']) input.appendChild(el('option', { value: ch, text: ch }));
  } else {
    input = el('input', { type: 'text', autocomplete: 'off' });
  }
  input.value = p.value;
  input.dataset.key = p.key;
  input.dataset.orig = p.value;
  input.title = p.kind;
  input.oninput = input.onchange = () => {
    const changed = input.value !== input.dataset.orig;
    div.classList.toggle('changed', changed);
    // A new value does not inherit the citation written for the old one (the server
    // decides finally: the same number written differently keeps it).
    cite.className = 'cite ' + (changed ? 'uncited' : c.cls);
    cite.textContent = changed ? `uncited: set here (the citation was for ${input.dataset.orig})` : c.text;
    cite.title = changed ? `A value set here has no source. Baseline ${input.dataset.orig}: ${citeTitle}` : citeTitle;
    app.dirty = true;
  };
  label.htmlFor = input.id = 'p-' + p.key.replace(/[^a-z0-9_]/gi, '-');
  const doc = el('div', { class: 'doc', text: `${p.doc} (${p.kind})` + (p.assumed ? `; assumed: ${p.assumed}` : '') });
  div.append(label, input, doc);
  if (facts.length) {
    const det = el('details', { class: 'facts' }, el('summary', { text: `evidence: ${(p.facts || []).map((f) => f.id).join(', ')}` }));
    for (const line of facts) det.appendChild(el('p', { text: line }));
    div.appendChild(det);
  }
  div.dataset.search = [p.key, p.doc, p.kind, group, p.source || '', p.mechanism || '', p.assumed || ''].join(' ').toLowerCase();
  return div;
}

// Shows the parameters whose key, description, group or citation hold every word typed.
function filterParams() {
  const words = $('param-search').value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  let total = 0;
  for (const fs of document.querySelectorAll('#params fieldset')) {
    let any = false;
    for (const div of fs.querySelectorAll('.param')) {
      total++;
      const ok = words.every((w) => div.dataset.search.includes(w));
      div.hidden = !ok;
      if (ok) { shown++; any = true; }
    }
    fs.hidden = !any;
  }
  $('param-count').textContent = words.length ? `${shown} of ${total} parameters match` : `${total} parameters`;
}

function changes() {
  const set = {};
  for (const e of document.querySelectorAll('#params [data-key]')) {
    if (e.value !== e.dataset.orig) set[e.dataset.key] = e.value;
  }
  return set;
}

function describeChanges(set) {
  const keys = Object.keys(set);
  return keys.length ? keys.map((k) => `${k}=${set[k]}`).join(', ') : 'no changes';
}

// The seed as typed: a string of digits, sent as a string so that no digit is lost.
function seedText() {
  const t = $('seed').value.trim();
  if (t !== '' && !/^\d+$/.test(t)) throw new Error('the seed must be a whole number from 0');
  return t;
}

// --- a run ------------------------------------------------------------------------------------

async function newRun() {
  showError('');
  const set = changes();
  const seed = seedText();
  const body = { scenario: app.scenario.name, set, delay_ms: Math.max(0, Math.min(2000, Number($('delay').value) || 0)) };
  if (seed !== '') body.seed = seed;
  const { id } = await api('POST', '/api/runs', body);
  if (app.run) {
    app.run.es.close();
    api('DELETE', `/api/runs/${app.run.id}`).catch(() => {});
  }
  app.run = { id, es: null, seed: null, columns: [], rows: [], status: 'paused', done: null, label: `run ${id} (seed ${seed || 'default'}; ${describeChanges(set)})` };
  app.dirty = false;
  $('survey-box').hidden = true;
  $('survey').textContent = '';
  $('month-events').hidden = true;
  delete app.mapData.run;
  $('map-source-label').hidden = true;
  if (app.mapData.ensemble) showMapSource(); else { app.map = null; $('map-box').hidden = true; }
  buildCharts();
  setDownloads();
  await subscribe(app.run);
}

function subscribe(run) {
  return new Promise((resolve) => {
    const es = new EventSource(`/api/runs/${run.id}/events`);
    run.es = es;
    es.addEventListener('meta', (e) => {
      const m = JSON.parse(e.data);
      run.columns = m.columns;
      run.steps = m.steps;
      run.seed = m.seed;
      showChanges(m.changes || []);
      resolve();
    });
    es.addEventListener('reset', () => {
      run.rows = []; run.done = null;
      $('survey-box').hidden = true;
      queueRedraw();
    });
    es.addEventListener('step', (e) => {
      run.rows.push(JSON.parse(e.data));
      queueRedraw();
      // The map fills as the run goes, refreshed at most every two seconds.
      if (app.scenario.map && run === app.run && Date.now() - (run.mapAt || 0) > 2000) {
        run.mapAt = Date.now();
        loadMap(run).catch(() => {});
      }
    });
    es.addEventListener('grid', (e) => drawGrid(JSON.parse(e.data)));
    es.addEventListener('status', (e) => {
      const s = JSON.parse(e.data);
      run.status = s.status;
      if (s.error) showError(s.error);
      updateStatus();
      queueRedraw();
    });
    es.addEventListener('done', (e) => {
      const d = JSON.parse(e.data);
      run.done = d;
      const md = (d.documents || []).find((x) => x.file.endsWith('.md'));
      if (md) {
        const meta = (app.scenario.documents || []).find((x) => x.file === md.file);
        $('survey-title').textContent = meta ? meta.title : md.file;
        const box = $('survey');
        box.textContent = '';
        box.appendChild(renderMarkdown(md.text));
        monthLinks(box);
        $('survey-box').hidden = false;
      }
      setDownloads();
      updateStatus();
      queueRedraw();
      loadMap(run);
    });
    es.onerror = () => { resolve(); };
  });
}

// The server's account of what differs from the model's baseline in this run.
function showChanges(list) {
  const box = $('changes');
  box.textContent = '';
  if (!list.length) { box.textContent = 'This run has the baseline\'s values.'; return; }
  box.appendChild(el('strong', { text: 'Changes from the baseline: ' }));
  const ul = el('ul');
  for (const c of list) {
    ul.appendChild(el('li', { text: `${c.key} = ${c.value} (${c.citation}; set in ${c.set_in}); baseline ${c.baseline} (${c.baseline_citation})` }));
  }
  box.appendChild(ul);
}

async function control(action) {
  if (!app.run) return;
  try { await api('POST', `/api/runs/${app.run.id}/control`, { action }); } catch (e) { showError(e.message); }
}

function updateStatus() {
  const r = app.run;
  const busy = r && r.status === 'playing';
  $('pause').disabled = !busy;
  $('reset').disabled = !r;
  $('pin').disabled = !(r && r.status === 'done');
  $('unpin').disabled = !app.baseline;
  if (!r) { $('status').textContent = 'No run yet.'; return; }
  const last = r.rows[r.rows.length - 1];
  const when = last && last.date ? ` · ${last.date}` : '';
  $('status').textContent = `Run ${r.id}: step ${r.rows.length}/${r.steps || '?'}${when} · ${r.status}`;
}

function link(href, text, id, download) {
  const a = el('a', { href, id, text });
  if (download) a.setAttribute('download', ''); else { a.target = '_blank'; a.rel = 'noopener'; }
  return a;
}

function setDownloads() {
  const d = $('downloads');
  d.innerHTML = '';
  if (!app.run) return;
  const base = `/api/runs/${app.run.id}`;
  d.append(link(`${base}/data.csv`, 'Download CSV', 'dl-data-csv', true), link(`${base}/data.parquet`, 'Download Parquet', 'dl-data-parquet', true));
  for (const doc of app.scenario.documents || []) {
    d.append(link(`${base}/documents/${doc.file}`, `Download ${doc.title}`, 'dl-' + doc.file.replace('.', '-'), true));
  }
  // The resolved scenario (seed and changes included): `perelom run FILE` repeats the run.
  d.append(link(`${base}/scenario.toml`, 'Download the scenario file', 'dl-scenario', true));
  // The HTML report of the finished run, built by the report crate, and its result
  // directory as `perelom run` writes it, zipped.
  if (app.run.done) {
    d.append(link(`${base}/report.html`, 'Open the HTML report', 'dl-report', false));
    d.append(link(`${base}/results.zip`, 'Download the result directory (zip)', 'dl-results-zip', true));
  }
}

// --- charts --------------------------------------------------------------------------------

function label(col) { return (app.dict[col] && app.dict[col].label) || col; }
function unit(col) { return (app.dict[col] && app.dict[col].unit) || ''; }

function chartWidth(box) {
  const w = (box || $('charts')).clientWidth || $('view').clientWidth;
  // A figure adds its padding and border (12 px); two sit side by side with a 14 px gap.
  if (w < 700) return Math.max(240, w - 14);
  return Math.floor(Math.max(320, Math.min(560, (w - 40) / 2)));
}

function axisLabel(cols) {
  const units = [...new Set(cols.map(unit).filter(Boolean))];
  return units.join(', ');
}

const dated = () => !!(app.scenario && app.scenario.dated);

// Options shared by single-run and ensemble charts: time axis for dated models, units on
// the value axes, a right-hand axis for small columns.
function baseOpts(spec, right, width) {
  const left = spec.cols.filter((c) => !right.has(c));
  const xAxis = dated() ? {} : { label: 'step' };
  // Months (and the year at January) on long runs, days on short ones.
  if (dated()) xAxis.values = (u, splits, ax, space, incr) => splits.map((s) => (incr < 28 * 86400 ? fmtDay(s) : fmtTick(s)));
  const axes = [xAxis, { scale: 'y', label: axisLabel(left), size: 60 }];
  if (right.size) axes.push({ scale: 'y2', side: 1, label: `${axisLabel([...right])} (right axis)`, grid: { show: false }, size: 60 });
  // Counts start at zero and have whole-number ticks.
  const scales = { x: { time: dated() }, y: {}, y2: {} };
  [[left, 'y', axes[1]], [[...right], 'y2', axes[2]]].forEach(([cols, key, axis]) => {
    if (!cols.length || !cols.every(isCount)) return;
    scales[key].range = (u, min, max) => [0, max > 0 ? max * 1.05 : 1];
    if (axis) axis.incrs = COUNT_STEPS;
  });
  return {
    title: spec.title,
    width,
    height: 240,
    scales,
    axes,
    series: [{ label: dated() ? 'date' : 'step', value: (u, v) => (dated() ? fmtDate(v) : v) }],
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
  };
}

function fmtDay(secs) {
  if (secs == null) return '';
  const d = new Date(secs * 1000);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()].slice(0, 3)}`;
}

function fmtTick(secs) {
  if (secs == null) return '';
  const d = new Date(secs * 1000);
  return d.getUTCMonth() === 0 ? `${MONTHS[0].slice(0, 3)} ${d.getUTCFullYear()}` : MONTHS[d.getUTCMonth()].slice(0, 3);
}

// Which columns go on the right axis, given each column's largest value: counts (flows
// and stocks of the data dictionary) under a tenth of the largest count. Shares and
// indices stay together on their common scale.
const isCount = (col) => app.dict[col] && (app.dict[col].kind === 'flow' || app.dict[col].kind === 'stock');

function rightColumns(cols, maxes) {
  const top = Math.max(0, ...maxes.filter((m, i) => Number.isFinite(m) && isCount(cols[i])));
  const right = new Set();
  if (top <= 0) return right;
  cols.forEach((c, i) => { if (isCount(c) && Number.isFinite(maxes[i]) && maxes[i] > 0 && maxes[i] * SPLIT_RATIO < top) right.add(c); });
  return right;
}

// Moves columns to the right axis as they become small (never back while data streams,
// so that the chart does not flicker); once the data are complete (`settle`), the axes
// are exactly those the final values ask for. Returns whether the chart must be rebuilt.
function assignAxes(c, maxes, settle) {
  const want = rightColumns(c.spec.cols, maxes);
  const same = want.size === c.right.size && [...want].every((col) => c.right.has(col));
  if (same) return false;
  if (settle) {
    c.right = want;
    return true;
  }
  if (![...want].some((col) => !c.right.has(col))) return false;
  for (const col of want) c.right.add(col);
  return true;
}

// A chart's box: the plot, its key, what its lines mean (the data dictionary) and its
// values as a table (the text alternative), both folded.
function chartFigure(box) {
  const fig = el('figure', { class: 'chart' });
  const plotBox = el('div', { class: 'plot' });
  const key = el('ul', { class: 'legend key' });
  const about = el('details', { class: 'about' }, el('summary', { text: 'What the lines are' }));
  const aboutList = el('ul');
  about.appendChild(aboutList);
  const det = el('details', { class: 'table-alt' }, el('summary', { text: 'Table of this chart' }));
  const tableBox = el('div', { class: 'table-wrap' });
  det.appendChild(tableBox);
  const targets = el('div', { class: 'chart-targets table-wrap' });
  targets.hidden = true;
  fig.append(plotBox, key, about, det, targets);
  box.appendChild(fig);
  return { fig, plotBox, key, aboutList, det, tableBox, targets };
}

function fillKey(c, items, cols) {
  c.key.innerHTML = '';
  for (const it of items) {
    const sw = el('span', { class: 'swatch' + (it.dash ? ' dashed' : '') });
    sw.style.borderColor = it.colour;
    if (!it.dash) sw.style.background = it.colour;
    c.key.appendChild(el('li', {}, sw, it.text));
  }
  c.aboutList.innerHTML = '';
  for (const col of cols) {
    const m = app.dict[col];
    c.aboutList.appendChild(el('li', { text: m ? `${m.label}: ${m.doc} (${m.unit}; column ${col})` : col }));
  }
}

function sizeFigure(c, width) {
  c.fig.style.width = `${width + 10}px`;
}

function buildCharts() {
  for (const c of app.charts) c.plot.destroy();
  app.charts = [];
  $('charts').innerHTML = '';
  if (!app.scenario) return;
  for (const g of app.scenario.charts || []) {
    const spec = { title: g.title, cols: g.columns };
    const c = { spec, right: new Set(), ...chartFigure($('charts')) };
    c.det.ontoggle = () => { if (c.det.open) fillRunTable(c); };
    makeRunPlot(c);
    app.charts.push(c);
  }
  queueRedraw();
}

function makeRunPlot(c) {
  const { spec, right } = c;
  const width = chartWidth();
  const opts = baseOpts(spec, right, width);
  const key = [];
  spec.cols.forEach((col, i) => {
    const side = right.has(col) ? ' (right axis)' : '';
    opts.series.push({ label: label(col) + side, scale: right.has(col) ? 'y2' : 'y', stroke: COLOURS[i % COLOURS.length], width: 1.5 });
    key.push({ colour: COLOURS[i % COLOURS.length], text: label(col) + side });
  });
  if (app.baseline) {
    spec.cols.forEach((col, i) => {
      opts.series.push({ label: `${label(col)} (baseline)`, scale: right.has(col) ? 'y2' : 'y', stroke: COLOURS[i % COLOURS.length], width: 1, dash: [6, 4] });
    });
    key.push({ colour: '#555', dash: true, text: 'dashed: the pinned baseline' });
  }
  // The key below the chart names the lines; uPlot's legend would repeat it.
  opts.legend = { show: false };
  fillKey(c, key, spec.cols);
  sizeFigure(c, width);
  if (c.plot) c.plot.destroy();
  c.plotBox.innerHTML = '';
  c.plot = new uPlot(opts, [[], ...opts.series.slice(1).map(() => [])], c.plotBox);
  c.plot.root.setAttribute('role', 'img');
  c.plot.root.setAttribute('aria-label', `${spec.title}: a chart; its values are in the table below it`);
  // A click on a week of a dated run opens that month of the survey.
  c.plot.over.addEventListener('click', () => {
    const i = c.plot.cursor.idx;
    const x = i == null ? null : c.plot.data[0][i];
    if (dated() && x != null) showSurveyMonth(x);
  });
}

function column(rows, columns, name) {
  const i = columns.indexOf(name);
  return rows.map((r) => (i >= 0 ? r.values[i] : null));
}

function queueRedraw() {
  if (app.redrawQueued) return;
  app.redrawQueued = true;
  requestAnimationFrame(() => {
    app.redrawQueued = false;
    redraw();
  });
}

// The x values of the single-run charts: dates (seconds) or step numbers.
function runXs(cur, base, n) {
  return Array.from({ length: n }, (_, i) => {
    const r = cur.rows[i] || (base && base.rows[i]);
    if (!r) return i;
    return dated() ? dateSeconds(r.date) : r.step;
  });
}

function redraw() {
  const cur = app.run || { rows: [], columns: [] };
  const base = app.baseline;
  const n = Math.max(cur.rows.length, base ? base.rows.length : 0);
  const xs = runXs(cur, base, n);
  const pad = (a) => a.concat(Array(n - a.length).fill(null));
  for (const c of app.charts) {
    const cols = c.spec.cols.map((col) => pad(column(cur.rows, cur.columns, col)));
    const bcols = base ? c.spec.cols.map((col) => pad(column(base.rows, base.columns, col))) : [];
    // A column that has become small beside the others moves to the right axis (and
    // stays there for the chart's life, so that the chart does not flicker).
    const maxes = c.spec.cols.map((_, i) => Math.max(0, ...cols[i].filter((v) => v != null).map(Math.abs), ...(bcols[i] || []).filter((v) => v != null).map(Math.abs)));
    const settled = !!(cur.done || cur.status === 'done' || cur.status === 'failed');
    if (assignAxes(c, maxes, settled)) makeRunPlot(c);
    c.plot.setData([xs, ...cols, ...bcols]);
    if (c.det.open) fillRunTable(c);
  }
  updateStatus();
}

// The text alternative of a single-run chart: one row per step.
function fillRunTable(c) {
  const d = c.plot.data;
  const heads = [dated() ? 'Date' : 'Step', ...c.plot.series.slice(1).map((s) => s.label)];
  const rows = d[0].map((x, i) => [dated() ? fmtDate(x) : String(x), ...d.slice(1).map((s) => fmtNum(s[i]))]);
  fillTable(c.tableBox, `${c.spec.title}: the values drawn`, heads, rows);
}

function fillTable(box, caption, heads, rows) {
  const t = el('table', { class: 'data' }, el('caption', { text: caption }));
  const tr = el('tr');
  for (const h of heads) tr.appendChild(el('th', { scope: 'col', text: h }));
  t.appendChild(el('thead', {}, tr));
  const body = el('tbody');
  for (const r of rows) {
    const row = el('tr');
    r.forEach((v, i) => row.appendChild(el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row', text: v } : { text: v })));
    body.appendChild(row);
  }
  t.appendChild(body);
  box.innerHTML = '';
  box.appendChild(t);
}

function drawGrid(g) {
  const cv = $('grid');
  $('grid-box').hidden = false;
  const colours = {};
  for (const l of g.legend || []) colours[l.code] = l.rgb;
  const empty = [255, 255, 255];
  const key = $('grid-legend');
  if (!key.children.length) {
    for (const l of g.legend || []) {
      const sw = el('span', { class: 'swatch' });
      sw.style.background = `rgb(${l.rgb.join(',')})`;
      key.appendChild(el('li', {}, sw, l.label));
    }
  }
  const counts = {};
  for (const ch of g.cells) counts[ch] = (counts[ch] || 0) + 1;
  cv.setAttribute('aria-label', `The grid at step ${g.step}: ` + (g.legend || []).map((l) => `${counts[l.code] || 0} ${l.label}`).join(', '));
  const cs = Math.max(1, Math.floor(400 / Math.max(g.width, g.height)));
  cv.width = g.width * cs;
  cv.height = g.height * cs;
  const ctx = cv.getContext('2d');
  const img = ctx.createImageData(cv.width, cv.height);
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      const col = colours[g.cells[y * g.width + x]] || empty;
      for (let dy = 0; dy < cs; dy++) {
        let o = ((y * cs + dy) * cv.width + x * cs) * 4;
        for (let dx = 0; dx < cs; dx++, o += 4) {
          img.data[o] = col[0]; img.data[o + 1] = col[1]; img.data[o + 2] = col[2]; img.data[o + 3] = 255;
        }
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  cv.dataset.step = g.step;
}

function clearBaseline() {
  app.baseline = null;
  $('baseline-note').textContent = '';
  buildCharts();
}

// The survey's month of a week starting at `secs` (a week counts in the month of its
// Thursday, as the survey counts it): scrolled to and marked.
function showSurveyMonth(secs) {
  const d = new Date((secs + 3 * 86400) * 1000);
  const month = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  const id = `survey-${month}`;
  const head = document.getElementById(id);
  if (!head || $('survey-box').hidden) return false;
  loadMonthEvents(month).catch((e) => showError(e.message));
  for (const h of document.querySelectorAll('#survey .current')) h.classList.remove('current');
  head.classList.add('current');
  head.tabIndex = -1;
  head.scrollIntoView({ block: 'start' });
  head.focus({ preventScroll: true });
  return true;
}

// The factory events of a month (the run's event log, as the model's descriptor names it):
// counts per kind, then the events one a row.
async function loadMonthEvents(month) {
  const run = app.run;
  if (!run || !app.scenario.event_log) return;
  const d = await api('GET', `/api/runs/${run.id}/log/${month}`);
  if (run !== app.run) return;
  const [y, m] = month.split('-');
  const when = `${MONTHS[+m - 1]} ${y}`;
  $('month-events-title').textContent = `${d.title} in ${when}: ${d.total}`;
  const counts = d.kinds.map((k) => `${k.kind}: ${k.events} (${fmtNum(k.people)} people)`);
  $('month-events-counts').textContent = d.total ? `By kind: ${counts.join('; ')}.` : 'No events this month.';
  const shown = d.rows.length < d.total ? ` (the first ${d.rows.length})` : '';
  const heads = d.columns.map((c) => c.label);
  const rows = d.rows.map((r) => r.map((v) => (typeof v === 'number' ? fmtNum(v) : String(v ?? '–'))));
  fillTable($('month-events-table'), `${d.title} in ${when}${shown}`, heads, rows);
  $('month-events-table').querySelectorAll('thead th').forEach((th, i) => { if (d.columns[i].doc) th.title = d.columns[i].doc; });
  $('month-events').hidden = false;
  $('month-events').dataset.month = month;
}

// Links to the survey's months above it, for the keyboard and for a quick look.
function monthLinks(box) {
  const heads = [...box.querySelectorAll('h4[id^="survey-"]')];
  const nav = $('survey-months');
  nav.innerHTML = '';
  if (!heads.length) { nav.hidden = true; return; }
  nav.hidden = false;
  nav.appendChild(document.createTextNode('Months: '));
  for (const h of heads) {
    const a = el('a', { href: `#${h.id}`, text: h.textContent.replace(/ (\d{4})$/, (m, y) => ` ${y.slice(2)}`).replace(/^(\w{3})\w*/, '$1') });
    a.title = h.textContent;
    a.onclick = (e) => {
      e.preventDefault();
      const [, y, m] = h.id.split('-');
      showSurveyMonth(Date.UTC(+y, +m - 1, 1) / 1000);
    };
    nav.appendChild(a);
  }
}

// --- the map of places -------------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
const WINDOW = 4; // weeks the map adds up, ending at the slider's week

function svgEl(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

// The model's places and layers (from its descriptor), drawn empty until a run ends.
function setupMap() {
  app.map = null;
  app.mapData = {};
  app.mapSourceChosen = false;
  $('map-source-label').hidden = true;
  $('map-box').hidden = true;
  const m = app.scenario.map;
  if (!m) return;
  $('map-title').textContent = `Where: ${m.title}`;
  const svg = $('map');
  svg.setAttribute('viewBox', `0 0 ${m.width} ${m.height}`);
  svg.innerHTML = '';
  for (const a of m.areas) {
    const g = svgEl('g', { class: 'area', 'data-area': a.name });
    g.appendChild(svgEl('path', { d: a.path }));
    const t = svgEl('text', { x: a.x, y: a.y - 1.2 });
    t.textContent = a.title;
    const n = svgEl('text', { x: a.x, y: a.y + 2.8, class: 'count' });
    g.append(t, n);
    svg.appendChild(g);
  }
  const sel = $('map-layer');
  sel.innerHTML = '';
  m.layers.forEach((l, i) => sel.appendChild(el('option', { value: String(i), text: l.label })));
}

// The map's data by source: `run` (a single run's counts so far: GET /api/runs/ID/areas)
// and `ensemble` (the mean per run over an ensemble's runs done, from its summary), each
// {x, layers: [[count per step] per area] per layer, runs}.
app.mapData = {};

async function loadMap(run) {
  if (!app.scenario.map || run !== app.run) return;
  const data = await api('GET', `/api/runs/${run.id}/areas`);
  if (run !== app.run || !data.steps_done) return;
  setMapData('run', { x: data.x, layers: data.layers.map((l) => l.counts), runs: 1 });
}

function setMapData(source, data) {
  app.mapData[source] = data;
  const both = !!(app.mapData.run && app.mapData.ensemble);
  $('map-source-label').hidden = !both;
  // The newest source is shown unless the reader chose another.
  if (!app.mapSourceChosen || !app.mapData[$('map-source').value]) $('map-source').value = source;
  if ($('map-source').value !== source) return;
  showMapSource();
}

function showMapSource() {
  const source = $('map-source').value;
  const data = app.mapData[source];
  if (!data) return;
  const slider = $('map-week');
  // The slider follows the newest week unless the reader moved it back.
  const follow = !app.map || app.mapShown !== source || Number(slider.value) >= Number(slider.max);
  app.map = data;
  app.mapShown = source;
  slider.max = String(Math.max(0, data.x.length - 1));
  if (follow || Number(slider.value) > data.x.length - 1) slider.value = slider.max;
  $('map-box').hidden = false;
  drawMap();
}

function mapWindow(counts, w) {
  let s = 0;
  for (let t = Math.max(0, w - WINDOW + 1); t <= w; t++) s += counts[t] || 0;
  return s;
}

function drawMap() {
  const d = app.map;
  const m = app.scenario.map;
  if (!d || !m) return;
  const li = Number($('map-layer').value) || 0;
  const layer = m.layers[li];
  const counts = d.layers[li] || []; // [area][step]
  const ens = d.runs > 1 || $('map-source').value === 'ensemble';
  const w = Number($('map-week').value);
  // The colour scale: the largest four-week count of any place in the run.
  let max = 0;
  for (const a of counts) for (let t = 0; t < a.length; t++) max = Math.max(max, mapWindow(a, t));
  const label = (x) => (dated() ? fmtDate(dateSeconds(x)) : `step ${x}`);
  const from = label(d.x[Math.max(0, w - WINDOW + 1)]);
  $('map-date').textContent = `${from} to ${label(d.x[w])}`;
  const rows = [];
  const parts = [];
  m.areas.forEach((a, i) => {
    const v = mapWindow(counts[i] || [], w);
    const total = (counts[i] || []).reduce((x, y) => x + y, 0);
    const g = $('map').querySelector(`[data-area="${CSS.escape(a.name)}"]`);
    const share = max > 0 ? v / max : 0;
    const shown = ens ? fmtNum(Math.round(v * 10) / 10) : String(v);
    g.querySelector('path').style.fill = v > 0 ? `rgba(192,57,43,${(0.15 + 0.8 * share).toFixed(3)})` : '#f2f2f2';
    g.querySelector('.count').textContent = shown;
    g.classList.toggle('dark', share > 0.55);
    rows.push([a.title, shown, fmtNum(total)]);
    parts.push(`${a.title} ${shown}`);
  });
  const of = ens ? `, mean per run over the ${d.runs} runs of the ensemble so far` : '';
  $('map-summary').textContent = `${layer.label[0].toUpperCase()}${layer.label.slice(1)} in the four weeks from ${from} to ${label(d.x[w])}${of}: ${parts.join(', ')}. The darker a region, the more; the map is schematic.`;
  fillTable($('map-table'), `${layer.label} by region${of}`, ['Region', 'In the four weeks', ens ? 'In the whole run (mean per run)' : 'In the whole run'], rows);
}

// --- the survey: Markdown to HTML -------------------------------------------------------------

// Renders the Markdown the models write (headings, paragraphs, lists, **bold**, *italic*,
// `code`) as elements; every other character is text (set with textContent), never markup.
function renderMarkdown(text) {
  const out = document.createDocumentFragment();
  const blocks = String(text).replace(/\r\n?/g, '\n').split(/\n{2,}/);
  let list = null;
  for (const raw of blocks) {
    const block = raw.replace(/^\n+|\n+$/g, '');
    if (!block.trim()) continue;
    const h = /^(#{1,6})\s+(.*)$/.exec(block);
    if (h && !block.includes('\n')) {
      list = null;
      const level = Math.min(6, h[1].length + 2); // the survey sits under the page's h2
      const head = el(`h${level}`);
      inline(head, h[2]);
      const month = /^([A-Z][a-z]+) (\d{4})$/.exec(h[2].trim());
      if (month && MONTHS.includes(month[1])) head.id = `survey-${month[2]}-${String(MONTHS.indexOf(month[1]) + 1).padStart(2, '0')}`;
      out.appendChild(head);
      continue;
    }
    const lines = block.split('\n');
    if (lines.every((l) => /^\s*[-*]\s+/.test(l) || /^\s{2,}\S/.test(l))) {
      if (!list) { list = el('ul'); out.appendChild(list); }
      let li = null;
      for (const l of lines) {
        const m = /^\s*[-*]\s+(.*)$/.exec(l);
        if (m) { li = el('li'); inline(li, m[1]); list.appendChild(li); } else if (li) { inline(li, ' ' + l.trim()); }
      }
      continue;
    }
    list = null;
    const p = el('p');
    inline(p, lines.join(' '));
    out.appendChild(p);
  }
  return out;
}

function inline(parent, text) {
  const re = /\*\*(.+?)\*\*|`([^`]+)`|\*([^*\s][^*]*?)\*/g;
  let at = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > at) parent.appendChild(document.createTextNode(text.slice(at, m.index)));
    if (m[1] !== undefined) { const b = el('strong'); inline(b, m[1]); parent.appendChild(b); }
    else if (m[2] !== undefined) parent.appendChild(el('code', { text: m[2] }));
    else parent.appendChild(el('em', { text: m[3] }));
    at = re.lastIndex;
  }
  if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
}
window.renderMarkdown = renderMarkdown;

// --- ensembles ------------------------------------------------------------------------------

// What the chosen comparison does, in words.
function describeCompare() {
  const v = $('ens-compare').value;
  const x = ((app.scenario && app.scenario.experiments) || []).find((e) => e.name === v);
  let text = '';
  if (v === 'edits') text = 'The parameters you changed are the experiment; the baseline shares only the run\'s length and the scale. Both run on the same seeds.';
  else if (x) text = `${x.question} Your changes apply to both.`;
  $('ens-compare-note').textContent = text;
  // A branch date for a dated model's comparison: the experiment's own, or the start.
  const dates = app.scenario && app.scenario.dates;
  const box = $('branch-box');
  box.hidden = !(v && dates);
  if (box.hidden) return;
  const input = $('ens-branch');
  input.min = dates.first;
  input.max = dates.last;
  // Weeks begin on the weekday of the run's first day: the picker offers only those days.
  input.step = 7;
  input.value = (x && x.branch_at) || dates.first;
  describeBranch();
}

function describeBranch() {
  const dates = app.scenario.dates;
  const v = $('ens-compare').value;
  const x = (app.scenario.experiments || []).find((e) => e.name === v);
  const b = $('ens-branch').value;
  const own = x && x.branch_at ? ` The experiment's own date is ${fmtDate(dateSeconds(x.branch_at))}.` : '';
  const what = !b || b === dates.first
    ? 'From the start: the two runs of a seed differ from the first week.'
    : `Per seed, the baseline runs once; from the week holding ${fmtDate(dateSeconds(b))} the experiment continues from the baseline's state with its own values, so the two share their past.`;
  $('ens-branch-hint').textContent = `${what}${own} A branch starts on the first day of a week (the weekday of ${fmtDate(dateSeconds(dates.first))}), from ${fmtDate(dateSeconds(dates.first))} to ${fmtDate(dateSeconds(dates.last))}; or click a week on an ensemble chart.`;
  for (const c of app.ensCharts) c.plot.redraw(false);
}

const BAND_ALPHA = [0.13, 0.3];

function rgba(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

function clearEnsemble() {
  if (app.ens && app.ens.es) app.ens.es.close();
  app.ens = null;
  for (const c of app.ensCharts) c.plot.destroy();
  app.ensCharts = [];
  $('ens-charts').innerHTML = '';
  $('ensemble').hidden = true;
  $('targets-box').hidden = true;
  $('regime-box').hidden = true;
  $('paired-box').hidden = true;
  $('ens-status').textContent = '';
  $('ens-downloads').innerHTML = '';
  $('ens-cancel').disabled = true;
  $('ens-run').disabled = false;
  if (app.mapData && app.mapData.ensemble) {
    delete app.mapData.ensemble;
    $('map-source-label').hidden = true;
    $('map-source').value = 'run';
    if (app.mapData.run) showMapSource(); else { app.map = null; $('map-box').hidden = true; }
  }
}

async function runEnsemble() {
  showError('');
  const n = Math.round(Number($('ens-n').value));
  const max = app.limits.max_ensemble_runs || 100;
  if (!(n >= 1 && n <= max)) throw new Error(`the number of seeds must be from 1 to ${max}`);
  const body = { scenario: app.scenario.name, set: changes(), seeds: n };
  if ($('ens-compare').value) body.compare = $('ens-compare').value;
  if (body.compare && !$('branch-box').hidden && $('ens-branch').value) body.branch_at = $('ens-branch').value;
  const seed = seedText();
  if (seed !== '') body.first_seed = seed;
  if (app.ens) {
    const old = app.ens;
    clearEnsemble();
    if (old.status === 'running') api('DELETE', `/api/ensembles/${old.id}`).catch(() => {});
  }
  $('ens-run').disabled = true;
  let created;
  // The server runs a couple of ensembles at once: wait for a place (429, Retry-After).
  for (let tries = 0; ; tries++) {
    try {
      created = await api('POST', '/api/ensembles', body);
      break;
    } catch (e) {
      if (e.status !== 429 || tries >= 30) { $('ens-run').disabled = false; throw e; }
      $('ens-status').textContent = 'The server is running other ensembles; waiting for a place…';
      await new Promise((r) => setTimeout(r, 1000 * Math.max(1, e.retryAfter)));
    }
  }
  const compare = body.compare ? { kind: body.compare, title: $('ens-compare').selectedOptions[0].textContent, branchAt: body.branch_at } : null;
  const ens = { id: created.id, runs: created.runs, status: 'running', runsDone: 0, summary: null, es: null, compare,
    label: `seeds ${seed || app.scenario.seed} to ${BigInt(seed || app.scenario.seed) + BigInt(n - 1)}; ${describeChanges(body.set)}` };
  app.ens = ens;
  $('ensemble').hidden = false;
  $('ens-cancel').disabled = false;
  const branched = compare && compare.branchAt && compare.branchAt !== (app.scenario.dates || {}).first;
  const what = compare
    ? `${compare.title}, against ${app.scenario.name} on the same seeds${branched ? `, branched from the baseline's own runs on ${fmtDate(dateSeconds(compare.branchAt))}` : ', both from the start'}`
    : app.scenario.name;
  $('ens-note').textContent = `${n} runs of ${what} (${ens.label}). Lines are medians; the shaded bands hold the middle 50 % and 90 % of the runs${compare ? '; dashed lines are the baseline\'s medians' : ''}.`;
  const dl = $('ens-downloads');
  dl.innerHTML = '';
  dl.append(link(`/api/ensembles/${ens.id}/scenario.toml`, compare ? 'Download the experiment\'s scenario file' : 'Download the ensemble\'s scenario file', 'dl-ens-scenario', true));
  // A comparison is reproduced by `perelom compare BASELINE EXPERIMENT`: both files.
  if (compare) dl.append(link(`/api/ensembles/${ens.id}/baseline.toml`, 'Download the baseline\'s scenario file', 'dl-ens-baseline', true));
  buildEnsembleCharts();
  showEnsembleStatus();
  const es = new EventSource(`/api/ensembles/${ens.id}/events`);
  ens.es = es;
  es.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    ens.runsDone = p.runs_done;
    ens.status = p.status;
    if (p.error) showError(p.error);
    showEnsembleStatus();
  });
  es.addEventListener('summary', (e) => {
    ens.summary = JSON.parse(e.data);
    drawEnsemble();
  });
  es.addEventListener('end', (e) => {
    ens.status = JSON.parse(e.data).status;
    es.close();
    $('ens-run').disabled = false;
    $('ens-cancel').disabled = true;
    showEnsembleStatus();
    drawEnsemble();
  });
}

function showEnsembleStatus() {
  const e = app.ens;
  if (!e) return;
  const words = { running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled' };
  $('ens-status').textContent = `Ensemble ${e.id}: ${e.runsDone} of ${e.runs} runs done · ${words[e.status] || e.status}`;
}

async function cancelEnsemble() {
  const e = app.ens;
  if (!e) return;
  if (e.es) e.es.close();
  await api('DELETE', `/api/ensembles/${e.id}`).catch(() => {});
  e.status = 'cancelled';
  showEnsembleStatus();
  $('ens-run').disabled = false;
  $('ens-cancel').disabled = true;
}

function buildEnsembleCharts() {
  for (const c of app.ensCharts) c.plot.destroy();
  app.ensCharts = [];
  $('ens-charts').innerHTML = '';
  for (const g of app.scenario.charts || []) {
    const c = { spec: { title: g.title, cols: g.columns }, right: new Set(), ...chartFigure($('ens-charts')) };
    c.det.ontoggle = () => { if (c.det.open) fillEnsembleTable(c); };
    makeEnsemblePlot(c);
    app.ensCharts.push(c);
  }
}

// Five series a column: its 5th, 25th, 50th, 75th and 95th percentiles; the median is
// drawn, the others bound the bands.
function makeEnsemblePlot(c) {
  const { spec, right } = c;
  const width = chartWidth($('ens-charts'));
  const opts = baseOpts(spec, right, width);
  opts.bands = [];
  const key = [];
  spec.cols.forEach((col, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const scale = right.has(col) ? 'y2' : 'y';
    const side = right.has(col) ? ' (right axis)' : '';
    const first = opts.series.length;
    ['5th percentile', '25th percentile', 'median', '75th percentile', '95th percentile'].forEach((q, k) => {
      opts.series.push(k === 2
        ? { label: `${label(col)}${side}: median`, scale, stroke: colour, width: 2 }
        : { label: `${label(col)}: ${q}`, scale, stroke: rgba(colour, 0.35), width: k === 0 || k === 4 ? 0.5 : 1, points: { show: false } });
    });
    opts.bands.push({ series: [first + 4, first], fill: rgba(colour, BAND_ALPHA[0]) });
    opts.bands.push({ series: [first + 3, first + 1], fill: rgba(colour, BAND_ALPHA[1]) });
    key.push({ colour, text: `${label(col)}${side}: median, 50 % and 90 % bands` });
  });
  // A comparison: the baseline's medians, dashed, after the experiment's bands.
  if (app.ens && app.ens.compare) {
    spec.cols.forEach((col, i) => {
      opts.series.push({ label: `${label(col)}: baseline median`, scale: right.has(col) ? 'y2' : 'y', stroke: COLOURS[i % COLOURS.length], width: 1.5, dash: [6, 4] });
    });
    key.push({ colour: '#555', dash: true, text: 'dashed: the baseline\'s medians' });
  }
  opts.legend = { show: false };
  fillKey(c, key, spec.cols);
  sizeFigure(c, width);
  if (c.plot) c.plot.destroy();
  c.plotBox.innerHTML = '';
  opts.hooks = { draw: [drawBranchMark] };
  c.plot = new uPlot(opts, [[], ...opts.series.slice(1).map(() => [])], c.plotBox);
  c.plot.root.setAttribute('role', 'img');
  c.plot.root.setAttribute('aria-label', `${spec.title}: the ensemble's medians and bands; the values are in the table below`);
  // A click on a week picks the branch date of the next comparison.
  c.plot.over.addEventListener('click', () => {
    const i = c.plot.cursor.idx;
    const x = i == null ? null : c.plot.data[0][i];
    if (!dated() || x == null || $('branch-box').hidden) return;
    const d = new Date(x * 1000).toISOString().slice(0, 10);
    $('ens-branch').value = d;
    describeBranch();
  });
  fillChartTargets(c);
}

// A vertical line at the branch date chosen (or the comparison's), on ensemble charts.
function drawBranchMark(u) {
  const b = !$('branch-box').hidden ? $('ens-branch').value : null;
  const secs = dateSeconds(b);
  if (secs == null || !dated() || b === (app.scenario.dates || {}).first) return;
  const x = u.valToPos(secs, 'x', true);
  if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = '#333';
  ctx.setLineDash([3, 3]);
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(x, u.bbox.top);
  ctx.lineTo(x, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.restore();
}

function drawEnsemble() {
  const s = app.ens && app.ens.summary;
  if (!s) return;
  const xs = (s.x || []).map((x) => (dated() ? dateSeconds(x) : x));
  for (const c of app.ensCharts) {
    const qs = c.spec.cols.map((col) => s.series[col] || [[], [], [], [], []]);
    const maxes = qs.map((q) => Math.max(0, ...q[4].filter((v) => v != null).map(Math.abs)));
    if (assignAxes(c, maxes, s.runs_done === s.runs || app.ens.status !== 'running')) makeEnsemblePlot(c);
    const data = [xs];
    for (const q of qs) for (const series of q) data.push(series.length ? series : xs.map(() => null));
    if (app.ens.compare) {
      for (const col of c.spec.cols) {
        const b = s.baseline_series && s.baseline_series[col];
        data.push(b && b[2].length ? b[2] : xs.map(() => null));
      }
    }
    c.plot.setData(data);
    if (c.det.open) fillEnsembleTable(c);
  }
  drawTargets(s);
  for (const c of app.ensCharts) fillChartTargets(c);
  drawRegime(s);
  drawPaired(s);
  if (s.areas && app.scenario.map && s.areas.runs > 0) setMapData('ensemble', { x: s.x || [], layers: s.areas.layers, runs: s.areas.runs });
}

// The targets that read a column of this chart (the descriptor's `metrics` of each), with
// the ensemble's reading, under the chart; the full table stays below the charts.
function fillChartTargets(c) {
  const box = c.targets;
  const s = app.ens && app.ens.summary;
  const all = (app.scenario && app.scenario.targets) || [];
  const mine = all.filter((t) => (t.metrics || []).some((m) => c.spec.cols.includes(m)));
  if (!s || !s.targets || !mine.length) { box.hidden = true; return; }
  const byId = {};
  for (const t of s.targets) byId[t.id] = t;
  const rows = mine.map((t) => byId[t.id]).filter(Boolean);
  const table = el('table', {}, el('caption', { text: `Targets that read this chart's columns (${s.runs_done} runs)` }));
  const head = el('tr');
  for (const h of ['Target', 'Valid range', '90 % interval', 'Result']) head.appendChild(el('th', { scope: 'col', text: h }));
  table.appendChild(el('thead', {}, head));
  const body = el('tbody');
  for (const t of rows) {
    const th = el('th', { scope: 'row' }, el('a', { href: `#target-${t.id}`, text: t.id }));
    th.title = t.text;
    body.appendChild(el('tr', {},
      th,
      el('td', { text: fmtRange(t.lo, t.hi) }),
      el('td', { text: t.p05 == null ? '–' : `${fmtNum(t.p05)} – ${fmtNum(t.p95)}` }),
      el('td', { class: t.result.replace(/\s+/g, '-'), text: t.result })));
  }
  table.appendChild(body);
  box.innerHTML = '';
  box.appendChild(table);
  box.hidden = false;
}

function drawPaired(s) {
  const box = $('paired-box');
  if (!s.paired) { box.hidden = true; return; }
  box.hidden = false;
  const finished = app.ens && app.ens.status !== 'running';
  const clear = s.paired.filter((p) => p.clear).length;
  $('paired-caption').textContent = `Paired differences, experiment − baseline, on ${s.runs_done} common seeds${finished ? '' : ' so far'}: `
    + `${clear} of ${s.paired.length} outcomes change clearly (their 90 % bootstrap interval excludes zero, marked *)`;
  const body = $('paired').tBodies[0];
  body.innerHTML = '';
  for (const p of s.paired) {
    const row = el('tr', { class: p.clear ? 'clear' : '' }, el('th', { scope: 'row', text: p.outcome }));
    if (!p.measurable) {
      const td = el('td', { text: 'not measurable: the runs do not reach its date' });
      td.colSpan = 6;
      row.appendChild(td);
    } else {
      row.append(
        el('td', { text: fmtNum(p.baseline_mean) }),
        el('td', { text: fmtNum(p.experiment_mean) }),
        el('td', { text: (p.diff > 0 ? '+' : '') + fmtNum(p.diff) + (p.clear ? ' *' : '') }),
        el('td', { text: `${fmtNum(p.lo)} to ${fmtNum(p.hi)}` }),
        el('td', { text: fmtNum(p.cohens_d) }),
        el('td', { text: `${Math.round(100 * p.p_up)} %` }));
    }
    body.appendChild(row);
  }
}

// The text alternative of an ensemble chart: median, 50 % and 90 % intervals a step.
function fillEnsembleTable(c) {
  const s = app.ens && app.ens.summary;
  if (!s) return;
  const heads = [dated() ? 'Date' : 'Step'];
  const cmp = !!(app.ens && app.ens.compare);
  for (const col of c.spec.cols) {
    heads.push(`${label(col)}: median`, `${label(col)}: 50 % interval`, `${label(col)}: 90 % interval`);
    if (cmp) heads.push(`${label(col)}: baseline median`);
  }
  const rows = (s.x || []).map((x, t) => {
    const r = [dated() ? fmtDate(dateSeconds(x)) : String(x)];
    for (const col of c.spec.cols) {
      const q = s.series[col];
      r.push(fmtNum(q[2][t]), `${fmtNum(q[1][t])} – ${fmtNum(q[3][t])}`, `${fmtNum(q[0][t])} – ${fmtNum(q[4][t])}`);
      if (cmp) r.push(fmtNum(s.baseline_series && s.baseline_series[col] ? s.baseline_series[col][2][t] : null));
    }
    return r;
  });
  fillTable(c.tableBox, `${c.spec.title}: the ensemble of ${s.runs_done} runs`, heads, rows);
}

function fmtRange(lo, hi) {
  if (lo == null && hi == null) return 'any';
  if (hi == null) return `at least ${fmtNum(lo)}`;
  if (lo == null) return `at most ${fmtNum(hi)}`;
  return `${fmtNum(lo)} to ${fmtNum(hi)}`;
}

function drawTargets(s) {
  const box = $('targets-box');
  if (!s.targets) { box.hidden = true; return; }
  box.hidden = false;
  const finished = app.ens && app.ens.status !== 'running';
  const hits = s.targets.filter((t) => t.result === 'hit').length;
  const measurable = s.targets.filter((t) => t.measurable).length;
  $('targets-caption').textContent = `The record against the model: ${hits} of ${measurable} measurable targets hit by the mean of ${s.runs_done} runs${finished ? '' : ' so far'}`;
  const body = $('targets').tBodies[0];
  body.innerHTML = '';
  for (const t of s.targets) {
    const result = el('td', { class: `result ${t.result.replace(/\s+/g, '-')}`, text: t.result });
    body.appendChild(el('tr', { id: `target-${t.id}` },
      el('th', { scope: 'row', text: t.id }),
      el('td', { text: `${t.text} (${t.facts})` }),
      el('td', { text: fmtRange(t.lo, t.hi) }),
      el('td', { text: fmtNum(t.mean) }),
      el('td', { text: t.p05 == null ? '–' : `${fmtNum(t.p05)} – ${fmtNum(t.p95)}` }),
      el('td', { text: `${t.runs_hit} of ${s.runs_done}` }),
      result));
  }
}

function drawRegime(s) {
  const box = $('regime-box');
  if (!s.regime) { box.hidden = true; return; }
  box.hidden = false;
  const r = s.regime;
  $('regime-caption').textContent = `The regime: ${r.runs_with_event} of ${s.runs_done} runs have ${r.describe}`;
  const body = $('regime').tBodies[0];
  body.innerHTML = '';
  for (const st of r.stats) {
    body.appendChild(el('tr', {},
      el('th', { scope: 'row', text: st.label }),
      el('td', { text: fmtNum(st.mean) }),
      el('td', { text: st.p05 == null ? '–' : `${fmtNum(st.p05)} – ${fmtNum(st.p95)}` }),
      el('td', { text: `${st.valid_runs} of ${s.runs_done}` })));
  }
}

// --- buttons ------------------------------------------------------------------------------

async function guarded(f) {
  try { await f(); } catch (e) { showError(e.message); }
}

$('run').onclick = () => guarded(async () => {
  if (!app.run || app.dirty || app.run.status === 'done' || app.run.status === 'failed') await newRun();
  await control('play');
});
$('pause').onclick = () => control('pause');
$('step').onclick = () => guarded(async () => {
  if (!app.run || app.dirty) await newRun();
  await control('step');
});
$('reset').onclick = () => control('reset');
$('seed').oninput = () => { app.dirty = true; };
$('pin').onclick = () => {
  const r = app.run;
  if (!r || r.status !== 'done') return;
  app.baseline = { label: r.label, columns: r.columns, rows: r.rows.slice(), model: app.scenario.model };
  $('baseline-note').textContent = `Baseline (dashed): ${r.label}. Change parameters and press Run to compare.`;
  app.dirty = true;
  buildCharts();
  updateStatus();
};
$('unpin').onclick = () => { clearBaseline(); updateStatus(); };
$('ens-run').onclick = () => guarded(runEnsemble);
$('ens-cancel').onclick = () => guarded(cancelEnsemble);
$('param-search').oninput = filterParams;
$('ens-compare').onchange = describeCompare;
$('ens-branch').onchange = $('ens-branch').oninput = describeBranch;
$('ens-branch-start').onclick = () => { $('ens-branch').value = app.scenario.dates.first; describeBranch(); };
$('map-source').onchange = () => { app.mapSourceChosen = true; showMapSource(); };
$('map-layer').onchange = drawMap;
$('map-week').oninput = drawMap;
$('param-search').onkeydown = (e) => { if (e.key === 'Escape') { e.target.value = ''; filterParams(); } };

// Charts follow the page's width (a phone turned, a window resized).
let resizeTimer = null;
let lastWidth = window.innerWidth;
window.addEventListener('resize', () => {
  if (window.innerWidth === lastWidth) return;
  lastWidth = window.innerWidth;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const [list, box] of [[app.charts, $('charts')], [app.ensCharts, $('ens-charts')]]) {
      const width = chartWidth(box);
      for (const c of list) { c.plot.setSize({ width, height: 240 }); sizeFigure(c, width); }
    }
  }, 150);
});

api('GET', '/api/limits')
  .then((l) => { app.limits = l; $('ens-n').max = l.max_ensemble_runs; })
  .catch(() => {})
  .then(loadFacts)
  .catch(() => {})
  .then(loadScenarios)
  .catch((e) => showError(`cannot load scenarios: ${e.message}`));
