// The official 1Password SDK (@1password/sdk 0.5.0) as the judge of the fake server.
// Usage: OP_SERVICE_ACCOUNT_TOKEN=ops_... NODE_EXTRA_CA_CERTS=ca.pem node sdk-judge.mjs list|full|get <vaultId> <itemId>
//   list: createClient, vaults.list, items.list per vault (what a sync reads)
//   full: list + items.get for every listed item
//   sync <vaultId/itemId>...: list + items.get of the given items in the given order (what a sync reads)
//   get:  createClient + items.get of one item in a fresh client (what a live secret read does)
//   relist: createClient, vaults.list twice (the test makes the second answer 401 to see the SDK sign in again)
// Prints one JSON document on stdout; on an SDK error prints {"error": message} and exits 2.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "package.json"));
let sdk;
try {
  sdk = require("@1password/sdk");
} catch (e) {
  console.log(JSON.stringify({ error: "cannot load @1password/sdk: " + e.message }));
  process.exit(3);
}

const token = process.env.OP_SERVICE_ACCOUNT_TOKEN;
const [mode, vaultArg, itemArg] = process.argv.slice(2);

const iso = (d) => (d instanceof Date ? d.toISOString() : d ?? null);
const website = (w) => ({ url: w.url, label: w.label, autofillBehavior: w.autofillBehavior });
const field = (f) => ({
  id: f.id, title: f.title, sectionId: f.sectionId ?? null, fieldType: f.fieldType, value: f.value,
  details: f.details ? { type: f.details.type, content: f.details.type === "Otp" ? { hasCode: f.details.content?.code != null, errorMessage: f.details.content?.errorMessage ?? null } : f.details.content } : null,
});
const item = (i) => ({
  id: i.id, title: i.title, category: i.category, vaultId: i.vaultId, version: i.version, notes: i.notes,
  websites: (i.websites ?? []).map(website), fields: (i.fields ?? []).map(field),
  sections: (i.sections ?? []).map((s) => ({ id: s.id, title: s.title })),
  createdAt: iso(i.createdAt), updatedAt: iso(i.updatedAt),
});

try {
  const client = await sdk.createClient({ auth: token, integrationName: "Vault SDK judge", integrationVersion: "v1.0.0" });
  const out = {};
  if (mode === "relist") {
    await client.vaults.list();
    out.vaults = (await client.vaults.list()).map((v) => ({ id: v.id, title: v.title }));
  } else if (mode === "get") {
    out.details = [item(await client.items.get(vaultArg, itemArg))];
  } else {
    const vaults = await client.vaults.list();
    out.vaults = vaults.map((v) => ({ id: v.id, title: v.title, vaultType: v.vaultType, activeItemCount: v.activeItemCount }));
    out.items = [];
    for (const v of vaults) {
      for (const i of await client.items.list(v.id)) {
        out.items.push({ id: i.id, title: i.title, category: i.category, vaultId: i.vaultId, state: i.state,
          websites: (i.websites ?? []).map(website), updatedAt: iso(i.updatedAt) });
      }
    }
    if (mode === "full") {
      out.details = [];
      for (const i of out.items) out.details.push(item(await client.items.get(i.vaultId, i.id)));
    } else if (mode === "sync") {
      out.details = [];
      for (const p of process.argv.slice(3)) {
        const [v, i] = p.split("/");
        out.details.push(item(await client.items.get(v, i)));
      }
    }
  }
  console.log(JSON.stringify(out));
} catch (e) {
  console.log(JSON.stringify({ error: String(e?.message ?? e) }));
  process.exit(2);
}
