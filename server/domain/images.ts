// Photo uploads, checked without decoding a single pixel: the format from magic bytes (never the file name or the
// Content-Type), the pixel size from the headers (PNG IHDR, JPEG SOFn, WebP VP8 / VP8L / VP8X), a structural walk
// that catches truncated files, and the few EXIF fields a case needs (when and where the photo was taken).
// PURE: no I/O, no clock. Every read is bounds-checked; nothing recurses; loops advance or stop.
import { DomainError } from './errors.js';

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';
export type ImageFormat = { mime: ImageMime; ext: 'jpg' | 'png' | 'webp'; name: 'JPEG' | 'PNG' | 'WebP' };

/** What EXIF says about when and where; any field is null when absent or unreadable. */
export type ExifData = {
  /** DateTimeOriginal as local wall-clock time, `YYYY-MM-DDTHH:MM:SS` (no zone). */
  taken_local: string | null;
  /** OffsetTimeOriginal, `+08:00`; null when the camera did not write one. */
  taken_offset: string | null;
  /** GPSDateStamp + GPSTimeStamp: a UTC instant, `YYYY-MM-DDTHH:MM:SSZ`. */
  gps_time: string | null;
  /** WGS84 decimal degrees, south and west negative. Both or neither. */
  lat: number | null;
  lon: number | null;
};

export type ImageInfo = ImageFormat & { width: number; height: number; exif: ExifData | null };

export const JPEG: ImageFormat = { mime: 'image/jpeg', ext: 'jpg', name: 'JPEG' };
export const PNG: ImageFormat = { mime: 'image/png', ext: 'png', name: 'PNG' };
export const WEBP: ImageFormat = { mime: 'image/webp', ext: 'webp', name: 'WebP' };

const ACCEPTED = 'send a JPEG, PNG or WebP photo';

const ascii = (b: Uint8Array, at: number, len: number): string => {
  let s = '';
  for (let i = at; i < at + len && i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
};
const u16be = (b: Uint8Array, p: number) => (b[p] << 8) | b[p + 1];
const u32be = (b: Uint8Array, p: number) => ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
const u16le = (b: Uint8Array, p: number) => b[p] | (b[p + 1] << 8);
const u24le = (b: Uint8Array, p: number) => b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
const u32le = (b: Uint8Array, p: number) => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + ((b[p + 3] << 24) >>> 0);

/** The accepted format the bytes start with, or null. Looks only at magic bytes. */
export function sniffImage(b: Uint8Array): ImageFormat | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return JPEG;
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return PNG;
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return WEBP;
  return null;
}

/** A few words for a person on what some bytes look like ("HTML text", "a ZIP archive"), for refusals. */
export function describeBytes(b: Uint8Array): string {
  if (b.length === 0) return 'empty';
  const fmt = sniffImage(b);
  if (fmt) return `a ${fmt.name} image`;
  const head = ascii(b, 0, 16);
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'a GIF image (not accepted)';
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return 'a TIFF image (not accepted)';
  if (head.slice(4, 8) === 'ftyp') {
    const brand = head.slice(8, 12);
    if (/^(heic|heix|hevc|heim|heis|mif1|msf1)$/.test(brand)) return 'a HEIC/HEIF image (not accepted; export it as JPEG)';
    if (brand === 'avif' || brand === 'avis') return 'an AVIF image (not accepted)';
    return 'an MP4/QuickTime video';
  }
  if (head.startsWith('BM') && b.length >= 26 && [12, 40, 52, 56, 108, 124].includes(u32le(b, 14))) return 'a BMP image (not accepted)';
  if (head.startsWith('%PDF-')) return 'a PDF document';
  if (head.startsWith('PK\x03\x04') || head.startsWith('PK\x05\x06')) return 'a ZIP archive';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip-compressed data';
  if (head.startsWith('RIFF')) return `a RIFF container of type "${head.slice(8, 12).replace(/[^\x20-\x7e]/g, '?')}", not WebP`;
  if (head.startsWith('\x7fELF')) return 'an executable';
  const text = textPrefix(b);
  if (text !== null) {
    const t = text.replace(/^\ufeff/, '').trimStart().toLowerCase();
    if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg|<svg)/.test(t) || (t.startsWith('<?xml') && t.includes('<svg'))) return 'SVG (XML) text';
    if (t.startsWith('<!doctype html') || /^(<!--[\s\S]*?-->\s*)*<(html|head|body|script|meta|div|p|!doctype)\b/.test(t)) return 'HTML text';
    if (t.startsWith('<?xml') || t.startsWith('<')) return 'XML or markup text';
    if (t.startsWith('{') || t.startsWith('[')) return 'JSON text';
    return 'plain text';
  }
  const hex = Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return `unrecognised binary data (starting ${hex})`;
}

