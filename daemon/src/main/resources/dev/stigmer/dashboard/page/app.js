// stigmer local's dashboard. Plain JavaScript, no build step, no library: it reads the daemon's
// HTTP API (/api/v1/...) and nothing else. Live: one Server-Sent Events stream of the stack's
// events; each event updates its row at once and asks for a fresh status.
'use strict';

const $ = (id) => document.getElementById(id);
const REFRESH_MILLIS = 30000;   // the logs' last lines and the uptimes' clock: nothing else changes unannounced
const RECONNECT_MILLIS = 1000;
const MAX_LOG_LINES = 5000;

const view = {
  status: null,
  wiring: new Map(),     // name -> {dependsOn: [{on, condition, restart}], web}
  lastLines: new Map(),  // name -> the log's last line
  clockOffset: 0,        // the daemon's wall clock minus ours
  daemonPid: null,
  connected: false,
  everConnected: false,
  events: null,
  refreshTimer: null,
};

// ---- the API ----------------------------------------------------------------------------------

async function api(path, options) {
  const response = await fetch(path, Object.assign({credentials: 'same-origin', cache: 'no-store'}, options));
  if (response.status === 401) {
    showBanner('down', 'This page has no valid access token: run `stigmer local ui` and open the URL it prints.');
    throw new Error('unauthorized');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error || response.status + ' ' + response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}

/** A fresh status and last lines; the wiring too when the stack may have changed (it changes only with a START). */
async function refresh(withWiring) {
  const [status, wiring, logs] = await Promise.all([
    api('/api/v1/status'), withWiring ? api('/api/v1/graph') : null, api('/api/v1/logs?tail=1')]);
  view.status = status;
  view.clockOffset = status.daemon ? status.daemon.reportedAtMillis - Date.now() : 0;
  if (wiring) {
    view.wiring = new Map(wiring.map((w) => [w.name, w]));
  }
  view.lastLines = new Map(logs.lines.map((l) => [l.name, l.line]));
  render();
  return status;
}

function scheduleRefresh(delay, withWiring) {
  view.refreshWiring = view.refreshWiring || withWiring;
  clearTimeout(view.refreshTimer);
  view.refreshTimer = setTimeout(() => {
    const wiring = view.refreshWiring;
    view.refreshWiring = false;
    refresh(wiring).catch(() => {});
  }, delay);
}

// ---- live: events, the daemon going away, reconnecting -----------------------------------------

function connect() {
  const events = new EventSource('/api/v1/events');
  view.events = events;
  events.onopen = () => {
    refresh(true).then((status) => {
      const pid = status.daemon && status.daemon.pid;
      if (view.everConnected && !view.connected) {
        showBanner('back', pid !== view.daemonPid
          ? 'The stigmer daemon restarted (pid ' + view.daemonPid + ' → ' + pid + '); reconnected.'
          : 'Reconnected to the stigmer daemon.', 15000);
      }
      view.daemonPid = pid;
      view.connected = true;
      view.everConnected = true;
      temporalPanel();
    }).catch(() => {});
  };
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    applyEvent(event);
    scheduleRefresh(50, event.type === 'stack');
  };
  events.onerror = () => {
    events.close();
    if (view.events !== events) {
      return;
    }
    view.connected = false;
    showBanner('down', 'The stigmer daemon is not answering (stopped or restarting). Reconnecting…');
    setTimeout(reconnect, RECONNECT_MILLIS);
  };
}

async function reconnect() {
  if (view.paused) {
    return;
  }
  try {
    await api('/api/v1/status');
    connect();
  } catch (e) {
    setTimeout(reconnect, RECONNECT_MILLIS);
  }
}

/** An event's news shown at once: the state and pid of its row, before the full status arrives. */
function applyEvent(event) {
  if (event.type !== 'transition' || !view.status) {
    return;
  }
  const component = view.status.components.find((c) => c.name === event.component);
  if (component) {
    component.state = event.to;
    component.pid = event.pid;
    render();
  }
}

