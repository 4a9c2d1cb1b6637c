// Signed photo links (issue 8, defect 3): an <img> cannot send an Authorization header, so the server hands out
// short-lived URLs of the form /api/photos/{id}?u={user}&exp={unix seconds}&sig={HMAC}, each minted only after it has
// checked that `user` may see the photo (a case the user may read shows it, or the user uploaded it). The HMAC-SHA256
// covers the photo id, the user (0 = the anonymous uploader) and the expiry, keyed by a server secret; nothing of the
// session travels in the URL. The expiry is rounded up to a step, so the same viewer gets the same URL for a while and
// the browser's cache answers. Pure: the secret and the time are arguments.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed link carries besides the photo id. */
export type PhotoLinkParams = { u: number; exp: number; sig: string };

/** How long a link lives at least, and the step its expiry is rounded up to. */
export type LinkPolicy = { ttl_s: number; step_s: number };

export function linkPolicy(ttlMinutes: number): LinkPolicy {
  const ttl_s = Math.max(60, Math.round(ttlMinutes * 60));
  return { ttl_s, step_s: Math.max(60, Math.floor(ttl_s / 4)) };
}

/** The expiry (unix seconds) of a link minted at `now`: at least ttl ahead, rounded up to the policy's step. */
export function linkExpiry(now: Date, p: LinkPolicy): number {
  const earliest = Math.floor(now.getTime() / 1000) + p.ttl_s;
  return Math.ceil(earliest / p.step_s) * p.step_s;
}

function mac(secret: string, id: string, u: number, exp: number): Buffer {
  return createHmac('sha256', secret).update(`gridline photo\n${id}\n${u}\n${exp}`).digest();
}

/**
 * The signed URL of photo `id` for viewer `u` (a user id; 0 for an anonymous uploader) until `exp`.
 * @example signedPhotoUrl('k'.repeat(32), 'ab…', 7, 1767225600) // '/api/photos/ab…?u=7&exp=1767225600&sig=…'
 */
export function signedPhotoUrl(secret: string, id: string, u: number, exp: number): string {
  return `/api/photos/${id}?u=${u}&exp=${exp}&sig=${mac(secret, id, u, exp).toString('base64url')}`;
}

/** Whether `q` is a valid, unexpired signature of photo `id` at `now` (constant-time comparison). */
export function verifyPhotoLink(secret: string, id: string, q: PhotoLinkParams, now: Date): boolean {
  if (!Number.isSafeInteger(q.u) || q.u < 0 || !Number.isSafeInteger(q.exp)) return false;
  if (q.exp * 1000 <= now.getTime()) return false;
  const given = Buffer.from(q.sig, 'base64url');
  const want = mac(secret, id, q.u, q.exp);
  return given.length === want.length && timingSafeEqual(given, want);
}
