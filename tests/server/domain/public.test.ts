// The public pages' pure parts (server/domain/public.ts, image-strip.ts, sha256.ts): tracking codes, the proof of
// work, quota arithmetic, contact checks, the trail in public words, and photos cleaned of their metadata.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  POW_POLICY, contactOf, leadingZeroBits, normalizeTrackingCode, powChallenge, publicStepOf, publicStageOf, solveChallenge,
  takeQuota, trackingCodeOf, trackingHash, verifyPow, publicPhotoUrl, verifyPublicPhotoLink,
} from '../../../server/domain/public.js';
import { sha256, toHex, utf8 } from '../../../server/domain/sha256.js';
import { orientationSegment, stripMetadata, tiffOrientation } from '../../../server/domain/image-strip.js';
import { inspectImage } from '../../../server/domain/images.js';
import { DomainError } from '../../../server/domain/errors.js';
import { concat, gpsTags, jpeg, png, tiff, webpExtended } from '../../fixtures/images/build.js';
import { pngChunk } from '../../helpers/png.js';

const SECRET = 's'.repeat(40);
const T0 = new Date('2026-12-04T08:00:00Z');
const codeOf = (f: () => unknown) => { try { f(); } catch (e) { return e instanceof DomainError ? e.code : 'other'; } return null; };

describe('sha256', () => {
  test('equals node:crypto on lengths around the block boundaries', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const b = randomBytes(n);
      expect(toHex(sha256(b))).toBe(createHash('sha256').update(b).digest('hex'));
    }
  });
});

describe('tracking codes', () => {
  test('12 Crockford characters in three groups, from the random bytes; distinct bytes give distinct codes', () => {
    const a = trackingCodeOf(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(trackingCodeOf(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 9]))).not.toBe(a);
    const many = new Set(Array.from({ length: 500 }, () => trackingCodeOf(randomBytes(8))));
    expect(many.size).toBe(500);
  });
  test('typed in lower case, without dashes or with O for 0: the same hash', () => {
    const code = 'AB0C-1DEF-GH23';
    expect(normalizeTrackingCode(' ab0c 1def-gh23 ')).toBe('AB0C1DEFGH23');
    expect(trackingHash('abOc-ldef-gh23')).toBe(trackingHash(code));
    expect(trackingHash('AB0C-1DEF-GH24')).not.toBe(trackingHash(code));
  });
});

describe('proof of work', () => {
  const c = powChallenge(SECRET, T0, Uint8Array.from({ length: 16 }, (_, i) => i), { bits: 8, ttl_s: 300 });
  const p = { bits: 8, ttl_s: 300 };
  test('a solved challenge verifies once per challenge hash; the default asks for 16 bits', () => {
    expect(POW_POLICY.bits).toBe(16);
    const nonce = solveChallenge(c.challenge, c.bits);
    expect(leadingZeroBits(sha256(utf8(`${c.challenge}:${nonce}`)))).toBeGreaterThanOrEqual(8);
    const r = verifyPow(SECRET, c.challenge, nonce, new Date(T0.getTime() + 10_000), p);
    expect(r.challenge_hash).toMatch(/^[0-9a-f]{64}$/);
  });
  test('a wrong nonce, an expired or altered challenge, another key, an easier one: bad_request', () => {
    const nonce = solveChallenge(c.challenge, c.bits);
    let wrong = 0;
    while (leadingZeroBits(sha256(utf8(`${c.challenge}:${wrong}`))) >= 8) wrong++;
    expect(codeOf(() => verifyPow(SECRET, c.challenge, String(wrong), T0, p))).toBe('bad_request');
    expect(codeOf(() => verifyPow(SECRET, c.challenge, nonce, new Date(T0.getTime() + 301_000), p))).toBe('bad_request');
    expect(codeOf(() => verifyPow('k'.repeat(40), c.challenge, nonce, T0, p))).toBe('bad_request');
    expect(codeOf(() => verifyPow(SECRET, c.challenge.replace('.8.', '.9.'), nonce, T0, p))).toBe('bad_request');
    expect(codeOf(() => verifyPow(SECRET, c.challenge, nonce, T0, { bits: 12, ttl_s: 300 }))).toBe('bad_request');
    expect(codeOf(() => verifyPow(SECRET, 'nonsense', nonce, T0, p))).toBe('bad_request');
  });
  test('leading zero bits', () => {
    expect(leadingZeroBits(Uint8Array.from([0, 0, 0x10, 0xff]))).toBe(19);
    expect(leadingZeroBits(Uint8Array.from([0x80]))).toBe(0);
    expect(leadingZeroBits(Uint8Array.from([0, 0]))).toBe(16);
  });
});

