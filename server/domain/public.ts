// The public report and tracking pages (issue 11 §Public web), the pure parts: tracking codes, the proof-of-work
// challenge (a CAPTCHA-free abuse guard: the browser spends ~0.5 s finding a nonce whose SHA-256 starts with enough
// zero bits), per-address quota arithmetic, the contact a reporter may leave, and the trail in public words.
// PURE: the secret, the random bytes and the time are arguments.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors.js';
import { solves } from './pow.js';

// ---- Tracking codes ------------------------------------------------------------------------------------------------

/** Crockford's base 32 (no I, L, O, U: nothing to misread on a phone). */
const B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A tracking code of 12 characters (60 bits) from ≥ 8 random bytes, shown as XXXX-XXXX-XXXX. */
export function trackingCodeOf(random: Uint8Array): string {
  if (random.length < 8) throw new Error('a tracking code needs 8 random bytes');
  let bits = 0n;
  for (let i = 0; i < 8; i++) bits = (bits << 8n) | BigInt(random[i]);
  let s = '';
  for (let i = 0; i < 12; i++) { s += B32[Number(bits & 31n)]; bits >>= 5n; }
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

/** A code as typed, in its one form: upper case, no spaces or dashes; O→0, I/L→1 (Crockford). */
export function normalizeTrackingCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** The stored form of a tracking code (sha256 hex of its normal form). */
export function trackingHash(code: string): string {
  return createHash('sha256').update(`gridline tracking\n${normalizeTrackingCode(code)}`).digest('hex');
}

/** The stored form of an upload ticket. */
export function ticketHash(ticket: string): string {
  return createHash('sha256').update(`gridline ticket\n${ticket}`).digest('hex');
}

// ---- Proof of work -------------------------------------------------------------------------------------------------

export type PowPolicy = {
  /** Leading zero bits the SHA-256 of `challenge:nonce` must have (16: ~65,000 tries, about 0.5 s on a phone). */
  bits: number;
  /** How long a challenge may be answered, s. */
  ttl_s: number;
};

export const POW_POLICY: PowPolicy = { bits: 16, ttl_s: 300 };

const powMac = (secret: string, issued_s: number, bits: number, rand: string) =>
  createHmac('sha256', secret).update(`gridline pow\n${issued_s}\n${bits}\n${rand}`).digest('base64url');

/** A challenge string: `v1.<issued unix s>.<bits>.<random hex>.<HMAC>`; the server keeps nothing until it is answered. */
export function powChallenge(secret: string, now: Date, random: Uint8Array, p: PowPolicy = POW_POLICY): { challenge: string; bits: number; expires_at: Date } {
  const issued_s = Math.floor(now.getTime() / 1000);
  const rand = Array.from(random.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join('');
  return { challenge: `v1.${issued_s}.${p.bits}.${rand}.${powMac(secret, issued_s, p.bits, rand)}`, bits: p.bits, expires_at: new Date((issued_s + p.ttl_s) * 1000) };
}

export { leadingZeroBits, solveChallenge, solves } from './pow.js';

/**
 * Checks an answered challenge: issued by this server (HMAC), not expired, at least the policy's difficulty, solved.
 * Returns the hash under which the server records it as spent (a solution counts once: the caller's job).
 * @throws DomainError bad_request naming what is wrong and what to do (get a new challenge)
 */
export function verifyPow(secret: string, challenge: string, nonce: string, now: Date, p: PowPolicy = POW_POLICY): { challenge_hash: string } {
  const again = 'get a new one from GET /api/public/challenge and solve it';
  const m = /^v1\.(\d{1,12})\.(\d{1,2})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/.exec(challenge);
  if (!m) throw new DomainError('bad_request', `The challenge is not one this server issued; ${again}`, { challenge: 'malformed' });
  const [, issuedText, bitsText, rand, mac] = m;
  const issued_s = Number(issuedText);
  const bits = Number(bitsText);
  const want = Buffer.from(powMac(secret, issued_s, bits, rand));
  const given = Buffer.from(mac);
  if (want.length !== given.length || !timingSafeEqual(want, given)) {
    throw new DomainError('bad_request', `The challenge is not one this server issued; ${again}`, { challenge: 'not issued here' });
  }
  if (bits < p.bits) throw new DomainError('bad_request', `The challenge is easier than this server asks; ${again}`, { challenge: 'too easy' });
  const age = now.getTime() / 1000 - issued_s;
  if (age > p.ttl_s || age < -60) throw new DomainError('bad_request', `The challenge has expired (it lasts ${p.ttl_s / 60} minutes); ${again}`, { challenge: 'expired' });
  if (!/^[0-9]{1,20}$/.test(nonce) || !solves(challenge, nonce, bits)) {
    throw new DomainError('bad_request', `The nonce does not solve the challenge; solve it again or ${again}`, { nonce: 'not a solution' });
  }
  return { challenge_hash: createHash('sha256').update(challenge).digest('hex') };
}

// ---- Quotas --------------------------------------------------------------------------------------------------------

export type Quota = { limit: number; window_s: number };

/** Per client address. */
export const PUBLIC_QUOTAS = {
  /** Reports made on the public page. */
  report: { limit: 5, window_s: 600 },
  /** Photos uploaded with tickets. */
  photo: { limit: 15, window_s: 600 },
  /** Challenges (tickets) asked for. */
  challenge: { limit: 20, window_s: 600 },
  /** Tracking look-ups, right or wrong: guessing codes needs millions. */
  track: { limit: 30, window_s: 600 },
} as const satisfies Record<string, Quota>;

/**
 * A sliding-window log: the times (ms) of the uses still inside the window, and whether one more fits. When it does
 * not, `retry_after_s` is when the oldest use leaves the window (at least 1 s).
 */
export function takeQuota(times: readonly number[], now_ms: number, q: Quota): { ok: boolean; times: number[]; retry_after_s: number } {
  const from = now_ms - q.window_s * 1000;
  const kept = times.filter((t) => t > from);
  if (kept.length >= q.limit) {
    const oldest = Math.min(...kept);
    return { ok: false, times: kept, retry_after_s: Math.max(1, Math.ceil((oldest + q.window_s * 1000 - now_ms) / 1000)) };
  }
  return { ok: true, times: [...kept, now_ms], retry_after_s: 0 };
}

// ---- Contact -------------------------------------------------------------------------------------------------------

export type ContactInput = { name?: string; phone?: string; email?: string; notify?: boolean };

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * The contact a reporter left, trimmed (empty = absent); the phone is normalised by the caller. "Notify me" needs a
 * phone or an e-mail.
 * @throws DomainError unprocessable naming the field
 */
export function contactOf(c: ContactInput | undefined): { name: string | null; phone: string | null; email: string | null; notify: boolean } {
  const name = c?.name?.trim() || null;
  const phone = c?.phone?.trim() || null;
  const email = c?.email?.trim() || null;
  if (email && (email.length > 254 || !EMAIL.test(email))) {
    throw new DomainError('unprocessable', `"${email}" is not an e-mail address; correct it or leave it empty`, { 'contact.email': 'not an e-mail address' });
  }
  const notify = !!c?.notify;
  if (notify && !phone && !email) {
    throw new DomainError('unprocessable', 'To be told of progress, give a phone number or an e-mail address (or untick "notify me")', { 'contact.notify': 'needs a phone or an e-mail' });
  }
  return { name, phone, email, notify };
}

// ---- The trail in public words -------------------------------------------------------------------------------------

/** The steps the tracking page shows; the page words them (client/src/i18n/words-public.ts). */
export const PUBLIC_STEPS = [
  'received', 'verifying', 'verified', 'not_found', 'accepted', 'filed', 'not_accepted', 'dispatched', 'reassigned', 'extended',
  'paused', 'resumed', 'handled', 'checking', 'checked', 'rework', 'closed', 'merged', 'reopened', 'updated',
] as const;
export type PublicStep = (typeof PUBLIC_STEPS)[number];

export type TrailFact = { action: string; to_status: string; from_status: string | null; data?: Record<string, unknown> | null };

/**
 * The public step of one trail entry, or null for what the public is not told (urges, applications and their
 * refusals: internal steps that do not change what happens to the problem).
 */
export function publicStepOf(e: TrailFact): PublicStep | null {
  switch (e.action) {
    case 'report': case 'import': return 'received';
    case 'send_verify': return 'verifying';
    case 'verify': return e.to_status === 'void' ? 'not_found' : 'verified';
    case 'accept': return 'accepted';
    case 'file': return 'filed';
    case 'reject': case 'refuse': case 'void': return 'not_accepted';
    case 'dispatch': return 'dispatched';
    case 'approve_return': return 'reassigned';
    case 'approve_extension': return 'extended';
    case 'approve_suspension': return 'paused';
    case 'resume': return 'resumed';
    case 'feedback': case 'approve_self_handled': return e.to_status === 'closed' ? 'closed' : 'handled';
    case 'send_check': return 'checking';
    case 'check': return e.to_status === 'handling' ? 'rework' : 'checked';
    case 'close': return 'closed';
    case 'merge': return e.to_status === 'void' ? 'merged' : null;
    case 'reopen': return 'reopened';
    case 'urge': case 'apply_return': case 'deny_return': case 'apply_extension': case 'deny_extension':
    case 'apply_suspension': case 'deny_suspension': case 'reject_self_handled':
      return null;
    default:
      return e.from_status === e.to_status ? null : 'updated';
  }
}

/** Where the case stands, in three words the public understands. */
export function publicStageOf(status: string): 'received' | 'in_progress' | 'closed' {
  if (status === 'closed' || status === 'void') return 'closed';
  if (status === 'pending_acceptance' || status === 'verifying' || status === 'pending_filing') return 'received';
  return 'in_progress';
}

// ---- Public photo links --------------------------------------------------------------------------------------------

const photoMac = (secret: string, photo_id: string, case_no: string, exp: number) =>
  createHmac('sha256', secret).update(`gridline public photo\n${photo_id}\n${case_no}\n${exp}`).digest('base64url');

/** The link the tracking page shows a photo of case `case_no` by: `/api/public/photos/{id}?case_no=&exp=&sig=`. */
export function publicPhotoUrl(secret: string, photo_id: string, case_no: string, exp: number): string {
  return `/api/public/photos/${photo_id}?case_no=${encodeURIComponent(case_no)}&exp=${exp}&sig=${photoMac(secret, photo_id, case_no, exp)}`;
}

/** Whether a public photo link is this server's and unexpired (constant-time comparison). */
export function verifyPublicPhotoLink(secret: string, photo_id: string, q: { case_no: string; exp: number; sig: string }, now: Date): boolean {
  if (!Number.isSafeInteger(q.exp) || q.exp * 1000 <= now.getTime()) return false;
  const want = Buffer.from(photoMac(secret, photo_id, q.case_no, q.exp));
  const given = Buffer.from(q.sig);
  return want.length === given.length && timingSafeEqual(want, given);
}

/** Which side of the work a trail entry's photos show: the problem (before) or the result (after); null: neither. */
export function photoSideOf(action: string): 'before' | 'after' | null {
  if (action === 'report' || action === 'verify') return 'before';
  if (action === 'feedback' || action === 'check' || action === 'approve_self_handled') return 'after';
  return null;
}
