// EWKT of a checked geometry: the COPY text of a geometry column. Pure.
import type { Geometry, Position } from './geometry.js';

const num = (n: number) => (Object.is(n, -0) ? '0' : String(n));
const pts = (ps: Position[]) => ps.map(([x, y]) => `${num(x)} ${num(y)}`).join(',');
const rings = (rs: Position[][]) => rs.map((r) => `(${pts(r)})`).join(',');

/** EWKT with SRID 4326 (COPY text input of a geometry column); numbers keep full double precision.
 * @example toEwkt({ type: 'Point', coordinates: [116.4, 39.9] }) // 'SRID=4326;POINT(116.4 39.9)' */
export function toEwkt(g: Geometry): string {
  switch (g.type) {
    case 'Point': return `SRID=4326;POINT(${num(g.coordinates[0])} ${num(g.coordinates[1])})`;
    case 'MultiPoint': return `SRID=4326;MULTIPOINT(${g.coordinates.map(([x, y]) => `(${num(x)} ${num(y)})`).join(',')})`;
    case 'LineString': return `SRID=4326;LINESTRING(${pts(g.coordinates)})`;
    case 'MultiLineString': return `SRID=4326;MULTILINESTRING(${rings(g.coordinates)})`;
    case 'Polygon': return `SRID=4326;POLYGON(${rings(g.coordinates)})`;
    case 'MultiPolygon': return `SRID=4326;MULTIPOLYGON(${g.coordinates.map((p) => `(${rings(p)})`).join(',')})`;
  }
}

