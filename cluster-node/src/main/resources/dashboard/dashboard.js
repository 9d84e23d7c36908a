// Troupe dashboard: plain JavaScript over the HTTP API v1 (docs/architecture.md, README).
'use strict';

(() => {
  const API = '/api/v1';
  const REFRESH_MS = 2000;
  const CLUSTER_REFRESH_MS = 5000;
  const HISTORY_LIMIT = 20;
  const ACTIVE = ['QUEUED', 'RUNNING', 'RETRYING'];
  const TOKEN_KEY = 'troupe.token';

  const $ = (id) => document.getElementById(id);
  let live = null; // the stream of the live view while it is open: { close() }

  // ---- API access -------------------------------------------------------------------------------

  function token() {
    try {
      return localStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  /** Calls the API; resolves with the parsed JSON body, rejects with the API's error message. */
  async function api(path, options = {}) {
    const headers = { Accept: 'application/json', ...(options.headers || {}) };
    const t = token();
    if (t) headers.Authorization = 'Bearer ' + t;
    const response = await fetch(API + path, { ...options, headers });
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const err = body && body.error;
      throw new Error(err ? `${err.code}: ${err.message}` : `HTTP ${response.status}`);
    }
    return body;
  }

  // ---- small DOM helpers ------------------------------------------------------------------------

  function cell(content, cls) {
    const td = document.createElement('td');
    if (content instanceof Node) td.append(content);
    else td.textContent = content == null ? '' : String(content);
    if (cls) td.className = cls;
    return td;
  }

  function row(cells, cls) {
    const tr = document.createElement('tr');
    tr.append(...cells);
    if (cls) tr.className = cls;
    return tr;
  }

  function placeholder(table, text) {
    const td = cell(text, 'empty');
    td.colSpan = table.tHead.rows[0].cells.length;
    table.tBodies[0].replaceChildren(row([td]));
  }

  function button(text, onClick, cls) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    if (cls) b.className = cls;
    b.addEventListener('click', () => onClick(b));
    return b;
  }

  function time(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString();
  }

  function ms(v) {
    return v == null ? '' : Math.round(Number(v));
  }

  function statusBadge(status) {
    const s = document.createElement('span');
    s.className = 'badge ' + String(status || '').toLowerCase();
    s.textContent = status || '';
    return s;
  }

  function runLink(runId) {
    return button(runId, () => follow(runId), 'link');
  }

  function notice(text, isError) {
    const n = $('notice');
    n.textContent = text;
    n.classList.toggle('error', !!isError);
    n.hidden = !text;
  }

  // ---- workers and their stats ------------------------------------------------------------------

  async function refreshWorkers() {
    const table = $('workers-table');
    try {
      const workers = await api('/workers');
      $('workers-status').textContent = '';
      fillWorkerSelect(workers.map((w) => w.name));
      if (workers.length === 0) {
        placeholder(table, 'no workers registered');
        return;
      }
      table.tBodies[0].replaceChildren(...workers.map((w) => {
        const s = w.stats || {};
        return row([
          cell(w.name, 'name'), cell(w.description), cell(s.runs, 'num'), cell(s.running, 'num'),
          cell(s.queued, 'num'), cell(s.succeeded, 'num'), cell(s.errors, 'num'),
          cell(s.runs ? `${ms(s.p50Ms)} / ${ms(s.p95Ms)}` : '', 'num'), cell(time(s.lastRunAt)),
        ]);
      }));
    } catch (e) {
      $('workers-status').textContent = 'unavailable: ' + e.message;
    }
  }

  /** Rebuilds the worker choice only when the names change, keeping the current selection. */
  function fillWorkerSelect(names) {
    const select = $('worker-select');
    const current = Array.from(select.options, (o) => o.value);
    if (current.join('\n') === names.join('\n')) return;
    const chosen = select.value;
    select.replaceChildren(...names.map((n) => new Option(n, n)));
    if (names.includes(chosen)) select.value = chosen;
  }

  // ---- running runs and history -----------------------------------------------------------------

  async function refreshRuns() {
    const history = $('runs-table');
    const running = $('running-table');
    // the recent history, and the active runs that may be older than it
    const [recent, ...active] = await Promise.allSettled([
      api(`/runs?limit=${HISTORY_LIMIT}`),
      ...ACTIVE.map((s) => api(`/runs?status=${s}&limit=50`)),
    ]);
    if (recent.status === 'rejected') {
      $('history-status').textContent = 'history unavailable (' + recent.reason.message + ')';
      placeholder(history, 'history unavailable');
    } else {
      $('history-status').textContent = '';
      const runs = (recent.value && recent.value.runs) || [];
      if (runs.length === 0) placeholder(history, 'no runs yet');
      else history.tBodies[0].replaceChildren(...runs.map(historyRow));
    }
    const byId = new Map();
    for (const r of [recent, ...active]) {
      if (r.status !== 'fulfilled') continue;
      for (const run of (r.value && r.value.runs) || []) {
        if (ACTIVE.includes(run.status)) byId.set(run.runId, run);
      }
    }
    if (byId.size === 0) {
      const allFailed = [recent, ...active].every((r) => r.status === 'rejected');
      placeholder(running, allFailed ? 'history unavailable' : 'nothing running');
      return;
    }
    const list = [...byId.values()].sort((a, b) => (a.runId < b.runId ? 1 : -1));
    running.tBodies[0].replaceChildren(...list.map((run) => row([
      cell(runLink(run.runId), 'id'), cell(run.worker), cell(statusBadge(run.status)),
      cell(run.attempts, 'num'), cell(time(run.startedAt || run.createdAt)),
      cell(button('Cancel', (b) => cancel(run.runId, b), 'cancel')),
    ])));
  }

  function historyRow(run) {
    const outcome = run.error ? `${run.error.code}: ${run.error.message}`
      : run.result === undefined || run.result === null ? '' : JSON.stringify(run.result);
    return row([
      cell(runLink(run.runId), 'id'), cell(run.worker), cell(statusBadge(run.status)),
      cell(run.attempts, 'num'), cell(time(run.createdAt)), cell(ms(run.durationMs), 'num'),
      cell(outcome, run.error ? 'outcome error' : 'outcome'),
    ]);
  }

  async function cancel(runId, b) {
    b.disabled = true;
    try {
      await api(`/runs/${encodeURIComponent(runId)}/cancel`, { method: 'POST' });
      notice(`cancel requested for ${runId}`);
    } catch (e) {
      notice(`could not cancel ${runId}: ${e.message}`, true);
      b.disabled = false;
    }
    refresh();
  }

  // ---- starting a run ---------------------------------------------------------------------------

  async function start(event) {
    event.preventDefault();
    const error = $('start-error');
    error.textContent = '';
    const name = $('worker-select').value;
    if (!name) {
      error.textContent = 'choose a worker first';
      return;
    }
    let payload;
    const text = $('payload').value.trim();
    try {
      payload = text === '' ? {} : JSON.parse(text);
    } catch (e) {
      error.textContent = 'the payload is not valid JSON: ' + e.message;
      return;
    }
    const b = $('start');
    b.disabled = true;
    try {
      const accepted = await api(`/workers/${encodeURIComponent(name)}/runs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ payload }),
      });
      follow(accepted.runId);
      refresh();
    } catch (e) {
      error.textContent = 'could not start the run: ' + e.message;
    } finally {
      b.disabled = false;
    }
  }

  // ---- the live view of one run -----------------------------------------------------------------

  function setProgress(p) {
    const v = Math.max(0, Math.min(100, Number(p) || 0));
    $('live-progress').value = v;
    $('live-percent').textContent = `${Math.round(v)}%`;
  }

  function setStatus(text) {
    $('live-status').textContent = text;
  }

  function addLine(text, cls) {
    const li = document.createElement('li');
    li.textContent = text;
    li.className = cls;
    const list = $('live-messages');
    list.append(li);
    list.scrollTop = list.scrollHeight;
  }

  function parse(event) {
    try {
      return JSON.parse(event.data);
    } catch (e) {
      return event.data;
    }
  }

  /**
   * Reads a run's SSE stream with fetch, so that it carries the API token (EventSource cannot send
   * an Authorization header), and calls on(type, data) for each event. After a dropped connection
   * it reconnects with the Last-Event-ID of the last numbered event; it stops at the run's result
   * or error, on close(), or when the API refuses the stream (then onGone(message)).
   */
  function stream(path, on, onState, onGone) {
    const abort = new AbortController();
    let lastId = null;
    let closed = false;

    function dispatch(frame) {
      let type = 'message';
      const data = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'event') type = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') lastId = value;
      }
      if (data.length === 0) return;
      on(type, data.join('\n'));
      if (type === 'result' || type === 'error') closed = true;
    }

    async function connect() {
      const headers = { Accept: 'text/event-stream' };
      const t = token();
      if (t) headers.Authorization = 'Bearer ' + t;
      if (lastId !== null) headers['Last-Event-ID'] = lastId;
      const response = await fetch(API + path, { headers, signal: abort.signal });
      if (!response.ok) {
        let message = `HTTP ${response.status}`;
        try {
          const err = (await response.json()).error;
          if (err) message = `${err.code}: ${err.message}`;
        } catch (e) { /* not JSON */ }
        closed = true;
        onGone(message);
        return;
      }
      onState('connected');
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      while (!closed) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let end;
        while (!closed && (end = buffer.indexOf('\n\n')) >= 0) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
      if (closed) abort.abort();
    }

    (async () => {
      while (!closed) {
        try {
          await connect();
        } catch (e) {
          if (closed) return;
        }
        if (!closed) {
          onState('connection lost, reconnecting…');
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    })();
    return { close() { closed = true; abort.abort(); } };
  }

  /** Follows a run's event stream in the live view, until its result or error. */
  function follow(runId) {
    if (live) live.close();
    $('live-run-id').textContent = runId;
    $('live-messages').replaceChildren();
    const result = $('live-result');
    result.textContent = '';
    result.className = '';
    setProgress(0);
    setStatus('connecting…');

    let current = null;
    const mine = (f) => (...args) => { if (live === current) f(...args); };
    const handlers = {
      message: (d) => {
        const hasProgress = d && typeof d === 'object' && typeof d.progress === 'number';
        if (hasProgress) setProgress(d.progress);
        if (d && typeof d === 'object' && typeof d.message === 'string') {
          addLine(hasProgress ? `${d.progress}% ${d.message}` : d.message, 'message');
        } else {
          addLine(JSON.stringify(d), 'message');
        }
      },
      log: (d) => addLine(`[${(d && d.level) || 'log'}] ${d && d.message}`, 'log'),
      status: (d) => {
        d = d || {};
        if (d.status) {
          setStatus(d.attempt ? `${d.status} (attempt ${d.attempt})` : d.status);
          addLine(`status ${d.status}` + (d.error ? ` — ${d.error.code}: ${d.error.message}` : ''), 'status');
        } else if (d.message) {
          addLine(d.message, 'status');
        }
      },
      result: (run) => {
        run = run || {};
        setStatus(run.status || 'SUCCEEDED');
        setProgress(100);
        result.textContent = JSON.stringify(run.result === undefined ? null : run.result);
        result.className = 'ok';
        refresh();
      },
      error: (run) => {
        run = run || {};
        setStatus(run.status || 'FAILED');
        const err = run.error || {};
        result.textContent = `${err.code || 'ERROR'}: ${err.message || ''}`;
        result.className = 'error';
        refresh();
      },
    };
    current = stream(`/runs/${encodeURIComponent(runId)}/events`,
      mine((type, text) => {
        const handler = handlers[type];
        if (handler) handler(parse({ data: text }));
      }),
      mine((state) => setStatus(state)),
      mine((message) => {
        setStatus(`stream unavailable (${message})`);
        live = null;
      }));
    live = current;
  }

  // ---- the cluster ------------------------------------------------------------------------------

  /** Members with their status, roles and the worker entities they host; self and leader marked. */
  async function refreshCluster() {
    const table = $('cluster-table');
    try {
      const c = await api('/cluster');
      $('cluster-status').textContent = c.unreachable.length ? `${c.unreachable.length} unreachable` : '';
      table.tBodies[0].replaceChildren(...c.members.map((m) => {
        const marks = [m.address === c.self ? 'this node' : '', m.address === c.leader ? 'leader' : '']
          .filter((x) => x).join(', ');
        const status = m.reachable ? m.status : m.status + ' (unreachable)';
        return row([
          cell(marks ? `${m.address} (${marks})` : m.address, 'name'), cell(statusBadge(status)),
          cell(m.roles.join(', ')), cell(m.entitiesKnown ? m.entities.join(', ') : 'not known'),
        ]);
      }));
    } catch (e) {
      $('cluster-status').textContent = 'unavailable: ' + e.message;
    }
  }

  // ---- wiring -----------------------------------------------------------------------------------

  function refresh() {
    return Promise.all([refreshWorkers(), refreshRuns()]);
  }

  function loop() {
    refresh().finally(() => setTimeout(loop, REFRESH_MS));
  }

  /** The cluster view asks every member, so it refreshes on its own, less often. */
  function clusterLoop() {
    refreshCluster().finally(() => setTimeout(clusterLoop, CLUSTER_REFRESH_MS));
  }

  $('token').value = token();
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('token').value.trim();
    try {
      if (t) localStorage.setItem(TOKEN_KEY, t);
      else localStorage.removeItem(TOKEN_KEY);
      notice(t ? 'token saved in this browser' : 'token removed');
    } catch (err) {
      notice('could not store the token: ' + err.message, true);
    }
    refresh();
  });
  $('start-form').addEventListener('submit', start);
  loop();
  clusterLoop();
})();
