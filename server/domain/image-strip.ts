// Metadata stripped from a photo before the public sees it (issue 11 §Public web, "EXIF stripped"): the camera's EXIF
// (time, GPS position, device serial numbers), XMP, IPTC and comments go; the pixels are untouched (no decoding).
//  - JPEG: every APP1…APP15 segment and every COM segment before the image data is dropped, except the two that carry
//    colour, not people: APP2 "ICC_PROFILE" and APP14 "Adobe" (the colour transform of CMYK/YCCK files). A photo
//    whose EXIF says it is rotated (Orientation 2…8, as phones write) gets a new APP1 holding that one tag, so it is
//    shown the right way up; nothing else of the EXIF survives.
//  - PNG: tEXt, zTXt, iTXt, eXIf and tIME chunks are dropped (each chunk is copied whole, CRCs stay valid).
//  - WebP: the EXIF and XMP chunks are dropped and their VP8X flags cleared; the RIFF size is rewritten.
// PURE. Expects bytes inspectImage accepted; anything it cannot walk throws DomainError unprocessable.
import { DomainError } from './errors.js';
import { sniffImage } from './images.js';

const ascii = (b: Uint8Array, at: number, len: number): string => {
  let s = '';
  for (let i = at; i < at + len && i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
};
const u16be = (b: Uint8Array, p: number) => (b[p] << 8) | b[p + 1];
const u32be = (b: Uint8Array, p: number) => ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
const u32le = (b: Uint8Array, p: number) => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + ((b[p + 3] << 24) >>> 0);

const cannot = (what: string) => new DomainError('unprocessable', `The photo cannot be cleaned of its metadata: ${what}`);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** The photo without its metadata (see the head of this file). */
export function stripMetadata(b: Uint8Array): Uint8Array {
  const fmt = sniffImage(b);
  if (!fmt) throw cannot('it is not a JPEG, PNG or WebP file');
  if (fmt.mime === 'image/jpeg') return stripJpeg(b);
  if (fmt.mime === 'image/png') return stripPng(b);
  return stripWebp(b);
}

// ---- JPEG ----------------------------------------------------------------------------------------------------------

/** EXIF Orientation (tag 0x0112 of IFD0) of a TIFF block, or 1 when absent or unreadable. */
export function tiffOrientation(t: Uint8Array): number {
  if (t.length < 8) return 1;
  const le = t[0] === 0x49 && t[1] === 0x49;
  if (!le && !(t[0] === 0x4d && t[1] === 0x4d)) return 1;
  const u16 = (p: number) => (le ? t[p] | (t[p + 1] << 8) : (t[p] << 8) | t[p + 1]);
  const u32 = (p: number) => (le ? u32le(t, p) : u32be(t, p));
  const ifd = u32(4);
  if (ifd + 2 > t.length) return 1;
  const n = Math.min(u16(ifd), 1000);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > t.length) return 1;
    if (u16(e) === 0x0112 && u16(e + 2) === 3) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** An APP1 segment holding an EXIF block with the Orientation tag alone. */
export function orientationSegment(orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, // big-endian TIFF, IFD0 at 8
    0, 1, // one entry
    0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, // Orientation, SHORT, count 1, value
    0, 0, 0, 0]; // no next IFD
  const data = [...Array.from('Exif\0\0', (c) => c.charCodeAt(0)), ...tiff];
  const len = data.length + 2;
  return Uint8Array.from([0xff, 0xe1, len >> 8, len & 0xff, ...data]);
}

function keepJpegSegment(m: number, data: Uint8Array): boolean {
  if (m === 0xfe) return false; // COM
  if (m < 0xe1 || m > 0xef) return true; // not APP1…APP15 (APP0 JFIF stays)
  if (m === 0xe2 && ascii(data, 0, 12) === 'ICC_PROFILE\0') return true;
  if (m === 0xee && ascii(data, 0, 5) === 'Adobe') return true;
  return false;
}

function stripJpeg(b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [b.subarray(0, 2)];
  let orientation = 1;
  let p = 2;
  let orientationAt = -1; // index in parts after which the orientation segment goes (after APP0 if any)
  for (;;) {
    const start = p;
    while (p < b.length && b[p] === 0xff) p++;
    if (p >= b.length || p === start) throw cannot('a JPEG segment is damaged');
    const m = b[p++];
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { parts.push(b.subarray(start, p)); continue; }
    if (p + 2 > b.length) throw cannot('it ends inside a JPEG segment header');
    const len = u16be(b, p);
    if (len < 2 || p + len > b.length) throw cannot('a JPEG segment runs past the end of the file');
    const data = b.subarray(p + 2, p + len);
    const end = p + len;
    if (m === 0xda) { parts.push(b.subarray(start)); break; } // SOS: the rest is image data, copied whole
    if (m === 0xe1 && orientation === 1 && ascii(data, 0, 6) === 'Exif\0\0') orientation = tiffOrientation(data.subarray(6));
    if (keepJpegSegment(m, data)) {
      parts.push(b.subarray(start, end));
      if (m === 0xe0 && orientationAt < 0) orientationAt = parts.length;
    }
    p = end;
  }
  if (orientation !== 1) parts.splice(orientationAt < 0 ? 1 : orientationAt, 0, orientationSegment(orientation));
  return concat(parts);
}

// ---- PNG -----------------------------------------------------------------------------------------------------------

const PNG_DROP = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

function stripPng(b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  let p = 8;
  for (;;) {
    if (p + 12 > b.length) throw cannot('the PNG ends before its IEND chunk');
    const len = u32be(b, p);
    const type = ascii(b, p + 4, 4);
    if (len > 0x7fffffff || p + 12 + len > b.length) throw cannot('a PNG chunk runs past the end of the file');
    if (!PNG_DROP.has(type)) parts.push(b.subarray(p, p + 12 + len));
    p += 12 + len;
    if (type === 'IEND') return concat(parts);
  }
}

// ---- WebP ----------------------------------------------------------------------------------------------------------

function stripWebp(b: Uint8Array): Uint8Array {
  const riffEnd = Math.min(b.length, 8 + u32le(b, 4));
  const parts: Uint8Array[] = [];
  let p = 12;
  while (p + 8 <= riffEnd) {
    const type = ascii(b, p, 4);
    const size = u32le(b, p + 4);
    const end = Math.min(riffEnd, p + 8 + size + (size & 1));
    if (p + 8 + size > riffEnd) throw cannot('a WebP chunk runs past the end of the file');
    if (type === 'VP8X') {
      const c = b.slice(p, end);
      c[8] &= ~(0x08 | 0x04); // EXIF and XMP flags
      parts.push(c);
    } else if (type !== 'EXIF' && type !== 'XMP ') {
      parts.push(b.subarray(p, end));
    }
    p = end;
  }
  const body = concat(parts);
  const head = new Uint8Array(12);
  head.set(b.subarray(0, 4), 0);
  const size = body.length + 4;
  head.set([size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff], 4);
  head.set(b.subarray(8, 12), 8);
  return concat([head, body]);
}
