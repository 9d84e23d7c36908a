// Troupe dashboard, the schedules (#/schedules): each schedule's cron, time zone, next fire
// times, paused or not, and recent runs; Pause, Resume and Trigger act on it.
'use strict';

(() => {
  const { $, api, post, enc, el, cell, row, placeholder, button, time, statusBadge, runLink,
    notice, fragment } = window.TD;
  const REFRESH_MS = 5000;
  let timer = null;

  function recent(runs) {
    const list = el('ul', 'recent');
    for (const r of runs.slice(-5).reverse()) {
      const li = el('li');
      li.append(runLink(r.runId), ' ', statusBadge(r.status || 'UNKNOWN'));
      li.title = `fired ${time(r.fireTime)}` + (r.error ? ` — ${r.error}` : '');
      list.append(li);
    }
    return runs.length ? list : el('span', 'muted', 'none yet');
  }

  function actions(s) {
    const name = s.name;
    const toggle = s.paused
      ? button('Resume', (b) => act(b, `/schedules/${enc(name)}/resume`, `${name} resumed`))
      : button('Pause', (b) => act(b, `/schedules/${enc(name)}/pause`, `${name} paused`), 'secondary');
    const trigger = button('Trigger', (b) => act(b, `/schedules/${enc(name)}/trigger`, null), 'secondary');
    const span = el('span', 'row-actions');
    span.append(toggle, trigger);
    return span;
  }

  async function act(b, path, said) {
    b.disabled = true;
    try {
      const r = await post(path);
      notice(said || fragment(document.createTextNode('triggered: run '), runLink(r.runId)));
    } catch (e) {
      notice(e.message, true);
    } finally {
      b.disabled = false;
    }
    refresh();
  }

  async function refresh() {
    const table = $('schedules-table');
    try {
      const list = (await api('/schedules')).schedules;
      $('schedules-status').textContent = '';
      if (list.length === 0) {
        placeholder(table, 'no schedules');
        return;
      }
      table.tBodies[0].replaceChildren(...list.map((s) => row([
        cell(s.name, 'name'), cell(s.worker), cell(el('code', null, s.cron)), cell(s.timezone),
        cell(el('span', null, s.nextFireTimes.slice(0, 3).map(time).join('\n')), 'times'),
        cell(statusBadge(s.paused ? 'PAUSED' : 'ACTIVE')), cell(recent(s.recentRuns)),
        cell(actions(s)),
      ], s.paused ? 'paused' : '')));
    } catch (e) {
      $('schedules-status').textContent = 'unavailable: ' + e.message;
    }
  }

  function loop() {
    refresh().finally(() => { if (timer) timer = setTimeout(loop, REFRESH_MS); });
  }

  window.TD.register('schedules', {
    show() {
      timer = -1;
      loop();
    },
    hide() {
      clearTimeout(timer);
      timer = null;
    },
  });
})();
