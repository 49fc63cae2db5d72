// The TypeScript SDK of the Vault API: Kiota's client (src/generated, from scripts/generate-sdks.sh) on
// @microsoft/kiota-bundle, plus the few helpers every caller needs.
import type { AuthenticationProvider, RequestInformation } from '@microsoft/kiota-abstractions';
import { DefaultRequestAdapter } from '@microsoft/kiota-bundle';
import {
  defaultScrubSensitiveHeaders, KiotaClientFactory, MiddlewareFactory, RedirectHandler, RedirectHandlerOptions, type HttpClient,
} from '@microsoft/kiota-http-fetchlibrary';
import type { RunCode } from './generated/models/index.js';
import { createVaultClient, type VaultClient } from './generated/vaultClient.js';

export * from './generated/models/index.js';
export { createVaultClient, type VaultClient } from './generated/vaultClient.js';

export const DEFAULT_URL = 'http://127.0.0.1:7071';

/** Sets one header on every request (Kiota's own API-key provider refuses the plain http of a local service). */
class HeaderAuthentication implements AuthenticationProvider {
  constructor(private readonly name: string, private readonly value: string | undefined) {}

  authenticateRequest = async (request: RequestInformation): Promise<void> => {
    if (this.value) {
      request.headers.tryAdd(this.name, this.value);
    }
  };
}

/** The headers that carry a key or a token: they go to the service's own origin only. */
const SECRET_HEADERS = new Set(['x-api-key', 'x-admin-key', 'authorization']);

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.') || host.endsWith('.localhost');
}

/** https anywhere, plain http only to this machine (the standalone host). */
export function isSafeBaseUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopback(parsed.hostname));
  } catch {
    return false;
  }
}

/**
 * Kiota's fetch client with its redirect handler told to drop every key and token header when a redirect leaves the
 * service's origin, or goes to plain http off loopback (Kiota itself drops only Authorization and cookies).
 */
export function createHttpClient(): HttpClient {
  const keepKeysHome = new RedirectHandler(new RedirectHandlerOptions({
    scrubSensitiveHeaders: (headers, originalUrl, newUrl) => {
      defaultScrubSensitiveHeaders(headers, originalUrl, newUrl);
      let leaves = true;
      try {
        leaves = new URL(originalUrl).origin !== new URL(newUrl).origin || !isSafeBaseUrl(newUrl);
      } catch { /* unparsable: treat as leaving */ }
      if (leaves) {
        for (const key of Object.keys(headers)) {
          if (SECRET_HEADERS.has(key.toLowerCase())) delete headers[key];
        }
      }
    },
  }));
  const middlewares = MiddlewareFactory.getDefaultMiddlewares().map((m) => (m instanceof RedirectHandler ? keepKeysHome : m));
  return KiotaClientFactory.create(undefined, middlewares);
}

function create(baseUrl: string, authentication: AuthenticationProvider): VaultClient {
  if (!isSafeBaseUrl(baseUrl)) {
    // A key sent over plain http can be read by anyone on the path.
    throw new Error(`The Vault URL must be https (plain http only on loopback): ${baseUrl}`);
  }
  const adapter = new DefaultRequestAdapter(authentication, undefined, undefined, createHttpClient());
  adapter.baseUrl = baseUrl.replace(/\/+$/, '');
  return createVaultClient(adapter);
}

/** A client that sends `X-API-Key` on every request (every route but the run-credential one). */
export function createVault(baseUrl: string = DEFAULT_URL, apiKey?: string): VaultClient {
  return create(baseUrl, new HeaderAuthentication('X-API-Key', apiKey));
}

/** A client for `GET /v1/runs/{runId}/credentials`: sends the run's bearer token and no API key. */
export function createVaultForRun(baseUrl: string, runToken: string): VaultClient {
  return create(baseUrl, new HeaderAuthentication('Authorization', `Bearer ${runToken}`));
}

/** The contract's error body of a failed call: `{"error": {"code", "message", "requestId"}}`, with the HTTP status. */
export class VaultError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly requestId?: string) {
    super(message);
    this.name = 'VaultError';
  }

  /** Reads the error Kiota threw (whatever the generated error model is named); undefined when it is not one. */
  static from(thrown: unknown): VaultError | undefined {
    if (typeof thrown !== 'object' || thrown === null) return undefined;
    const status = (thrown as { responseStatusCode?: number }).responseStatusCode;
    if (typeof status === 'number') {
      const body = Object.values(thrown).find(
        (v): v is { code: string; message?: string; requestId?: string } =>
          typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string');
      return new VaultError(status, body?.code ?? `HTTP_${status}`, body?.message ?? `The service answered ${status}`, body?.requestId ?? undefined);
    }
    const cause = (thrown as { cause?: { code?: string } }).cause;
    if (thrown instanceof TypeError && cause && typeof cause.code === 'string' && /ECONNREFUSED|ENOTFOUND|ECONNRESET/.test(cause.code)) {
      return new VaultError(0, 'UNREACHABLE', 'The Vault service could not be reached');
    }
    return undefined;
  }
}

/** Runs a call and rethrows a failed one as a {@link VaultError}. */
export async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (thrown) {
    throw VaultError.from(thrown) ?? thrown;
  }
}

/** The longest single wait the service holds a request open. */
const MAX_WAIT_SECONDS = 30;

/**
 * Waits for the run's next message that carries a code or a link (long-polling in steps of up to 30 s); undefined when
 * none came within `timeoutMs`. `runClient` is made with {@link createVaultForRun}. Without `after` only messages
 * arriving from this call on count; to be sure of one that may arrive first, take `codes.get()`'s `cursor` before
 * asking the site to send it and pass it here.
 */
export async function waitForCode(
  runClient: VaultClient, runId: string, { timeoutMs = 120_000, after }: { timeoutMs?: number; after?: string } = {},
): Promise<RunCode | undefined> {
  const codes = runClient.v1.runs.byRunId(runId).codes;
  const deadline = Date.now() + timeoutMs;
  let cursor = after ?? (await call(() => codes.get()))?.cursor ?? undefined;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    const wait = Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil(left / 1000)));
    const page = await call(() => codes.get({ queryParameters: { wait, after: cursor } }));
    cursor = page?.cursor ?? cursor;
    const found = page?.codes?.find((c) => c.code || c.link);
    if (found) return found;
  }
}

// Sign-in below the model (needs the optional peer playwright-core; only its types are imported here).
export {
  fillNextCode, listLogins, maskedScreenshot, redactedSnapshot, SECRET_FIELDS, signIn, SignInErrorCode,
  type FilledField, type GrantedLogin, type SignInOptions, type SignInResult,
} from './signin/signin.js';
