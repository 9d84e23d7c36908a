// Troupe dashboard, shared core: API access with the saved token, DOM helpers, the SSE reader and
// the registry of views. Loaded first; every other dashboard script uses window.TD.
'use strict';

window.TD = (() => {
  const API = '/api/v1';
  const TOKEN_KEY = 'troupe.token';
  const ACTIVE = ['WAITING', 'SCHEDULED', 'QUEUED', 'RUNNING', 'RETRYING'];
  const views = {};

  const $ = (id) => document.getElementById(id);

  // ---- API access -------------------------------------------------------------------------------

  function token() {
    try {
      return localStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  function saveToken(t) {
    if (t) localStorage.setItem(TOKEN_KEY, t);
    else localStorage.removeItem(TOKEN_KEY);
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

  /** POSTs an empty JSON object (the actions' bodies are declared JSON). */
  function post(path) {
    return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  }

  const enc = encodeURIComponent;

  // ---- small DOM helpers ------------------------------------------------------------------------

  function el(tag, cls, content) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content instanceof Node) e.append(content);
    else if (content != null) e.textContent = String(content);
    return e;
  }

  function cell(content, cls) {
    return el('td', cls, content == null ? '' : content);
  }

  function row(cells, cls) {
    const tr = el('tr', cls);
    tr.append(...cells);
    return tr;
  }

  function placeholder(table, text) {
    const td = cell(text, 'empty');
    td.colSpan = table.tHead.rows[0].cells.length;
    table.tBodies[0].replaceChildren(row([td]));
  }

  function button(text, onClick, cls) {
    const b = el('button', cls, text);
    b.type = 'button';
    b.addEventListener('click', () => onClick(b));
    return b;
  }

  function fragment(...nodes) {
    const f = document.createDocumentFragment();
    f.append(...nodes);
    return f;
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
    return el('span', 'badge ' + String(status || '').toLowerCase(), status || '');
  }

  /** A link to the run's page. */
  function runLink(runId) {
    const a = el('a', 'run-link', runId);
    a.href = '#/run/' + enc(runId);
    return a;
  }

  function outcome(run) {
    if (run.error) return `${run.error.code}: ${run.error.message}`;
    return run.result === undefined || run.result === null ? '' : JSON.stringify(run.result);
  }

  /** Says text (a string or nodes) in the banner under the header; empty hides it. */
  function notice(text, isError) {
    const n = $('notice');
    if (text instanceof Node) n.replaceChildren(text);
    else n.textContent = text || '';
    n.classList.toggle('error', !!isError);
    n.hidden = !text;
  }

  /** Fills a worker <select> with "any" (value '') and the registered workers, keeping its value. */
  async function fillWorkers(select, anyLabel) {
    const names = (await api('/workers')).map((w) => w.name);
    const chosen = select.value;
    const options = anyLabel == null ? [] : [new Option(anyLabel, '')];
    select.replaceChildren(...options, ...names.map((n) => new Option(n, n)));
    if (chosen === '' || names.includes(chosen)) select.value = chosen;
    return names;
  }

  // ---- a run's event stream ---------------------------------------------------------------------

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
      let id = null;
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'event') type = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') id = value;
      }
      if (id !== null) lastId = id;
      if (data.length === 0) return;
      on(type, data.join('\n'), id);
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

  function parse(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return text;
    }
  }

  /**
   * Registers a view: view.show(params) when the address names it, view.hide() when another one
   * is shown. Its markup is the element with id "view-" + name.
   */
  function register(name, view) {
    views[name] = view;
  }

  return {
    ACTIVE, $, api, post, enc, token, saveToken, el, cell, row, placeholder, button, fragment,
    time, ms, statusBadge, runLink, outcome, notice, fillWorkers, stream, parse, register,
    views,
  };
})();
