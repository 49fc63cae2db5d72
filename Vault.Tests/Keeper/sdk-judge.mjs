// Keeper's official Secrets Manager SDK (@keeper-security/secrets-manager-core 17.5.0) as the judge of the fake server.
// Usage: NODE_EXTRA_CA_CERTS=ca.pem KSM_SERVER_PUBLIC_KEY=… KSM_SERVER_PUBLIC_KEY_ID=… [TOTP_AT=unix] node sdk-judge.mjs MODE ARG…
//   bind <clientKey> <host>: a fresh in-memory configuration bound with the one-time token's key, then getSecrets and
//                            getFolders; prints the configuration the SDK kept (what a connect stores)
//   read <base64 config>:    getSecrets and getFolders with a configuration (e.g. the device this service stored)
// Prints one JSON document on stdout; on an SDK error prints {"error": message, "throttleSleeps": […]} and exits 2.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "package.json"));
let sdk;
try {
  sdk = require("@keeper-security/secrets-manager-core");
} catch (e) {
  console.log(JSON.stringify({ error: "cannot load @keeper-security/secrets-manager-core: " + e.message }));
  process.exit(3);
}

const [mode, arg1, arg2] = process.argv.slice(2);
const at = Number(process.env.TOTP_AT ?? "0");
const throttleSleeps = [];
// The SDK writes its warnings (skipped records, throttling) to stderr; they are kept for the verdict.
const warnings = [];
console.error = (...args) => warnings.push(args.map(String).join(" "));

const fieldValues = (fields, type) => (fields ?? []).filter((f) => f.type === type).flatMap((f) => f.value ?? []);

try {
  const config = {};
  const storage = mode === "bind" ? sdk.inMemoryStorage(config) : sdk.loadJsonConfig(arg1);
  if (mode === "bind") await sdk.initializeStorage(storage, arg1, arg2);
  const options = {
    storage,
    serverPublicKey: process.env.KSM_SERVER_PUBLIC_KEY || undefined,
    serverPublicKeyId: process.env.KSM_SERVER_PUBLIC_KEY_ID || undefined,
    throttleSleep: async (ms) => { throttleSleeps.push(ms); },
  };
  const secrets = await sdk.getSecrets(options);
  const records = [];
  for (const r of secrets.records) {
    const all = [...(r.data.fields ?? []), ...(r.data.custom ?? [])];
    const seed = fieldValues(all, "oneTimeCode")[0] ?? null;
    const totp = seed ? await sdk.getTotpCode(seed, at) : null;
    records.push({
      recordUid: r.recordUid, folderUid: r.folderUid ?? null, revision: r.revision,
      title: r.data.title, type: r.data.type, fields: r.data.fields ?? [], custom: r.data.custom ?? [],
      totp: totp ? { code: totp.code, period: totp.period } : null,
    });
  }
  const folders = (await sdk.getFolders(options)).map((f) => ({ folderUid: f.folderUid, name: f.name ?? null, parentUid: f.parentUid ?? null }));
  const out = { appData: secrets.appData ?? null, records, folders, throttleSleeps, warnings };
  if (mode === "bind") out.config = Buffer.from(JSON.stringify(config)).toString("base64");
  console.log(JSON.stringify(out));
} catch (e) {
  console.log(JSON.stringify({ error: String(e?.message ?? e), throttleSleeps, warnings }));
  process.exit(2);
}
