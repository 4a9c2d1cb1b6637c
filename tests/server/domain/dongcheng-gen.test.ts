// Synthetic Dongcheng generator (server/demo/dongcheng.ts): determinism, codes, tiling, components. Pure, no database.
import { describe, test, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { area, booleanPointInPolygon, multiPolygon, point } from '@turf/turf';
import { generateDistrict, DONGCHENG_CENTRE, type GeneratedDistrict, type MultiPolygonCoords, type Position } from '../../../server/demo/dongcheng.js';
import { assertGridCode } from '../../../server/domain/codes.js';

const rows = (file: string) =>
  readFileSync(new URL(`../../../data/dongcheng/${file}`, import.meta.url), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
const STREETS = rows('dongcheng_streets.csv').map(([code, name]) => ({ code, name }));
const COMMUNITIES = rows('dongcheng_communities.csv').map(([code, name, street_code]) => ({ code, name, street_code }));
const DISTRICT = { code: '110101', name: '东城区' };
const KNOWN_CLASSES = new Set(
  readFileSync(new URL('../../../data/standard/components.csv', import.meta.url), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',')[0]),
);

const gen = (seed: number, grids = 300, components = 3000) =>
  generateDistrict({ seed, grids, components, streets: STREETS, communities: COMMUNITIES, district: DISTRICT });

const D = gen(20260101);
const COMPONENTS = [...D.components()];

type Box = { w: number; s: number; e: number; n: number };
function bbox(geom: MultiPolygonCoords): Box {
  const pts = geom.flat(2);
  return {
    w: Math.min(...pts.map((p) => p[0])), s: Math.min(...pts.map((p) => p[1])),
    e: Math.max(...pts.map((p) => p[0])), n: Math.max(...pts.map((p) => p[1])),
  };
}
const inside = (a: Box, b: Box) => a.w >= b.w && a.e <= b.e && a.s >= b.s && a.n <= b.n;
const overlapArea = (a: Box, b: Box) => Math.max(0, Math.min(a.e, b.e) - Math.max(a.w, b.w)) * Math.max(0, Math.min(a.n, b.n) - Math.max(a.s, b.s));
const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
const snapshot = (d: GeneratedDistrict) => JSON.stringify({ ...d, components: [...d.components()] });

describe('generateDistrict', () => {
  test('the same seed and options give identical output, components included', () => {
    expect(snapshot(gen(20260101))).toBe(snapshot(D));
  });

  test('another seed gives another layout', () => {
    expect(JSON.stringify(gen(7).grids)).not.toBe(JSON.stringify(D.grids));
  });

  test('all 17 real streets and 169 real communities are used, with their parents', () => {
    expect(D.streets.map((s) => s.code)).toEqual(STREETS.map((s) => s.code).sort());
    expect(D.communities).toHaveLength(169);
    expect(new Set(D.communities.map((c) => c.code))).toEqual(new Set(COMMUNITIES.map((c) => c.code)));
    for (const c of D.communities) expect(c.parent_code).toBe(COMMUNITIES.find((x) => x.code === c.code)!.street_code);
    for (const s of D.streets) expect(s.parent_code).toBe('110101');
    expect(D.district).toMatchObject({ code: '110101', name: '东城区', parent_code: null });
    expect(new Set(D.grids.map((g) => g.community_code)).size).toBe(169);
  });

  test('the district sits at Dongcheng and covers about grids × 10,000 m²', () => {
    const [w, s, e, n] = D.bbox;
    expect(Math.abs((w + e) / 2 - DONGCHENG_CENTRE[0])).toBeLessThan(0.001);
    expect(Math.abs((s + n) / 2 - DONGCHENG_CENTRE[1])).toBeLessThan(0.001);
    expect(relDiff(D.district.area_m2, 300 * 10_000)).toBeLessThan(0.05);
    expect(relDiff(area(multiPolygon(D.district.geom)), D.district.area_m2)).toBeLessThan(0.005);
  });

  test('every grid code is valid, starts with its community and sequences run 1..n per community', () => {
    expect(D.grids).toHaveLength(300);
    const seqs = new Map<string, number[]>();
    for (const g of D.grids) {
      expect(() => assertGridCode(g.code, g.community_code)).not.toThrow();
      expect(g.street_code).toBe(g.code.slice(0, 9));
      seqs.set(g.community_code, [...(seqs.get(g.community_code) ?? []), Number(g.code.slice(12))]);
    }
    for (const list of seqs.values()) expect(list).toEqual(list.map((_, i) => i + 1));
    expect(new Set(D.grids.map((g) => g.code)).size).toBe(300);
  });

  test('grid codes run west→east, north→south inside each community', () => {
    for (let i = 1; i < D.grids.length; i++) {
      const [a, b] = [D.grids[i - 1], D.grids[i]];
      if (a.community_code !== b.community_code) continue;
      const [ba, bb] = [bbox(a.geom), bbox(b.geom)];
      // Reading order: a lower north edge starts a new row; in the same row the next grid lies further east.
      expect(bb.n < ba.n || (bb.n === ba.n && bb.w > ba.w)).toBe(true);
    }
  });

  test('unit grids are about 10,000 m² each', () => {
    const areas = D.grids.map((g) => g.area_m2).sort((a, b) => a - b);
    expect(areas[0]).toBeGreaterThanOrEqual(6_000);
    expect(areas[areas.length - 1]).toBeLessThanOrEqual(16_000);
    expect(areas[areas.length >> 1]).toBeGreaterThan(8_500);
    expect(areas[areas.length >> 1]).toBeLessThan(11_500);
    for (const g of D.grids) expect(relDiff(area(multiPolygon(g.geom)), g.area_m2)).toBeLessThan(0.005);
  });

  test('grids tile their community: areas add up and each lies inside it', () => {
    for (const c of D.communities) {
      const grids = D.grids.filter((g) => g.community_code === c.code);
      expect(relDiff(grids.reduce((s, g) => s + g.area_m2, 0), c.area_m2)).toBeLessThan(1e-6);
      expect(relDiff(grids.reduce((s, g) => s + area(multiPolygon(g.geom)), 0), area(multiPolygon(c.geom)))).toBeLessThan(1e-6);
      for (const g of grids) expect(inside(bbox(g.geom), bbox(c.geom))).toBe(true);
    }
  });

  test('communities tile their street and streets tile the district', () => {
    for (const s of D.streets) {
      const comms = D.communities.filter((c) => c.parent_code === s.code);
      expect(relDiff(comms.reduce((t, c) => t + c.area_m2, 0), s.area_m2)).toBeLessThan(1e-6);
      for (const c of comms) expect(inside(bbox(c.geom), bbox(s.geom))).toBe(true);
    }
    expect(relDiff(D.streets.reduce((t, s) => t + s.area_m2, 0), D.district.area_m2)).toBeLessThan(1e-6);
    expect(relDiff(D.grids.reduce((t, g) => t + area(multiPolygon(g.geom)), 0), area(multiPolygon(D.district.geom)))).toBeLessThan(1e-6);
  });

  test('every polygon is one closed counter-clockwise rectangle and no two grids overlap', () => {
    const boxes = D.grids.map((g) => bbox(g.geom));
    D.grids.forEach((g, i) => {
      expect(g.geom).toHaveLength(1);
      expect(g.geom[0]).toHaveLength(1);
      const ring = g.geom[0][0];
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      const b = boxes[i];
      for (const [x, y] of ring) expect(x === b.w || x === b.e || y === b.s || y === b.n).toBe(true);
      let twice = 0; // shoelace: positive = counter-clockwise
      for (let k = 1; k < ring.length; k++) twice += (ring[k - 1][0] * ring[k][1]) - (ring[k][0] * ring[k - 1][1]);
      expect(twice).toBeGreaterThan(0);
    });
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) expect(overlapArea(boxes[i], boxes[j])).toBe(0);
    }
  });

  test('neighbours share their edges vertex for vertex (no T-junctions)', () => {
    const boxes = D.grids.map((g) => bbox(g.geom));
    const onEdge = ([x, y]: Position, b: Box) =>
      ((x === b.w || x === b.e) && y >= b.s && y <= b.n) || ((y === b.s || y === b.n) && x >= b.w && x <= b.e);
    const vertexSets = D.grids.map((g) => new Set(g.geom[0][0].map((p) => p.join(' '))));
    D.grids.forEach((g, i) => {
      for (let j = 0; j < D.grids.length; j++) {
        if (i === j) continue;
        for (const p of g.geom[0][0]) if (onEdge(p, boxes[j])) expect(vertexSets[j].has(p.join(' '))).toBe(true);
      }
    });
  });

  test('main and secondary roads are named uniquely and lie inside the district', () => {
    const names = D.roads.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(D.roads.filter((r) => r.kind === 'main')).toHaveLength(16); // 17 streets → 16 cuts
    expect(D.roads.filter((r) => r.kind === 'secondary')).toHaveLength(169 - 17);
    const [w, s, e, n] = D.bbox;
    for (const r of D.roads) {
      expect(r.name).toMatch(/^[\u4e00-\u9fff0-9]+(大街|路|街|胡同|巷|条)$/u);
      for (const [x, y] of r.geom) expect(x >= w && x <= e && y >= s && y <= n).toBe(true);
    }
  });

  test('a district with fewer grids than 169 communities is refused; 169 gives one grid each', () => {
    expect(() => gen(1, 168, 0)).toThrow(/one per community/);
    const small = gen(1, 169, 0);
    expect(small.grids).toHaveLength(169);
    expect(small.grids.every((g) => g.code.endsWith('001'))).toBe(true);
  });
});

