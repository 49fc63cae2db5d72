// The page-text snapshot of both SDKs' PageSafety (C#: embedded in Vault.Client.Playwright; TypeScript: generated
// into sdk/typescript/src/signin/scripts.ts). One function expression evaluated in a frame: the frame's visible text
// and form structure as lines, with every input, textarea and select value left out (only "filled" or "empty"), and
// the current values of password and one-time-code fields scrubbed from the text too, in case the page echoes them.
(() => {
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'CANVAS', 'IFRAME', 'OBJECT', 'EMBED']);
  const lines = [];
  const secrets = [];
  const describe = (el) => {
    const attrs = [];
    for (const a of ['type', 'name', 'id', 'autocomplete', 'placeholder', 'aria-label']) {
      const v = el.getAttribute(a);
      if (v) attrs.push(`${a}="${v.slice(0, 80)}"`);
    }
    const label = el.labels && el.labels.length ? [...el.labels].map((l) => (l.innerText || '').trim()).join(' ') : '';
    if (label) attrs.push(`label="${label.slice(0, 80)}"`);
    return attrs.join(' ');
  };
  const walk = (node, depth) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        const text = child.textContent.replace(/\s+/g, ' ').trim();
        if (text && !(child.parentElement && child.parentElement.closest('textarea'))) lines.push(text);
        continue;
      }
      if (child.nodeType !== Node.ELEMENT_NODE || SKIP.has(child.tagName.toUpperCase())) continue;
      const tag = child.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
        const type = (child.getAttribute('type') || '').toLowerCase();
        if (type === 'hidden') continue;
        const value = tag === 'SELECT' ? '' : child.value || '';
        const ac = (child.getAttribute('autocomplete') || '').toLowerCase();
        if (value && (type === 'password' || /one-time-code|password/.test(ac))) secrets.push(value);
        const state = type === 'checkbox' || type === 'radio' ? (child.checked ? 'checked' : 'unchecked')
          : tag === 'SELECT' ? `options: ${[...child.options].map((o) => o.text.trim()).slice(0, 20).join(' | ')}`
            : value ? 'filled' : 'empty';
        lines.push(`[${tag.toLowerCase()} ${describe(child)} (${state}${child.disabled ? ', disabled' : ''})]`);
        continue;
      }
      if (tag === 'BUTTON') { lines.push(`[button "${(child.innerText || child.getAttribute('aria-label') || '').trim().slice(0, 80)}"]`); continue; }
      if (tag === 'A' && child.getAttribute('href')) { lines.push(`[link "${(child.innerText || '').trim().slice(0, 80)}"]`); continue; }
      if (typeof child.checkVisibility === 'function' && !child.checkVisibility({ checkVisibilityCSS: true })) continue;
      walk(child, depth + 1);
      if (child.shadowRoot) walk(child.shadowRoot, depth + 1);
    }
  };
  if (document.title) lines.push(`# ${document.title}`);
  if (document.body) walk(document.body, 0);
  // Every field's current value, wherever it is, is scrubbed from the text (a page can echo what was typed).
  for (const el of document.querySelectorAll('input, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (el.value && el.value.length >= 4 && type !== 'checkbox' && type !== 'radio' && type !== 'submit' && type !== 'button') secrets.push(el.value);
  }
  let text = lines.join('\n');
  for (const s of secrets.sort((a, b) => b.length - a.length)) text = text.split(s).join('[redacted]');
  return text;
})()
