// Deterministic synthetic district at Dongcheng's real location: streets, communities and unit grids tiled by
// hierarchical guillotine cuts, named main roads on the cuts, and a lazy stream of components along the grid
// edges (docs/domain.md §1–3). Pure: no I/O, no clock; every random choice comes from a seeded PRNG.
import { gridCode } from '../domain/codes.js';
import { DomainError } from '../domain/errors.js';

export type Position = [number, number];
/** GeoJSON MultiPolygon coordinates: polygons → rings → [lon, lat]; exterior rings counter-clockwise, closed. */
export type MultiPolygonCoords = Position[][][];

export type RegionInput = { code: string; name: string };
export type CommunityInput = RegionInput & { street_code: string };

export type GenerateOptions = {
  seed: number;
  /** Number of unit grids; at least one per community, at most 999 per community. */
  grids: number;
  /** Number of components the `components()` iterator yields. */
  components: number;
  streets: readonly RegionInput[];
  communities: readonly CommunityInput[];
  district: RegionInput;
};

export type GeneratedRegion = {
  code: string;
  name: string;
  parent_code: string | null;
  geom: MultiPolygonCoords;
  area_m2: number;
};

export type GeneratedGrid = {
  code: string;
  community_code: string;
  street_code: string;
  geom: MultiPolygonCoords;
  area_m2: number;
};

/** A named road centre-line: `main` roads separate streets, `secondary` roads separate communities. */
export type GeneratedRoad = { name: string; kind: 'main' | 'secondary'; geom: Position[] };

export type GeneratedComponent = {
  class_code: string;
  seq: number;
  grid_code: string;
  community_code: string;
  street_code: string;
  lon: number;
  lat: number;
};

export type GeneratedDistrict = {
  seed: number;
  district: GeneratedRegion;
  streets: GeneratedRegion[];
  communities: GeneratedRegion[];
  /** Sorted by code (community, then west→east, north→south sequence). */
  grids: GeneratedGrid[];
  roads: GeneratedRoad[];
  /** [west, south, east, north] in degrees. */
  bbox: [number, number, number, number];
  /** How many components `components()` yields, and how many of each class (seq runs 1..count per class). */
  component_total: number;
  class_counts: Record<string, number>;
  /** Yields the components one at a time, the same ones on every call; never holds them all in memory. */
  components(): Generator<GeneratedComponent, void, undefined>;
};

/** Dongcheng's centre (WGS84). */
export const DONGCHENG_CENTRE: Position = [116.416, 39.928];

/**
 * Component classes placed by the generator (codes of data/standard/components.csv) with their share of all
 * components and how far inside the grid edge (metres) they stand. No share exceeds 12 %, so up to about
 * 8.3 million components fit the 6-digit per-class sequence.
 */
export const DEMO_COMPONENT_CLASSES: readonly { code: string; name_zh: string; share: number; inset: [number, number] }[] = [
  { code: '01001', name_zh: '供水井盖', share: 0.06, inset: [2, 5] },
  { code: '01002', name_zh: '污水井盖', share: 0.07, inset: [2, 5] },
  { code: '01003', name_zh: '雨水井盖', share: 0.07, inset: [2, 5] },
  { code: '01004', name_zh: '雨水箅子', share: 0.07, inset: [2, 3] },
  { code: '01005', name_zh: '电力井盖', share: 0.05, inset: [2, 5] },
  { code: '01007', name_zh: '通信井盖', share: 0.05, inset: [2, 5] },
  { code: '01010', name_zh: '热力井盖', share: 0.04, inset: [2, 5] },
  { code: '01011', name_zh: '燃气井盖', share: 0.03, inset: [2, 5] },
  { code: '01013', name_zh: '消防设施', share: 0.02, inset: [2, 4] },
  { code: '01030', name_zh: '电力立杆', share: 0.03, inset: [2, 3] },
  { code: '01037', name_zh: '路灯', share: 0.1, inset: [2, 3] },
  { code: '02004', name_zh: '公交站设施', share: 0.005, inset: [2, 4] },
  { code: '02012', name_zh: '路名牌', share: 0.01, inset: [2, 3] },
  { code: '02014', name_zh: '交通信号灯', share: 0.01, inset: [2, 3] },
  { code: '02021', name_zh: '便道桩', share: 0.05, inset: [2, 4] },
  { code: '02027', name_zh: '存车支架', share: 0.02, inset: [3, 6] },
  { code: '02038', name_zh: '门（楼号）牌', share: 0.03, inset: [4, 8] },
  { code: '03001', name_zh: '公共厕所', share: 0.005, inset: [5, 10] },
  { code: '03005', name_zh: '垃圾箱', share: 0.06, inset: [2, 4] },
  { code: '03006', name_zh: '户外广告', share: 0.02, inset: [3, 6] },
  { code: '03007', name_zh: '牌匾标识', share: 0.04, inset: [4, 8] },
  { code: '04002', name_zh: '行道树', share: 0.12, inset: [2, 4] },
  { code: '04007', name_zh: '街头座椅', share: 0.01, inset: [3, 6] },
  { code: '04011', name_zh: '树池树穴', share: 0.03, inset: [2, 4] },
];