let bannerTimer = null;

function showBanner(kind, text, hideAfter) {
  const banner = $('banner');
  banner.className = 'banner ' + kind;
  banner.textContent = text;
  banner.hidden = false;
  clearTimeout(bannerTimer);
  if (hideAfter) {
    bannerTimer = setTimeout(() => { banner.hidden = true; }, hideAfter);
  }
}

// ---- rendering ----------------------------------------------------------------------------------

const STATE_CLASS = {
  running: 'ok', completed: 'ok',
  waiting: 'wait', starting: 'wait', recovering: 'wait', backoff: 'wait', stopping: 'wait', unhealthy: 'bad',
  failed: 'bad', exited: 'bad', unreachable: 'bad',
  stopped: 'idle',
};

function render() {
  const status = view.status;
  if (!status || !status.daemon) {
    return;
  }
  daemonLine(status.daemon);
  componentRows(status.components);
  logChoices(status.components);
  graph(status.components);
}

function daemonLine(daemon) {
  const line = $('daemon');
  line.textContent = 'daemon pid ' + daemon.pid + ' · ' + daemon.version + ' · up '
    + duration(daemon.uptimeMillis) + ' · home ' + daemon.home;
  line.dataset.started = String(daemon.startedAtMillis);
  for (const note of daemon.degraded) {
    const degraded = document.createElement('span');
    degraded.className = 'degraded';
    degraded.textContent = 'degraded: ' + note;
    line.appendChild(degraded);
  }
}

function componentRows(components) {
  const body = $('components').tBodies[0];
  const seen = new Set();
  components.forEach((c, index) => {
    seen.add(c.name);
    let row = body.querySelector('tr[data-name="' + CSS.escape(c.name) + '"]');
    if (!row) {
      row = newRow(c.name);
    }
    if (body.rows[index] !== row) {
      body.insertBefore(row, body.rows[index] || null);
    }
    fillRow(row, c);
  });
  for (const row of Array.from(body.rows)) {
    if (!seen.has(row.dataset.name)) {
      row.remove();
    }
  }
}

function newRow(name) {
  const row = document.createElement('tr');
  row.dataset.name = name;
  row.innerHTML = '<th scope="row"><span class="name"></span><span class="kind"></span></th>'
    + '<td><span class="state"></span></td><td class="num pid"></td><td class="num restarts"></td>'
    + '<td class="num uptime"></td><td class="address"></td><td class="details"></td>'
    + '<td><div class="actions"></div></td>';
  row.querySelector('.name').textContent = name;
  const actions = row.querySelector('.actions');
  actions.append(
    button('Start', 'Start ' + name, () => act('components/' + name + '/start', 'start ' + name)),
    button('Stop', 'Stop ' + name, () => confirmThen('Stop ' + name + '?', 'Stop',
      () => act('components/' + name + '/stop', 'stop ' + name)), 'danger'),
    button('Restart', 'Restart ' + name, () => act('components/' + name + '/restart', 'restart ' + name)),
    button('Logs', 'Show the log of ' + name, () => {
      $('log-name').value = name;
      openLog();
      $('log').focus();
    }));
  return row;
}

function fillRow(row, c) {
  row.querySelector('.kind').textContent = c.kind;
  const state = row.querySelector('.state');
  state.textContent = c.state;
  state.className = 'state ' + (STATE_CLASS[c.state] || 'idle');
  row.querySelector('.pid').textContent = c.pid == null ? '–' : String(c.pid);
  row.querySelector('.restarts').textContent = String(c.restarts);
  const uptime = row.querySelector('.uptime');
  uptime.dataset.started = c.startedAtMillis == null ? '' : String(c.startedAtMillis);
  uptime.textContent = uptimeText(uptime.dataset.started);
  address(row.querySelector('.address'), c);
  details(row.querySelector('.details'), c);
}

