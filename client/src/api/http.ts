// Typed JSON fetch with the server's one error shape ({ error: { code, message } }): docs/style.md §2.4.
// The session's bearer token is set here by the session store (state/session-store.ts) and sent with every request.

/** A failed request: the server's error code and message, or a transport failure (`network`). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly url: string;
  readonly details: unknown;
  constructor(code: string, message: string, status: number, url: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.url = url;
    this.details = details;
  }
  /** The request never got an answer (offline, connection reset): worth retrying. */
  get isNetwork(): boolean { return this.status === 0; }
}

type ErrorBody = { error?: { code?: unknown; message?: unknown; details?: unknown } };

let authToken: string | null = null;
let onUnauthorized: ((url: string) => void) | null = null;

/** The bearer token sent with every request from now on (null: anonymous). */
export function setAuthToken(token: string | null): void { authToken = token; }

/** Called when a request that carried a token is answered 401 (the session has ended). */
export function setUnauthorizedHandler(handler: ((url: string) => void) | null): void { onUnauthorized = handler; }

function headers(extra?: Record<string, string>): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...extra };
  if (authToken) h.authorization = `Bearer ${authToken}`;
  return h;
}

async function request<T>(url: string, init: RequestInit): Promise<T> {
  const sentToken = authToken;
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('network', `Could not reach the server (${url}): ${(e as Error).message}`, 0, url);
  }
  if (!res.ok) {
    let body: ErrorBody | null = null;
    try { body = (await res.json()) as ErrorBody; } catch { /* not JSON: keep the status line */ }
    const code = typeof body?.error?.code === 'string' ? body.error.code : `http_${res.status}`;
    const message = typeof body?.error?.message === 'string' ? body.error.message : `${res.status} ${res.statusText} for ${url}`;
    if (res.status === 401 && sentToken && sentToken === authToken) onUnauthorized?.(url);
    throw new ApiError(code, message, res.status, url, body?.error?.details);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** GET a JSON document from the same origin; throws ApiError on any non-2xx answer or network failure. */
export async function getJson<T>(url: string, init?: { signal?: AbortSignal }): Promise<T> {
  return request<T>(url, { headers: headers(), signal: init?.signal });
}

/** POST (or another method) a JSON body; `extraHeaders` e.g. an Idempotency-Key. */
export async function sendJson<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown,
  init?: { signal?: AbortSignal; headers?: Record<string, string> }): Promise<T> {
  return request<T>(url, {
    method,
    headers: headers({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...init?.headers }),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: init?.signal,
  });
}

/** POST raw bytes (a photo) with their content type. */
export async function sendBytes<T>(url: string, body: Blob, contentType: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }): Promise<T> {
  return request<T>(url, { method: 'POST', headers: headers({ 'content-type': contentType, ...init?.headers }), body, signal: init?.signal });
}

/** Builds `path?k=v&…`, skipping undefined values. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}
