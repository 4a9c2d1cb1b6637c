// Text at the edge (issue 8, defect 4): every string a route reads (body, querystring, params, headers) is made
// well-formed Unicode (a lone surrogate becomes U+FFFD, as PostgreSQL would store it) and NFC once, here, before
// validation; a NUL (U+0000, which PostgreSQL text cannot hold) is refused with 400 naming the field. Services,
// hashes and the database then all see the same string.
//
// Bodies that a route parses itself (streamed imports, photo bytes) are not strings or plain objects and are left
// alone: their own parsers check them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';

/** How deep a JSON body may nest (GeoJSON coordinates of a MultiPolygon need 4). */
export const MAX_BODY_DEPTH = 32;

// In a u-mode pattern a surrogate code point only matches when unpaired (String.prototype.toWellFormed's rule).
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ALL = /\p{Cs}/gu;

/** The string as stored: well-formed (lone surrogates → U+FFFD) and NFC. @throws DomainError bad_request on NUL */
export function normaliseText(s: string, field: string): string {
  if (s.includes('\u0000')) {
    throw new DomainError('bad_request', `${field} contains a NUL character (U+0000): remove it and send the text again`, { field });
  }
  const wf = LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE_ALL, '\uFFFD') : s;
  // NFC of pure ASCII is itself: skip the copy for the common case.
  return /^[\x01-\x7f]*$/.test(wf) ? wf : wf.normalize('NFC');
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const fieldName = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`;

/**
 * A copy of a parsed JSON value (or querystring/params object) with every string and key normalised.
 * @throws DomainError bad_request on NUL or nesting deeper than MAX_BODY_DEPTH
 */
export function normaliseValue(v: unknown, path: string, depth = 0, anyObject = false): unknown {
  if (typeof v === 'string') return normaliseText(v, path);
  if (Array.isArray(v) || isPlain(v) || (anyObject && v !== null && typeof v === 'object')) {
    if (depth >= MAX_BODY_DEPTH) {
      throw new DomainError('bad_request', `${path} nests more than ${MAX_BODY_DEPTH} levels deep: send a flatter document`, { field: path });
    }
    if (Array.isArray(v)) return v.map((x, i) => normaliseValue(x, fieldName(path, i), depth + 1));
    const out: Record<string, unknown> = Object.getPrototypeOf(v) === Object.prototype ? {} : Object.create(null);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const key = normaliseText(k, fieldName(path, k));
      out[key] = normaliseValue(x, fieldName(path, key), depth + 1);
    }
    return out;
  }
  return v; // numbers, booleans, null, Buffers, streams
}

/** Normalises req.body, req.query, req.params and the string headers in place of the originals. */
export function normaliseRequest(req: FastifyRequest): void {
  if (req.body !== undefined) req.body = normaliseValue(req.body, 'body');
  // the querystring and the route's params come as objects of their parsers' own classes: plain data all the same
  if (req.query !== undefined) req.query = normaliseValue(req.query, 'querystring', 0, true) as typeof req.query;
  if (req.params !== undefined) req.params = normaliseValue(req.params, 'params', 0, true) as typeof req.params;
  const h = req.headers;
  for (const [k, v] of Object.entries(h)) {
    if (typeof v === 'string') h[k] = normaliseText(v, `headers.${k}`);
    else if (Array.isArray(v)) h[k] = v.map((x) => normaliseText(x, `headers.${k}`));
  }
}

/** Registers the normalisation as the first preValidation hook of every route registered after it. */
export function registerTextNormalisation(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => normaliseRequest(req));
}
