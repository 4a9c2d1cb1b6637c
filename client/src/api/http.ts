// Typed JSON fetch with the server's one error shape ({ error: { code, message } }): style.md §2.4.

/** A failed request: the server's error code and message, or a transport failure (`network`). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly url: string;
  constructor(code: string, message: string, status: number, url: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.url = url;
  }
}

type ErrorBody = { error?: { code?: unknown; message?: unknown } };

/** GET a JSON document from the same origin; throws ApiError on any non-2xx answer or network failure. */
export async function getJson<T>(url: string, init?: { signal?: AbortSignal }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: init?.signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('network', `Could not reach the server (${url}): ${(e as Error).message}`, 0, url);
  }
  if (!res.ok) {
    let body: ErrorBody | null = null;
    try { body = (await res.json()) as ErrorBody; } catch { /* not JSON: keep the status line */ }
    const code = typeof body?.error?.code === 'string' ? body.error.code : `http_${res.status}`;
    const message = typeof body?.error?.message === 'string' ? body.error.message : `${res.status} ${res.statusText} for ${url}`;
    throw new ApiError(code, message, res.status, url);
  }
  return (await res.json()) as T;
}

/** Builds `path?k=v&…`, skipping undefined values. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}
