// Troupe dashboard, the overview: workers and their stats, starting a run and following it live,
// running runs, recent runs and the cluster.
'use strict';

(() => {
  const { $, api, enc, cell, row, placeholder, button, time, ms, statusBadge, runLink, outcome,
    notice, stream, parse } = window.TD;
  const REFRESH_MS = 2000;
  const CLUSTER_REFRESH_MS = 5000;
  const HISTORY_LIMIT = 20;
  const RUNNING = ['QUEUED', 'RUNNING', 'RETRYING'];

  let live = null; // the stream of the live view while it is open: { close() }
  let timers = []; // the refresh loops while the overview is shown

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

  // ---- running runs and recent runs -------------------------------------------------------------

  async function refreshRuns() {
    const history = $('runs-table');
    const running = $('running-table');
    // the recent history, and the active runs that may be older than it
    const [recent, ...active] = await Promise.allSettled([
      api(`/runs?limit=${HISTORY_LIMIT}`),
      ...RUNNING.map((s) => api(`/runs?status=${s}&limit=50`)),
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
        if (RUNNING.includes(run.status)) byId.set(run.runId, run);
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
    return row([
      cell(runLink(run.runId), 'id'), cell(run.worker), cell(statusBadge(run.status)),
      cell(run.attempts, 'num'), cell(time(run.createdAt)), cell(ms(run.durationMs), 'num'),
      cell(outcome(run), run.error ? 'outcome error' : 'outcome'),
    ]);
  }

  async function cancel(runId, b) {
    b.disabled = true;
    try {
      await api(`/runs/${enc(runId)}/cancel`, { method: 'POST' });
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
      const accepted = await api(`/workers/${enc(name)}/runs`, {
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

  /** Follows a run's event stream in the live view, until its result or error. */
  function follow(runId) {
    if (live) live.close();
    $('live-run-id').replaceChildren(runLink(runId));
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
    current = stream(`/runs/${enc(runId)}/events`,
      mine((type, text) => {
        const handler = handlers[type];
        if (handler) handler(parse(text));
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

  /** Calls f now and then every period ms after each call ends, until the overview is hidden. */
  function every(f, period) {
    const slot = { id: null };
    const loop = () => f().finally(() => {
      if (timers.includes(slot)) slot.id = setTimeout(loop, period);
    });
    timers.push(slot);
    loop();
  }

  $('start-form').addEventListener('submit', start);

  window.TD.register('overview', {
    show() {
      every(refresh, REFRESH_MS);
      every(refreshCluster, CLUSTER_REFRESH_MS); // it asks every member: less often
    },
    hide() {
      timers.forEach((t) => clearTimeout(t.id));
      timers = [];
    },
  });
})();
