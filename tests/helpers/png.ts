// The one PNG encoder of the tests: real 8-bit RGB PNGs built byte by byte (zlib from node, CRC-32 here), for photo
// uploads, image inspection, raster tiles and decompression-bomb shapes. No image library.
import { deflateSync } from 'node:zlib';

/** The 8 bytes every PNG starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO 3309, as PNG chunks use it). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One chunk: length, type, data, CRC of type + data. */
export function pngChunk(type: string, data: Uint8Array | readonly number[] = []): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data)]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length - 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** IHDR data of an 8-bit RGB image (colour type 2, no interlace). */
function ihdr(w: number, h: number): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(w, 0);
  b.writeUInt32BE(h, 4);
  b[8] = 8; // bit depth
  b[9] = 2; // RGB
  return b;
}

export type Rgb = readonly [number, number, number];

/**
 * A real w×h RGB PNG whose pixel (x, y) is `pixel(x, y)`, one IDAT; `exif` adds an eXIf chunk (a TIFF block) before
 * the image data.
 */
export function encodePng(w: number, h: number, pixel: (x: number, y: number) => Rgb, opts: { exif?: Uint8Array } = {}): Buffer {
  const stride = w * 3 + 1;
  const raw = Buffer.alloc(stride * h);
  for (let y = 0; y < h; y++) {
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < w; x++) raw.set(pixel(x, y), y * stride + 1 + x * 3);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr(w, h)),
    ...(opts.exif ? [pngChunk('eXIf', opts.exif)] : []),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND'),
  ]);
}

/** A PNG whose header declares w×h but whose data is 64 zero bytes: the decompression-bomb shape. */
export function pngHeaderOnly(w: number, h: number): Buffer {
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr(w, h)), pngChunk('IDAT', deflateSync(Buffer.alloc(64))), pngChunk('IEND')]);
}

