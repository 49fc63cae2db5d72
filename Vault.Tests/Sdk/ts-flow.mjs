// Drives the TypeScript SDK (sdk/typescript/dist) through the flow SdkEndToEndTests checks; prints one JSON result.
// Input: VAULT_URL, VAULT_API_KEY and FLOW (JSON: {serverUrl, first: {clientId, clientSecret, masterPassword}, third: {…}}).
import { call, createVault, createVaultForRun, VaultError, waitForCode } from '../../sdk/typescript/dist/index.js';

const flow = JSON.parse(process.env.FLOW);
const vault = createVault(process.env.VAULT_URL, process.env.VAULT_API_KEY);
const bitwarden = (who) => ({ provider: 'bitwarden', clientId: who.clientId, clientSecret: who.clientSecret, masterPassword: who.masterPassword, serverUrl: flow.serverUrl });
const failure = async (request) => {
  try { await call(request); return null; } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    return { type: e.constructor.name, status: e.status, code: e.code, message: e.message };
  }
};

const connection = await call(() => vault.v1.vault.connections.post(bitwarden(flow.first)));
const items = (await call(() => vault.v1.vault.items.get({ queryParameters: { domain: 'github.com' } }))).items;
const sync = await call(() => vault.v1.vault.items.sync.post({}));
const run = await call(() => vault.v1.runs.post({ url: 'https://github.com/login', credentialItemIds: items.map((i) => i.itemId) }));
const credentials = (await call(() => createVaultForRun(process.env.VAULT_URL, run.runToken).v1.runs.byRunId(run.runId).credentials.get())).credentials;
const audit = await call(() => vault.v1.runs.byRunId(run.runId).audit.get({ queryParameters: { limit: 10 } }));
// A code pushed while waitForCode waits (from a cursor taken first) wakes it.
const runClient = createVaultForRun(process.env.VAULT_URL, run.runToken);
const start = (await call(() => runClient.v1.runs.byRunId(run.runId).codes.get())).cursor;
const waiting = waitForCode(runClient, run.runId, { after: start, timeoutMs: 20_000 });
await new Promise((resolve) => setTimeout(resolve, 300));
await call(() => vault.v1.runs.byRunId(run.runId).codes.post({ text: 'Your verification code is 482913.', from: 'noreply@github.com' }));
const code = await waiting;
await call(() => vault.v1.runs.byRunId(run.runId).delete());
const revokedStatus = (await call(() => vault.v1.runs.byRunId(run.runId).get())).status;
const afterRevoke = await failure(() => createVaultForRun(process.env.VAULT_URL, run.runToken).v1.runs.byRunId(run.runId).credentials.get());
const unauthorized = await failure(() => createVault(process.env.VAULT_URL, 'not-a-key').v1.vault.connections.get());
const conflict = await failure(() => vault.v1.vault.connections.post(bitwarden(flow.third)));
console.log(JSON.stringify({
  connected: connection.connected, connectionId: connection.connectionId, itemCount: connection.itemCount,
  labels: items.map((i) => i.label), summary: sync.syncSummary, runId: run.runId,
  passwords: credentials.map((c) => c.password), unauthorized, conflict,
  auditEntries: audit.entries.length, revokedStatus, afterRevoke,
  code: { code: code?.code, channel: code?.channel, from: code?.from },
}));