function address(cell, c) {
  const wiring = view.wiring.get(c.name);
  const web = wiring && wiring.web;
  const text = c.address || (web ? new URL(web).host : '');
  const key = text + '|' + (web || '');
  if (cell.dataset.key === key) {
    return; // unchanged: keep a focused link focused
  }
  cell.dataset.key = key;
  cell.textContent = '';
  if (web) {
    const link = document.createElement('a');
    link.href = web;
    link.rel = 'noreferrer noopener';
    link.target = '_blank';
    link.textContent = text;
    cell.appendChild(link);
  } else {
    cell.textContent = text || '–';
  }
}

function details(cell, c) {
  cell.textContent = '';
  const add = (label, text, className) => {
    if (!text) {
      return;
    }
    const line = document.createElement('div');
    if (className) {
      line.className = className;
    }
    const name = document.createElement('span');
    name.className = 'label';
    name.textContent = label + ': ';
    line.append(name, document.createTextNode(text));
    cell.appendChild(line);
  };
  if (c.state === 'waiting') {
    add('waiting on', (c.lastError || '').replace(/^waiting for /, ''));
  } else {
    add('last error', c.lastError);
  }
  add('last exit', c.lastExit);
  if (c.watch) {
    const change = c.watch.lastChange;
    add('watch', change ? 'last change ' + change.path + ' at ' + new Date(change.time).toLocaleTimeString()
      : 'watching ' + c.watch.paths.join(', '));
    const rebuild = c.watch.lastRebuild;
    if (rebuild) {
      add('rebuild', (rebuild.exitCode === 0 ? 'ok' : rebuild.exitCode == null ? 'could not start'
        : 'failed (exit ' + rebuild.exitCode + ')') + ' in ' + (rebuild.millis / 1000).toFixed(1) + ' s'
        + ' (' + c.watch.rebuilds + ' so far)', rebuild.exitCode === 0 ? null : 'bad');
    }
  }
  add('log', view.lastLines.get(c.name), 'lastline');
}

function button(text, label, onClick, className) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  if (className) {
    b.className = className;
  }
  b.addEventListener('click', onClick);
  return b;
}

async function act(path, what) {
  const result = $('action-result');
  result.className = 'action-result';
  result.textContent = what + ': asking…';
  try {
    const answer = await api('/api/v1/' + path, {method: 'POST'});
    result.textContent = what + ': ' + (answer.done ? 'done' : 'under way');
    scheduleRefresh(50);
  } catch (e) {
    result.className = 'action-result error';
    result.textContent = what + ': ' + e.message;
  }
}

function confirmThen(question, okLabel, action) {
  const dialog = $('confirm');
  $('confirm-text').textContent = question;
  $('confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  dialog.onclose = () => {
    if (dialog.returnValue === 'ok') {
      action();
    }
  };
  dialog.showModal();
  $('confirm-cancel').focus();
}

// ---- time ---------------------------------------------------------------------------------------

function duration(millis) {
  let seconds = Math.max(0, Math.floor(millis / 1000));
  const days = Math.floor(seconds / 86400);
  seconds %= 86400;
  const hours = Math.floor(seconds / 3600);
  seconds %= 3600;
  const minutes = Math.floor(seconds / 60);
  seconds %= 60;
  if (days) return days + 'd ' + hours + 'h';
  if (hours) return hours + 'h ' + minutes + 'm';
  if (minutes) return minutes + 'm ' + seconds + 's';
  return seconds + 's';
}

function uptimeText(started) {
  return started ? duration(Date.now() + view.clockOffset - Number(started)) : '–';
}

function tick() {
  for (const cell of document.querySelectorAll('td.uptime')) {
    cell.textContent = uptimeText(cell.dataset.started);
  }
  const daemon = view.status && view.status.daemon;
  if (daemon && view.connected) {
    const line = $('daemon').firstChild;
    if (line && line.nodeType === Node.TEXT_NODE) {
      line.textContent = 'daemon pid ' + daemon.pid + ' · ' + daemon.version + ' · up '
        + duration(Date.now() + view.clockOffset - daemon.startedAtMillis) + ' · home ' + daemon.home;
    }
  }
}

