// The connect form ("Connect a password manager") and the same form to reconnect a connection in place.
import { api, describe } from './api.js';
import { h, modal, uid, announce } from './dom.js';

const CLIENT_ID = /^user\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PROVIDER_NAMES = { '1password': '1Password', bitwarden: 'Bitwarden', keeper: 'Keeper' };
// A Keeper one-time access token: a region (US, EU, AU, GOV, JP, CA) or host before the last colon; or a base64 configuration.
const KEEPER_TOKEN = /^(?:[^\s:]+(?::\d+)?:[A-Za-z0-9_-]{43}=?|[A-Za-z0-9+/=\s]{40,})$/;

function field(label, input, hint) {
  const hintId = hint ? uid('hint') : undefined;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' },
    h('label', { for: input.id }, label),
    input,
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null);
}

const secret = (name) => h('input', { id: uid(name), name, type: 'password', autocomplete: 'off', spellcheck: 'false' });

/** What the product text's troubleshooting says for each failure. */
function failureText(error, provider, selfHosted) {
  const lines = [];
  switch (error.code) {
    case 'INVALID_VAULT_TOKEN':
      lines.push('Connection failed — invalid credentials.');
      lines.push(provider === '1password'
        ? 'Verify the token starts with ops_ and has read access to the vault you want to sync.'
        : provider === 'keeper'
          ? 'A one-time access token binds once: if it was used, or the application\'s access was removed, create a new one in Keeper\'s Secrets Manager.'
          : 'Verify that the Client ID and Client Secret match the same API key, and that the Master Password is this account\'s.');
      break;
    case 'MAX_CONNECTIONS':
      lines.push('All providers already connected.', 'You can connect a maximum of 2 providers at the same time. Disconnect one first.');
      break;
    case 'VAULT_UNAVAILABLE':
      lines.push('The vault integration is unavailable or the password manager returned an error. Try again in a moment.');
      break;
    case 'UNSUPPORTED_VAULT_ENCRYPTION':
      lines.push('Connection failed — this vault\'s encryption is not supported yet.', error.message);
      break;
    default:
      lines.push(`Connection failed — ${describe(error)}`);
  }
  const aboutServer = error.details.some(d => d.path?.[0] === 'serverUrl' || d.path?.[0] === 'serverCaCertificate');
  if (provider === 'bitwarden' && selfHosted && (error.code === 'VAULT_UNAVAILABLE' || aboutServer)) {
    lines.push('Self-hosted Bitwarden not connecting: ensure the server URL includes https:// and that the server is accessible from the service.');
  }
  return lines;
}

/**
 * Opens the form. With `reconnect` (a connection object) the provider is fixed and the form re-connects it in place.
 * `onDone(connection)` is called after a successful connect.
 */
