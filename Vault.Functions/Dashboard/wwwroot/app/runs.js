// Runs: "New run" with URL, Goal and a credential picker grouped by provider and vault, like the Playground's.
import { api, listAllItems, describe } from './api.js';
import { h, replace, uid, announce, plural, modal, timeAgo } from './dom.js';
import { codesPanel, inboxLines } from './codes.js';
import { domainList, domainText } from './domains.js';

const SELECTION_KEY = 'vault.runSelection';
const PROVIDER_NAMES = { '1password': '1Password', bitwarden: 'Bitwarden', keeper: 'Keeper' };

const loadSelection = () => {
  try { return new Set(JSON.parse(localStorage.getItem(SELECTION_KEY) ?? '[]').filter(id => typeof id === 'string')); } catch { return new Set(); }
};
// Item ids only: never a label, username or anything else from a vault.
const saveSelection = (ids) => localStorage.setItem(SELECTION_KEY, JSON.stringify([...ids]));

export function renderRuns(root, signal) {
  document.title = 'Runs · Vault';
  const area = h('div');
  const newRun = h('button', { type: 'button' }, 'New run');
  newRun.addEventListener('click', () => { newRun.hidden = true; showForm(area, signal, () => { newRun.hidden = false; newRun.focus(); }); });
  replace(root,
    h('h1', {}, 'Runs'),
    h('p', { class: 'lead' }, 'Start a run with exactly the credentials it needs. The run gets a token that reads only those credentials.'),
    h('div', { class: 'actions' }, newRun),
    area,
    findRun(signal));
}

/** "Find a run": its status, its trail of credential reads, and Revoke. */
function findRun(signal) {
  const input = h('input', { id: uid('run-id'), type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'run-…' });
  const error = h('div', { class: 'error', role: 'alert' });
  const details = h('div');
  const titleId = uid('find-run');
  const form = h('form', { class: 'panel', 'aria-labelledby': titleId, novalidate: true },
    h('h2', { id: titleId }, 'Find a run'),
    h('div', { class: 'field' }, h('label', { for: input.id }, 'Run id'), input),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show run')),
    details);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.replaceChildren();
    const runId = input.value.trim();
    if (!/^run-[a-z2-7]+$/.test(runId)) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = 'Enter a run id, beginning with run-.';
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    try {
      const run = await api('GET', `/v1/runs/${encodeURIComponent(runId)}`, undefined, { signal });
      replace(details, runDetails(run, signal));
    } catch (failure) {
      if (failure.name === 'AbortError') return;
      replace(details);
      error.textContent = failure.code === 'NOT_FOUND' ? `No run ${runId} in this account.` : `Could not load the run: ${describe(failure)}`;
    }
  });
  return form;
}

