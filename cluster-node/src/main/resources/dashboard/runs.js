// Troupe dashboard, the run history (#/runs): runs filtered by worker, status, tag and creation
// time, newest first, page by page.
'use strict';

(() => {
  const { $, api, cell, row, placeholder, time, ms, statusBadge, runLink, outcome,
    fillWorkers } = window.TD;
  const STATUSES = ['WAITING', 'SCHEDULED', 'QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'FAILED',
    'TIMED_OUT', 'CANCELLED'];

  /** The cursors of the pages shown so far: cursors[i] opens page i (null for the first). */
  let cursors = [null];
  let next = null;

  /** The query of the filter form, or throws naming the field that is wrong. */
  function query() {
    const params = new URLSearchParams();
    const add = (name, value) => { if (value) params.set(name, value); };
    add('worker', $('q-worker').value);
    add('status', $('q-status').value);
    add('tag', $('q-tag').value.trim());
    for (const [name, id] of [['from', 'q-from'], ['to', 'q-to']]) {
      const v = $(id).value;
      if (!v) continue;
      const d = new Date(v); // a datetime-local value: the browser's time zone
      if (isNaN(d)) throw new Error(`${name} is not a date and time`);
      params.set(name, d.toISOString());
    }
    params.set('limit', $('q-limit').value);
    return params;
  }

  async function search(page) {
    const table = $('history-table');
    let params;
    try {
      params = query();
    } catch (e) {
      $('q-error').textContent = e.message;
      return;
    }
    $('q-error').textContent = '';
    if (cursors[page]) params.set('cursor', cursors[page]);
    try {
      const result = await api('/runs?' + params);
      next = result.nextCursor;
      cursors = cursors.slice(0, page + 1);
      if (next) cursors.push(next);
      $('q-page').textContent = `page ${page + 1}`;
      $('q-newer').disabled = page === 0;
      $('q-older').disabled = !next;
      $('q-newer').onclick = () => search(page - 1);
      $('q-older').onclick = () => search(page + 1);
      if (result.runs.length === 0) {
        placeholder(table, 'no runs match');
        return;
      }
      table.tBodies[0].replaceChildren(...result.runs.map((run) => row([
        cell(runLink(run.runId), 'id'), cell(run.worker), cell(statusBadge(run.status)),
        cell((run.tags || []).join(', ')), cell(run.attempts, 'num'), cell(time(run.createdAt)),
        cell(ms(run.durationMs), 'num'), cell(outcome(run), run.error ? 'outcome error' : 'outcome'),
      ])));
    } catch (e) {
      $('q-error').textContent = e.message;
      placeholder(table, 'history unavailable');
    }
  }

  $('q-status').replaceChildren(new Option('any status', ''), ...STATUSES.map((s) => new Option(s, s)));
  $('history-form').addEventListener('submit', (e) => {
    e.preventDefault();
    cursors = [null];
    search(0);
  });
  $('q-reset').addEventListener('click', () => {
    $('history-form').reset();
    cursors = [null];
    search(0);
  });

  window.TD.register('runs', {
    async show(params) {
      try {
        await fillWorkers($('q-worker'), 'any worker');
      } catch (e) {
        $('q-error').textContent = e.message;
      }
      if (params.worker) $('q-worker').value = params.worker;
      if (params.tag) $('q-tag').value = params.tag;
      cursors = [null];
      search(0);
    },
    hide() {},
  });
})();
