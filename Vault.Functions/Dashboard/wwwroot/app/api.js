// The public API, called exactly as any client calls it: X-API-Key from this tab's sessionStorage.

const KEY = 'vault.apiKey';

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  signIn(key) { sessionStorage.setItem(KEY, key); },
  signOut() { sessionStorage.removeItem(KEY); },
};

export class ApiError extends Error {
  constructor(status, code, message, details, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? [];
    this.retryAfter = retryAfter;
  }
}

/** Listeners told when the key stops working (so the page can sign out). */
export const keyRejected = new EventTarget();

/** One call; `runToken` sends the run's bearer token instead of the API key (the run's own routes, e.g. its codes). */
export async function api(method, path, body, { signal, key = session.key, runToken } = {}) {
  const headers = { Accept: 'application/json' };
  if (runToken) headers.Authorization = `Bearer ${runToken}`;
  else if (key) headers['X-API-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'The service could not be reached. Check your connection and try again.');
  }

  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const error = json?.error;
    const failure = new ApiError(response.status, error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `The service answered ${response.status}.`, error?.details, response.headers.get('Retry-After'));
    if (failure.code === 'INVALID_API_KEY' && key === session.key) keyRejected.dispatchEvent(new Event('rejected'));
    throw failure;
  }
  return json;
}

/**
 * Every page of GET /v1/vault/items; onPage gets each page as it arrives. A small first page (firstLimit) paints the
 * first screen quickly; the rest comes in pages of 1,000.
 */
export async function listAllItems(query, { signal, onPage, firstLimit = 1000 } = {}) {
  const items = [];
  let pageToken = null;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', String(items.length === 0 ? firstLimit : 1000));
    if (pageToken) params.set('pageToken', pageToken);
    const page = await api('GET', `/v1/vault/items?${params}`, undefined, { signal });
    items.push(...page.items);
    pageToken = page.nextPageToken;
    onPage?.(items, pageToken !== null && pageToken !== undefined);
  } while (pageToken);
  return items;
}

/** The error as a person reads it, with the code for support. */
export function describe(error) {
  if (error.code === 'RATE_LIMIT_EXCEEDED') return `Too many calls. Try again in ${error.retryAfter ?? 'a few'} seconds.`;
  if (error.code === 'INVALID_INPUT' && error.details.length) return error.details.map(d => d.message).join(' ');
  return error.message;
}
