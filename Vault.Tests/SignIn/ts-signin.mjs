// Drives the TypeScript SDK's signIn (sdk/typescript/dist) in Chromium through playwright-core; prints one JSON result
// per scenario for TypeScriptSignInTests. Input: VAULT_URL, RUN_ID, RUN_TOKEN, CHROMIUM, ARGS (JSON array), SITE (JSON:
// {https: {path: url}, http, lookAlike, idn}). Never prints a secret on purpose: the C# test checks the output anyway.
import { chromium } from '../../sdk/typescript/node_modules/playwright-core/index.mjs';
import { listLogins, redactedSnapshot, signIn, VaultError } from '../../sdk/typescript/dist/index.js';

const site = JSON.parse(process.env.SITE);
const options = { runId: process.env.RUN_ID, runToken: process.env.RUN_TOKEN, baseUrl: process.env.VAULT_URL };
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: JSON.parse(process.env.ARGS) });
const out = {};

async function scenario(name, url, extra, after) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  try {
    const result = await signIn(page, { ...options, ...extra });
    out[name] = { result, ...(after ? await after(page) : {}) };
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    out[name] = { error: { type: e.constructor.name, status: e.status, code: e.code, message: e.message, text: String(e) } };
  } finally {
    await context.close();
  }
}

const values = (...selectors) => async (page) => ({ values: await Promise.all(selectors.map((s) => page.inputValue(s))) });
const heading = async (page) => ({ heading: await page.locator('h1').innerText() });

await scenario('single', site.single, {}, async (page) => ({
  ...(await values('#user', '#pass', 'input[name=email_confirm]', 'input[name=news]')(page)),
  snapshot: await redactedSnapshot(page),
}));
await scenario('twoStep', site.twoStep, { submit: true }, heading);
await scenario('totp', site.totp, { submit: true }, heading);
await scenario('sameOriginFrame', site.frameSame, {}, async (page) => ({ values: [await page.frameLocator('iframe').locator('#pass').inputValue()] }));
await scenario('crossOriginFrame', site.frameCross, {});
await scenario('http', site.http, {});
await scenario('lookAlike', site.lookAlike, {});
await scenario('idn', site.idn, {});
await scenario('noForm', site.noForm, {});
await scenario('german', site.german, {}, values('#f1', '#f2'));
await scenario('unauthorized', site.single, { runToken: 'not-the-token' });
out.logins = await listLogins(options, site.host);
await browser.close();
console.log(JSON.stringify(out));
