// Signed photo links (domain/photo-links.ts): the expiry is rounded so links repeat; the HMAC binds id, user, expiry.
import { describe, expect, test } from 'vitest';
import { linkExpiry, linkPolicy, signedPhotoUrl, verifyPhotoLink } from '../../../server/domain/photo-links.js';

const SECRET = 'k'.repeat(64);
const ID = 'ab'.repeat(32);
const parse = (url: string) => {
  const q = new URL(url, 'http://x').searchParams;
  return { u: Number(q.get('u')), exp: Number(q.get('exp')), sig: q.get('sig')! };
};

describe('photo links', () => {
  test('the expiry is at least the ttl ahead and repeats within a step (so the browser cache hits)', () => {
    const p = linkPolicy(60);
    expect(p).toEqual({ ttl_s: 3600, step_s: 900 });
    const t0 = new Date('2026-11-23T02:00:00Z');
    const e0 = linkExpiry(t0, p);
    expect(e0 * 1000 - t0.getTime()).toBe(3600_000);
    const e1 = linkExpiry(new Date(t0.getTime() + 60_000), p);
    expect(e1).toBe(e0 + 900);
    expect(linkExpiry(new Date(t0.getTime() + 899_000), p)).toBe(e1);
    expect(linkPolicy(1)).toEqual({ ttl_s: 60, step_s: 60 });
  });

  test('a link verifies for its id, user and expiry only, until it expires', () => {
    const exp = 1_800_000_000;
    const url = signedPhotoUrl(SECRET, ID, 7, exp);
    expect(url).toMatch(new RegExp(`^/api/photos/${ID}\\?u=7&exp=${exp}&sig=[A-Za-z0-9_-]{43}$`));
    const q = parse(url);
    const before = new Date((exp - 1) * 1000);
    expect(verifyPhotoLink(SECRET, ID, q, before)).toBe(true);
    expect(verifyPhotoLink(SECRET, ID, q, new Date(exp * 1000))).toBe(false);
    expect(verifyPhotoLink(SECRET, 'cd'.repeat(32), q, before)).toBe(false);
    expect(verifyPhotoLink(SECRET, ID, { ...q, u: 8 }, before)).toBe(false);
    expect(verifyPhotoLink(SECRET, ID, { ...q, exp: exp + 1 }, before)).toBe(false);
    expect(verifyPhotoLink('j'.repeat(64), ID, q, before)).toBe(false);
    expect(verifyPhotoLink(SECRET, ID, { ...q, sig: q.sig.slice(1) }, before)).toBe(false);
    expect(verifyPhotoLink(SECRET, ID, { ...q, u: -1 }, before)).toBe(false);
  });
});