/** A run's status, inbox and codes, trail (newest first, a page at a time) and the Revoke button. */
function runDetails(run, signal, runToken) {
  const titleId = uid('run-details');
  const status = h('dd', { class: 'run-status' }, run.status);
  const trail = h('div', { class: 'trail' }, h('p', {}, 'Loading the trail…'));
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show older reads');
  const refresh = h('button', { type: 'button', class: 'secondary' }, 'Refresh trail');
  const revoke = h('button', { type: 'button', class: 'danger', disabled: run.status === 'revoked' }, 'Revoke run');
  const message = h('p', { class: 'status', role: 'status' });
  let rows = [];
  let next = null;

  const render = () => {
    if (!rows.length) { replace(trail, h('p', { class: 'empty' }, 'No reads yet.')); return; }
    replace(trail, h('table', { class: 'trail-table' },
      h('caption', {}, `Credential and code reads, newest first (${plural(rows.length, 'read')} shown)`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Domain'), h('th', { scope: 'col' }, 'Items'), h('th', { scope: 'col' }, 'Caller'))),
      h('tbody', {}, rows.map(e => h('tr', {},
        // A read of one-time codes is in the trail too: its ids are the codes' (code-…), and it names no domain.
        h('td', {}, timeAgo(e.at)), h('td', {}, e.itemIds.some(id => id.startsWith('code-')) ? '(one-time codes)' : e.domain ? domainText(e.domain) : '(any)'),
        h('td', { class: 'wrap' }, e.itemIds.length ? e.itemIds.join(', ') : 'none matched'),
        h('td', { class: 'wrap' }, e.caller ?? '-'))))));
    more.hidden = !next;
  };
  const load = async (append) => {
    try {
      const query = `limit=50${append && next ? `&pageToken=${encodeURIComponent(next)}` : ''}`;
      const page = await api('GET', `/v1/runs/${encodeURIComponent(run.runId)}/audit?${query}`, undefined, { signal });
      rows = append ? rows.concat(page.entries) : page.entries;
      next = page.nextPageToken;
      render();
    } catch (failure) {
      if (failure.name !== 'AbortError') replace(trail, h('p', { class: 'error' }, `Could not load the trail: ${describe(failure)}`));
    }
  };
  more.addEventListener('click', () => load(true));
  refresh.addEventListener('click', () => load(false));
  revoke.addEventListener('click', () => confirmRevoke(run, async () => {
    revoke.disabled = true;
    try {
      await api('DELETE', `/v1/runs/${encodeURIComponent(run.runId)}`, undefined, { signal });
      status.textContent = 'revoked';
      message.textContent = `Run ${run.runId} is revoked: its token no longer reads anything.`;
      announce(message.textContent);
    } catch (failure) {
      revoke.disabled = false;
      if (failure.name !== 'AbortError') message.textContent = `Could not revoke the run: ${describe(failure)}`;
    }
  }));
  load(false);
  return h('section', { class: 'run-details', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, `Run ${run.runId}`),
    h('dl', {}, h('dt', {}, 'Status'), status, h('dt', {}, 'Expires'), h('dd', {}, new Date(run.expiresAt).toISOString()),
      h('dt', {}, 'Granted'), h('dd', {}, plural(run.credentials.length, 'credential')), inboxLines(run.inbox)),
    h('div', { class: 'actions' }, revoke, refresh), message,
    run.status === 'revoked' ? null : codesPanel(run, signal, runToken),
    h('h4', {}, 'Trail'), trail, more);
}

function confirmRevoke(run, onConfirm) {
  const titleId = uid('confirm');
  const yes = h('button', { type: 'button', class: 'danger' }, 'Revoke');
  const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const dialog = modal(titleId, h('div', { class: 'dialog-form' },
    h('h2', { id: titleId }, `Revoke run ${run.runId}?`),
    h('p', {}, 'Its token stops working at once, everywhere. The trail of its reads stays.'),
    h('div', { class: 'actions' }, yes, no)));
  no.addEventListener('click', () => dialog.close());
  yes.addEventListener('click', () => { dialog.close(); onConfirm(); });
  no.focus();
}

function showForm(area, signal, onClose) {
  const urlInput = h('input', { id: uid('url'), type: 'url', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'https://github.com/login' });
  const goalInput = h('textarea', { id: uid('goal'), rows: 2 });
  const error = h('div', { class: 'error', role: 'alert' });
  const count = h('p', { class: 'status', role: 'status' });
  const picker = h('div', { class: 'picker' }, h('p', {}, 'Loading credentials…'));
  const result = h('div');
  const selectAll = h('button', { type: 'button', class: 'secondary' }, 'Select all');
  const deselectAll = h('button', { type: 'button', class: 'secondary' }, 'Deselect all');
  const create = h('button', { type: 'submit' }, 'Create run');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Close');
  const selected = loadSelection();
  const boxes = new Map(); // itemId -> checkbox

  const titleId = uid('new-run');
  const form = h('form', { class: 'panel', 'aria-labelledby': titleId, novalidate: true },
    h('h2', { id: titleId }, 'New run'),
    h('div', { class: 'field' }, h('label', { for: urlInput.id }, 'URL'), urlInput),
    h('div', { class: 'field' }, h('label', { for: goalInput.id }, 'Goal'), goalInput),
    h('fieldset', { class: 'credentials' }, h('legend', {}, 'Credentials'),
      h('p', { class: 'hint' }, 'Items matching the URL\'s site are selected for you. Your choice is remembered on this browser (item ids only).'),
      h('div', { class: 'actions' }, selectAll, deselectAll), count, picker),
    error,
    h('div', { class: 'actions' }, create, cancel),
    result);

  const updateCount = () => {
    for (const id of [...selected]) if (!boxes.has(id) && boxes.size) selected.delete(id); // forget items that are gone
    saveSelection(selected);
    count.textContent = `${plural([...selected].filter(id => boxes.has(id)).length, 'credential')} selected`;
  };
  const setAll = (value) => {
    for (const [id, box] of boxes) { box.checked = value; if (value) selected.add(id); else selected.delete(id); }
    updateCount();
  };
  selectAll.addEventListener('click', () => setAll(true));
  deselectAll.addEventListener('click', () => setAll(false));
  const close = () => { area.replaceChildren(); onClose(); };
  cancel.addEventListener('click', close);
  form.addEventListener('keydown', event => { if (event.key === 'Escape' && !event.defaultPrevented) { event.preventDefault(); close(); } });

  // The URL's site preselects matching items (the API matches by registrable domain, as a run's credential route does).
  let matchTimer;
  let lastMatched = '';
  const preselect = async () => {
    const url = urlInput.value.trim();
    if (!/^https?:\/\/[^/\s]+/i.test(url) || url === lastMatched) return;
    lastMatched = url;
    try {
      const matches = await listAllItems({ domain: url, enabled: 'true' }, { signal });
      let added = 0;
      for (const item of matches) {
        const box = boxes.get(item.itemId);
        if (box && !box.checked) { box.checked = true; selected.add(item.itemId); added++; }
      }
      updateCount();
      if (added) announce(`Selected ${plural(added, 'credential')} matching ${new URL(url).hostname}.`);
    } catch (failure) {
      if (failure.name !== 'AbortError' && failure.code !== 'NO_CONNECTIONS') error.textContent = `Could not match the URL: ${describe(failure)}`;
    }
  };
  urlInput.addEventListener('input', () => { clearTimeout(matchTimer); matchTimer = setTimeout(preselect, 300); });
  urlInput.addEventListener('change', () => { clearTimeout(matchTimer); preselect(); });

  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.replaceChildren();
    const url = urlInput.value.trim();
    if (!/^https?:\/\/[^/\s]+/i.test(url)) {
      urlInput.setAttribute('aria-invalid', 'true');
      error.textContent = 'Enter the URL the run starts at, beginning with https://.';
      urlInput.focus();
      return;
    }
    urlInput.removeAttribute('aria-invalid');
    const ids = [...selected].filter(id => boxes.has(id));
    const body = { url, goal: goalInput.value.trim() || undefined };
    if (ids.length) { body.use_vault = true; body.credential_item_ids = ids; }
    create.disabled = true;
    try {
      const run = await api('POST', '/v1/runs', body, { signal });
      replace(result, runResult(run, url, signal));
      result.querySelector('h3')?.focus();
      announce(`Run ${run.runId} created with ${plural(run.credentials.length, 'credential')}.`);
    } catch (failure) {
      if (failure.name === 'AbortError') return;
      error.textContent = failure.code === 'UNKNOWN_CREDENTIAL_ITEM'
        ? `Some chosen credentials no longer exist or are disabled: ${failure.message}`
        : `Could not create the run: ${describe(failure)}`;
    } finally {
      create.disabled = false;
    }
  });

  replace(area, form);
  urlInput.focus();

  listAllItems({ enabled: 'true' }, { signal }).then(items => {
    boxes.clear();
    if (!items.length) {
      replace(picker, h('p', { class: 'empty' }, 'No enabled credentials. Connect a password manager in Settings › Vault.'));
      updateCount();
      return;
    }
    const providers = new Map();
    for (const item of items) {
      const vaults = providers.get(item.provider) ?? new Map();
      providers.set(item.provider, vaults);
      const list = vaults.get(item.vaultName) ?? [];
      vaults.set(item.vaultName, list);
      list.push(item);
    }
    const groups = [];
    for (const [provider, vaults] of providers) {
      const headingId = uid('provider');
      groups.push(h('section', { 'aria-labelledby': headingId }, h('h3', { id: headingId }, PROVIDER_NAMES[provider] ?? provider),
        [...vaults].map(([vault, list]) => h('fieldset', { class: 'vault-pick' }, h('legend', {}, `${vault} (${plural(list.length, 'item')})`),
          h('ul', {}, list.map(item => {
            // The checkbox is named by the item's label; its username and sites describe it.
            const detailId = uid('detail');
            const box = h('input', { id: uid('pick'), type: 'checkbox', value: item.itemId, checked: selected.has(item.itemId), 'aria-describedby': detailId });
            box.addEventListener('change', () => { if (box.checked) selected.add(item.itemId); else selected.delete(item.itemId); updateCount(); });
            boxes.set(item.itemId, box);
            return h('li', {}, box, ' ', h('label', { for: box.id, class: 'label' }, item.label),
              h('span', { id: detailId, class: 'muted' }, ` ${item.username ?? ''} · `, domainList(item.domains)));
          }))))));
    }
    replace(picker, groups);
    updateCount();
    if (urlInput.value) preselect();
  }).catch(failure => {
    if (failure.name === 'AbortError') return;
    replace(picker, h('p', { class: 'empty' }, failure.code === 'NO_CONNECTIONS'
      ? 'No vault connections exist yet. Connect a password manager in Settings › Vault.'
      : `Could not load the credentials: ${describe(failure)}`));
  });
}