describe('quotas', () => {
  const q = { limit: 5, window_s: 600 };
  test('5 in 10 minutes, the sixth waits until the oldest leaves the window', () => {
    let times: number[] = [];
    const t0 = T0.getTime();
    for (let i = 0; i < 5; i++) {
      const r = takeQuota(times, t0 + i * 60_000, q);
      expect(r.ok).toBe(true);
      times = r.times;
    }
    const refused = takeQuota(times, t0 + 5 * 60_000, q);
    expect(refused).toMatchObject({ ok: false, retry_after_s: 300 });
    expect(takeQuota(refused.times, t0 + 600_001, q).ok).toBe(true);
  });
});

describe('contact', () => {
  test('trimmed, empty is absent; notify needs a phone or an e-mail; a bad e-mail is refused', () => {
    expect(contactOf({ name: ' Ann ', email: ' a@b.org ', notify: true })).toEqual({ name: 'Ann', phone: null, email: 'a@b.org', notify: true });
    expect(contactOf(undefined)).toEqual({ name: null, phone: null, email: null, notify: false });
    expect(codeOf(() => contactOf({ name: 'Ann', notify: true }))).toBe('unprocessable');
    expect(codeOf(() => contactOf({ email: 'not an address' }))).toBe('unprocessable');
  });
});

describe('the trail in public words', () => {
  test('each step of a case that was verified, dispatched, sent back once and closed', () => {
    const trail = [
      { action: 'report', from_status: null, to_status: 'pending_acceptance' },
      { action: 'send_verify', from_status: 'pending_acceptance', to_status: 'verifying' },
      { action: 'verify', from_status: 'verifying', to_status: 'pending_filing' },
      { action: 'accept', from_status: 'verifying', to_status: 'pending_filing' },
      { action: 'file', from_status: 'pending_filing', to_status: 'pending_dispatch' },
      { action: 'dispatch', from_status: 'pending_dispatch', to_status: 'handling' },
      { action: 'urge', from_status: 'handling', to_status: 'handling' },
      { action: 'apply_extension', from_status: 'handling', to_status: 'handling' },
      { action: 'feedback', from_status: 'handling', to_status: 'pending_check' },
      { action: 'check', from_status: 'checking', to_status: 'handling' },
      { action: 'check', from_status: 'checking', to_status: 'pending_closing' },
      { action: 'close', from_status: 'pending_closing', to_status: 'closed' },
      { action: 'merged_from', from_status: 'closed', to_status: 'closed' },
    ];
    expect(trail.map(publicStepOf)).toEqual(['received', 'verifying', 'verified', 'accepted', 'filed', 'dispatched', null, null, 'handled', 'rework', 'checked', 'closed', null]);
    expect(publicStepOf({ action: 'verify', from_status: 'verifying', to_status: 'void' })).toBe('not_found');
    expect(publicStepOf({ action: 'merge', from_status: 'pending_acceptance', to_status: 'void' })).toBe('merged');
    expect(publicStageOf('verifying')).toBe('received');
    expect(publicStageOf('handling')).toBe('in_progress');
    expect(publicStageOf('void')).toBe('closed');
  });
});

describe('public photo links', () => {
  test('valid until exp for that photo and case only', () => {
    const id = 'a'.repeat(64);
    const exp = Math.floor(T0.getTime() / 1000) + 600;
    const url = new URL(publicPhotoUrl(SECRET, id, '900001-20261204-0001', exp), 'http://x');
    const q = { case_no: url.searchParams.get('case_no')!, exp: Number(url.searchParams.get('exp')), sig: url.searchParams.get('sig')! };
    expect(verifyPublicPhotoLink(SECRET, id, q, T0)).toBe(true);
    expect(verifyPublicPhotoLink(SECRET, 'b'.repeat(64), q, T0)).toBe(false);
    expect(verifyPublicPhotoLink(SECRET, id, { ...q, case_no: '900001-20261204-0002' }, T0)).toBe(false);
    expect(verifyPublicPhotoLink(SECRET, id, q, new Date(exp * 1000))).toBe(false);
  });
});

