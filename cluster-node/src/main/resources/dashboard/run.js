// Troupe dashboard, one run's page (#/run/<id>): its facts and links, its attempts with their
// times, its durable steps, its children, and its events: followed live while it runs, read back
// with their recorded times once it has finished. Re-run and Cancel act on it.
'use strict';

(() => {
  const { $, api, post, enc, el, cell, row, placeholder, time, ms, statusBadge,
    runLink, outcome, notice, stream, parse, ACTIVE } = window.TD;

  let shown = null; // { runId, live: stream or null }

  function fact(name, value) {
    const dt = el('dt', null, name);
    const dd = el('dd', null, value === '' || value == null ? '—' : value);
    return [dt, dd];
  }

  function renderFacts(run) {
    $('run-title').textContent = run.runId;
    $('run-status').replaceChildren(statusBadge(run.status));
    $('run-cancel').hidden = !ACTIVE.includes(run.status);
    const schedule = run.schedule ? `${run.schedule.name} (${time(run.schedule.fireTime)})` : '';
    $('run-facts').replaceChildren(...[
      fact('Worker', run.worker),
      fact('Created', time(run.createdAt)),
      fact('Started', time(run.startedAt)),
      fact('Finished', time(run.finishedAt)),
      fact('Duration', run.durationMs == null ? '' : `${ms(run.durationMs)} ms`),
      fact('Attempts', run.attempts),
      fact('Priority', run.priority),
      fact('Concurrency key', run.concurrencyKey),
      fact('Scheduled for', time(run.scheduledFor)),
      fact('Schedule', schedule),
      fact('Tags', (run.tags || []).join(', ')),
      fact('Parent', run.parentRunId ? runLink(run.parentRunId) : ''),
      fact('Re-run of', run.rerunOf ? runLink(run.rerunOf) : ''),
    ].flat());
    $('run-payload').textContent = JSON.stringify(run.payload, null, 2);
    const out = $('run-outcome');
    out.textContent = run.status === 'SUCCEEDED' || run.error ? outcome(run) : '(not finished)';
    out.className = 'box' + (run.error ? ' error' : run.status === 'SUCCEEDED' ? ' ok' : '');
  }

  function renderSteps(run) {
    const table = $('steps-table');
    if (!run.steps || run.steps.length === 0) {
      placeholder(table, 'no durable steps');
      return;
    }
    table.tBodies[0].replaceChildren(...run.steps.map((s) => row([
      cell(s.name, 'name'), cell(statusBadge(s.status)),
      cell(s.compensation ? `${s.compensation.name}: ${s.compensation.status || 'not run'}` : ''),
    ])));
  }

  async function renderChildren(run) {
    const table = $('children-table');
    if (!run.children || run.children.length === 0) {
      placeholder(table, 'no child runs');
      return;
    }
    let byId = new Map();
    try {
      const page = await api(`/runs?parent=${enc(run.runId)}&limit=500`);
      byId = new Map(page.runs.map((c) => [c.runId, c]));
    } catch (e) { /* the ids alone, below */ }
    table.tBodies[0].replaceChildren(...run.children.map((id) => {
      const c = byId.get(id) || {};
      return row([cell(runLink(id), 'id'), cell(c.worker), cell(c.status ? statusBadge(c.status) : ''),
        cell(ms(c.durationMs), 'num')]);
    }));
  }

  /** Attempts from the status events: each RUNNING with its number opens one, the next closes it. */
  function renderAttempts(events, run) {
    const attempts = [];
    for (const e of events) {
      const d = e.data || {};
      if (e.type === 'status' && d.status === 'RUNNING' && d.attempt) {
        attempts.push({ n: d.attempt, start: e.at, end: null, outcome: 'running', error: null });
      } else if (attempts.length && !attempts[attempts.length - 1].end
          && ((e.type === 'status' && d.status && d.status !== 'RUNNING') || e.type === 'result' || e.type === 'error')) {
        const a = attempts[attempts.length - 1];
        a.end = e.at;
        a.outcome = e.type === 'status' ? d.status : (d.status || e.type);
        a.error = d.error ? `${d.error.code}: ${d.error.message}` : null;
      }
    }
    const table = $('attempts-table');
    if (attempts.length === 0) {
      placeholder(table, run.attempts ? `${run.attempts} attempt(s); their events are no longer kept` : 'not started yet');
      return;
    }
    table.tBodies[0].replaceChildren(...attempts.map((a) => row([
      cell(a.n, 'num'), cell(time(a.start)), cell(time(a.end)),
      cell(a.start && a.end ? ms(new Date(a.end) - new Date(a.start)) : '', 'num'),
      cell(statusBadge(a.outcome)), cell(a.error || '', a.error ? 'outcome error' : 'outcome'),
    ])));
  }

  function summary(e) {
    const d = e.data;
    if (e.type === 'result' || e.type === 'error') return `${d.status}` + (d.error ? ` — ${d.error.code}: ${d.error.message}` : '');
    if (e.type === 'status' && d && d.status) return `${d.status}${d.attempt ? ` (attempt ${d.attempt})` : ''}` + (d.error ? ` — ${d.error.code}: ${d.error.message}` : '');
    if (e.type === 'step' && d) return `${d.name}: ${d.status}`;
    if (e.type === 'log' && d) return `[${d.level || 'log'}] ${d.message}`;
    return JSON.stringify(d);
  }

  function renderEvents(events, note) {
    const table = $('events-table');
    $('events-note').textContent = note;
    if (events.length === 0) {
      placeholder(table, 'no events');
      return;
    }
    table.tBodies[0].replaceChildren(...events.map((e) => row([
      cell(e.seq || '', 'num'), cell(time(e.at)), cell(el('span', 'etype ' + e.type, e.type)),
      cell(summary(e), 'outcome'),
    ])));
  }

  /** Follows a running run's events; on its end, reads the run and its recorded events again. */
  function followLive(runId, run) {
    const events = [];
    const live = stream(`/runs/${enc(runId)}/events`, (type, text, id) => {
      if (!shown || shown.live !== live) return;
      events.push({ seq: id ? Number(id) : 0, type, data: parse(text), at: new Date().toISOString() });
      renderEvents(events, 'live: times are when this page received each event');
      renderAttempts(events, run);
      if (type === 'result' || type === 'error') setTimeout(() => load(runId), 0);
    }, () => {}, (message) => renderEvents(events, 'stream unavailable: ' + message));
    shown.live = live;
  }

  async function load(runId) {
    if (shown && shown.live) shown.live.close();
    shown = { runId, live: null };
    let run;
    try {
      run = await api(`/runs/${enc(runId)}`);
    } catch (e) {
      $('run-title').textContent = runId;
      $('run-facts').replaceChildren(...fact('Error', e.message));
      return;
    }
    if (!shown || shown.runId !== runId) return;
    renderFacts(run);
    renderSteps(run);
    renderChildren(run);
    if (ACTIVE.includes(run.status)) {
      renderEvents([], 'waiting for events…');
      followLive(runId, run);
      return;
    }
    try {
      const log = await api(`/runs/${enc(runId)}/events`);
      renderEvents(log.events, log.truncated ? 'the first events only: the run has more' : 'recorded events');
      renderAttempts(log.events, run);
    } catch (e) {
      renderEvents([], 'events unavailable: ' + e.message);
      renderAttempts([], run);
    }
  }

  $('run-rerun').addEventListener('click', async () => {
    const runId = shown && shown.runId;
    try {
      const r = await post(`/runs/${enc(runId)}/rerun`);
      notice(window.TD.fragment(document.createTextNode(`re-run of ${runId} started: `), runLink(r.runId)));
      location.hash = '#/run/' + enc(r.runId);
    } catch (e) {
      notice(`could not re-run ${runId}: ${e.message}`, true);
    }
  });
  $('run-cancel').addEventListener('click', async () => {
    const runId = shown && shown.runId;
    try {
      await api(`/runs/${enc(runId)}/cancel`, { method: 'POST' });
      notice(`cancel requested for ${runId}`);
    } catch (e) {
      notice(`could not cancel ${runId}: ${e.message}`, true);
    }
  });

  window.TD.register('run', {
    show(params) {
      load(params.id);
    },
    hide() {
      if (shown && shown.live) shown.live.close();
      shown = null;
    },
  });
})();