function copyButton(label, text) {
  const button = h('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(text); announce('Copied.'); button.textContent = 'Copied'; }
    catch { announce('Copy failed: select the text and copy it.'); }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
  return button;
}

function runResult(run, url, signal) {
  const titleId = uid('run');
  let domain = '';
  try { domain = new URL(url).hostname; } catch { domain = ''; }
  const route = `${location.origin}/v1/runs/${encodeURIComponent(run.runId)}/credentials${domain ? `?domain=${encodeURIComponent(domain)}` : ''}`;
  const curl = `curl -H "Authorization: Bearer ${run.runToken}" "${route}"`;
  return h('section', { class: 'run-result', 'aria-labelledby': titleId },
    h('h3', { id: titleId, tabindex: '-1' }, 'Run created'),
    h('dl', {},
      h('dt', {}, 'Run id'), h('dd', {}, h('code', { class: 'run-id' }, run.runId)),
      h('dt', {}, 'Expires'), h('dd', {}, new Date(run.expiresAt).toISOString())),
    h('h4', {}, `Granted credentials (${run.credentials.length})`),
    run.credentials.length
      ? h('ul', { class: 'granted' }, run.credentials.map(c => h('li', {}, h('strong', {}, c.label), ` ${c.username ?? ''} · `, domainList(c.domains))))
      : h('p', {}, 'None: this run has no vault credentials.'),
    h('h4', {}, 'Run token'),
    h('p', { class: 'hint' }, 'Shown once: copy it now. The agent runtime sends it to read the credentials granted to this run.'),
    h('pre', { class: 'secret' }, h('code', { class: 'run-token' }, run.runToken)),
    copyButton('Copy run token', run.runToken),
    h('h4', {}, 'Credential route'),
    h('pre', {}, h('code', { class: 'curl' }, curl)),
    copyButton('Copy curl command', curl),
    runDetails(run, signal, run.runToken));
}
