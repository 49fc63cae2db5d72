// Domain names as people read them: IDNs in Unicode (bänk.example), with the punycode form (xn--bnk-qla.example) on
// hover, so a look-alike can still be told apart. The API gives registrable domains in their ASCII (punycode) form.
import { h } from './dom.js';

// RFC 3492 parameters.
const BASE = 36, T_MIN = 1, T_MAX = 26, SKEW = 38, DAMP = 700, INITIAL_BIAS = 72, INITIAL_N = 128;

function adapt(delta, points, first) {
  delta = first ? Math.floor(delta / DAMP) : delta >> 1;
  delta += Math.floor(delta / points);
  let k = 0;
  while (delta > ((BASE - T_MIN) * T_MAX) >> 1) { delta = Math.floor(delta / (BASE - T_MIN)); k += BASE; }
  return k + Math.floor(((BASE - T_MIN + 1) * delta) / (delta + SKEW));
}

function digit(code) {
  if (code >= 48 && code <= 57) return code - 22; // 0-9 are 26-35
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 97;
  return BASE;
}

/** One punycode label (without its xn-- prefix) decoded; null when it is not valid punycode. */
function decodeLabel(input) {
  const output = [];
  const basic = Math.max(0, input.lastIndexOf('-'));
  for (let j = 0; j < basic; j++) {
    if (input.charCodeAt(j) >= 0x80) return null;
    output.push(input.charCodeAt(j));
  }
  let n = INITIAL_N, bias = INITIAL_BIAS, i = 0;
  for (let index = basic > 0 ? basic + 1 : 0; index < input.length;) {
    const old = i;
    for (let w = 1, k = BASE; ; k += BASE) {
      if (index >= input.length) return null;
      const d = digit(input.charCodeAt(index++));
      if (d >= BASE) return null;
      i += d * w;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (d < t) break;
      w *= BASE - t;
      if (w > 0x10ffff * BASE) return null;
    }
    const length = output.length + 1;
    bias = adapt(i - old, length, old === 0);
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff || output.length > 63) return null;
    output.splice(i++, 0, n);
  }
  try { return String.fromCodePoint(...output); } catch { return null; }
}

/** bänk.example for xn--bnk-qla.example; anything that does not decode stays as it is. */
export function toUnicode(domain) {
  return String(domain).split('.').map(label => {
    if (!/^xn--/i.test(label)) return label;
    return decodeLabel(label.slice(4).toLowerCase()) || label;
  }).join('.');
}

/** A domain as text, with its ASCII form as the hover title when the two differ. */
export function domainText(domain) {
  const unicode = toUnicode(domain);
  return unicode === domain ? h('span', { class: 'domain' }, domain) : h('span', { class: 'domain idn', title: domain }, unicode);
}

/** Several domains, comma-separated. */
export function domainList(domains) {
  return domains.flatMap((d, index) => (index ? [', ', domainText(d)] : [domainText(d)]));
}
