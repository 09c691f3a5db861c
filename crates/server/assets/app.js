// Perelom explorer: plain JavaScript, no build step. Talks to the JSON API of `perelom serve`.
'use strict';

const COLOURS = ['#c0392b', '#2471a3', '#229954', '#8e44ad', '#d68910', '#566573'];
// Chart groups, documents and the grid's legend all come from the model's descriptor
// through the API (GET /api/scenarios/NAME, the `grid` event): nothing here names a model.

const app = {
  facts: {}, // the evidence table, by id (GET /api/facts)
  scenario: null, // the scenario's JSON description
  run: null, // {id, es, columns, rows, status, label, done}
  baseline: null, // {label, columns, rows}
  charts: [],
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
  if (!r.ok) throw new Error((data && data.error) || `${r.status} ${r.statusText}`);
  return data;
}

function showError(msg) { $('error').textContent = msg || ''; }

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
  for (const s of list) {
    const o = document.createElement('option');
    o.value = s.name;
    o.textContent = `${s.name} (${s.model})`;
    sel.appendChild(o);
  }
  sel.onchange = () => chooseScenario(sel.value);
  if (list.length) await chooseScenario(list[0].name);
}

async function chooseScenario(name) {
  showError('');
  const s = await api('GET', `/api/scenarios/${encodeURIComponent(name)}`);
  app.scenario = s;
  $('scenario-desc').textContent = s.description;
  // Small models run too fast to watch: slow them down by default.
  $('delay').value = s.population <= 10000 ? 20 : 0;
  const form = $('params');
  form.innerHTML = '';
  for (const g of s.groups) {
    const fs = document.createElement('fieldset');
    const lg = document.createElement('legend');
    lg.textContent = g.name;
    fs.appendChild(lg);
    for (const p of g.params) {
      if (p.key === 'run.seed') continue; // the seed box sets it
      const div = document.createElement('div');
      div.className = 'param';
      const label = document.createElement('label');
      label.textContent = p.key + ' ';
      const cite = document.createElement('span');
      const c = citeLabel(p);
      const facts = factLines(p);
      const citeTitle = [p.source || p.mechanism || '', p.assumed ? `assumed: ${p.assumed}` : '', ...facts].filter(Boolean).join('\n\n');
      cite.className = 'cite ' + c.cls;
      cite.textContent = c.text;
      cite.title = citeTitle;
      label.appendChild(cite);
      let input;
      if (p.choices || p.type === 'a boolean') {
        input = document.createElement('select');
        for (const c of p.choices || ['true', 'false']) {
          const o = document.createElement('option');
          o.value = c; o.textContent = c;
          input.appendChild(o);
        }
      } else {
        input = document.createElement('input');
        input.type = 'text';
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
      const doc = document.createElement('div');
      doc.className = 'doc';
      doc.textContent = `${p.doc} (${p.kind})` + (p.assumed ? `; assumed: ${p.assumed}` : '');
      div.append(label, input, doc);
      if (facts.length) {
        const det = document.createElement('details');
        det.className = 'facts';
        const sum = document.createElement('summary');
        sum.textContent = `evidence: ${(p.facts || []).map((f) => f.id).join(', ')}`;
        det.appendChild(sum);
        for (const line of facts) {
          const para = document.createElement('p');
          para.textContent = line;
          det.appendChild(para);
        }
        div.appendChild(det);
      }
      fs.appendChild(div);
    }
    form.appendChild(fs);
  }
  const seed = s.groups.flatMap((g) => g.params).find((p) => p.key === 'run.seed');
  if (seed) $('seed').value = seed.value;
  app.dirty = true;
  if (app.baseline && app.baseline.model !== s.model) clearBaseline();
  buildCharts();
  $('grid').hidden = true;
  $('grid-legend').hidden = true;
  $('survey-box').hidden = true;
}

function changes() {
  const set = {};
  for (const el of document.querySelectorAll('#params [data-key]')) {
    if (el.value !== el.dataset.orig) set[el.dataset.key] = el.value;
  }
  return set;
}

function describeChanges(set) {
  const keys = Object.keys(set);
  return keys.length ? keys.map((k) => `${k}=${set[k]}`).join(', ') : 'no changes';
}

async function newRun() {
  showError('');
  const set = changes();
  const seedText = $('seed').value.trim();
  const body = { scenario: app.scenario.name, set, delay_ms: Math.max(0, Math.min(2000, Number($('delay').value) || 0)) };
  if (seedText !== '') {
    if (!/^\d+$/.test(seedText)) throw new Error('the seed must be a whole number from 0');
    body.seed = Number(seedText);
  }
  const { id } = await api('POST', '/api/runs', body);
  if (app.run) {
    app.run.es.close();
    api('DELETE', `/api/runs/${app.run.id}`).catch(() => {});
  }
  app.run = { id, es: null, columns: [], rows: [], status: 'paused', done: null, label: `run ${id} (seed ${seedText || 'default'}; ${describeChanges(set)})` };
  app.dirty = false;
  $('survey-box').hidden = true;
  $('survey').textContent = '';
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
      showChanges(m.changes || []);
      resolve();
    });
    es.addEventListener('reset', () => {
      run.rows = []; run.done = null;
      $('survey-box').hidden = true;
      queueRedraw();
    });
    es.addEventListener('step', (e) => {
      const row = JSON.parse(e.data);
      run.rows.push(row);
      queueRedraw();
    });
    es.addEventListener('grid', (e) => drawGrid(JSON.parse(e.data)));
    es.addEventListener('status', (e) => {
      const s = JSON.parse(e.data);
      run.status = s.status;
      if (s.error) showError(s.error);
      updateStatus();
    });
    es.addEventListener('done', (e) => {
      const d = JSON.parse(e.data);
      run.done = d;
      const md = (d.documents || []).find((x) => x.file.endsWith('.md'));
      if (md) {
        const meta = (app.scenario.documents || []).find((x) => x.file === md.file);
        $('survey-title').textContent = meta ? meta.title : md.file;
        $('survey').textContent = md.text;
        $('survey-box').hidden = false;
      }
      setDownloads();
      updateStatus();
    });
    es.onerror = () => { resolve(); };
  });
}

