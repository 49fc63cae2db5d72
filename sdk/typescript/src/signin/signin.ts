// Sign-in below the model on playwright-core's Page: the page is filled from the run's credentials inside this
// module, so the secret goes from the Vault service into the page's fields without passing through the caller (an
// agent, a model). The same rules as the C# SDK's PageSignIn, and the same in-page finder (sdk/signin/login-form.js).
// Keep Playwright tracing and its DEBUG=pw:api log off while signing in: both record every `fill` with its value.
import type { ElementHandle, Frame, JSHandle, Page, PageScreenshotOptions } from 'playwright-core';
import type { RunCredential } from '../generated/models/index.js';
import { call, createVaultForRun, DEFAULT_URL, VaultError, waitForCode } from '../index.js';
import { LOGIN_FORM_SCRIPT, REDACTED_SNAPSHOT_SCRIPT } from './scripts.js';

/** The codes a sign-in fails with (`VaultError.code`). */
export const SignInErrorCode = {
  OriginNotGranted: 'ORIGIN_NOT_GRANTED',
  InsecurePage: 'INSECURE_PAGE',
  CrossOriginFrame: 'CROSS_ORIGIN_FRAME',
  NoLoginForm: 'NO_LOGIN_FORM',
  Unauthorized: 'UNAUTHORIZED',
  VaultUnavailable: 'VAULT_UNAVAILABLE',
} as const;

export type FilledField = 'username' | 'password' | 'totp';

export interface SignInOptions {
  runId: string;
  /** The run's token (shown once by `POST /v1/runs`); sent to `baseUrl` only. */
  runToken: string;
  /** The Vault service; `DEFAULT_URL` when absent. */
  baseUrl?: string;
  /** One granted item to use; without it, the granted item for the page's site (one whose URL has the page's host first). */
  itemId?: string;
  /** Submit the form (and a one-time-code step that follows) and report whether the page left the sign-in form. */
  submit?: boolean;
  /** How long to wait for the run's next e-mail/SMS code on a code step without a TOTP seed (default 30 s). */
  codeWaitMs?: number;
  /** How long a step may take: the password field after a username-only "Next", the page after a submit (default 10 s). */
  stepTimeoutMs?: number;
}

/** What a sign-in did, and nothing secret. */
export interface SignInResult {
  itemId: string;
  label: string;
  /** The kinds of field filled, in order. */
  filled: FilledField[];
  /** With `submit`: whether the page left the sign-in form. */
  leftSignInForm?: boolean;
}

/** A granted login as an agent may see it: no password, no code. */
export interface GrantedLogin {
  itemId: string;
  label: string;
  username: string | null;
  sites: string[];
}

const refuse = (code: string, message: string): VaultError => new VaultError(0, code, message);

// ---- page addresses -----------------------------------------------------------------------------------------------

function parse(url: string): URL | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u : undefined;
  } catch {
    return undefined;
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host) || host.endsWith('.localhost');
}

/** https anywhere; plain http only on this machine. */
function isSecure(u: URL): boolean {
  return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
}

/** WHATWG origins: scheme, ASCII host (IDN as punycode), port. */
const sameOrigin = (a: URL, b: URL): boolean => a.origin === b.origin;

/** What the run route is asked for: the page's URL without query and fragment, host in ASCII. */
function site(u: URL): string {
  const withPath = `${u.protocol}//${u.host}${u.pathname}`;
  return withPath.length <= 2000 ? withPath : `${u.protocol}//${u.host}/`;
}

function secureTop(page: Page): URL {
  const top = parse(page.mainFrame().url());
  if (!top || !isSecure(top)) {
    throw refuse(SignInErrorCode.InsecurePage, 'The page is not https (plain http is filled only on loopback), so nothing was filled.');
  }
  return top;
}

/** The frame and every frame above it have the top page's origin (about: frames do not count as such). */
function isOwnFrame(frame: Frame, top: URL): boolean {
  for (let f: Frame | null = frame; f; f = f.parentFrame()) {
    const u = parse(f.url());
    if (!u || !sameOrigin(u, top)) return false;
  }
  return true;
}

async function isShown(frame: Frame): Promise<boolean> {
  try {
    for (let f: Frame = frame; f.parentFrame(); f = f.parentFrame()!) {
      const element = await f.frameElement();
      const box = await element.boundingBox();
      if (!(await element.isVisible()) || !box || box.width < 20 || box.height < 20) return false;
    }
    return true;
  } catch {
    return false;
  }
}