// ---- logs ---------------------------------------------------------------------------------------

const logView = {source: null, lines: [], names: [], filter: null};

function logChoices(components) {
  const select = $('log-name');
  const names = components.map((c) => c.name);
  const wanted = ['', ...names, 'daemon'];
  const have = Array.from(select.options).map((o) => o.value);
  logView.names = names;
  if (wanted.join('\n') === have.join('\n')) {
    return;
  }
  const current = select.value || new URLSearchParams(location.search).get('log') || '';
  select.textContent = '';
  for (const name of wanted) {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = name === '' ? 'all components' : name;
    select.appendChild(option);
  }
  select.value = wanted.includes(current) ? current : '';
  if (!logView.source && !logView.started) {
    logView.started = true;
    openLog();
  }
}

function keepInUrl() {
  const params = new URLSearchParams(location.search);
  params.delete('token');
  const name = $('log-name').value;
  const filter = $('log-filter').value;
  name ? params.set('log', name) : params.delete('log');
  filter ? params.set('filter', filter) : params.delete('filter');
  const query = params.toString();
  history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + location.hash);
}

function parseFilter(text) {
  $('log-filter-error').textContent = '';
  if (!text) {
    return null;
  }
  const regex = /^\/(.*)\/([a-z]*)$/.exec(text);
  if (regex) {
    try {
      const pattern = new RegExp(regex[1], regex[2]);
      return (line) => pattern.test(line);
    } catch (e) {
      $('log-filter-error').textContent = 'not a regular expression: ' + e.message;
      return () => true;
    }
  }
  return (line) => line.includes(text);
}

function openLog() {
  keepInUrl();
  if (logView.source) {
    logView.source.close();
    logView.source = null;
  }
  logView.lines = [];
  drawLog();
  const name = $('log-name').value;
  const path = '/api/v1/logs' + (name ? '/' + encodeURIComponent(name) : '') + '?tail=200';
  if ($('log-follow').checked) {
    const source = new EventSource(path + '&follow=true');
    logView.source = source;
    source.onopen = () => {   // a reconnect sends the tail again
      logView.lines = [];
      drawLog();
    };
    source.onmessage = (message) => addLogLine(JSON.parse(message.data));
  } else {
    api(path).then((answer) => {
      answer.lines.forEach(addLogLine);
    }).catch(() => {});
  }
}

function addLogLine(line) {
  logView.lines.push(line);
  if (logView.lines.length > MAX_LOG_LINES) {
    logView.lines.splice(0, logView.lines.length - MAX_LOG_LINES);
    drawLog();
    return;
  }
  if (!logView.filter || logView.filter(line.line)) {
    appendLine(line);
  }
}

function drawLog() {
  logView.filter = parseFilter($('log-filter').value);
  const box = $('log');
  box.textContent = '';
  for (const line of logView.lines) {
    if (!logView.filter || logView.filter(line.line)) {
      appendLine(line);
    }
  }
}

function appendLine(line) {
  const box = $('log');
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const row = document.createElement('div');
  row.className = 'line';
  if (!$('log-name').value) {
    const prefix = document.createElement('span');
    const index = Math.max(0, logView.names.indexOf(line.name));
    prefix.className = 'prefix c' + (index % 8);
    prefix.textContent = line.name + ' | ';
    row.appendChild(prefix);
  }
  row.appendChild(document.createTextNode(line.line));
  box.appendChild(row);
  if (atEnd) {
    box.scrollTop = box.scrollHeight;
  }
}

// ---- the dependency graph -----------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';