const MAX_CLASS_SEQ = 999_999;
const MAX_GRIDS_PER_COMMUNITY = 999;
/** Target unit-grid area is 10,000 m² ("万米单元网格"); each grid's weight is drawn from this range. */
const GRID_AREA_MIN = 7_200;
const GRID_AREA_MAX = 12_800;
/** Height / width of the district rectangle (Dongcheng is tall and narrow). */
const ASPECT = 1.9;
/** Cut positions are rounded to this many metres, so equal cuts are equal numbers. */
const CUT_STEP = 0.1;
/** Degrees are rounded to 1e-7 (about 1 cm); the same local point always gives the same lon/lat. */
const DEG_SCALE = 1e7;
/** No component stands closer than this to a grid corner along the edge (metres). */
const CORNER_MARGIN = 3;

/**
 * A seeded PRNG (mulberry32): the same seed gives the same sequence of numbers in [0, 1).
 * @example mulberry32(1)() // 0.6270739405881613
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent stream per purpose, so changing one part of the generator does not reshuffle the others. */
function stream(seed: number, label: string): () => number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (seed / 4294967296), 0x01000193);
  return mulberry32(h >>> 0);
}

type Rect = { x0: number; y0: number; x1: number; y1: number };
type Cut = { vertical: boolean; at: number; from: number; to: number };

const roundCut = (v: number) => Math.round(v / CUT_STEP) * CUT_STEP;
const rectArea = (r: Rect) => (r.x1 - r.x0) * (r.y1 - r.y0);

/**
 * Splits `rect` among items in proportion to their weights by guillotine cuts across the longer side; the first
 * items go west (vertical cut) or north (horizontal cut). `pick` chooses how many items go first.
 */
function guillotine(rect: Rect, weights: readonly number[], pick: (cum: number[], total: number) => number, cuts?: Cut[]): Rect[] {
  const out: Rect[] = new Array(weights.length);
  const go = (r: Rect, lo: number, hi: number) => {
    if (hi - lo === 1) {
      out[lo] = r;
      return;
    }
    const cum: number[] = [0];
    for (let i = lo; i < hi; i++) cum.push(cum[cum.length - 1] + weights[i]);
    const total = cum[cum.length - 1];
    const k = pick(cum, total); // 1..n-1 items go first
    const share = cum[k] / total;
    if (r.x1 - r.x0 >= r.y1 - r.y0) {
      const x = clampCut(roundCut(r.x0 + (r.x1 - r.x0) * share), r.x0, r.x1);
      cuts?.push({ vertical: true, at: x, from: r.y0, to: r.y1 });
      go({ x0: r.x0, y0: r.y0, x1: x, y1: r.y1 }, lo, lo + k);
      go({ x0: x, y0: r.y0, x1: r.x1, y1: r.y1 }, lo + k, hi);
    } else {
      const y = clampCut(roundCut(r.y1 - (r.y1 - r.y0) * share), r.y0, r.y1);
      cuts?.push({ vertical: false, at: y, from: r.x0, to: r.x1 });
      go({ x0: r.x0, y0: y, x1: r.x1, y1: r.y1 }, lo, lo + k);
      go({ x0: r.x0, y0: r.y0, x1: r.x1, y1: y }, lo + k, hi);
    }
  };
  go(rect, 0, weights.length);
  return out;
}

function clampCut(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo + CUT_STEP), hi - CUT_STEP);
}

/** The split point whose first part is closest to half the weight. */
function balanced(cum: number[], total: number): number {
  let best = 1;
  for (let k = 2; k < cum.length - 1; k++) if (Math.abs(cum[k] - total / 2) < Math.abs(cum[best] - total / 2)) best = k;
  return best;
}

