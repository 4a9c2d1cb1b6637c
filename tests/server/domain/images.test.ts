import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { describeBytes, exifTakenAt, inspectImage, MAX_IFD_ENTRIES, parseExif, sniffImage } from '../../../server/domain/images.js';
import { errorOf } from '../../helpers/errors.js';
import { concat, gpsTags, jpeg, png, pngHeaderOnly, rat, tiff, webpExtended, webpLossless } from '../../fixtures/images/build.js';
import { BEIJING_EXIF, RIO_EXIF } from '../../fixtures/images/make.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/images/${name}`, import.meta.url));
const LIMIT = { maxPixels: 40_000_000 };
const text = (s: string) => Buffer.from(s, 'utf8');

describe('sniffImage and inspectImage: the format comes from the bytes', () => {
  test.each([
    ['gradient-3x2.png', 'image/png', 3, 2],
    ['png-named.jpg', 'image/png', 5, 4],
    ['plain-8x8.jpg', 'image/jpeg', 8, 8],
    ['gps-le-16x8.jpg', 'image/jpeg', 16, 8],
    ['gps-be-9x17.jpg', 'image/jpeg', 9, 17],
    ['lossless-1x1.webp', 'image/webp', 1, 1],
    ['lossy-1x1.webp', 'image/webp', 1, 1],
    ['exif-1x1.webp', 'image/webp', 1, 1],
  ])('%s is %s, %i×%i', (name, mime, width, height) => {
    const info = inspectImage(fixture(name), LIMIT);
    expect(info).toMatchObject({ mime, width, height });
    expect(sniffImage(fixture(name))?.mime).toBe(mime);
  });

  test('a PNG named .jpg is still a PNG', () => {
    const info = inspectImage(fixture('png-named.jpg'), LIMIT);
    expect(info).toMatchObject({ mime: 'image/png', ext: 'png' });
  });

  test.each([
    [1, 1], [640, 480], [4032, 3024], [16383, 1],
  ])('WebP VP8L header sizes %i×%i', (w, h) => {
    expect(inspectImage(webpLossless(w, h), { maxPixels: 1e9 })).toMatchObject({ mime: 'image/webp', width: w, height: h });
  });

  test('WebP VP8X canvas size (24-bit fields)', () => {
    expect(inspectImage(webpExtended({ w: 5000, h: 3000 }), LIMIT)).toMatchObject({ width: 5000, height: 3000 });
  });

  test('JPEG and PNG sizes beyond one byte', () => {
    expect(inspectImage(jpeg(300, 257), LIMIT)).toMatchObject({ width: 300, height: 257 });
    expect(inspectImage(pngHeaderOnly(70000, 3), LIMIT)).toMatchObject({ width: 70000, height: 3 });
  });
});