// ---- the form -----------------------------------------------------------------------------------------------------

interface FoundForm {
  frame: Frame;
  handle: JSHandle;
  kinds: FilledField[];
  has(kind: FilledField): boolean;
  element(kind: FilledField | 'submit'): Promise<ElementHandle | null>;
  dispose(): Promise<void>;
}

async function tryFind(page: Page, top: URL): Promise<{ form?: FoundForm; crossOrigin: boolean }> {
  let crossOrigin = false;
  const main = page.mainFrame();
  for (const frame of [main, ...page.frames().filter((f) => f !== main)]) {
    let handle: JSHandle;
    let kinds: FilledField[];
    try {
      handle = await frame.evaluateHandle(LOGIN_FORM_SCRIPT);
      kinds = await handle.evaluate((r: { kinds: FilledField[] }) => r.kinds);
    } catch {
      continue; // navigating or detached: nothing to fill there now
    }
    const form: FoundForm = {
      frame, handle, kinds,
      has: (kind) => kinds.includes(kind),
      element: async (kind) => (await handle.getProperty(kind)).asElement(),
      dispose: async () => { try { await handle.dispose(); } catch { /* gone with its frame */ } },
    };
    if (kinds.length > 0 && frame === main) return { form, crossOrigin };
    if (kinds.length > 0 && !isOwnFrame(frame, top)) crossOrigin = true;
    else if (kinds.length > 0 && (await isShown(frame))) return { form, crossOrigin };
    await form.dispose();
  }
  return { crossOrigin };
}

async function find(page: Page): Promise<FoundForm> {
  const top = secureTop(page);
  const { form, crossOrigin } = await tryFind(page, top);
  if (form) return form;
  throw crossOrigin
    ? refuse(SignInErrorCode.CrossOriginFrame, 'The login form is inside a frame of another origin than the page; it is never filled.')
    : refuse(SignInErrorCode.NoLoginForm, 'No visible login form (username, password or one-time-code field) was found on the page.');
}

// ---- the service --------------------------------------------------------------------------------------------------

/** Every failure of a run route as a VaultError of the contract's sign-in codes (rebuilt: nothing of the call travels on). */
async function runCall<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await call(request);
  } catch (thrown) {
    if (!(thrown instanceof VaultError)) {
      throw refuse(SignInErrorCode.VaultUnavailable, 'The Vault service could not be reached or did not answer in time.');
    }
    const code = [401, 403, 404].includes(thrown.status) ? SignInErrorCode.Unauthorized
      : thrown.status === 400 ? SignInErrorCode.OriginNotGranted : SignInErrorCode.VaultUnavailable;
    throw new VaultError(thrown.status, code, thrown.message, thrown.requestId);
  }
}

function runAccess(options: SignInOptions) {
  const client = createVaultForRun(options.baseUrl ?? DEFAULT_URL, options.runToken);
  const run = client.v1.runs.byRunId(options.runId);
  return {
    credentials: async (forSite: string): Promise<RunCredential[]> =>
      (await runCall(() => run.credentials.get({ queryParameters: { domain: forSite } })))?.credentials ?? [],
    cursor: async (): Promise<string | undefined> => (await runCall(() => run.codes.get()))?.cursor ?? undefined,
    nextCode: async (waitMs: number, after?: string): Promise<string | undefined> =>
      (await runCall(() => waitForCode(client, options.runId, { timeoutMs: waitMs, after })))?.code ?? undefined,
  };
}

