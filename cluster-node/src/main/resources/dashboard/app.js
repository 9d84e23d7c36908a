// Troupe dashboard, the wiring: the address (#/…) picks the view, the token form saves the token.
// Loaded last, after the views have registered.
'use strict';

(() => {
  const { $, views, token, saveToken, notice } = window.TD;
  let current = null;

  /** "#/run/ID" → { name: 'run', params: { id } }; "#/failed?worker=w" → failed with worker. */
  function route() {
    const hash = location.hash.replace(/^#\/?/, '');
    const [path, search] = hash.split('?');
    const parts = path.split('/').filter((p) => p);
    const params = Object.fromEntries(new URLSearchParams(search || ''));
    if (parts[0] === 'run' && parts[1]) return { name: 'run', params: { ...params, id: decodeURIComponent(parts[1]) } };
    return { name: views[parts[0]] ? parts[0] : 'overview', params };
  }

  function show() {
    const { name, params } = route();
    if (current) views[current].hide();
    current = name;
    for (const section of document.querySelectorAll('[data-view]')) {
      section.hidden = section.dataset.view !== name;
    }
    for (const a of document.querySelectorAll('nav a')) {
      a.classList.toggle('active', a.dataset.nav === (name === 'run' ? 'runs' : name));
    }
    views[name].show(params);
    if (name === 'overview' && window.TD.charts) window.TD.charts.resize();
  }

  $('token').value = token();
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('token').value.trim();
    try {
      saveToken(t);
      notice(t ? 'token saved in this browser' : 'token removed');
    } catch (err) {
      notice('could not store the token: ' + err.message, true);
    }
    show();
  });
  window.addEventListener('hashchange', show);
  // a notice says what the last action did: leaving through the menu leaves it behind
  for (const a of document.querySelectorAll('nav a')) a.addEventListener('click', () => notice(''));
  show();
})();