// The server's account of what differs from the model's baseline in this run.
function showChanges(changes) {
  const box = $('changes');
  box.textContent = '';
  if (!changes.length) { box.textContent = 'This run has the baseline\'s values.'; return; }
  const h = document.createElement('strong');
  h.textContent = 'Changes from the baseline: ';
  box.appendChild(h);
  const ul = document.createElement('ul');
  for (const c of changes) {
    const li = document.createElement('li');
    li.textContent = `${c.key} = ${c.value} (${c.citation}; set in ${c.set_in}); baseline ${c.baseline} (${c.baseline_citation})`;
    ul.appendChild(li);
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

function setDownloads() {
  const d = $('downloads');
  d.innerHTML = '';
  if (!app.run) return;
  const links = [['data.csv', 'CSV'], ['data.parquet', 'Parquet']];
  for (const doc of app.scenario.documents || []) links.push([`documents/${doc.file}`, doc.title]);
  for (const [file, label] of links) {
    const a = document.createElement('a');
    a.href = `/api/runs/${app.run.id}/${file}`;
    a.textContent = `Download ${label}`;
    a.setAttribute('download', '');
    a.id = 'dl-' + file.replace('documents/', '').replace('.', '-');
    d.appendChild(a);
  }
  if (app.run.done) {
    // The HTML report of the finished run, built by the report crate.
    const a = document.createElement('a');
    a.href = `/api/runs/${app.run.id}/report.html`;
    a.textContent = 'Open the HTML report';
    a.target = '_blank';
    a.rel = 'noopener';
    a.id = 'dl-report';
    d.appendChild(a);
  }
}

// --- charts -------------------------------------------------------------------------------

function chartWidth() { return Math.max(320, Math.min(560, ($('view').clientWidth - 40) / 2)); }

function buildCharts() {
  for (const c of app.charts) c.plot.destroy();
  app.charts = [];
  $('charts').innerHTML = '';
  if (!app.scenario) return;
  const specs = (app.scenario.charts || []).map((c) => ({ title: c.title, cols: c.columns }));
  for (const spec of specs) {
    const div = document.createElement('div');
    div.className = 'chart';
    $('charts').appendChild(div);
    const series = [{ label: 'step' }];
    spec.cols.forEach((c, i) => series.push({ label: c, stroke: COLOURS[i % COLOURS.length], width: 1.5 }));
    if (app.baseline) {
      spec.cols.forEach((c, i) => series.push({ label: `${c} (baseline)`, stroke: COLOURS[i % COLOURS.length], width: 1, dash: [6, 4] }));
    }
    const opts = {
      title: spec.title, width: chartWidth(), height: 220, series,
      scales: { x: { time: false } },
      axes: [{ label: 'step' }, {}],
    };
    const plot = new uPlot(opts, [[], ...series.slice(1).map(() => [])], div);
    app.charts.push({ spec, plot });
  }
  queueRedraw();
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

function redraw() {
  const cur = app.run || { rows: [], columns: [] };
  const base = app.baseline;
  const n = Math.max(cur.rows.length, base ? base.rows.length : 0);
  const xs = Array.from({ length: n }, (_, i) => i + 1);
  const pad = (a) => a.concat(Array(n - a.length).fill(null));
  for (const c of app.charts) {
    const data = [xs];
    for (const col of c.spec.cols) data.push(pad(column(cur.rows, cur.columns, col)));
    if (base) for (const col of c.spec.cols) data.push(pad(column(base.rows, base.columns, col)));
    c.plot.setData(data);
  }
  updateStatus();
}

function drawGrid(g) {
  const cv = $('grid');
  cv.hidden = false;
  const colours = {};
  for (const l of g.legend || []) colours[l.code] = l.rgb;
  const empty = [255, 255, 255];
  const key = $('grid-legend');
  if (key.hidden) {
    key.innerHTML = '';
    for (const l of g.legend || []) {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = `rgb(${l.rgb.join(',')})`;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(l.label));
      key.appendChild(li);
    }
    key.hidden = false;
  }
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

loadFacts()
  .catch(() => {})
  .then(loadScenarios)
  .catch((e) => showError(`cannot load scenarios: ${e.message}`));
