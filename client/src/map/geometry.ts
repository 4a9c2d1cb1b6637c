// Small planar geometry helpers for label placement in lon/lat. Planar is fine at district scale:
// we only compare areas and pick a point inside a polygon, we never measure.
import type { Geometry, Position } from 'geojson';

export type LonLat = [number, number];
export type Box = [minX: number, minY: number, maxX: number, maxY: number];

/** Signed shoelace area of a ring (degrees²; positive when counter-clockwise). */
export function ringArea(ring: readonly Position[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return a / 2;
}

/** Area-weighted centroid of a ring; the vertex mean when the ring is degenerate. */
export function ringCentroid(ring: readonly Position[]): LonLat {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
    a += f;
    cx += (ring[j][0] + ring[i][0]) * f;
    cy += (ring[j][1] + ring[i][1]) * f;
  }
  if (Math.abs(a) < 1e-18) {
    const n = ring.length || 1;
    return [ring.reduce((s, p) => s + p[0], 0) / n, ring.reduce((s, p) => s + p[1], 0) / n];
  }
  return [cx / (3 * a), cy / (3 * a)];
}

/** Even-odd point-in-ring test. */
export function pointInRing(p: LonLat, ring: readonly Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and outside every hole. */
export function pointInPolygon(p: LonLat, rings: readonly (readonly Position[])[]): boolean {
  if (rings.length === 0 || !pointInRing(p, rings[0])) return false;
  for (let k = 1; k < rings.length; k++) if (pointInRing(p, rings[k])) return false;
  return true;
}

/** The polygons of a geometry (each as its rings); other geometry types give none. */
export function polygonsOf(g: Geometry | null | undefined): Position[][][] {
  if (!g) return [];
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  if (g.type === 'GeometryCollection') return g.geometries.flatMap(polygonsOf);
  return [];
}

export function extendBox(box: Box | null, ring: readonly Position[]): Box {
  let [x0, y0, x1, y1] = box ?? [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

/** The bounding box of any geometry, or null when it has no coordinates. */
export function geometryBox(g: Geometry | null | undefined): Box | null {
  if (!g) return null;
  let box: Box | null = null;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') box = extendBox(box, [c as Position]);
    else if (Array.isArray(c)) c.forEach(visit);
  };
  if (g.type === 'GeometryCollection') {
    for (const part of g.geometries) {
      const b = geometryBox(part);
      if (b) box = extendBox(box, [[b[0], b[1]], [b[2], b[3]]]);
    }
  } else visit(g.coordinates);
  return box;
}

/**
 * A good label point for a polygon cut into pieces (a feature split across vector tiles comes back
 * as one piece per tile): the centre of all pieces' box when it lies inside one of them, else the
 * centroid of the largest piece. Also returns the box, from which the label's room is judged.
 */
export function labelAnchor(pieces: readonly (readonly (readonly Position[])[])[]): { position: LonLat; box: Box } | null {
  let box: Box | null = null;
  let largest: readonly (readonly Position[])[] | null = null;
  let largestArea = -1;
  for (const rings of pieces) {
    if (rings.length === 0 || rings[0].length < 3) continue;
    box = extendBox(box, rings[0]);
    const a = Math.abs(ringArea(rings[0]));
    if (a > largestArea) { largestArea = a; largest = rings; }
  }
  if (!box || !largest) return null;
  const centre: LonLat = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
  if (pieces.some((rings) => pointInPolygon(centre, rings))) return { position: centre, box };
  const c = ringCentroid(largest[0]);
  if (pointInPolygon(c, largest)) return { position: c, box };
  // A concave piece whose centroid falls outside: use its first vertex's neighbourhood mean as a last resort.
  return { position: ringCentroid(largest[0].slice(0, 3)), box };
}

/** Screen pixels per degree of longitude at a zoom (maplibre's 512-px world). */
export function pxPerDegreeLon(zoom: number): number {
  return (512 * 2 ** zoom) / 360;
}