function graph(components) {
  const names = components.map((c) => c.name);
  const edges = [];
  for (const name of names) {
    const wiring = view.wiring.get(name);
    const dependsOn = wiring ? wiring.dependsOn
      : (components.find((c) => c.name === name).dependsOn || []).map((on) => ({on, condition: '?', restart: false}));
    for (const edge of dependsOn) {
      edges.push({from: name, to: edge.on, label: edge.condition + (edge.restart ? ', restart' : '')});
    }
  }
  const key = names.join(',') + '|' + edges.map((e) => e.from + '>' + e.to + ':' + e.label).join(',');
  if ($('graph').dataset.key === key) {
    return;
  }
  $('graph').dataset.key = key;
  // Columns by depth: what depends on nothing on the left, its dependents to the right.
  const depth = new Map();
  const depthOf = (name, path) => {
    if (depth.has(name)) return depth.get(name);
    if (path.has(name)) return 0;
    path.add(name);
    const deps = edges.filter((e) => e.from === name && names.includes(e.to));
    const d = deps.length ? 1 + Math.max(...deps.map((e) => depthOf(e.to, path))) : 0;
    depth.set(name, d);
    return d;
  };
  names.forEach((n) => depthOf(n, new Set()));
  const columns = [];
  for (const name of names) {
    (columns[depth.get(name)] = columns[depth.get(name)] || []).push(name);
  }
  const W = 150, H = 34, GAP_X = 230, GAP_Y = 60, PAD = 10;
  const skipping = edges.some((e) => Math.abs((depth.get(e.from) || 0) - (depth.get(e.to) || 0)) > 1);
  const TOP = PAD + (skipping ? GAP_Y : 0);   // room for edges that bend over a column
  const at = new Map();
  columns.forEach((column, x) => column.forEach((name, y) => at.set(name, {x: PAD + x * GAP_X, y: TOP + y * GAP_Y})));
  const width = PAD * 2 + (columns.length - 1) * GAP_X + W;
  const height = TOP + PAD + (Math.max(...columns.map((c) => c.length)) - 1) * GAP_Y + H;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
  svg.setAttribute('width', String(width));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Dependency graph: ' + (edges.length
    ? edges.map((e) => e.from + ' depends on ' + e.to + ' (' + e.label + ')').join('; ') : 'no dependencies'));
  const defs = el('defs');
  const marker = el('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7',
    markerHeight: '7', orient: 'auto-start-reverse'});
  marker.appendChild(el('path', {d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow'}));
  defs.appendChild(marker);
  svg.appendChild(defs);
  for (const e of edges) {
    const from = at.get(e.from), to = at.get(e.to);
    if (!from || !to) continue;
    const g = el('g', {class: 'edge'});
    const x1 = from.x, y1 = from.y + H / 2, x2 = to.x + W, y2 = to.y + H / 2;
    // An edge that skips a column bends above the boxes between, so neither it nor its label hides behind one.
    const skips = depth.get(e.from) - depth.get(e.to) > 1;
    const cx = (x1 + x2) / 2, cy = skips ? Math.min(y1, y2) - GAP_Y * 0.9 : (y1 + y2) / 2;
    g.appendChild(el('path', {d: 'M ' + x1 + ' ' + y1 + ' Q ' + cx + ' ' + cy + ' ' + x2 + ' ' + y2,
      fill: 'none', 'marker-end': 'url(#arrow)'}));
    const label = el('text', {x: cx, y: skips ? (y1 + 2 * cy + y2) / 4 - 4 : cy - 4, 'text-anchor': 'middle'});
    label.textContent = e.label;
    g.appendChild(label);
    svg.appendChild(g);
  }
  for (const name of names) {
    const p = at.get(name);
    const g = el('g', {class: 'node'});
    g.appendChild(el('rect', {x: p.x, y: p.y, width: W, height: H, rx: 6}));
    const text = el('text', {x: p.x + W / 2, y: p.y + H / 2 + 4, 'text-anchor': 'middle'});
    text.textContent = name;
    g.appendChild(text);
    svg.appendChild(g);
  }
  $('graph').textContent = '';
  $('graph').appendChild(svg);
  const list = $('edges');
  list.textContent = '';
  for (const e of edges) {
    const item = document.createElement('li');
    item.textContent = e.from + ' → ' + e.to + ' (' + e.label + ')';
    list.appendChild(item);
  }
  if (!edges.length) {
    const item = document.createElement('li');
    item.textContent = 'no dependencies declared';
    list.appendChild(item);
  }
}

function el(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes || {})) {
    node.setAttribute(key, String(value));
  }
  return node;
}

