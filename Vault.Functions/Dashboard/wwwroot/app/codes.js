// A run's inbox: its address and number, and the one-time codes it received, each masked until clicked.
// Codes are read with the run's own token (an API key is refused, as for every agent), so the page needs the token:
// it has it right after "Create run", and asks for it when a run is found by id. Reads are audited like any other.
import { api, describe } from './api.js';
import { h, replace, uid, announce, timeAgo } from './dom.js';

const CHANNELS = { email: 'Email', sms: 'SMS', push: 'Push' };

/** The inbox lines of a run's details: where codes for this run can be sent. */
export function inboxLines(inbox) {
  return [
    h('dt', {}, 'Inbox email'), h('dd', {}, inbox?.email ? h('code', { class: 'inbox-email' }, inbox.email) : 'none (no mail domain is set up)'),
    h('dt', {}, 'Inbox SMS'), h('dd', {}, inbox?.sms ? h('code', { class: 'inbox-sms' }, inbox.sms) : 'none'),
  ];
}

/** The run's codes, kept up to date by long-polling while the page shows them. Without a token, asks for one first. */
export function codesPanel(run, signal, runToken) {
  const titleId = uid('codes');
  const body = h('div', { class: 'codes' });
  const section = h('section', { class: 'codes-panel', 'aria-labelledby': titleId }, h('h4', { id: titleId }, 'One-time codes'), body);
  if (runToken) watch(run, runToken, body, signal);
  else replace(body, tokenForm(run, body, signal));
  return section;
}

function tokenForm(run, body, signal) {
  const input = h('input', { id: uid('codes-token'), type: 'password', autocomplete: 'off', spellcheck: 'false' });
  const error = h('div', { class: 'error', role: 'alert' });
  const show = h('button', { type: 'button', class: 'secondary' }, 'Show codes');
  const go = () => {
    const token = input.value.trim();
    if (!token) { input.setAttribute('aria-invalid', 'true'); error.textContent = 'Enter the run token to read its codes.'; input.focus(); return; }
    watch(run, token, body, signal);
  };
  show.addEventListener('click', go);
  input.addEventListener('keydown', event => { if (event.key === 'Enter') { event.preventDefault(); go(); } });
  return h('div', {},
    h('p', { class: 'hint' }, 'Codes are the run\'s own: they are read with its run token, and every read is in the trail.'),
    h('div', { class: 'field' }, h('label', { for: input.id }, 'Run token'), input), error, h('div', { class: 'actions' }, show));
}

/** Reads what is kept, then waits for more (up to 25 s a call) until the page moves on or the run stops reading. */
async function watch(run, runToken, body, signal) {
  const list = h('ul', { class: 'code-list' });
  const state = h('p', { class: 'status', role: 'status' }, 'Waiting for codes…');
  replace(body, state, list);
  const path = `/v1/runs/${encodeURIComponent(run.runId)}/codes`;
  let cursor = null;
  let count = 0;
  let wait = 0;
  // The first read may start before the panel is on the page; later ones stop once it has left the page.
  for (let first = true; !signal.aborted && (first || body.isConnected); first = false) {
    try {
      const query = new URLSearchParams({ wait: String(wait) });
      if (cursor) query.set('after', cursor);
      const page = await api('GET', `${path}?${query}`, undefined, { signal, runToken });
      cursor = page.cursor;
      for (const code of page.codes) list.prepend(codeRow(code));
      count += page.codes.length;
      if (page.codes.length) announce(`${page.codes.length === 1 ? 'A code' : `${page.codes.length} codes`} arrived for run ${run.runId}.`);
      state.textContent = count ? 'Newest first. Waiting for more…' : 'No codes yet. Waiting for codes…';
      wait = 25;
    } catch (failure) {
      if (failure.name === 'AbortError') return;
      state.textContent = failure.code === 'UNAUTHORIZED'
        ? 'This token reads no codes: it is not this run\'s, or the run has expired or been revoked.'
        : `Could not read the codes: ${describe(failure)}`;
      return;
    }
  }
}

/** One message: where it came from and when, its code and link hidden until "Show". */
function codeRow(code) {
  const secretId = uid('code');
  const secret = h('span', { id: secretId, class: 'code-secret' }, '••••••');
  const show = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': secretId }, 'Show code');
  show.addEventListener('click', () => {
    const shown = show.getAttribute('aria-expanded') === 'true';
    if (shown) {
      replace(secret, '••••••');
    } else {
      replace(secret,
        code.code ? h('code', { class: 'code-value' }, code.code) : h('span', { class: 'muted' }, 'no code found'),
        code.link ? [' ', h('a', { href: safeLink(code.link), rel: 'noopener noreferrer', target: '_blank', class: 'code-link' }, 'sign-in link')] : null);
    }
    show.setAttribute('aria-expanded', String(!shown));
    show.textContent = shown ? 'Show code' : 'Hide code';
  });
  return h('li', { class: 'code-row' },
    h('span', { class: 'badge' }, CHANNELS[code.channel] ?? code.channel), ' ',
    h('span', { class: 'wrap' }, [code.from ?? 'unknown sender', code.subject ? ` · ${code.subject}` : ''].join('')), ' ',
    timeAgo(code.receivedAt), ' ', secret, ' ', show);
}

/** Only http(s) links become links (a message could carry javascript: or data:). */
function safeLink(link) {
  try { const url = new URL(link); return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '#'; } catch { return '#'; }
}
