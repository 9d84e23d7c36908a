// Troupe dashboard, the failed runs (#/failed): each with its error and a Re-run button, and
// re-running all failed runs of one worker at once.
'use strict';

(() => {
  const { $, api, post, enc, cell, row, placeholder, button, time, runLink, notice, fragment,
    fillWorkers } = window.TD;
  const LIMIT = 50;
  let cursor = null;

  async function refresh(append) {
    const table = $('failed-table');
    const worker = $('failed-worker').value;
    $('rerun-all').disabled = !worker;
    $('rerun-all').textContent = worker ? `Re-run all failed of ${worker}` : 'Re-run all failed (choose a worker)';
    const params = new URLSearchParams({ status: 'FAILED', limit: String(LIMIT) });
    if (worker) params.set('worker', worker);
    if (append && cursor) params.set('cursor', cursor);
    try {
      const page = await api('/runs?' + params);
      $('failed-status').textContent = '';
      cursor = page.nextCursor;
      $('failed-more').hidden = !cursor;
      const rows = page.runs.map((run) => row([
        cell(runLink(run.runId), 'id'), cell(run.worker), cell(time(run.finishedAt)),
        cell(run.attempts, 'num'),
        cell(run.error ? `${run.error.code}: ${run.error.message}` : '', 'outcome error wrap'),
        cell(button('Re-run', (b) => rerun(run.runId, b), 'secondary')),
      ]));
      if (append) table.tBodies[0].append(...rows);
      else if (rows.length === 0) placeholder(table, 'no failed runs');
      else table.tBodies[0].replaceChildren(...rows);
    } catch (e) {
      $('failed-status').textContent = 'unavailable: ' + e.message;
    }
  }

  async function rerun(runId, b) {
    b.disabled = true;
    try {
      const r = await post(`/runs/${enc(runId)}/rerun`);
      notice(fragment(document.createTextNode(`re-run of ${runId}: `), runLink(r.runId)));
    } catch (e) {
      notice(`could not re-run ${runId}: ${e.message}`, true);
      b.disabled = false;
    }
  }

  $('failed-worker').addEventListener('change', () => refresh(false));
  $('failed-more').addEventListener('click', () => refresh(true));
  $('rerun-all').addEventListener('click', async () => {
    const worker = $('failed-worker').value;
    const b = $('rerun-all');
    b.disabled = true;
    try {
      const r = await post(`/workers/${enc(worker)}/rerun-failed`);
      notice(`re-ran ${r.rerun} failed run(s) of ${worker}`);
    } catch (e) {
      notice(`could not re-run the failed runs of ${worker}: ${e.message}`, true);
    }
    refresh(false);
  });

  window.TD.register('failed', {
    async show(params) {
      try {
        await fillWorkers($('failed-worker'), 'all workers');
      } catch (e) {
        $('failed-status').textContent = 'unavailable: ' + e.message;
      }
      if (params.worker) $('failed-worker').value = params.worker;
      refresh(false);
    },
    hide() {},
  });
})();