describe('refusals', () => {
  test.each([
    ['plain text', text('hello, this is not a photo\n'), 'plain text'],
    ['HTML', text('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'), 'HTML text'],
    ['HTML without doctype', text('  <html><head></head></html>'), 'HTML text'],
    ['SVG', text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'SVG'],
    ['bare SVG', text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'SVG'],
    ['ZIP', concat([0x50, 0x4b, 0x03, 0x04], new Array(40).fill(0)), 'ZIP archive'],
    ['PDF', text('%PDF-1.7\n%âãÏÓ\n1 0 obj'), 'PDF'],
    ['GIF', text('GIF89a\x01\x00\x01\x00'), 'GIF'],
    ['HEIC', concat([0, 0, 0, 0x18], text('ftypheic'), new Array(16).fill(0)), 'HEIC'],
    ['JSON', text('{"not":"an image"}'), 'JSON'],
    ['binary noise', concat([0x00, 0x01, 0x02, 0xfe, 0x80, 0x00, 0x13, 0x37]), 'unrecognised binary data'],
    ['empty', Buffer.alloc(0), 'empty'],
  ])('%s is refused as unsupported_media_type, saying what it looks like', (_, bytes, looks) => {
    const e = errorOf(() => inspectImage(bytes, LIMIT));
    expect(e).toMatchObject({ code: 'unsupported_media_type' });
    expect(e.message).toContain(looks);
    expect(describeBytes(bytes)).toContain(looks);
  });

  test('a RIFF that is not WebP is refused', () => {
    const wav = concat(text('RIFF'), [36, 0, 0, 0], text('WAVEfmt '), new Array(24).fill(0));
    expect(errorOf(() => inspectImage(wav, LIMIT))).toMatchObject({ code: 'unsupported_media_type', message: expect.stringContaining('RIFF') });
  });

  const pngFile = png(4, 4);
  const jpgFile = jpeg(16, 16, { exif: tiff(true, BEIJING_EXIF) });
  const webpFile = webpExtended({ exif: tiff(true, BEIJING_EXIF) });
  test.each([
    ['PNG signature only', pngFile.subarray(0, 8)],
    ['PNG cut inside IHDR', pngFile.subarray(0, 20)],
    ['PNG cut inside IDAT', pngFile.subarray(0, pngFile.length - 20)],
    ['PNG without IEND', pngFile.subarray(0, pngFile.length - 12)],
    ['JPEG SOI only', jpgFile.subarray(0, 3)],
    ['JPEG cut inside APP1', jpgFile.subarray(0, 40)],
    ['JPEG cut before the scan', jpgFile.subarray(0, jpgFile.indexOf(Buffer.from([0xff, 0xda])))],
    ['JPEG without EOI', jpgFile.subarray(0, jpgFile.length - 2)],
    ['WebP header only', webpFile.subarray(0, 12)],
    ['WebP cut inside a chunk', webpFile.subarray(0, webpFile.length - 10)],
  ])('%s is refused as damaged (unprocessable), never thrown as anything else', (_, bytes) => {
    const e = errorOf(() => inspectImage(bytes, LIMIT));
    expect(e).toMatchObject({ name: 'DomainError', code: 'unprocessable' });
    expect(e.message).toMatch(/truncated or damaged/);
  });

  test('every prefix of every fixture is accepted or refused with a DomainError', () => {
    for (const name of ['gradient-3x2.png', 'gps-le-16x8.jpg', 'gps-be-9x17.jpg', 'lossless-1x1.webp', 'exif-1x1.webp']) {
      const full = fixture(name);
      for (let n = 0; n < full.length; n++) {
        const e = errorOf(() => inspectImage(full.subarray(0, n), LIMIT));
        expect(e?.name, `${name} cut to ${n} bytes`).toBe('DomainError');
      }
    }
  });

  test('a zero-sized image is refused', () => {
    expect(errorOf(() => inspectImage(pngHeaderOnly(0, 10), LIMIT))).toMatchObject({ code: 'unprocessable' });
    expect(errorOf(() => inspectImage(jpeg(8, 0), LIMIT))).toMatchObject({ code: 'unprocessable' });
  });

  test('too many pixels is refused from the header, naming width×height', () => {
    const e = errorOf(() => inspectImage(pngHeaderOnly(60000, 60000), LIMIT));
    expect(e).toMatchObject({ code: 'unprocessable', details: { width: 60000, height: 60000, max_pixels: 40_000_000 } });
    expect(e.message).toContain('60000×60000');
    // a header-only bomb: IHDR declares the size, and nothing after it is even looked at
    const truncatedBomb = concat(pngHeaderOnly(60000, 60000).subarray(0, 33));
    expect(errorOf(() => inspectImage(truncatedBomb, LIMIT)).message).toContain('60000×60000');
    expect(errorOf(() => inspectImage(webpExtended({ w: 16_000_000, h: 16_000_000 }), LIMIT)).message).toContain('16000000×16000000');
    expect(errorOf(() => inspectImage(jpeg(65535, 65535), LIMIT)).message).toContain('65535×65535');
  });
});

