// Builds elements from data. Text always goes in as text nodes (never HTML), so anything a vault holds shows literally.

/**
 * h('button', { class: 'x', onclick: fn, 'aria-label': 'y' }, 'text', child)
 * Properties: class, text, dataset-free attributes, on<event> listeners, and a few DOM properties (checked, disabled,
 * hidden, value, selected) set as properties.
 */
export function h(tag, attrs = {}, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'text') el.textContent = String(value);
    else if (name === 'checked' || name === 'value' || name === 'disabled' || name === 'hidden' || name === 'selected') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let ids = 0;
export const uid = prefix => `${prefix}-${++ids}`;

/** Says something to screen readers through the page's live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 30);
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const units = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];

/** "3 minutes ago" for an RFC 3339 time, inside a <time> that carries the exact time. */
export function timeAgo(iso) {
  if (!iso) return h('span', { text: 'never' });
  const date = new Date(iso);
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const [unit, size] = units.find(([, s]) => Math.abs(seconds) >= s) ?? ['second', 1];
  return h('time', { datetime: date.toISOString(), title: date.toISOString() }, relative.format(Math.round(seconds / size), unit));
}

export const plural = (n, one, many = one + 's') => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** A modal <dialog>: Escape and Cancel close it, it is removed when closed and focus returns where it was. */
export function modal(labelId, content, { onClose } = {}) {
  const opener = document.activeElement;
  const dialog = h('dialog', { 'aria-labelledby': labelId }, content);
  dialog.addEventListener('close', () => {
    dialog.remove();
    onClose?.();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
