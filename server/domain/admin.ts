// The admin console (issue 10): pure rules for passwords the admin generates, department edits and grid assignments.
// No I/O, no clock: randomness comes in as bytes.
import { DomainError } from './errors.js';

/** Letters and digits that cannot be mistaken for one another when read aloud or off a screen (no 0/O, 1/l/I). */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A password to hand to a user once: 16 characters from ALPHABET in groups of four (about 92 bits), easy to type on a phone.
 * @example generatedPassword(new Uint8Array(16)) // 'aaaa-aaaa-aaaa-aaaa'
 */
export function generatedPassword(random: Uint8Array): string {
  if (random.length < 16) throw new Error('generatedPassword needs 16 random bytes');
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i && i % 4 === 0) out += '-';
    out += ALPHABET[random[i] % ALPHABET.length];
  }
  return out;
}

/** A department as the console edits it. */
export type DepartmentDraft = { name: string; credit_code: string | null; level: number; parent_id: number | null; active: boolean };

/**
 * A department's name, trimmed and checked: 1–100 characters.
 * @throws DomainError bad_request
 * @example departmentName('  Roads 道路  ') // 'Roads 道路'
 */
export function departmentName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (!n || n.length > 100) throw new DomainError('bad_request', 'A department needs a name of 1 to 100 characters', { field: 'name' });
  return n;
}

/**
 * The unified social credit code (统一社会信用代码), upper-cased, or null when empty.
 * @throws DomainError bad_request when it is not 18 characters of the code's alphabet
 */
export function creditCode(code: string | null | undefined): string | null {
  if (code == null || code.trim() === '') return null;
  const c = code.trim().toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(c)) {
    throw new DomainError('bad_request', 'The credit code must be 18 characters: digits and capital letters except I, O, S, V, Z', { field: 'credit_code' });
  }
  return c;
}

/** What changed between two versions of a record: only the fields that differ, each as before/after. */
export function changes<T extends Record<string, unknown>>(before: T, after: T): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const k of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) { b[k] = before[k]; a[k] = after[k]; }
  }
  return { before: b, after: a };
}

/** A responsibility-grid code: community (12 digits) + R + 2 digits. */
export const RESPONSIBILITY_CODE = /^[0-9]{12}R[0-9]{2}$/;

/**
 * The codes an assignment names, de-duplicated and sorted, each a responsibility-grid code that exists.
 * @throws DomainError bad_request (malformed), unprocessable (no such responsibility grid, listing them)
 */
export function checkResponsibilityCodes(codes: readonly string[], known: ReadonlySet<string>): string[] {
  const bad = codes.filter((c) => !RESPONSIBILITY_CODE.test(c));
  if (bad.length) {
    throw new DomainError('bad_request', `Not a responsibility-grid code (12 digits, R, 2 digits): ${bad.slice(0, 5).join(', ')}`, { codes: bad });
  }
  const unique = [...new Set(codes)].sort();
  const missing = unique.filter((c) => !known.has(c));
  if (missing.length) {
    throw new DomainError('unprocessable', `No responsibility grid ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''}; pick grids from the list`, { codes: missing });
  }
  return unique;
}