function sameHost(itemUrl: string, page: URL): boolean {
  try {
    return new URL(itemUrl.includes('://') ? itemUrl : `https://${itemUrl}`).hostname === page.hostname;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- sign-in ------------------------------------------------------------------------------------------------------

/**
 * Fills the login form of `page` (username, password, TOTP step) with the run's credential for the page's site. The
 * page must be https (or loopback http), the service must grant a login for its top-level URL by the item's URI
 * rules, and only visible fields of the top frame or of frames of the same origin are filled. A username-only first
 * step is submitted ("Next") and the password filled on the step that follows; with `submit` the form is submitted,
 * a one-time-code step that follows is filled and submitted too, and `leftSignInForm` says whether the page left the
 * sign-in form. Throws a `VaultError` with one of {@link SignInErrorCode}; never returns or throws a secret.
 */
export async function signIn(page: Page, options: SignInOptions): Promise<SignInResult> {
  const run = runAccess(options);
  const stepTimeout = options.stepTimeoutMs ?? 10_000;
  const filled: FilledField[] = [];
  let credential: RunCredential | undefined;
  let readFor: URL | undefined;

  const credentialForPage = async (): Promise<RunCredential> => {
    const top = secureTop(page);
    if (credential && readFor && sameOrigin(readFor, top)) return credential;
    const granted = await run.credentials(site(top));
    const wanted = options.itemId ?? credential?.itemId ?? undefined;
    const chosen = wanted
      ? granted.find((c) => c.itemId === wanted)
      : [...granted].sort((a, b) => Number((b.urls ?? []).some((u) => sameHost(u, top))) - Number((a.urls ?? []).some((u) => sameHost(u, top))))[0];
    if (!chosen) {
      throw refuse(SignInErrorCode.OriginNotGranted, wanted
        ? `The login ${wanted} is not granted to the run for ${top.hostname}.`
        : `The run has no login granted for ${top.hostname}.`);
    }
    credential = chosen;
    readFor = top;
    return chosen;
  };

  const code = async (cursor?: string): Promise<string | undefined> => {
    const totp = credential?.totp;
    if (totp?.code) {
      if (!totp.expiresAt || totp.expiresAt.getTime() - Date.now() > 3_000) return totp.code;
      readFor = undefined; // read the same item again for a code still valid when the site checks it
      return (await credentialForPage()).totp?.code ?? undefined;
    }
    return run.nextCode(options.codeWaitMs ?? 30_000, cursor);
  };

  const fill = async (form: FoundForm, kind: FilledField, value: string): Promise<void> => {
    const top = secureTop(page);
    if (!readFor || !sameOrigin(readFor, top) || !isOwnFrame(form.frame, top)) {
      throw refuse(SignInErrorCode.OriginNotGranted, 'The page navigated to another site before the fill; nothing more was filled.');
    }
    const element = await form.element(kind).catch(() => null);
    if (!element || !(await element.isVisible().catch(() => false))) {
      throw refuse(SignInErrorCode.NoLoginForm, `The ${kind} field is no longer visible; it was not filled.`);
    }
    try {
      await element.fill(value, { timeout: 5_000 });
    } catch {
      // Rebuilt without the cause: Playwright's messages describe the call, and this one had a secret.
      throw refuse(SignInErrorCode.NoLoginForm, `The ${kind} field could not be filled (the page changed or hid it).`);
    }
    if (!filled.includes(kind)) filled.push(kind);
  };

  const submitForm = async (form: FoundForm): Promise<void> => {
    try {
      const button = await form.element('submit');
      if (button && (await button.isVisible())) {
        await button.click({ timeout: 5_000 });
        return;
      }
      const last = await form.element(form.has('totp') ? 'totp' : form.has('password') ? 'password' : 'username');
      await last?.press('Enter', { timeout: 5_000 });
    } catch {
      // A click that navigates can race its own bookkeeping; what follows looks at the page as it is.
    }
  };

  /** Polls until the form satisfies `done`; with `allowNone`, a page with no login form (seen 3 times running) ends it too. */
  const waitFor = async (done: (f: FoundForm) => boolean, allowNone = false): Promise<{ form?: FoundForm; noForm: boolean }> => {
    const deadline = Date.now() + stepTimeout;
    let noFormStreak = 0;
    for (;;) {
      await sleep(250);
      const top = parse(page.mainFrame().url());
      if (top && isSecure(top)) {
        const { form } = await tryFind(page, top);
        if (form && done(form)) return { form, noForm: false };
        if (form) {
          noFormStreak = 0;
          await form.dispose();
        } else if (allowNone && ++noFormStreak >= 3) {
          return { noForm: true };
        }
      } else if (allowNone && ++noFormStreak >= 3) {
        return { noForm: true };
      }
      if (Date.now() >= deadline) return { noForm: false };
    }
  };

  let form: FoundForm | undefined = await find(page);
  let left: boolean | undefined;
  let codeCursor: string | undefined;
  for (let step = 0; step < 4 && form; step++) {
    const current: FoundForm = form;
    form = undefined;
    try {
      const chosen = await credentialForPage();
      if (current.has('username') && chosen.username) await fill(current, 'username', chosen.username);
      if (current.has('password') && chosen.password) await fill(current, 'password', chosen.password);
      if (current.has('totp')) {
        const value = await code(codeCursor);
        if (value) await fill(current, 'totp', value);
      }
      if (current.kinds.length === 1 && current.has('username')) {
        // The first page of a username-then-password flow: "Next" is part of filling, not the sign-in itself.
        await submitForm(current);
        form = (await waitFor((f) => f.has('password') || f.has('totp'))).form;
        continue;
      }
      if (!options.submit) break;
      // A code the site sends after the password counts only if it arrives after this point.
      codeCursor = current.has('password') && !chosen.totp ? await run.cursor() : undefined;
      await submitForm(current);
      const after = await waitFor((f) => !f.has('password') && !(current.has('totp') && f.has('totp')), true);
      if (after.form?.has('totp')) {
        form = after.form;
        continue;
      }
      left = after.form !== undefined || after.noForm;
      await after.form?.dispose();
    } finally {
      await current.dispose();
    }
  }

  const result: SignInResult = { itemId: credential?.itemId ?? '', label: credential?.label ?? '', filled };
  if (options.submit) result.leftSignInForm = left ?? false;
  return result;
}

/**
 * Waits up to `waitMs` for the run's next one-time code (e-mail, SMS or push) and fills it into the page's
 * one-time-code field; false when no code came or the page has no such field. The page must pass the same checks as
 * {@link signIn} (one audited credential read tells whether the run has a login for its site).
 */
export async function fillNextCode(page: Page, options: SignInOptions, waitMs: number): Promise<boolean> {
  let form: FoundForm;
  try {
    form = await find(page);
  } catch (e) {
    if (e instanceof VaultError && e.code === SignInErrorCode.NoLoginForm) return false;
    throw e;
  }
  try {
    if (!form.has('totp')) return false;
    const top = secureTop(page);
    const run = runAccess(options);
    const granted = await run.credentials(site(top));
    if (granted.length === 0 || (options.itemId && !granted.some((c) => c.itemId === options.itemId))) {
      throw refuse(SignInErrorCode.OriginNotGranted, `The run has no login granted for ${top.hostname}.`);
    }
    const value = await run.nextCode(waitMs);
    if (!value) return false;
    const field = await form.element('totp');
    if (!sameOrigin(secureTop(page), top) || !isOwnFrame(form.frame, top) || !field || !(await field.isVisible())) return false;
    try {
      await field.fill(value, { timeout: 5_000 });
      return true;
    } catch {
      return false;
    }
  } finally {
    await form.dispose();
  }
}

/**
 * The logins granted to the run for a site (a host or URL): labels, usernames and sites only, never a secret. It is one
 * credential read of the run route, so it is in the run's audit log like a fill.
 */
export async function listLogins(options: SignInOptions, forSite: string): Promise<GrantedLogin[]> {
  const credentials = await runAccess(options).credentials(forSite);
  return credentials.map((c) => ({ itemId: c.itemId ?? '', label: c.label ?? '', username: c.username ?? null, sites: c.urls ?? [] }));
}

// ---- after the fill -----------------------------------------------------------------------------------------------

/** Fields masked in a screenshot: passwords (also one revealed by a "show password" toggle), one-time codes, code-like fields. */
export const SECRET_FIELDS = 'input[type=password], input[autocomplete*=password i], input[autocomplete*=one-time-code i], ' +
  'input[name*=otp i], input[id*=otp i], input[name*=totp i], input[name*=code i], input[id*=code i], input[inputmode=numeric]';

/** A screenshot with every password and one-time-code field masked (Playwright's `mask`), in every frame. */
export async function maskedScreenshot(page: Page, options: PageScreenshotOptions = {}): Promise<Buffer> {
  return page.screenshot({ ...options, mask: [...(options.mask ?? []), ...page.frames().map((f) => f.locator(SECRET_FIELDS))] });
}

/**
 * The page's text and form structure, frame by frame, with every input's value left out (only "filled" or "empty")
 * and the values of the page's fields scrubbed from its text as well.
 */
export async function redactedSnapshot(page: Page): Promise<string> {
  const parts: string[] = [];
  const main = page.mainFrame();
  for (const frame of page.frames()) {
    try {
      const text = (await frame.evaluate(REDACTED_SNAPSHOT_SCRIPT)) as string;
      const u = parse(frame.url());
      parts.push(frame === main ? text : `--- frame ${u ? u.origin : frame.url().split(':')[0] + ':'} ---\n${text}`);
    } catch {
      // A frame navigating away has nothing to show now.
    }
  }
  return parts.join('\n');
}