describe('EXIF', () => {
  test('little-endian JPEG: GPS north/east, DateTimeOriginal with OffsetTimeOriginal', () => {
    const { exif } = inspectImage(fixture('gps-le-16x8.jpg'), LIMIT);
    expect(exif).toMatchObject({ taken_local: '2024-05-01T10:20:30', taken_offset: '+08:00', gps_time: '2024-05-01T02:20:30Z' });
    expect(exif!.lat).toBeCloseTo(39.9087, 6);
    expect(exif!.lon).toBeCloseTo(116.3975, 6);
    expect(exifTakenAt(exif!)).toBe('2024-05-01T10:20:30+08:00');
  });

  test('big-endian JPEG: GPS south/west are negative; without an offset the GPS UTC time is used', () => {
    const { exif } = inspectImage(fixture('gps-be-9x17.jpg'), LIMIT);
    expect(exif).toMatchObject({ taken_local: '2023-12-31T20:59:58', taken_offset: null, gps_time: '2023-12-31T23:59:58Z' });
    expect(exif!.lat).toBeCloseTo(-22.9519, 6);
    expect(exif!.lon).toBeCloseTo(-43.2105, 6);
    expect(exifTakenAt(exif!, '+08:00')).toBe('2023-12-31T23:59:58Z');
  });

  test('both byte orders give the same answer for the same tags', () => {
    expect(parseExif(tiff(false, RIO_EXIF))).toEqual(parseExif(tiff(true, RIO_EXIF)));
    expect(parseExif(tiff(false, BEIJING_EXIF))).toEqual(parseExif(tiff(true, BEIJING_EXIF)));
  });

  test('WebP EXIF chunk, with or without the "Exif\\0\\0" prefix; PNG eXIf', () => {
    for (const bytes of [fixture('exif-1x1.webp'), webpExtended({ exif: tiff(true, BEIJING_EXIF), exifPrefix: true }), png(2, 2, { exif: tiff(true, BEIJING_EXIF) })]) {
      const { exif } = inspectImage(bytes, LIMIT);
      expect(exif).toMatchObject({ taken_offset: '+08:00' });
      expect(exif!.lat).toBeCloseTo(39.9087, 6);
    }
  });

  test('no EXIF at all is null; a local time alone uses the fallback offset or nothing', () => {
    expect(inspectImage(fixture('plain-8x8.jpg'), LIMIT).exif).toBeNull();
    expect(inspectImage(fixture('lossless-1x1.webp'), LIMIT).exif).toBeNull();
    const local = parseExif(tiff(true, { exif: [{ tag: 0x9003, type: 2, value: '2024:02:29 23:00:00' }] }));
    expect(local).toEqual({ taken_local: '2024-02-29T23:00:00', taken_offset: null, gps_time: null, lat: null, lon: null });
    expect(exifTakenAt(local, '+08:00')).toBe('2024-02-29T23:00:00+08:00');
    expect(exifTakenAt(local)).toBeNull();
  });

  test('placeholder and impossible values become null', () => {
    const e = parseExif(tiff(true, {
      exif: [{ tag: 0x9003, type: 2, value: '0000:00:00 00:00:00' }, { tag: 0x9011, type: 2, value: '+99:99' }],
      gps: [
        ...gpsTags(0, 0), // "null island": a camera without a fix
        { tag: 0x0007, type: 5, value: rat([25, 1], [0, 1], [0, 1]) }, { tag: 0x001d, type: 2, value: '2023:02:30' },
      ],
    }));
    expect(e).toEqual({ taken_local: null, taken_offset: null, gps_time: null, lat: null, lon: null });
    const noRef = parseExif(tiff(true, { gps: gpsTags(39.9, 116.4).filter((t) => t.tag !== 0x0001) }));
    expect(noRef.lat).toBeNull();
    const zeroDen = parseExif(tiff(true, { gps: gpsTags(39.9, 116.4).map((t) => (t.tag === 2 ? { ...t, value: rat([39, 0], [0, 1], [0, 1]) } : t)) }));
    expect(zeroDen.lat).toBeNull();
    const voidFix = parseExif(tiff(true, { gps: [...gpsTags(39.9, 116.4), { tag: 0x0009, type: 2, value: 'V' }] }));
    expect(voidFix.lat).toBeNull();
  });

  test('malformed TIFF headers give all-null fields, never a throw', () => {
    for (const bytes of [Buffer.alloc(0), text('II'), text('XX*\0\x08\0\0\0'), text('II+\0\x08\0\0\0'), text('MM\0*\xff\xff\xff\xff'), text('II*\0\x00\0\0\0')]) {
      expect(parseExif(bytes)).toEqual({ taken_local: null, taken_offset: null, gps_time: null, lat: null, lon: null });
    }
  });

  /** A TIFF with IFD0 at 8 whose entry count is 0xFFFF, with `entries` real 12-byte entries after it. */
  function hugeCount(le: boolean, entries: number[][]): Buffer {
    const u16 = (n: number) => (le ? [n & 0xff, n >> 8] : [n >> 8, n & 0xff]);
    const u32 = (n: number) => (le ? [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24] : [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
    return concat(text(le ? 'II' : 'MM'), u16(42), u32(8), u16(0xffff), ...entries.map((e) => [...u16(e[0]), ...u16(e[1]), ...u32(e[2]), ...u32(e[3])]));
  }

  test('a huge entry count is capped by the bytes present and MAX_IFD_ENTRIES', () => {
    expect(parseExif(hugeCount(true, []))).toMatchObject({ lat: null });
    const many = Array.from({ length: MAX_IFD_ENTRIES + 500 }, (_, i) => [0x1000 + i, 3, 1, 0]);
    expect(parseExif(hugeCount(false, many))).toMatchObject({ taken_local: null });
    const big = jpeg(8, 8, { exif: hugeCount(true, many) });
    expect(inspectImage(big, LIMIT)).toMatchObject({ width: 8, exif: { lat: null } });
  });

  test('IFD pointers that loop back (Exif → IFD0, GPS → itself) do not hang or throw', () => {
    // IFD0 at 8 with two entries: ExifIFD → 8 (itself) and GPS → 8; next-IFD → 8.
    const le = true;
    const self = hugeCount(le, [[0x8769, 4, 1, 8], [0x8825, 4, 1, 8]]);
    self.writeUInt16LE(2, 8); // a real count of 2
    const looped = concat(self, [8, 0, 0, 0]);
    expect(parseExif(looped)).toEqual({ taken_local: null, taken_offset: null, gps_time: null, lat: null, lon: null });
    // Exif and GPS IFDs pointing at each other: each is read once
    const t = tiff(true, { exif: [{ tag: 0x8825, type: 4, value: [8] }], gps: [{ tag: 0x8769, type: 4, value: [8] }, ...gpsTags(1, 2)] });
    expect(parseExif(t)).toMatchObject({ lat: 1, lon: 2 });
  });

  test('values pointing outside the block are skipped', () => {
    const t = tiff(true, { exif: [{ tag: 0x9003, type: 2, value: '2024:05:01 10:20:30' }] });
    const cut = t.subarray(0, t.length - 10); // the date string's bytes are gone
    expect(parseExif(cut).taken_local).toBeNull();
    const lying = Buffer.from(t);
    const at = lying.indexOf(Buffer.from([0x03, 0x90])); // the DateTimeOriginal entry (LE tag 0x9003)
    lying.writeUInt32LE(0xfffffff0, at + 8); // value offset far past the end
    expect(parseExif(lying).taken_local).toBeNull();
    lying.writeUInt32LE(0xffffffff, at + 4); // count × size overflows
    expect(parseExif(lying).taken_local).toBeNull();
  });

  test('random garbage after a valid TIFF header never throws', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 500; i++) {
      const body = Buffer.from(Array.from({ length: 8 + Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)));
      body.write(i % 2 ? 'II' : 'MM', 0, 'latin1');
      if (i % 2) body.writeUInt16LE(42, 2); else body.writeUInt16BE(42, 2);
      const out = parseExif(body);
      expect(Object.keys(out).sort()).toEqual(['gps_time', 'lat', 'lon', 'taken_local', 'taken_offset']);
    }
  });

  test('mutated fixtures never throw anything but a DomainError', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (const name of ['gps-le-16x8.jpg', 'gps-be-9x17.jpg', 'exif-1x1.webp', 'gradient-3x2.png']) {
      const base = fixture(name);
      for (let i = 0; i < 300; i++) {
        const b = Buffer.from(base);
        for (let k = 0; k < 4; k++) b[3 + Math.floor(rnd() * (b.length - 3))] = Math.floor(rnd() * 256);
        try {
          inspectImage(b, LIMIT);
        } catch (e) {
          expect((e as Error).name).toBe('DomainError');
        }
      }
    }
  });
});
