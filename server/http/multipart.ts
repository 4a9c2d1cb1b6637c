// multipart/form-data (RFC 7578) read from a whole, size-limited body: text fields and file parts. Small on purpose:
// Open311's POST requests (routes/open311.ts) is its one user, and its body is already bounded by the route's bodyLimit.
import { DomainError } from '../domain/errors.js';

export type MultipartFile = { field: string; filename: string; content_type: string | null; bytes: Buffer };
export type Multipart = { fields: Record<string, string>; files: MultipartFile[] };

export const MULTIPART_LIMITS = { parts: 100, field_chars: 10_000 } as const;

const bad = (message: string) => new DomainError('bad_request', `The multipart/form-data body is malformed: ${message}; send it as browsers and HTTP libraries do`);

/** The boundary of a `multipart/form-data; boundary=…` content type. */
export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  if (!m) throw bad('its Content-Type has no boundary');
  return m[1] ?? m[2];
}

/** A header parameter (`name`, `filename`) of a Content-Disposition value. */
function param(disposition: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(disposition) ?? new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(disposition);
  return m ? m[1].replace(/\\(.)/g, '$1') : null;
}

/**
 * Splits a whole multipart body into its fields (UTF-8 text; a repeated name keeps the first) and files (parts with
 * a filename).
 * @throws DomainError bad_request when the body does not follow RFC 7578 or has more than MULTIPART_LIMITS
 */
export function parseMultipart(body: Buffer, contentType: string): Multipart {
  const boundary = boundaryOf(contentType);
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw bad('the boundary never occurs');
  at += delimiter.length;
  const fields: Record<string, string> = {};
  const files: MultipartFile[] = [];
  for (let parts = 0; ; parts++) {
    if (body.subarray(at, at + 2).toString('latin1') === '--') break; // the closing delimiter
    if (parts >= MULTIPART_LIMITS.parts) throw bad(`more than ${MULTIPART_LIMITS.parts} parts`);
    while (body[at] === 0x20 || body[at] === 0x09) at++; // transport padding
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) throw bad('a delimiter is not followed by a line break');
    at += 2;
    const headEnd = body.indexOf('\r\n\r\n', at, 'latin1');
    if (headEnd < 0) throw bad('a part has no end of headers');
    const headers = body.subarray(at, headEnd).toString('utf8').split('\r\n');
    const end = body.indexOf(next, headEnd + 4);
    if (end < 0) throw bad('the last part is not closed by the boundary');
    const content = body.subarray(headEnd + 4, end);
    at = end + next.length;
    const disposition = headers.find((h) => /^content-disposition:/i.test(h));
    if (!disposition || !/^content-disposition:\s*form-data/i.test(disposition)) throw bad('a part has no Content-Disposition: form-data');
    const name = param(disposition, 'name');
    if (!name) throw bad('a part has no name');
    const filename = param(disposition, 'filename');
    if (filename !== null) {
      const type = headers.find((h) => /^content-type:/i.test(h));
      files.push({ field: name, filename, content_type: type ? type.replace(/^content-type:\s*/i, '') : null, bytes: Buffer.from(content) });
    } else {
      if (content.length > MULTIPART_LIMITS.field_chars * 4) throw bad(`field ${name} is longer than ${MULTIPART_LIMITS.field_chars} characters`);
      if (name !== '__proto__' && !Object.hasOwn(fields, name)) fields[name] = content.toString('utf8');
    }
  }
  return { fields, files };
}
