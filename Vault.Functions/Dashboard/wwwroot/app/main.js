// The dashboard's shell: sign-in, the three views (Settings > Vault, Runs, Usage) by URL hash, sign-out.
import { api, ApiError, session, keyRejected } from './api.js';
import { h, replace, uid } from './dom.js';
import { renderVault } from './vault.js';
import { renderRuns } from './runs.js';
import { renderUsage } from './usage.js';

const views = { vault: renderVault, runs: renderRuns, usage: renderUsage };
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOutButton = document.getElementById('sign-out');
let current = null; // the running view's AbortController

function viewName() {
  const name = location.hash.replace(/^#\/?/, '');
  return Object.hasOwn(views, name) ? name : 'vault';
}

function show() {
  current?.abort();
  current = new AbortController();
  document.querySelectorAll('dialog').forEach(d => d.close());
  if (!session.key) {
    nav.hidden = true;
    signOutButton.hidden = true;
    renderSignIn(main, current.signal);
    return;
  }
  nav.hidden = false;
  signOutButton.hidden = false;
  const name = viewName();
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  views[name](main, current.signal);
}

function signOut(message) {
  session.signOut();
  show();
  if (message) document.getElementById('sign-in-error')?.replaceChildren(message);
}

function renderSignIn(root, signal, message) {
  document.title = 'Sign in · Vault';
  const inputId = uid('api-key');
  const hintId = uid('api-key-hint');
  const input = h('input', { id: inputId, name: 'apiKey', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': hintId });
  const error = h('p', { id: 'sign-in-error', class: 'error', role: 'alert' }, message ?? '');
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'panel narrow', 'aria-labelledby': 'sign-in-title', novalidate: true },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('label', { for: inputId }, 'API key'),
    input,
    h('p', { id: hintId, class: 'hint' }, 'Your key is kept in this browser tab only and forgotten when you sign out or close the tab.'),
    error,
    button);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      error.textContent = 'Enter your API key.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    button.disabled = true;
    error.textContent = '';
    try {
      await api('GET', '/v1/vault/connections', undefined, { key, signal });
      input.value = '';
      session.signIn(key);
      if (!location.hash) history.replaceState(null, '', '#/vault');
      show();
      focusHeading();
    } catch (failure) {
      if (failure.name === 'AbortError') return;
      input.setAttribute('aria-invalid', 'true');
      error.textContent = failure instanceof ApiError && (failure.code === 'INVALID_API_KEY' || failure.code === 'MISSING_API_KEY')
        ? 'That API key was not accepted: Invalid or expired API key (INVALID_API_KEY). Check the key and try again.'
        : `Could not sign in: ${failure.message}`;
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  replace(root, form);
  input.focus();
}

signOutButton.addEventListener('click', () => signOut());

/** After a change of view, focus goes to its heading so that a screen reader announces where the user is. */
function focusHeading() {
  const heading = main.querySelector('h1');
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus();
}
keyRejected.addEventListener('rejected', () => signOut('Your API key is no longer accepted (INVALID_API_KEY). Sign in again.'));
window.addEventListener('hashchange', () => { show(); focusHeading(); });
show();