// ---- Temporal -----------------------------------------------------------------------------------

async function temporalPanel() {
  const t = await api('/api/v1/temporal');
  const facts = $('temporal');
  facts.textContent = '';
  for (const [label, value] of [['mode', t.mode], ['address', t.address], ['namespace', t.namespace]]) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    facts.append(dt, dd);
  }
  $('env-lines').textContent = t.env.join('\n');
  const ui = $('temporal-ui');
  ui.textContent = '';
  if (t.ui) {
    const link = document.createElement('a');
    link.href = t.ui;
    link.rel = 'noreferrer noopener';
    link.target = '_blank';
    link.textContent = 'Temporal UI (' + t.ui + ')';
    ui.appendChild(link);
  } else if (t.mode === 'embedded') {
    ui.textContent = 'The embedded Temporal (the Java test server) has no web UI, nor workflow lists or schedules: '
      + '`stigmer temporal install` gets the real Temporal CLI, and with it Temporal\'s UI.';
  } else if (t.mode === 'external') {
    ui.textContent = 'Temporal runs elsewhere: its UI is wherever that Temporal serves it.';
  } else {
    ui.textContent = 'Temporal\'s UI is off (ui: false in the stack file).';
  }
}

async function copyEnv() {
  const text = $('env-lines').textContent;
  try {
    await navigator.clipboard.writeText(text);
    $('copy-result').textContent = 'copied';
  } catch (e) {
    const range = document.createRange();
    range.selectNodeContents($('env-lines'));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    $('copy-result').textContent = document.execCommand('copy') ? 'copied' : 'selected: press Ctrl+C';
  }
}

// ---- start --------------------------------------------------------------------------------------

function start() {
  const params = new URLSearchParams(location.search);
  if (params.has('token')) {   // the cookie holds it now: keep it out of the address bar and history
    params.delete('token');
    const query = params.toString();
    history.replaceState(null, '', location.pathname + (query ? '?' + query : ''));
  }
  $('log-filter').value = params.get('filter') || '';
  $('log-name').addEventListener('change', openLog);
  $('log-follow').addEventListener('change', openLog);
  $('log-filter').addEventListener('input', () => {
    keepInUrl();
    drawLog();
  });
  $('log-controls').addEventListener('submit', (e) => e.preventDefault());
  $('copy-env').addEventListener('click', copyEnv);
  $('stack-restart').addEventListener('click', () => confirmThen('Restart every component of the stack?', 'Restart',
    () => act('stack/restart', 'restart the stack')));
  $('stack-stop').addEventListener('click', () => confirmThen('Stop every component of the stack (the daemon keeps running)?',
    'Stop', () => act('stack/stop', 'stop the stack')));
  // A hidden tab holds no connection: a browser allows six per host, and ten tabs must not starve the visible one.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') {
      view.paused = true;
      const events = view.events;
      view.events = null;
      if (events) {
        events.close();
      }
      if (logView.source) {
        logView.source.close();
        logView.source = null;
      }
    } else if (view.paused) {
      view.paused = false;
      connect();
      openLog();
    }
  });
  setInterval(tick, 1000);
  setInterval(() => {
    if (view.connected && document.visibilityState === 'visible') {
      refresh().catch(() => {});
    }
  }, REFRESH_MILLIS);
  connect();
}

start();
