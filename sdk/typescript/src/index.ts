// The TypeScript SDK of the Vault API: Kiota's client (src/generated, from scripts/generate-sdks.sh) on
// @microsoft/kiota-bundle, plus the few helpers every caller needs.
import type { AuthenticationProvider, RequestInformation } from '@microsoft/kiota-abstractions';
import { DefaultRequestAdapter } from '@microsoft/kiota-bundle';
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

function create(baseUrl: string, authentication: AuthenticationProvider): VaultClient {
  const adapter = new DefaultRequestAdapter(authentication);
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
