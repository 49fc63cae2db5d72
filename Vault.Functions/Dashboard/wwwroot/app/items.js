// The cached items grouped by vault name, a page at a time (5,000 items stay quick: only one page is in the DOM).
import { api, listAllItems, describe } from './api.js';
import { h, replace, uid, announce, plural } from './dom.js';
import { domainList, toUnicode } from './domains.js';

const PAGE_SIZE = 100;
const byVault = (items) => {
  const counts = new Map();
  for (const item of items) counts.set(item.vaultName, (counts.get(item.vaultName) ?? 0) + 1);
  return counts;
};

export class ItemList {
  constructor(signal) {
    this.signal = signal;
    this.items = [];
    this.loading = false;
    this.complete = false;
    this.page = 0;
    this.generation = 0;
    const siteId = uid('site');
    const textId = uid('text');
    this.site = h('input', { id: siteId, type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'github.com' });
    this.text = h('input', { id: textId, type: 'search', autocomplete: 'off', spellcheck: 'false' });
    this.status = h('p', { class: 'status', role: 'status' });
    this.groups = h('div', { class: 'groups' });
    this.pager = h('nav', { class: 'pager', 'aria-label': 'Item pages', hidden: true });
    const siteForm = h('form', { class: 'filter', role: 'search', 'aria-label': 'Filter by site', novalidate: true },
      h('label', { for: siteId }, 'Site'), this.site, h('button', { type: 'submit', class: 'secondary' }, 'Filter by site'));
    siteForm.addEventListener('submit', event => { event.preventDefault(); this.reload(); });
    let timer;
    this.text.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { this.page = 0; this.render(); }, 120); });
    this.element = h('section', { 'aria-labelledby': 'items-title' },
      h('h2', { id: 'items-title' }, 'Items'),
      h('div', { class: 'filters' }, siteForm,
        h('div', { class: 'filter' }, h('label', { for: textId }, 'Filter'), this.text)),
      this.status, this.groups, this.pager);
    this.hasConnections = null;
  }

  connectionsChanged(count) { this.hasConnections = count > 0; }

  /** Reads the cache again (all pages); the first page is drawn as soon as it arrives. */
  async reload() {
    const generation = ++this.generation;
    this.loading = true;
    this.complete = false;
    const query = {};
    const site = this.site.value.trim();
    if (site) query.domain = site;
    this.status.textContent = 'Loading items…';
    try {
      await listAllItems(query, {
        signal: this.signal,
        firstLimit: PAGE_SIZE,
        onPage: (items, more) => {
          if (generation !== this.generation) return;
          this.items = items;
          this.complete = !more;
          if (this.page * PAGE_SIZE >= items.length) this.page = 0;
          this.render();
        },
      });
    } catch (error) {
      if (error.name === 'AbortError' || generation !== this.generation) return;
      this.items = [];
      this.complete = true;
      this.render();
      this.status.textContent = error.code === 'NO_CONNECTIONS'
        ? 'No vault connections exist yet. Connect a password manager first.'
        : `Could not load the items: ${describe(error)}`;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  filtered() {
    const needle = this.text.value.trim().toLowerCase();
    if (!needle) return this.items;
    return this.items.filter(i => i.label.toLowerCase().includes(needle)
      || (i.username ?? '').toLowerCase().includes(needle)
      || i.domains.some(d => d.includes(needle) || toUnicode(d).toLowerCase().includes(needle))
      || i.vaultName.toLowerCase().includes(needle));
  }

  render() {
    const items = this.filtered();
    const counts = byVault(items);
    const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
    this.page = Math.min(this.page, pages - 1);
    const slice = items.slice(this.page * PAGE_SIZE, (this.page + 1) * PAGE_SIZE);
    const site = this.site.value.trim();
    const more = this.complete ? '' : ' so far, loading more…';
    this.status.textContent = `${plural(items.length, 'item')}${site ? ` for ${site}` : ''}${more}`;

    const sections = [];
    let current = null;
    for (const item of slice) {
      if (!current || current.vault !== item.vaultName) {
        const titleId = uid('vault');
        const count = counts.get(item.vaultName);
        const continued = current === null && this.page > 0 && items[this.page * PAGE_SIZE - 1]?.vaultName === item.vaultName;
        const body = h('tbody');
        current = { vault: item.vaultName, body };
        sections.push(h('section', { class: 'vault', 'aria-labelledby': titleId },
          h('h3', { id: titleId }, item.vaultName, h('span', { class: 'count' }, ` (${plural(count, 'item')}${this.complete ? '' : '+'})`), continued ? h('span', { class: 'count' }, ' continued') : null),
          h('table', {},
            h('thead', {}, h('tr', {}, ['Item', 'Username', 'Sites', 'TOTP', 'Enabled'].map(t => h('th', { scope: 'col' }, t)))),
            body)));
      }
      current.body.append(this.row(item));
    }
    replace(this.groups, sections.length ? sections : (this.complete && this.items.length && !items.length ? h('p', { class: 'empty' }, 'No item matches the filter.') : null));
    this.renderPager(pages, items.length);
  }

  row(item) {
    const toggle = h('input', { type: 'checkbox', role: 'switch', checked: item.enabled, 'aria-label': `Enabled: ${item.label}` });
    toggle.addEventListener('change', async () => {
      const wanted = toggle.checked;
      toggle.disabled = true;
      try {
        const updated = await api('PATCH', `/v1/vault/items/${encodeURIComponent(item.itemId)}`, { enabled: wanted }, { signal: this.signal });
        item.enabled = updated.enabled;
        announce(`${item.label} ${updated.enabled ? 'enabled' : 'disabled'}.`);
      } catch (error) {
        if (error.name === 'AbortError') return;
        toggle.checked = !wanted;
        this.status.textContent = `Could not change ${item.label}: ${describe(error)}`;
      } finally {
        toggle.disabled = false;
      }
    });
    return h('tr', {},
      h('th', { scope: 'row' }, item.label, h('span', { class: 'provider' }, item.provider === 'bitwarden' ? ' Bitwarden' : item.provider === 'keeper' ? ' Keeper' : ' 1Password')),
      h('td', {}, item.username ?? ''),
      h('td', { class: 'domains' }, domainList(item.domains)),
      h('td', {}, item.hasTotp ? h('span', { class: 'badge' }, 'TOTP') : ''),
      h('td', {}, toggle));
  }

  renderPager(pages, total) {
    this.pager.hidden = pages <= 1;
    if (pages <= 1) { this.pager.replaceChildren(); return; }
    const go = (page) => {
      this.page = page;
      this.render();
      this.groups.querySelector('h3')?.setAttribute('tabindex', '-1');
      this.groups.querySelector('h3')?.focus();
      announce(`Page ${page + 1} of ${pages}`);
    };
    const previous = h('button', { type: 'button', class: 'secondary', disabled: this.page === 0 }, 'Previous page');
    const next = h('button', { type: 'button', class: 'secondary', disabled: this.page >= pages - 1 }, 'Next page');
    previous.addEventListener('click', () => go(this.page - 1));
    next.addEventListener('click', () => go(this.page + 1));
    replace(this.pager, previous, h('span', {}, `Page ${this.page + 1} of ${pages} (${plural(total, 'item')})`), next);
  }
}
