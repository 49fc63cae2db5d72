// Usage: billable calls per day (last 30 days, UTC) as a bar chart, and per route.
import { api, describe } from './api.js';
import { h, replace, uid, plural } from './dom.js';

const DAYS = 30;
const day = (date) => date.toISOString().slice(0, 10);

export async function renderUsage(root, signal) {
  document.title = 'Usage · Vault';
  const body = h('div', {}, h('p', { role: 'status' }, 'Loading usage…'));
  replace(root, h('h1', {}, 'Usage'),
    h('p', { class: 'lead' }, 'Billable calls of this account: every authenticated call answered below 500, other than 429.'), body);
  const today = new Date();
  const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (DAYS - 1)));
  let answer;
  try {
    answer = await api('GET', `/v1/usage?from=${day(from)}&to=${day(today)}`, undefined, { signal });
  } catch (error) {
    if (error.name !== 'AbortError') replace(body, h('p', { class: 'error', role: 'alert' }, `Could not load usage: ${describe(error)}`));
    return;
  }

  const byDate = new Map(answer.days.map(d => [d.date, d]));
  const series = [];
  for (let i = 0; i < DAYS; i++) {
    const date = day(new Date(from.getTime() + i * 86400000));
    series.push({ date, calls: byDate.get(date)?.calls ?? 0 });
  }
  const routes = new Map();
  for (const d of answer.days) for (const [route, calls] of Object.entries(d.byRoute ?? {})) routes.set(route, (routes.get(route) ?? 0) + calls);
  const total = series.reduce((sum, d) => sum + d.calls, 0);

  replace(body,
    h('section', { 'aria-labelledby': 'per-day' }, h('h2', { id: 'per-day' }, `Calls per day (last ${DAYS} days): ${plural(total, 'call')}`),
      chart(series),
      h('details', {}, h('summary', {}, 'Calls per day as a table'),
        table('Calls per day', ['Date', 'Calls'], series.filter(d => d.calls).map(d => [d.date, d.calls.toLocaleString('en')])))),
    h('section', { 'aria-labelledby': 'per-route' }, h('h2', { id: 'per-route' }, 'Calls per route'),
      routes.size
        ? table('Calls per route, last 30 days', ['Route', 'Calls'], [...routes].sort((a, b) => b[1] - a[1]).map(([r, c]) => [r, c.toLocaleString('en')]))
        : h('p', { class: 'empty' }, 'No billable calls in the last 30 days.')));
}

function table(caption, head, rows) {
  return h('table', { class: 'usage' }, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map(r => h('tr', {}, h('th', { scope: 'row' }, r[0]), h('td', {}, r[1])))));
}

function chart(series) {
  const width = 600, height = 180, pad = 24;
  const max = Math.max(1, ...series.map(d => d.calls));
  const step = (width - pad) / series.length;
  const titleId = uid('chart');
  const svg = h('svg:svg', { viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-labelledby': titleId, class: 'chart' },
    h('svg:title', { id: titleId }, `Bar chart of billable calls per day from ${series[0].date} to ${series.at(-1).date}; most in a day: ${max.toLocaleString('en')}.`),
    h('svg:line', { x1: pad, y1: height, x2: width, y2: height, class: 'axis' }),
    h('svg:text', { x: 0, y: 12, class: 'tick' }, max.toLocaleString('en')),
    h('svg:text', { x: 0, y: height, class: 'tick' }, '0'));
  series.forEach((d, i) => {
    const barHeight = Math.round((d.calls / max) * (height - 16));
    svg.append(h('svg:rect', { x: (pad + i * step + 1).toFixed(1), y: height - barHeight, width: Math.max(1, step - 2).toFixed(1), height: barHeight, class: 'bar' },
      h('svg:title', {}, `${d.date}: ${plural(d.calls, 'call')}`)));
    if (i % 7 === 0 || i === series.length - 1) {
      svg.append(h('svg:text', { x: (pad + i * step).toFixed(1), y: height + 16, class: 'tick' }, d.date.slice(5)));
    }
  });
  return svg;
}