/** A random split point with 30–70 % of the weight first (the balanced one when none qualifies). */
function jittered(rand: () => number) {
  return (cum: number[], total: number): number => {
    const ok: number[] = [];
    for (let k = 1; k < cum.length - 1; k++) if (cum[k] >= 0.3 * total && cum[k] <= 0.7 * total) ok.push(k);
    return ok.length ? ok[Math.floor(rand() * ok.length)] : balanced(cum, total);
  };
}

/** Largest-remainder apportionment of `total` by `weights`, each result capped at `cap`. */
function apportion(total: number, weights: readonly number[], cap = Infinity): number[] {
  const out = weights.map(() => 0);
  let remaining = total;
  let active = weights.map((_, i) => i);
  while (remaining > 0) {
    if (!active.length) throw new DomainError('bad_request', `Cannot share ${total} among ${weights.length} items of at most ${cap} each`);
    const wsum = active.reduce((s, i) => s + weights[i], 0);
    const raw = new Map(active.map((i) => [i, (remaining * weights[i]) / wsum]));
    let given = 0;
    for (const i of active) {
      const add = Math.min(Math.floor(raw.get(i)!), cap - out[i]);
      out[i] += add;
      given += add;
    }
    remaining -= given;
    const byFraction = [...active].sort((a, b) => {
      const fa = raw.get(a)! % 1, fb = raw.get(b)! % 1;
      return fb - fa || a - b;
    });
    for (const i of byFraction) {
      if (remaining === 0) break;
      if (out[i] < cap) {
        out[i]++;
        remaining--;
      }
    }
    active = active.filter((i) => out[i] < cap);
  }
  return out;
}

/** WGS84 metres per degree at a latitude (meridional and prime-vertical radii). */
function metresPerDegree(latDeg: number): { lon: number; lat: number } {
  const a = 6378137, e2 = 0.00669437999014;
  const phi = (latDeg * Math.PI) / 180;
  const w = 1 - e2 * Math.sin(phi) ** 2;
  const m = (a * (1 - e2)) / w ** 1.5;
  const n = a / Math.sqrt(w);
  return { lat: (m * Math.PI) / 180, lon: (n * Math.cos(phi) * Math.PI) / 180 };
}

/** Sorted unique values of each set, as typed arrays for binary search. */
function sortedIndex(map: Map<number, number[]>): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>();
  for (const [k, vs] of map) out.set(k, Float64Array.from(new Set(vs)).sort());
  return out;
}

/** Values of a sorted array strictly between lo and hi. */
function between(arr: Float64Array | undefined, lo: number, hi: number): number[] {
  if (!arr) return [];
  let a = 0, b = arr.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (arr[m] <= lo) a = m + 1;
    else b = m;
  }
  const out: number[] = [];
  for (let i = a; i < arr.length && arr[i] < hi; i++) out.push(arr[i]);
  return out;
}

const CN_DIGITS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
/** 1..99 in Chinese numerals (十, 十二, 二十三 …), as in hutong names like 东四十条. */
function chineseNumber(n: number): string {
  if (n < 10) return CN_DIGITS[n];
  const tens = Math.floor(n / 10), ones = n % 10;
  return (tens === 1 ? '' : CN_DIGITS[tens]) + '十' + CN_DIGITS[ones];
}

const ROAD_PREFIXES = [
  '东四', '朝阳门', '交道口', '安定门', '北新桥', '东直门', '和平里', '崇文门', '广渠门', '龙潭', '天坛', '永定门',
  '磁器口', '东单', '王府井', '灯市口', '美术馆', '东华门', '北河沿', '南河沿', '建国门', '东便门', '光明', '法华寺',
  '板厂', '北兵马司', '香饵', '府学', '国子监', '雍和宫', '地坛', '青年湖', '柳荫', '蒋宅口', '左安门', '夕照寺',
  '幸福', '体育馆', '东花市', '兴隆', '草厂', '鲜鱼口', '景山', '沙滩', '钱粮', '隆福寺', '禄米仓', '金宝',
  '东总布', '西总布', '新中', '南竹杆', '北竹杆', '东堂子', '演乐', '史家', '内务部', '礼士', '汪芝麻', '菊儿',
];
const ROAD_SUFFIXES = {
  main: { ns: ['北大街', '南大街', '大街', '路'], ew: ['西大街', '东大街', '大街', '路'] },
  secondary: { ns: ['南街', '北街', '胡同', '南巷'], ew: ['东街', '西街', '胡同', '北巷'] },
} as const;