/** The first KiB decoded as UTF-8 when it looks like text (no control bytes besides whitespace), else null. */
function textPrefix(b: Uint8Array): string | null {
  const n = Math.min(b.length, 1024);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) return null;
    if (c === 0x7f) return null;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, n));
}

const damaged = (fmt: ImageFormat, what: string) =>
  new DomainError('unprocessable', `The upload starts like a ${fmt.name} image but is truncated or damaged: ${what}; ${ACCEPTED}`);

/** Width and height from the header, before anything else is read. @throws DomainError unprocessable */
function headerSize(b: Uint8Array, fmt: ImageFormat): { width: number; height: number } {
  if (fmt === PNG) {
    if (b.length < 8 + 8 + 13 || u32be(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') throw damaged(fmt, 'no IHDR header');
    return { width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (fmt === WEBP) return webpSize(b);
  return jpegWalk(b, true).size;
}

/**
 * Sniffs, sizes and checks an uploaded image, and reads its EXIF.
 * The pixel limit is checked straight after the header, before the rest of the file is walked (decompression bombs).
 * @throws DomainError `unsupported_media_type` (not a JPEG/PNG/WebP), `unprocessable` (damaged, truncated, zero-sized or over `maxPixels`)
 */
export function inspectImage(b: Uint8Array, opts: { maxPixels: number }): ImageInfo {
  const fmt = sniffImage(b);
  if (!fmt) throw new DomainError('unsupported_media_type', `The upload is ${describeBytes(b)}, not an image; ${ACCEPTED}`);
  const { width, height } = headerSize(b, fmt);
  if (!(width > 0 && height > 0)) throw damaged(fmt, `its header declares ${width}×${height} pixels`);
  if (width * height > opts.maxPixels) {
    throw new DomainError('unprocessable',
      `The image is ${width}×${height} pixels (${megapixels(width * height)} megapixels); the limit is ${megapixels(opts.maxPixels)} megapixels. Resize it and upload again`,
      { width, height, max_pixels: opts.maxPixels });
  }
  let tiff: Uint8Array | null;
  if (fmt === PNG) tiff = pngWalk(b);
  else if (fmt === WEBP) tiff = webpWalk(b);
  else tiff = jpegWalk(b, false).tiff;
  return { ...fmt, width, height, exif: tiff ? parseExif(tiff) : null };
}

const megapixels = (n: number) => (n / 1e6 >= 10 ? Math.round(n / 1e6) : Math.round(n / 1e5) / 10).toString();

// ---------------------------------------------------------------------------------------------------------------
// PNG: 8-byte signature, then chunks (length u32 BE, type, data, CRC). IHDR first, IEND last; EXIF in `eXIf`.

function pngWalk(b: Uint8Array): Uint8Array | null {
  let tiff: Uint8Array | null = null;
  let p = 8;
  for (;;) {
    if (p + 12 > b.length) throw damaged(PNG, 'it ends before the IEND chunk');
    const len = u32be(b, p);
    const type = ascii(b, p + 4, 4);
    if (len > 0x7fffffff || p + 12 + len > b.length) throw damaged(PNG, `the ${JSON.stringify(type)} chunk runs past the end of the file`);
    if (type === 'eXIf' && !tiff) tiff = b.subarray(p + 8, p + 8 + len);
    if (type === 'IEND') return tiff;
    p += 12 + len; // each turn advances at least 12 bytes
  }
}

// ---------------------------------------------------------------------------------------------------------------
// JPEG: segments FF xx [len u16 BE including itself] up to SOS, then entropy-coded data ending with EOI (FF D9).

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Walks the segments to the first SOS (or only to the SOF when `untilSof`); each turn advances at least one byte. */
function jpegWalk(b: Uint8Array, untilSof: boolean): { size: { width: number; height: number }; tiff: Uint8Array | null } {
  let size: { width: number; height: number } | null = null;
  let tiff: Uint8Array | null = null;
  let p = 2;
  for (;;) {
    while (p < b.length && b[p] !== 0xff) p++; // stray bytes between segments: skipped, as libjpeg does
    while (p < b.length && b[p] === 0xff) p++; // fill bytes
    if (p >= b.length) throw damaged(JPEG, size ? 'it ends before the image data (SOS)' : 'it ends before the frame header (SOF)');
    const m = b[p++];
    if (m === 0x00) continue; // FF 00 is not a marker
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; // markers without a length
    if (m === 0xd9) throw damaged(JPEG, 'it ends (EOI) before any image data');
    if (p + 2 > b.length) throw damaged(JPEG, 'it ends inside a segment header');
    const len = u16be(b, p);
    if (len < 2 || p + len > b.length) throw damaged(JPEG, `segment FF${m.toString(16).toUpperCase()} runs past the end of the file`);
    const data = b.subarray(p + 2, p + len);
    if (m === 0xe1 && !tiff && data.length > 6 && ascii(data, 0, 6) === 'Exif\0\0') tiff = data.subarray(6);
    if (isSof(m) && !size) {
      if (data.length < 6) throw damaged(JPEG, 'the frame header (SOF) is too short');
      size = { width: u16be(data, 3), height: u16be(data, 1) };
      if (untilSof) return { size, tiff };
    }
    p += len;
    if (m === 0xda) {
      if (!size) throw damaged(JPEG, 'no frame header (SOF) before the image data');
      if (!hasEoi(b, p)) throw damaged(JPEG, 'no end-of-image marker (EOI) after the image data');
      return { size, tiff };
    }
  }
}

/** Whether FF D9 occurs at or after `from` (searched from the end: usually the last two bytes). */
function hasEoi(b: Uint8Array, from: number): boolean {
  for (let i = b.length - 2; i >= from; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// WebP: RIFF size WEBP, then chunks (fourcc, size u32 LE, data, pad to even). The first chunk is VP8, VP8L or VP8X.

function webpSize(b: Uint8Array): { width: number; height: number } {
  if (b.length < 20) throw damaged(WEBP, 'no first chunk');
  const type = ascii(b, 12, 4);
  const size = u32le(b, 16);
  const d = 20;
  if (d + Math.min(size, 10) > b.length) throw damaged(WEBP, `the ${type} header is cut short`);
  if (type === 'VP8 ') {
    if (size < 10 || (b[d] & 1) !== 0 || b[d + 3] !== 0x9d || b[d + 4] !== 0x01 || b[d + 5] !== 0x2a) throw damaged(WEBP, 'no VP8 key-frame start code');
    return { width: u16le(b, d + 6) & 0x3fff, height: u16le(b, d + 8) & 0x3fff };
  }
  if (type === 'VP8L') {
    if (size < 5 || b[d] !== 0x2f) throw damaged(WEBP, 'no VP8L signature');
    const [b1, b2, b3, b4] = [b[d + 1], b[d + 2], b[d + 3], b[d + 4]];
    return { width: 1 + (((b2 & 0x3f) << 8) | b1), height: 1 + (((b4 & 0x0f) << 10) | (b3 << 2) | ((b2 & 0xc0) >> 6)) };
  }
  if (type === 'VP8X') {
    if (size < 10) throw damaged(WEBP, 'the VP8X header is too short');
    return { width: 1 + u24le(b, d + 4), height: 1 + u24le(b, d + 7) };
  }
  throw damaged(WEBP, `the first chunk is ${JSON.stringify(type)}, not VP8, VP8L or VP8X`);
}

function webpWalk(b: Uint8Array): Uint8Array | null {
  const riffEnd = 8 + u32le(b, 4);
  if (riffEnd > b.length) throw damaged(WEBP, `the RIFF header declares ${riffEnd} bytes but the file has ${b.length}`);
  let tiff: Uint8Array | null = null;
  let image = false;
  let p = 12;
  while (p + 8 <= riffEnd) {
    const type = ascii(b, p, 4);
    const size = u32le(b, p + 4);
    if (p + 8 + size > riffEnd) throw damaged(WEBP, `the ${JSON.stringify(type)} chunk runs past the end of the file`);
    if (type === 'VP8 ' || type === 'VP8L' || type === 'ANIM') image = true;
    if (type === 'EXIF' && !tiff) {
      const data = b.subarray(p + 8, p + 8 + size);
      tiff = data.length > 6 && ascii(data, 0, 6) === 'Exif\0\0' ? data.subarray(6) : data; // some writers keep the JPEG prefix
    }
    p += 8 + size + (size & 1); // advances at least 8 bytes
  }
  if (!image) throw damaged(WEBP, 'no image data chunk');
  return tiff;
}

// ---------------------------------------------------------------------------------------------------------------
// EXIF: a TIFF structure. IFD0 → ExifIFD (0x8769: DateTimeOriginal, OffsetTimeOriginal) and GPS IFD (0x8825).
// Only those two pointers are followed, once each: no chains, no recursion, so no loops.

/** Most IFDs have 10–60 entries; a count beyond this is garbage or an attack, and the rest is ignored. */
export const MAX_IFD_ENTRIES = 1000;

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

type Entry = { tag: number; type: number; count: number; at: number /* offset of the value inside the TIFF */ };

const NO_EXIF: ExifData = { taken_local: null, taken_offset: null, gps_time: null, lat: null, lon: null };

/** Reads the EXIF fields from a TIFF block. Never throws: anything unreadable comes back as null. */
export function parseExif(t: Uint8Array): ExifData {
  try {
    return readExif(t);
  } catch {
    return { ...NO_EXIF }; // belt and braces: every read below is bounds-checked already
  }
}

function readExif(t: Uint8Array): ExifData {
  if (t.length < 8) return { ...NO_EXIF };
  const order = ascii(t, 0, 2);
  if (order !== 'II' && order !== 'MM') return { ...NO_EXIF };
  const le = order === 'II';
  const u16 = (p: number): number | null => (p >= 0 && p + 2 <= t.length ? (le ? u16le(t, p) : u16be(t, p)) : null);
  const u32 = (p: number): number | null => (p >= 0 && p + 4 <= t.length ? (le ? u32le(t, p) : u32be(t, p)) : null);
  if (u16(2) !== 42) return { ...NO_EXIF };

  const ifd = (offset: number | null): Map<number, Entry> => {
    const out = new Map<number, Entry>();
    const n = offset === null || offset < 8 ? null : u16(offset);
    if (n === null) return out;
    const fits = Math.floor((t.length - offset! - 2) / 12);
    for (let i = 0; i < Math.min(n, fits, MAX_IFD_ENTRIES); i++) {
      const e = offset! + 2 + i * 12;
      const tag = u16(e)!, type = u16(e + 2)!, count = u32(e + 4)!;
      const unit = TYPE_SIZE[type];
      if (!unit) continue;
      const total = unit * count;
      const at = total <= 4 ? e + 8 : u32(e + 8)!;
      if (total > t.length || at + total > t.length) continue; // value outside the block: skip the entry
      if (!out.has(tag)) out.set(tag, { tag, type, count, at });
    }
    return out;
  };
  const long = (e: Entry | undefined): number | null =>
    !e || e.count !== 1 ? null : e.type === 4 ? u32(e.at) : e.type === 3 ? u16(e.at) : null;
  const str = (e: Entry | undefined, max = 64): string | null => {
    if (!e || (e.type !== 2 && e.type !== 7) || e.count === 0) return null;
    const s = ascii(t, e.at, Math.min(e.count, max));
    const end = s.indexOf('\0');
    return (end >= 0 ? s.slice(0, end) : s).trim() || null;
  };
  const rationals = (e: Entry | undefined, n: number): number[] | null => {
    if (!e || (e.type !== 5 && e.type !== 10) || e.count < n) return null;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      let num = u32(e.at + i * 8)!, den = u32(e.at + i * 8 + 4)!;
      if (e.type === 10) { num |= 0; den |= 0; }
      if (den === 0) return null;
      out.push(num / den);
    }
    return out;
  };

  const ifd0Offset = u32(4);
  const ifd0 = ifd(ifd0Offset);
  const visited = new Set<number | null>([ifd0Offset]);
  const sub = (tag: number) => {
    const off = long(ifd0.get(tag));
    if (off === null || visited.has(off)) return new Map<number, Entry>(); // a pointer back to a visited IFD is ignored
    visited.add(off);
    return ifd(off);
  };
  const exif = sub(0x8769);
  const gps = sub(0x8825);

  const taken_local = exifDateTime(str(exif.get(0x9003)));
  const off = str(exif.get(0x9011));
  const taken_offset = off && /^[+-](0\d|1[0-4]):[0-5]\d$/.test(off) ? off : null;

  let lat: number | null = null;
  let lon: number | null = null;
  const latRef = str(gps.get(0x0001), 2)?.toUpperCase();
  const lonRef = str(gps.get(0x0003), 2)?.toUpperCase();
  const la = dms(rationals(gps.get(0x0002), 3));
  const lo = dms(rationals(gps.get(0x0004), 3));
  const status = str(gps.get(0x0009), 2)?.toUpperCase();
  if (status !== 'V' && la !== null && lo !== null && (latRef === 'N' || latRef === 'S') && (lonRef === 'E' || lonRef === 'W')
    && la <= 90 && lo <= 180 && !(la === 0 && lo === 0)) {
    lat = latRef === 'S' ? -la : la;
    lon = lonRef === 'W' ? -lo : lo;
  }

  let gps_time: string | null = null;
  const date = str(gps.get(0x001d), 16);
  const hms = rationals(gps.get(0x0007), 3);
  if (date && hms && /^\d{4}:\d{2}:\d{2}$/.test(date) && hms.every((x) => x >= 0 && Number.isFinite(x))) {
    const [h, m, s] = hms;
    const secs = Math.floor(s);
    if (Number.isInteger(h) && Number.isInteger(m) && h < 24 && m < 60 && secs < 60) {
      gps_time = exifDateTime(`${date} ${pad(h)}:${pad(m)}:${pad(secs)}`);
      if (gps_time) gps_time += 'Z';
    }
  }
  return { taken_local, taken_offset, gps_time, lat, lon };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** degrees, minutes, seconds → decimal degrees; null when any part is negative or not finite. */
function dms(v: number[] | null): number | null {
  if (!v || !v.every((x) => Number.isFinite(x) && x >= 0)) return null;
  return v[0] + v[1] / 60 + v[2] / 3600;
}

/** "2024:05:01 10:20:30" → "2024-05-01T10:20:30"; null for blanks ("0000:00:00 00:00:00") and impossible dates. */
function exifDateTime(s: string | null): string | null {
  const m = s && /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  if (y < 1900 || h > 23 || mi > 59 || se > 59) return null;
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
}

/**
 * The instant a photo was taken, as ISO 8601: DateTimeOriginal with its OffsetTimeOriginal when the camera wrote one;
 * else the GPS time (UTC); else DateTimeOriginal read in `fallbackOffset` (the city's offset) when given; else null.
 * @example exifTakenAt({ taken_local: '2024-05-01T10:20:30', taken_offset: '+08:00', … }) // '2024-05-01T10:20:30+08:00'
 */
export function exifTakenAt(e: ExifData, fallbackOffset?: string | null): string | null {
  if (e.taken_local && e.taken_offset) return e.taken_local + e.taken_offset;
  if (e.gps_time) return e.gps_time;
  if (e.taken_local && fallbackOffset) return e.taken_local + fallbackOffset;
  return null;
}