export function openConnectDialog({ reconnect = null, onDone }) {
  const titleId = uid('connect-title');
  const token = secret('token');
  const keeperToken = secret('keeperToken');
  const clientId = h('input', { id: uid('clientId'), name: 'clientId', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'user.xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' });
  const clientSecret = secret('clientSecret');
  const masterPassword = secret('masterPassword');
  const selfHosted = h('input', { id: uid('selfHosted'), type: 'checkbox', role: 'switch' });
  const serverUrl = h('input', { id: uid('serverUrl'), name: 'serverUrl', type: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://vault.example.com' });
  const caCertificate = h('textarea', { id: uid('ca'), name: 'serverCaCertificate', rows: 4, spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' });
  const caFile = h('input', { id: uid('ca-file'), type: 'file', accept: '.pem,.crt,.cer,application/x-pem-file' });
  const regionName = uid('region');
  const regionUs = h('input', { type: 'radio', name: regionName, value: 'us', checked: true });
  const regionEu = h('input', { type: 'radio', name: regionName, value: 'eu' });
  const providerName = uid('provider');
  const choose = (value) => h('input', { type: 'radio', name: providerName, value, checked: (reconnect?.provider ?? '1password') === value, disabled: !!reconnect });

  const onePasswordRadio = choose('1password');
  const bitwardenRadio = choose('bitwarden');
  const keeperRadio = choose('keeper');
  const keeperFields = h('div', { class: 'group', hidden: true },
    field('One-Time Access Token', keeperToken, 'From Keeper\'s Secrets Manager: Applications › your application › Devices › Add Device. It looks like US:… (or EU:, AU:, GOV:, JP:, CA:) and binds once; a base64 configuration of a device also works. Vault keeps the device it becomes, encrypted under this connection\'s own key.'));
  const onePasswordFields = h('div', { class: 'group' },
    field('Service Account Token', token, 'Starts with ops_. It needs read access to the vaults you want to sync. Kept encrypted under this connection\'s own key until you disconnect.'));
  const selfHostedFields = h('div', { class: 'group', hidden: true },
    field('Server URL', serverUrl, 'Your server\'s address, starting with https://.'),
    field('CA certificate', caCertificate, 'Optional: the PEM of the private CA your server\'s certificate chains to. Paste it or load it from a file.'),
    field('CA certificate file', caFile));
  const cloudFields = h('fieldset', { class: 'group' }, h('legend', {}, 'Bitwarden cloud'),
    h('label', { class: 'choice' }, regionUs, ' US (bitwarden.com)'),
    h('label', { class: 'choice' }, regionEu, ' EU (bitwarden.eu)'));
  const bitwardenFields = h('div', { class: 'group', hidden: true },
    field('Client ID', clientId, 'Use the format user.xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx for the Client ID.'),
    field('Client Secret', clientSecret),
    field('Master Password', masterPassword, 'Used once to unlock your vault, then forgotten: Vault keeps the API key and your vault\'s key, never the master password. After a master password change, connect again.'),
    h('div', { class: 'field' }, h('label', { class: 'switch', for: selfHosted.id }, selfHosted, ' Self-hosted server')),
    selfHostedFields,
    cloudFields);

  if (reconnect?.serverUrl && reconnect.provider === 'bitwarden') {
    const host = new URL(reconnect.serverUrl).host;
    if (host === 'vault.bitwarden.eu') regionEu.checked = true;
    else if (host !== 'vault.bitwarden.com') { selfHosted.checked = true; serverUrl.value = reconnect.serverUrl; }
  }

  const errorBox = h('div', { class: 'error', role: 'alert' });
  const progress = h('div', { class: 'progress', role: 'status' });
  const submit = h('button', { type: 'submit' }, 'Connect');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');

  const provider = () => (bitwardenRadio.checked ? 'bitwarden' : keeperRadio.checked ? 'keeper' : '1password');
  const sync = () => {
    onePasswordFields.hidden = provider() !== '1password';
    bitwardenFields.hidden = provider() !== 'bitwarden';
    keeperFields.hidden = provider() !== 'keeper';
    selfHostedFields.hidden = !selfHosted.checked;
    cloudFields.hidden = selfHosted.checked;
  };
  for (const input of [onePasswordRadio, bitwardenRadio, keeperRadio, selfHosted]) input.addEventListener('change', sync);
  sync();

  caFile.addEventListener('change', async () => {
    const file = caFile.files?.[0];
    if (file) caCertificate.value = (await file.text()).trim();
  });

  const invalid = (input, message, problems) => { input.setAttribute('aria-invalid', 'true'); problems.push([input, message]); };

  function validate() {
    const problems = [];
    for (const el of [token, keeperToken, clientId, clientSecret, masterPassword, serverUrl, caCertificate]) el.removeAttribute('aria-invalid');
    if (provider() === 'keeper') {
      if (!KEEPER_TOKEN.test(keeperToken.value.trim())) invalid(keeperToken, 'Paste the one-time access token as Keeper shows it, e.g. US:… (or a base64 configuration).', problems);
      return problems;
    }
    if (provider() === '1password') {
      if (!token.value.trim().startsWith('ops_')) invalid(token, 'The Service Account Token starts with ops_.', problems);
      return problems;
    }
    if (!CLIENT_ID.test(clientId.value.trim())) invalid(clientId, 'Use the format user.xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx for the Client ID.', problems);
    if (!clientSecret.value) invalid(clientSecret, 'Enter the Client Secret.', problems);
    if (!masterPassword.value) invalid(masterPassword, 'Enter the Master Password.', problems);
    if (selfHosted.checked && !/^https:\/\/[^/\s]+/i.test(serverUrl.value.trim())) invalid(serverUrl, 'The server URL must start with https://.', problems);
    if (selfHosted.checked && caCertificate.value.trim() && !caCertificate.value.includes('-----BEGIN CERTIFICATE-----')) {
      invalid(caCertificate, 'The CA certificate must be PEM (-----BEGIN CERTIFICATE-----).', problems);
    }
    return problems;
  }

  function body() {
    if (provider() === '1password') return { provider: '1password', token: token.value.trim() };
    if (provider() === 'keeper') return { provider: 'keeper', token: keeperToken.value.trim() };
    const request = { provider: 'bitwarden', clientId: clientId.value.trim(), clientSecret: clientSecret.value, masterPassword: masterPassword.value };
    if (selfHosted.checked) {
      request.serverUrl = serverUrl.value.trim();
      if (caCertificate.value.trim()) request.serverCaCertificate = caCertificate.value.trim();
    } else if (regionEu.checked) {
      request.region = 'eu';
    }
    return request;
  }

  const title = reconnect ? `Reconnect ${PROVIDER_NAMES[reconnect.provider]}` : 'Connect a password manager';
  const form = h('form', { class: 'dialog-form', novalidate: true },
    h('h2', { id: titleId }, title),
    reconnect ? h('p', { class: 'hint' }, `Enter fresh credentials for ${reconnect.label}. The connection keeps its id and its cached items are refreshed.`) : null,
    h('fieldset', { class: 'providers' }, h('legend', {}, 'Password manager'),
      h('label', { class: 'choice' }, onePasswordRadio, ' 1Password'),
      h('label', { class: 'choice' }, bitwardenRadio, ' Bitwarden'),
      h('label', { class: 'choice' }, keeperRadio, ' Keeper')),
    onePasswordFields,
    bitwardenFields,
    keeperFields,
    errorBox,
    progress,
    h('div', { class: 'actions' }, submit, cancel));

  let busy = false;
  const dialog = modal(titleId, form);
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async event => {
    event.preventDefault();
    if (busy) return;
    errorBox.replaceChildren();
    const problems = validate();
    if (problems.length) {
      errorBox.append(...problems.map(([, message]) => h('p', {}, message)));
      problems[0][0].focus();
      return;
    }
    const request = body();
    const chosen = provider();
    const wasSelfHosted = selfHosted.checked;
    // Secrets leave the page with the request: nothing keeps them once sent.
    for (const input of [token, keeperToken, clientSecret, masterPassword]) input.value = '';
    busy = true;
    submit.disabled = true;
    progress.replaceChildren(h('progress', { 'aria-label': 'Connecting' }),
      h('span', {}, ' Connecting and running the first sync… The first sync may take up to 15 seconds.'));
    try {
      const connection = await api('POST', '/v1/vault/connections', request);
      request.token = request.clientSecret = request.masterPassword = undefined;
      dialog.close();
      announce(`Connected ${PROVIDER_NAMES[connection.provider]} ${connection.label}: ${connection.itemCount} items synced.`);
      onDone?.(connection);
    } catch (error) {
      request.token = request.clientSecret = request.masterPassword = undefined;
      progress.replaceChildren();
      errorBox.replaceChildren(...failureText(error, chosen, wasSelfHosted).map((line, i) => h(i === 0 ? 'strong' : 'p', {}, line)));
      (chosen === '1password' ? token : chosen === 'keeper' ? keeperToken : clientSecret).focus();
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });
  (reconnect ? (reconnect.provider === 'bitwarden' ? clientId : reconnect.provider === 'keeper' ? keeperToken : token) : onePasswordRadio).focus();
  return dialog;
}
