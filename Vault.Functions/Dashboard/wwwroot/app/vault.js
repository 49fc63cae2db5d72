// Settings > Vault: the connections (cards with Sync, Disconnect, Reconnect) and the cached items grouped by vault.
import { api, describe } from './api.js';
import { h, replace, uid, announce, timeAgo, plural, modal } from './dom.js';
import { openConnectDialog } from './connect.js';
import { ItemList } from './items.js';

const PROVIDER_NAMES = { '1password': '1Password', bitwarden: 'Bitwarden', keeper: 'Keeper' };

export function renderVault(root, signal) {
  document.title = 'Settings › Vault · Vault';
  const status = h('p', { class: 'status', role: 'status' });
  const cards = h('div', { class: 'cards' });
  const items = new ItemList(signal);
  const connectButton = h('button', { type: 'button' }, 'Connect a password manager');
  connectButton.addEventListener('click', () => openConnectDialog({ onDone: () => refresh().then(() => items.reload()) }));

  replace(root,
    h('h1', {}, 'Settings › Vault'),
    h('p', { class: 'lead' }, 'Connect your password manager; its login items sync here, grouped by vault name. Each run only gets the credentials you choose for it.'),
    h('div', { class: 'actions' }, connectButton),
    status,
    h('section', { 'aria-labelledby': 'connections-title' }, h('h2', { id: 'connections-title' }, 'Connections'), cards),
    items.element);

  async function refresh() {
    try {
      const { connections } = await api('GET', '/v1/vault/connections', undefined, { signal });
      replace(cards, connections.length
        ? connections.map(c => card(c))
        : h('p', { class: 'empty' }, 'No password manager is connected yet. Use “Connect a password manager” to add one.'));
      items.connectionsChanged(connections.length);
    } catch (error) {
      if (error.name !== 'AbortError') status.textContent = `Could not load the connections: ${describe(error)}`;
    }
  }

  function card(c) {
    const titleId = uid('conn');
    const result = h('p', { class: 'result', role: 'status' });
    const syncButton = h('button', { type: 'button', 'aria-describedby': titleId }, 'Sync');
    const disconnectButton = h('button', { type: 'button', class: 'danger', 'aria-describedby': titleId }, 'Disconnect');
    const needsReconnect = c.status === 'reconnect_required';

    syncButton.addEventListener('click', async () => {
      syncButton.disabled = true;
      result.textContent = 'Syncing…';
      try {
        const answer = await api('POST', '/v1/vault/items/sync', { connectionId: c.connectionId }, { signal });
        const s = answer.sync_summary;
        const fared = answer.connections?.find(x => x.connectionId === c.connectionId);
        await refresh();
        const text = fared?.error
          ? `Sync failed: ${fared.error.message}`
          : `Synced: ${s.added} added, ${s.updated} updated, ${s.removed} removed, ${s.skippedDisabled} skipped (disabled).`;
        // The card was redrawn: say it in the new card and to screen readers.
        document.getElementById(`result-${c.connectionId}`)?.replaceChildren(text);
        announce(text);
        items.reload();
      } catch (error) {
        if (error.name === 'AbortError') return;
        result.textContent = error.code === 'UNAUTHORIZED'
          ? 'Sync failed: this connection needs a reconnect (its credentials were rejected).'
          : `Sync failed: ${describe(error)}`;
        syncButton.disabled = false;
        refresh().then(() => document.getElementById(`result-${c.connectionId}`)?.replaceChildren(result.textContent));
      }
    });

    disconnectButton.addEventListener('click', () => confirmDisconnect(c, async () => {
      try {
        await api('DELETE', `/v1/vault/connections/${encodeURIComponent(c.connectionId)}`, undefined, { signal });
        announce(`Disconnected ${PROVIDER_NAMES[c.provider]} ${c.label}.`);
        status.textContent = `Disconnected ${PROVIDER_NAMES[c.provider]} ${c.label}. Its cached items are removed.`;
        await refresh();
        items.reload();
        connectButton.focus();
      } catch (error) {
        if (error.name !== 'AbortError') result.textContent = `Disconnect failed: ${describe(error)}`;
      }
    }));

    result.id = `result-${c.connectionId}`;
    const reconnectButton = h('button', { type: 'button', 'aria-describedby': titleId }, 'Reconnect');
    reconnectButton.addEventListener('click', () => openConnectDialog({ reconnect: c, onDone: () => { refresh(); items.reload(); } }));
    const row = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
    return h('article', { class: needsReconnect ? 'card attention' : 'card', 'aria-labelledby': titleId },
      h('h3', { id: titleId }, `${PROVIDER_NAMES[c.provider] ?? c.provider} · ${c.label}`),
      needsReconnect ? h('div', { class: 'banner' },
        h('p', {}, h('strong', {}, 'Reconnect required. '), 'The password manager rejected this connection\'s credentials. Its cached items stay readable; reconnect with a fresh token or updated credentials.'),
        reconnectButton) : null,
      h('dl', {},
        row('Provider', PROVIDER_NAMES[c.provider] ?? c.provider),
        row('Account', c.label),
        c.serverUrl ? row('Server', c.serverUrl) : null,
        row('Status', needsReconnect ? 'Reconnect required' : 'Active'),
        row('Items', c.itemCount.toLocaleString('en')),
        row('Vaults', c.vaults.length ? c.vaults.join(', ') : 'none'),
        row('Last synced', timeAgo(c.lastSyncedAt)),
        c.lastError ? row('Last error', `${c.lastError.message} (${c.lastError.code}, `, timeAgo(c.lastError.at), ')') : null),
      h('div', { class: 'actions' }, syncButton, disconnectButton),
      result);
  }

  refresh().then(() => items.reload());
}

function confirmDisconnect(connection, onConfirm) {
  const titleId = uid('confirm');
  const name = `${PROVIDER_NAMES[connection.provider] ?? connection.provider} ${connection.label}`;
  const yes = h('button', { type: 'button', class: 'danger' }, 'Disconnect');
  const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const dialog = modal(titleId, h('div', { class: 'dialog-form' },
    h('h2', { id: titleId }, `Disconnect ${name}?`),
    h('p', {}, `Its key is destroyed first, so its stored credentials and ${plural(connection.itemCount, 'cached item')} can never be read again, then they are deleted. No run can use them any more.`),
    h('div', { class: 'actions' }, yes, no)));
  no.addEventListener('click', () => dialog.close());
  yes.addEventListener('click', () => { dialog.close(); onConfirm(); });
  no.focus();
}