/** Deterministic, unique Chinese road names. */
function roadNamer(rand: () => number) {
  const used = new Set<string>();
  const numbered = new Map<string, number>();
  return (kind: 'main' | 'secondary', vertical: boolean): string => {
    const prefix = ROAD_PREFIXES[Math.floor(rand() * ROAD_PREFIXES.length)];
    const suffixes = ROAD_SUFFIXES[kind][vertical ? 'ns' : 'ew'];
    const start = Math.floor(rand() * suffixes.length);
    for (let i = 0; i < suffixes.length; i++) {
      const name = prefix + suffixes[(start + i) % suffixes.length];
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
    // All plain names taken: number the lanes, 东四一条, 东四二条 … (then 东四一百条-free fallback with digits).
    let n = numbered.get(prefix) ?? 0;
    let name: string;
    do {
      n++;
      name = n < 100 ? `${prefix}${chineseNumber(n)}条` : `${prefix}${n}号路`;
    } while (used.has(name));
    numbered.set(prefix, n);
    used.add(name);
    return name;
  };
}

/**
 * Generates a synthetic district: the real street and community codes laid out as a guillotine tiling around
 * Dongcheng's centre, about 10,000 m² per unit grid, and `opts.components` components along the grid edges.
 * Shared edges use identical coordinates at every level, so the tiling has no gaps and no overlaps.
 * Area note: lon/lat come from one affine transform at the centre's latitude, so `area_m2` (exact in the local
 * metric frame) differs from the geodesic area by under 0.1 % at the district's north and south ends.
 * @example generateDistrict({ seed: 1, grids: 300, components: 1000, streets, communities, district }).grids.length // 300
 */
export function generateDistrict(opts: GenerateOptions): GeneratedDistrict {
  const { seed, district } = opts;
  const streets = [...opts.streets].sort((a, b) => cmp(a.code, b.code));
  const communities = [...opts.communities].sort((a, b) => cmp(a.code, b.code));
  validate(opts, streets, communities);

  // 1. Grid counts per community (every community at least one) and each grid's target area.
  const shareRand = stream(seed, 'shares');
  const commWeights = communities.map(() => 0.6 + 0.8 * shareRand());
  const extra = apportion(opts.grids - communities.length, commWeights, MAX_GRIDS_PER_COMMUNITY - 1);
  const areaRand = stream(seed, 'areas');
  const gridWeights = communities.map((_, i) =>
    Array.from({ length: extra[i] + 1 }, () => GRID_AREA_MIN + (GRID_AREA_MAX - GRID_AREA_MIN) * areaRand()),
  );
  const commTotal = gridWeights.map((ws) => ws.reduce((s, w) => s + w, 0));
  const byStreet = streets.map((s) => communities.map((c, i) => (c.street_code === s.code ? i : -1)).filter((i) => i >= 0));
  const streetTotal = byStreet.map((idx) => idx.reduce((s, i) => s + commTotal[i], 0));
  const total = streetTotal.reduce((s, w) => s + w, 0);

  // 2. Tile: district → streets → communities → grids, in a local metric frame (x east, y north, metres).
  const width = roundCut(Math.sqrt(total / ASPECT));
  const height = roundCut(total / width);
  const districtRect: Rect = { x0: roundCut(-width / 2), y0: roundCut(-height / 2), x1: roundCut(width / 2), y1: roundCut(height / 2) };
  const mainCuts: Cut[] = [];
  const secondaryCuts: Cut[] = [];
  const streetRects = guillotine(districtRect, streetTotal, balanced, mainCuts);
  const commRects: Rect[] = new Array(communities.length);
  byStreet.forEach((idx, s) => {
    const rects = guillotine(streetRects[s], idx.map((i) => commTotal[i]), balanced, secondaryCuts);
    idx.forEach((i, j) => (commRects[i] = rects[j]));
  });
  const cutRand = stream(seed, 'cuts');
  const gridRects: Rect[] = [];
  const gridMeta: { code: string; community_code: string; street_code: string }[] = [];
  communities.forEach((c, i) => {
    const rects = guillotine(commRects[i], gridWeights[i], jittered(cutRand));
    // Sequence numbers run west→east, north→south: by north edge (north first), then west edge.
    rects.sort((a, b) => b.y1 - a.y1 || a.x0 - b.x0);
    rects.forEach((r, j) => {
      gridRects.push(r);
      gridMeta.push({ code: gridCode(c.code, j + 1), community_code: c.code, street_code: c.street_code });
    });
  });

  // 3. Every corner of every grid, indexed by the line it lies on, so each ring carries the corners of its
  //    neighbours that touch its edges (T-junctions): shared edges are then identical vertex sequences.
  const onVertical = new Map<number, number[]>(); // x → ys
  const onHorizontal = new Map<number, number[]>(); // y → xs
  const add = (map: Map<number, number[]>, k: number, v: number) => {
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
  };
  for (const r of gridRects) {
    add(onVertical, r.x0, r.y0); add(onVertical, r.x0, r.y1); add(onVertical, r.x1, r.y0); add(onVertical, r.x1, r.y1);
    add(onHorizontal, r.y0, r.x0); add(onHorizontal, r.y0, r.x1); add(onHorizontal, r.y1, r.x0); add(onHorizontal, r.y1, r.x1);
  }
  const vIndex = sortedIndex(onVertical);
  const hIndex = sortedIndex(onHorizontal);

  const [lon0, lat0] = DONGCHENG_CENTRE;
  const mpd = metresPerDegree(lat0);
  const toLon = (x: number) => Math.round((lon0 + x / mpd.lon) * DEG_SCALE) / DEG_SCALE;
  const toLat = (y: number) => Math.round((lat0 + y / mpd.lat) * DEG_SCALE) / DEG_SCALE;
  const pos = (x: number, y: number): Position => [toLon(x), toLat(y)];

  /** Counter-clockwise closed ring of a rectangle, with every tiling vertex on its edges. */
  const ring = (r: Rect): Position[] => {
    const pts: Position[] = [pos(r.x0, r.y0)];
    for (const x of between(hIndex.get(r.y0), r.x0, r.x1)) pts.push(pos(x, r.y0));
    pts.push(pos(r.x1, r.y0));
    for (const y of between(vIndex.get(r.x1), r.y0, r.y1)) pts.push(pos(r.x1, y));
    pts.push(pos(r.x1, r.y1));
    for (const x of between(hIndex.get(r.y1), r.x0, r.x1).reverse()) pts.push(pos(x, r.y1));
    pts.push(pos(r.x0, r.y1));
    for (const y of between(vIndex.get(r.x0), r.y0, r.y1).reverse()) pts.push(pos(r.x0, y));
    pts.push(pts[0]);
    return pts;
  };
  const region = (code: string, name: string, parent_code: string | null, r: Rect): GeneratedRegion => ({
    code, name, parent_code, geom: [[ring(r)]], area_m2: rectArea(r),
  });

  const grids: GeneratedGrid[] = gridRects.map((r, i) => ({ ...gridMeta[i], geom: [[ring(r)]], area_m2: rectArea(r) }));

  // 4. Roads on the cuts between streets (main) and between communities (secondary).
  const nameRoad = roadNamer(stream(seed, 'roads'));
  const road = (kind: 'main' | 'secondary') => (c: Cut): GeneratedRoad => ({
    name: nameRoad(kind, c.vertical),
    kind,
    // Drawn north→south and west→east.
    geom: c.vertical ? [pos(c.at, c.to), pos(c.at, c.from)] : [pos(c.from, c.at), pos(c.to, c.at)],
  });

  // 5. Components: the count of each class up front, the components themselves only when iterated.
  const classCounts = apportion(opts.components, DEMO_COMPONENT_CLASSES.map((c) => c.share));
  classCounts.forEach((n, i) => {
    if (n > MAX_CLASS_SEQ) {
      throw new DomainError('bad_request', `${opts.components} components would give class ${DEMO_COMPONENT_CLASSES[i].code} ${n} components, more than the ${MAX_CLASS_SEQ} a 6-digit sequence allows; ask for at most ${Math.floor(MAX_CLASS_SEQ / 0.12)}`);
    }
  });
  const componentTotal = opts.components;
  const components = function* (): Generator<GeneratedComponent, void, undefined> {
    const rand = stream(seed, 'components');
    const k = DEMO_COMPONENT_CLASSES.length;
    const current = new Float64Array(k);
    const seqs = new Int32Array(k);
    const g = gridRects.length;
    let emitted = 0;
    for (let gi = 0; gi < g; gi++) {
      const n = Math.floor(((gi + 1) * componentTotal) / g) - emitted;
      const r = gridRects[gi];
      const meta = gridMeta[gi];
      const w = r.x1 - r.x0, h = r.y1 - r.y0;
      for (let j = 0; j < n; j++) {
        // Smooth weighted round robin: exactly classCounts[c] picks of class c over the whole run.
        let best = 0;
        for (let c = 0; c < k; c++) {
          current[c] += classCounts[c];
          if (current[c] > current[best]) best = c;
        }
        current[best] -= componentTotal;
        const cls = DEMO_COMPONENT_CLASSES[best];
        // A point along the edge (walking the perimeter counter-clockwise from the south-west corner), set in.
        const t = rand() * 2 * (w + h);
        const maxInset = Math.min(w, h) / 2 - 1;
        const inset = Math.min(cls.inset[0] + (cls.inset[1] - cls.inset[0]) * rand(), maxInset);
        let x: number, y: number;
        if (t < w) [x, y] = [r.x0 + along(t, w), r.y0 + inset];
        else if (t < w + h) [x, y] = [r.x1 - inset, r.y0 + along(t - w, h)];
        else if (t < 2 * w + h) [x, y] = [r.x1 - along(t - w - h, w), r.y1 - inset];
        else [x, y] = [r.x0 + inset, r.y1 - along(t - 2 * w - h, h)];
        seqs[best]++;
        emitted++;
        yield {
          class_code: cls.code,
          seq: seqs[best],
          grid_code: meta.code,
          community_code: meta.community_code,
          street_code: meta.street_code,
          lon: toLon(x),
          lat: toLat(y),
        };
      }
    }
  };

  const dRegion = region(district.code, district.name, null, districtRect);
  return {
    seed,
    district: dRegion,
    streets: streets.map((s, i) => region(s.code, s.name, district.code, streetRects[i])),
    communities: communities.map((c, i) => region(c.code, c.name, c.street_code, commRects[i])),
    grids,
    roads: [...mainCuts.map(road('main')), ...secondaryCuts.map(road('secondary'))],
    bbox: [toLon(districtRect.x0), toLat(districtRect.y0), toLon(districtRect.x1), toLat(districtRect.y1)],
    component_total: componentTotal,
    class_counts: Object.fromEntries(DEMO_COMPONENT_CLASSES.map((c, i) => [c.code, classCounts[i]])),
    components,
  };
}

/** Position along an edge of length `len`, kept CORNER_MARGIN away from both corners. */
function along(t: number, len: number): number {
  const m = Math.min(CORNER_MARGIN, len / 4);
  return m + (t / len) * (len - 2 * m);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function validate(opts: GenerateOptions, streets: readonly RegionInput[], communities: readonly CommunityInput[]): void {
  const bad = (msg: string) => new DomainError('bad_request', msg);
  if (!/^[0-9]{6}$/.test(opts.district.code)) throw bad(`District code must have 6 digits; got "${opts.district.code}"`);
  if (!Number.isInteger(opts.seed)) throw bad(`seed must be an integer; got ${opts.seed}`);
  if (!Number.isInteger(opts.components) || opts.components < 0) throw bad(`components must be a non-negative integer; got ${opts.components}`);
  if (!streets.length || !communities.length) throw bad('At least one street and one community are needed');
  const streetCodes = new Set<string>();
  for (const s of streets) {
    if (!/^[0-9]{9}$/.test(s.code) || !s.code.startsWith(opts.district.code)) throw bad(`Street ${s.code} is not a 9-digit code in district ${opts.district.code}`);
    if (streetCodes.has(s.code)) throw bad(`Street ${s.code} is listed twice`);
    streetCodes.add(s.code);
  }
  const commCodes = new Set<string>();
  const used = new Set<string>();
  for (const c of communities) {
    if (!/^[0-9]{12}$/.test(c.code) || c.code.slice(0, 9) !== c.street_code) throw bad(`Community ${c.code} is not a 12-digit code under street ${c.street_code}`);
    if (!streetCodes.has(c.street_code)) throw bad(`Community ${c.code} names unknown street ${c.street_code}`);
    if (commCodes.has(c.code)) throw bad(`Community ${c.code} is listed twice`);
    commCodes.add(c.code);
    used.add(c.street_code);
  }
  for (const s of streets) if (!used.has(s.code)) throw bad(`Street ${s.code} has no community; every street needs at least one`);
  const max = communities.length * MAX_GRIDS_PER_COMMUNITY;
  if (!Number.isInteger(opts.grids) || opts.grids < communities.length || opts.grids > max) {
    throw bad(`grids must be an integer from ${communities.length} (one per community) to ${max} (999 per community); got ${opts.grids}`);
  }
}