describe('components', () => {
  test('the iterator yields exactly the requested count, split by class_counts', () => {
    expect(COMPONENTS).toHaveLength(3000);
    const counts: Record<string, number> = {};
    for (const c of COMPONENTS) counts[c.class_code] = (counts[c.class_code] ?? 0) + 1;
    expect(counts).toEqual(D.class_counts);
    expect(D.component_total).toBe(3000);
  });

  test('classes are real standard component classes covering covers, lamps, bins, trees, bus stops and hydrants', () => {
    const classes = new Set(COMPONENTS.map((c) => c.class_code));
    for (const code of classes) expect(KNOWN_CLASSES.has(code)).toBe(true);
    for (const code of ['01001', '01002', '01003', '01037', '03005', '04002', '02004', '01013']) expect(classes.has(code)).toBe(true);
  });

  test('sequences run 1..n per class in the order yielded', () => {
    const last = new Map<string, number>();
    for (const c of COMPONENTS) {
      expect(c.seq).toBe((last.get(c.class_code) ?? 0) + 1);
      last.set(c.class_code, c.seq);
    }
  });

  test('every component lies strictly inside its own grid, with matching community and street codes', () => {
    const grids = new Map(D.grids.map((g) => [g.code, g]));
    for (const c of COMPONENTS) {
      const g = grids.get(c.grid_code)!;
      expect(g).toBeDefined();
      expect(c.community_code).toBe(g.community_code);
      expect(c.street_code).toBe(g.street_code);
      expect(booleanPointInPolygon(point([c.lon, c.lat]), multiPolygon(g.geom), { ignoreBoundary: true })).toBe(true);
    }
    expect(new Set(COMPONENTS.map((c) => c.grid_code)).size).toBe(300); // spread over every grid
  });

  test('components sit along the grid edges, within 10 m of one', () => {
    const grids = new Map(D.grids.map((g) => [g.code, bbox(g.geom)]));
    const mPerDegLat = 111_000, mPerDegLon = 111_000 * Math.cos((DONGCHENG_CENTRE[1] * Math.PI) / 180);
    for (const c of COMPONENTS) {
      const b = grids.get(c.grid_code)!;
      const d = Math.min((c.lon - b.w) * mPerDegLon, (b.e - c.lon) * mPerDegLon, (c.lat - b.s) * mPerDegLat, (b.n - c.lat) * mPerDegLat);
      expect(d).toBeGreaterThan(1.5);
      expect(d).toBeLessThan(10.5);
    }
  });

  test('the iterator is lazy: 5,000,000 components asked, the first 10 taken', () => {
    const big = gen(20260101, 300, 5_000_000);
    expect(big.component_total).toBe(5_000_000);
    const first: unknown[] = [];
    for (const c of big.components()) {
      first.push(c);
      if (first.length === 10) break;
    }
    expect(first).toHaveLength(10);
    expect(Math.max(...Object.values(big.class_counts))).toBeLessThanOrEqual(999_999);
  });

  test('more components than a 6-digit sequence per class allows are refused', () => {
    expect(() => gen(1, 300, 9_000_000)).toThrow(/6-digit sequence/);
  });
});