describe('metadata stripped from photos', () => {
  const gps = tiff(true, { ifd0: [{ tag: 0x010f, type: 2, value: 'SecretCam' }, { tag: 0x0112, type: 3, value: [6] }], gps: gpsTags(42.37, -71.1) });
  const has = (b: Uint8Array, s: string) => Buffer.from(b).includes(Buffer.from(s));

  test('JPEG: EXIF (GPS, camera), XMP and comments go; the orientation stays; the image is the same', () => {
    const base = jpeg(16, 8, { exif: gps });
    const xmp = concat([0xff, 0xe1], [0, 2 + 29 + 14], Buffer.from('http://ns.adobe.com/xap/1.0/\0'), Buffer.from('<x:xmpmeta/>Me'));
    const com = concat([0xff, 0xfe], [0, 2 + 11], Buffer.from('by Jane Doe'));
    const icc = concat([0xff, 0xe2], [0, 2 + 12 + 4], Buffer.from('ICC_PROFILE\0'), [1, 1, 0, 0]);
    const b = concat(base.subarray(0, 2), xmp, com, icc, base.subarray(2));
    expect(inspectImage(b, { maxPixels: 1e6 }).exif?.lat).toBeCloseTo(42.37, 3);
    const out = stripMetadata(b);
    for (const s of ['SecretCam', 'xmpmeta', 'Jane Doe', 'GPS']) expect(has(out, s)).toBe(false);
    expect(has(out, 'ICC_PROFILE')).toBe(true);
    const info = inspectImage(out, { maxPixels: 1e6 });
    expect(info).toMatchObject({ mime: 'image/jpeg', width: 16, height: 8 });
    expect(info.exif?.lat ?? null).toBeNull();
    const app1 = Buffer.from(out).indexOf(Buffer.from('Exif\0\0'));
    expect(tiffOrientation(out.subarray(app1 + 6))).toBe(6);
    expect(Buffer.from(out.subarray(out.length - 40)).equals(Buffer.from(b.subarray(b.length - 40)))).toBe(true); // scan data copied
  });

  test('JPEG without orientation gets no EXIF at all; a clean JPEG comes back byte for byte', () => {
    const b = jpeg(8, 8, { exif: tiff(false, { gps: gpsTags(40, 116) }) });
    const out = stripMetadata(b);
    expect(has(out, 'Exif')).toBe(false);
    const clean = jpeg(8, 8);
    expect(Buffer.from(stripMetadata(clean)).equals(clean)).toBe(true);
    expect(orientationSegment(3).length).toBe(4 + 6 + 26);
  });

  test('PNG: text, eXIf and tIME chunks go, the CRCs of the rest stay valid', () => {
    const base = png(3, 2, { exif: gps });
    const iend = base.length - 12;
    const b = concat(base.subarray(0, iend), pngChunk('tEXt', Buffer.from('Author\0Jane Doe')), pngChunk('tIME', [7, 234, 12, 4, 8, 0, 0]), base.subarray(iend));
    const out = stripMetadata(b);
    expect(has(out, 'Jane Doe')).toBe(false);
    expect(has(out, 'eXIf')).toBe(false);
    expect(has(out, 'tIME')).toBe(false);
    const info = inspectImage(out, { maxPixels: 1e6 });
    expect(info).toMatchObject({ mime: 'image/png', width: 3, height: 2, exif: null });
  });

  test('WebP: the EXIF chunk goes, its VP8X flag is cleared and the RIFF size rewritten', () => {
    const b = webpExtended({ w: 1, h: 1, exif: gps });
    expect(inspectImage(b, { maxPixels: 1e6 }).exif).not.toBeNull();
    const out = stripMetadata(b);
    expect(has(out, 'SecretCam')).toBe(false);
    expect(out[20] & 0x08).toBe(0);
    expect(Buffer.from(out).readUInt32LE(4)).toBe(out.length - 8);
    expect(inspectImage(out, { maxPixels: 1e6 })).toMatchObject({ mime: 'image/webp', exif: null });
  });

  test('every image fixture stays the same image, with no position left', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/images');
    for (const f of readdirSync(dir).filter((x) => /\.(jpg|png|webp)$/.test(x))) {
      const b = readFileSync(join(dir, f));
      const before = inspectImage(b, { maxPixels: 1e8 });
      const after = inspectImage(stripMetadata(b), { maxPixels: 1e8 });
      expect({ f, mime: after.mime, w: after.width, h: after.height }).toEqual({ f, mime: before.mime, w: before.width, h: before.height });
      expect(after.exif?.lat ?? null, f).toBeNull();
      expect(after.exif?.taken_local ?? null, f).toBeNull();
    }
  });

  test('not an image: unprocessable', () => {
    expect(codeOf(() => stripMetadata(Buffer.from('<html>')))).toBe('unprocessable');
  });
});
