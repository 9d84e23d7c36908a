// Troupe dashboard, live charts (uPlot): runs started and finished per second, and duration
// percentiles, per worker or for all, over the last minutes since the page was opened. Rates are
// the differences between two samples of the workers' stats, which count the cluster's runs.
'use strict';

(() => {
  const { $, api, el } = window.TD;
  const SAMPLE_MS = 2000;
  const KEEP_MS = 10 * 60 * 1000;
  const ALL = '';

  /** Samples, oldest first: { t: seconds, stats: { worker: stats } }. */
  const samples = [];
  let rates = null;
  let durations = null;

  function selected() {
    return $('chart-worker').value;
  }

  /** The stats of a sample for the chosen worker, or summed (percentiles: the worst) for all. */
  function pick(sample, worker) {
    const list = worker === ALL ? Object.values(sample.stats)
      : [sample.stats[worker]].filter((s) => s);
    if (list.length === 0) return null;
    return list.reduce((a, s) => ({
      runs: a.runs + (s.runs || 0),
      running: a.running + (s.running || 0),
      p50: Math.max(a.p50, s.p50Ms || 0),
      p95: Math.max(a.p95, s.p95Ms || 0),
      p99: Math.max(a.p99, s.p99Ms || 0),
    }), { runs: 0, running: 0, p50: 0, p95: 0, p99: 0 });
  }

  /**
   * The charts' series: finished per second is the growth of the finished-run count; started per
   * second the growth of finished plus running (a run counts from its start until it finishes).
   */
  function series(worker) {
    const xs = [], started = [], finished = [], p50 = [], p95 = [], p99 = [];
    for (let i = 1; i < samples.length; i++) {
      const a = pick(samples[i - 1], worker);
      const b = pick(samples[i], worker);
      if (!a || !b) continue;
      const dt = samples[i].t - samples[i - 1].t;
      xs.push(samples[i].t);
      finished.push(Math.max(0, (b.runs - a.runs) / dt));
      started.push(Math.max(0, (b.runs + b.running - a.runs - a.running) / dt));
      p50.push(b.runs ? b.p50 : null);
      p95.push(b.runs ? b.p95 : null);
      p99.push(b.runs ? b.p99 : null);
    }
    return { xs, started, finished, p50, p95, p99 };
  }

  function chart(target, title, unit, names, colors) {
    const width = Math.max(300, target.clientWidth - 4);
    return new uPlot({
      title, width, height: 200,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
      axes: [
        { space: 70, incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600],
          values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString()) },
        { label: unit, size: 56 },
      ],
      series: [{}, ...names.map((label, i) => ({
        label, stroke: colors[i], width: 2, fill: i === 0 ? colors[i] + '14' : undefined, spanGaps: true,
        value: (u, v) => (v == null ? '–' : v.toFixed(unit === 'ms' ? 0 : 2)),
      }))],
      legend: { live: false },
    }, [[], ...names.map(() => [])], target);
  }

  function last(values) {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] != null) return values[i];
    return null;
  }

  function render() {
    if (!rates) return;
    const s = series(selected());
    rates.setData([s.xs, s.started, s.finished]);
    durations.setData([s.xs, s.p50, s.p95, s.p99]);
    const n = (v, d) => (v == null ? '–' : v.toFixed(d));
    $('rate-now').textContent = s.xs.length === 0 ? 'collecting samples…'
      : `now: ${n(last(s.started), 2)} started/s, ${n(last(s.finished), 2)} finished/s`;
    $('duration-now').textContent = last(s.p50) == null ? 'no finished runs yet'
      : `now: p50 ${n(last(s.p50), 0)} ms · p95 ${n(last(s.p95), 0)} ms · p99 ${n(last(s.p99), 0)} ms`;
  }

  async function sample() {
    try {
      const workers = await api('/workers');
      const stats = {};
      for (const w of workers) if (w.stats) stats[w.name] = w.stats;
      samples.push({ t: Date.now() / 1000, stats });
      while (samples.length > 2 && (samples[samples.length - 1].t - samples[0].t) * 1000 > KEEP_MS) {
        samples.shift();
      }
      updateChoice(workers.map((w) => w.name));
      $('charts-status').textContent = '';
    } catch (e) {
      $('charts-status').textContent = 'unavailable: ' + e.message;
    }
    render();
  }

  function updateChoice(names) {
    const select = $('chart-worker');
    const current = Array.from(select.options, (o) => o.value).slice(1);
    if (current.join('\n') === names.join('\n')) return;
    const chosen = select.value;
    select.replaceChildren(new Option('all workers', ALL), ...names.map((n) => new Option(n, n)));
    select.value = names.includes(chosen) ? chosen : ALL;
  }

  function build() {
    const palette = ['#3358d4', '#1f7a44', '#a15c07', '#b42318'];
    rates = chart($('rate-chart'), 'Runs per second', 'runs/s', ['started', 'finished'],
      [palette[0], palette[1]]);
    durations = chart($('duration-chart'), 'Duration percentiles', 'ms', ['p50', 'p95', 'p99'],
      [palette[1], palette[2], palette[3]]);
    $('rate-chart').append(el('p', 'chart-now', null));
    $('rate-chart').lastChild.id = 'rate-now';
    $('duration-chart').append(el('p', 'chart-now', null));
    $('duration-chart').lastChild.id = 'duration-now';
  }

  function resize() {
    for (const [u, id] of [[rates, 'rate-chart'], [durations, 'duration-chart']]) {
      if (u) u.setSize({ width: Math.max(300, $(id).clientWidth - 4), height: 200 });
    }
  }

  $('chart-worker').addEventListener('change', render);
  window.addEventListener('resize', resize);
  build();
  // sampled on every view, so that the charts hold the minutes before the overview is shown
  const loop = () => sample().finally(() => setTimeout(loop, SAMPLE_MS));
  loop();
  window.TD.charts = { resize };
})();
