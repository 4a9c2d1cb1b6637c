// Coordinate checks and GCJ-02 → WGS84: docs/domain.md §4. Pure.
import { DomainError } from './errors.js';

export type Crs = 'wgs84' | 'gcj02';
export type Bbox = [number, number, number, number];

/** Throws `invalid_coordinates` unless lon/lat are finite and inside WGS84 ranges. */
export function assertLonLat(lon: number, lat: number): void {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
    throw new DomainError('invalid_coordinates', `Coordinates must be numbers; got lon=${lon}, lat=${lat}`);
  }
  if (lat < -90 || lat > 90) throw new DomainError('invalid_coordinates', `Latitude must be between -90 and 90; got ${lat}`);
  if (lon < -180 || lon > 180) throw new DomainError('invalid_coordinates', `Longitude must be between -180 and 180; got ${lon}`);
}

/**
 * Parses "minLon,minLat,maxLon,maxLat" and checks order, ranges and the size limit (degrees² of lon×lat span).
 * @example parseBbox('116.39,39.90,116.41,39.92', 1) // [116.39, 39.9, 116.41, 39.92]
 */
export function parseBbox(text: string, maxArea = Infinity): Bbox {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 4 || parts.some((p) => p === '' || !Number.isFinite(Number(p)))) {
    throw new DomainError('bad_request', `bbox must be four numbers "minLon,minLat,maxLon,maxLat"; got "${text}"`);
  }
  const b = parts.map(Number) as Bbox;
  assertLonLat(b[0], b[1]);
  assertLonLat(b[2], b[3]);
  if (b[0] > b[2] || b[1] > b[3]) throw new DomainError('bad_request', `bbox min must not exceed max; got "${text}"`);
  const area = (b[2] - b[0]) * (b[3] - b[1]);
  if (area > maxArea) {
    throw new DomainError('bbox_too_large', `bbox covers ${area.toFixed(4)} square degrees; the limit is ${maxArea}`, { area, limit: maxArea });
  }
  return b;
}

// GCJ-02 ("Mars coordinates") uses the Krasovsky ellipsoid constants below; the inverse is iterative,
// accurate to well under a centimetre after a few rounds.
const A = 6378245.0;
const EE = 0.00669342162296594323;

/** GCJ-02 is applied only inside China's rough outline; outside it equals WGS84 (docs/domain.md §4). */
export function outOfChina(lon: number, lat: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}

function transformLon(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

/** WGS84 → GCJ-02.
 * @example wgs84ToGcj02(116.397, 39.909) // about [116.4032, 39.9104] */
export function wgs84ToGcj02(lon: number, lat: number): [number, number] {
  if (outOfChina(lon, lat)) return [lon, lat];
  let dLat = transformLat(lon - 105, lat - 35);
  let dLon = transformLon(lon - 105, lat - 35);
  const radLat = (lat / 180) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLon = (dLon * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lon + dLon, lat + dLat];
}

/** GCJ-02 → WGS84 by fixed-point iteration on the forward transform.
 * @example gcj02ToWgs84(...wgs84ToGcj02(116.397, 39.909)) // ≈ [116.397, 39.909] */
export function gcj02ToWgs84(lon: number, lat: number): [number, number] {
  if (outOfChina(lon, lat)) return [lon, lat];
  let x = lon;
  let y = lat;
  for (let i = 0; i < 8; i++) {
    const [gx, gy] = wgs84ToGcj02(x, y);
    x += lon - gx;
    y += lat - gy;
  }
  return [x, y];
}

/** Converts input coordinates in `crs` to WGS84 after checking them. */
export function toWgs84(lon: number, lat: number, crs: Crs = 'wgs84'): [number, number] {
  assertLonLat(lon, lat);
  return crs === 'gcj02' ? gcj02ToWgs84(lon, lat) : [lon, lat];
}
