// prepared(text): a statement named after its text's hash, so the same SQL always gets the same name and
// PostgreSQL parses and plans it once per connection. Only for fixed SQL (never text with interpolated input).
import { createHash } from 'node:crypto';
import type { Prepared } from './types.js';

const cache = new Map<string, Prepared>();

export function prepared(text: string): Prepared {
  let p = cache.get(text);
  if (!p) {
    p = { name: 'gl_' + createHash('sha1').update(text).digest('hex').slice(0, 20), text };
    cache.set(text, p);
  }
  return p;
}
