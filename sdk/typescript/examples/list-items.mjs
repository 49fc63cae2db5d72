// Prints the cached items of a site as JSON:
//   cd sdk/typescript && npm ci && npm run build && VAULT_URL=… VAULT_API_KEY=… node examples/list-items.mjs --domain github.com
import { call, createVault, DEFAULT_URL, VaultError } from '../dist/index.js';

const at = process.argv.indexOf('--domain');
const domain = at > 0 ? process.argv[at + 1] : undefined;
if (!domain) {
  console.error('usage: node examples/list-items.mjs --domain DOMAIN   (with VAULT_URL and VAULT_API_KEY set)');
  process.exit(2);
}

const client = createVault(process.env.VAULT_URL ?? DEFAULT_URL, process.env.VAULT_API_KEY);
try {
  const items = [];
  let pageToken;
  do {
    const page = await call(() => client.v1.vault.items.get({ queryParameters: { domain, pageToken } }));
    items.push(...(page?.items ?? []));
    pageToken = page?.nextPageToken ?? undefined;
  } while (pageToken);
  console.log(JSON.stringify(items, (key, value) => (key === 'additionalData' && Object.keys(value).length === 0 ? undefined : value), 2));
} catch (error) {
  if (!(error instanceof VaultError)) throw error;
  console.error(`${error.code}: ${error.message}`);
  process.exit(1);
}
