// Unit-grid drawing (单元网格划分, docs/domain.md §1): from community boundaries, street centre-lines and block polygons to
// versioned, coded unit grids that tile each community. One transaction per run. Also loads Cambridge, MA as a real
// district (neighbourhoods → streets, neighbourhood × precinct → communities).
//
// The algorithm, per community, in a projected CRS (metres; the UTM zone of the communities' centroid by default):
//  1. cells: the community boundary and the centre-lines near it (clipped 5 m outside it, so a street ending on
//     the boundary is noded with it) are noded and polygonized; the faces inside the community tile it exactly and
//     are bounded by real streets (each street's space is split at its centre-line between the blocks on either
//     side). Every noding and overlay snap-rounds to a 1 µm grid (see server/db/drawing.ts GRID);
//  2. blocks: a cell holding two or more blocks is divided between them (railways, paths, water between blocks);
//  3. slivers (< min_area_m2) merge into the neighbour of the same community with the longest shared edge;
//  4. small cells (< consolidate_below_m2) merge the same way when the merged cell stays ≤ max_area_m2;
//  5. cells > max_area_m2 are cut into n = round(area / target) parts (at least 2) by recursive bisection: each
//     cut is a straight line across the long axis of the piece's minimum-area rotated rectangle, placed so the
//     two sides hold floor(n/2) : ceil(n/2) of the area exactly (the axis and the position are computed in
//     server/domain/drawing.ts from the piece's coordinates; st_split does the cut);
//  6. pieces a cut split apart become separate cells; slivers among them merge as in 3, then 4 again; a merge
//     that joined two cells at a mere point is parted again and merged along an edge;
//  7. versions: a cell with the outline of a current grid keeps that grid (row and code); the other current grids
//     end on valid_from; a cell covering most of an ended grid and mostly covered by it takes over its code (a new
//     version of the same grid); the rest get codes after the highest sequence the community ever used, in the
//     numbering order (server/domain/drawing.ts numberingOrder).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../db/types.js';
import * as drawing from '../db/drawing.js';
import type { GeoJsonGeometry } from '../db/drawing.js';
import { DomainError } from '../domain/errors.js';
import {
  allocateCodes, areaStats, bisect, cutPosition, drawParams, histogram, HISTOGRAM_BOUNDS, longAxisAngle, numberingOrder,
  planMerges, shareWithin, toFrame, utmSrid, type CommunityResult, type DrawIssue, type DrawParams, type DrawSummary,
} from '../domain/drawing.js';

export type DrawGridsOptions = Partial<DrawParams> & {
  /** Region codes: districts, streets or communities; every community under them is drawn. Default: all. */
  communities?: readonly string[];
  /** Start date of the new grid versions and end date of the replaced ones (YYYY-MM-DD). */
  valid_from: string;
  /** Working CRS (projected, metres). Default: the UTM zone of the communities' centroid. */
  srid?: number;
  /** Street centre-lines (WGS84 GeoJSON geometries). Default: the places of kind 'road'. */
  lines?: readonly GeoJsonGeometry[];
  /** Block polygons (WGS84 GeoJSON) with ids, used when use_blocks is on. */
  blocks?: readonly { id: string; geometry: GeoJsonGeometry }[];
  /** Relative tolerance of the tiling check: |union − community| and overlaps, as a share of the community. */
  tiling_tolerance?: number;
  /** Progress lines (one per step). */
  log?: (line: string) => void;
};

/** Relative tiling tolerance the drawing promises and reports against. */
export const TILING_TOLERANCE = 1e-6;
/** Cells this far apart (m) still count as neighbours when a sliver touches nothing. */
const NEAR_M = 50;
/** Shared edge needed (m) before two small, non-sliver cells are joined. */
const CONSOLIDATE_MIN_SHARED_M = 5;
/** How far (m) a block-to-block edge is extended across the street space. */
const BLOCK_EDGE_EXTEND_M = 60;
const MAX_ROUNDS = 30;

/** Draws (or redraws) the unit grids of the chosen communities; returns the summary. */
export async function drawGrids(db: Queryable, opts: DrawGridsOptions): Promise<DrawSummary> {
  const started = performance.now();
  const { communities, valid_from, srid: sridOpt, lines, blocks, tiling_tolerance, log, ...paramInput } = opts;
  const p = drawParams(paramInput);
  const tolerance = tiling_tolerance ?? TILING_TOLERANCE;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(valid_from) || Number.isNaN(Date.parse(valid_from))) {
    throw new DomainError('bad_request', `valid_from must be a date YYYY-MM-DD; got "${valid_from}"`);
  }
  if (sridOpt !== undefined && !Number.isInteger(sridOpt)) throw new DomainError('bad_request', `srid must be an integer EPSG code; got ${sridOpt}`);
  const say = log ?? (() => {});
  const step = (what: string, t0: number) => say(`${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  return db.transaction(async (tx) => {
    const chosen = await drawing.selectCommunities(tx, communities ?? null);
    if (!chosen.length) {
      throw new DomainError('not_found', `No community with geometry under ${communities?.join(', ') ?? 'any region'}; load the regions first`);
    }
    const lon = chosen.reduce((a, c) => a + c.lon, 0) / chosen.length;
    const lat = chosen.reduce((a, c) => a + c.lat, 0) / chosen.length;
    const srid = sridOpt ?? utmSrid(lon, lat);
    const issues: DrawIssue[] = [];
    let t0 = performance.now();

    await drawing.createWorkTables(tx);
    const codes = chosen.map((c) => c.code);
    await drawing.loadCommunities(tx, codes, srid);
    const latest = await drawing.latestValidFrom(tx);
    if (latest && latest > valid_from) {
      throw new DomainError('conflict', `Grids of these communities already have versions from ${latest}; draw with valid_from ${latest} or later`);
    }
    const nLines = await drawing.loadLines(tx, srid, lines ?? null, p.snap_m);
    const nBlocks = p.use_blocks && blocks?.length ? await drawing.loadBlocks(tx, srid, blocks) : 0;
    step(`${codes.length} communities, ${nLines} centre-line pieces, ${nBlocks} blocks in EPSG:${srid}`, t0);

    t0 = performance.now();
    await drawing.buildCells(tx);
    const info = await drawing.communityInfo(tx);
    for (const c of info) {
      if (!c.lines) issues.push({ kind: 'no_lines', community_code: c.code, message: 'no street centre-line inside: its grids are straight cuts only' });
    }
    let divided = 0;
    if (nBlocks) {
      divided = await drawing.divideByBlocks(tx, p.min_area_m2, BLOCK_EDGE_EXTEND_M);
      await mergeRounds(tx, 'unlabelled', { below: Infinity, max: Infinity });
      await drawing.closeDividedCells(tx);
      await drawing.explodeMultiparts(tx); // a block cut in two by the cell's streets: each part stands alone
    }
    await assertCoverage(tx, 'building cells');
    step(`street-bounded cells built; ${divided} divided between their blocks`, t0);

    t0 = performance.now();
    const slivers = await mergeRounds(tx, 'small', { below: p.min_area_m2, max: Infinity, near_fallback: true });
    const small = p.consolidate_below_m2 > 0
      ? await mergeRounds(tx, 'small', { below: p.consolidate_below_m2, max: p.max_area_m2, min_shared: CONSOLIDATE_MIN_SHARED_M })
      : 0;
    await assertCoverage(tx, 'merging cells');
    step(`merged ${slivers} slivers, ${small} small cells`, t0);

    t0 = performance.now();
    const cut = await drawing.markSplits(tx, p.max_area_m2, p.target_area_m2);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const cells = await drawing.cellsToCut(tx);
      if (!cells.length) break;
      const cuts = cells.map((c) => {
        const theta = longAxisAngle(c.polygons);
        const xs = c.polygons.flatMap((rings) => rings[0].map((q) => q[0]));
        const ys = c.polygons.flatMap((rings) => rings[0].map((q) => q[1]));
        const ox = (Math.min(...xs) + Math.max(...xs)) / 2;
        const oy = (Math.min(...ys) + Math.max(...ys)) / 2;
        const frame = toFrame(c.polygons, theta, ox, oy);
        const vs = frame.flatMap((rings) => rings[0].map((q) => q[1]));
        const [n1, n2] = bisect(c.parts);
        return { id: c.id, theta, ox, oy, vmin: Math.min(...vs), vmax: Math.max(...vs), n1, n2, t: cutPosition(frame, n1 / c.parts) };
      });
      const failed = await drawing.applyCuts(tx, cuts);
      for (const f of failed) issues.push({ kind: 'over_max', community_code: f.code, message: `a straight cut did not divide a cell (id ${f.id}); left whole` });
    }
    const apart = await drawing.explodeMultiparts(tx);
    let slivers2 = await mergeRounds(tx, 'small', { below: p.min_area_m2, max: Infinity, near_fallback: true });
    const small2 = p.consolidate_below_m2 > 0
      ? await mergeRounds(tx, 'small', { below: p.consolidate_below_m2, max: p.max_area_m2, min_shared: CONSOLIDATE_MIN_SHARED_M })
      : 0;
    // A merge across a mere point leaves two parts: part them again and merge the small ones along an edge.
    for (let round = 0; round < 3 && (await drawing.explodeMultiparts(tx)) > 0; round++) {
      slivers2 += await mergeRounds(tx, 'small', { below: p.min_area_m2, max: Infinity, near_fallback: true });
    }
    await assertCoverage(tx, 'cutting cells');
    step(`cut ${cut.cells} large cells into ${cut.parts} parts (${apart} cut apart); merged ${slivers2} slivers, ${small2} small cells`, t0);

    // Versions and codes.
    t0 = performance.now();
    const cells = await drawing.finalCells(tx);
    const plan = await drawing.versionPlan(tx, srid, p.same_geometry_m, p.inherit_overlap);
    const deleted = await drawing.endGrids(tx, plan.ended.map((e) => e.grid_id), valid_from);
    for (const code of deleted) {
      issues.push({ kind: 'zero_day_version', community_code: code.slice(0, 12), message: `${code} started on ${valid_from} and was redrawn the same day: that version is deleted, not ended` });
    }
    const keptCells = new Set(plan.unchanged.map((u) => u.cell));
    const inherited = new Map(plan.inherits.map((i) => [i.cell, i.code]));
    const assign: { cell: number; code: string }[] = [...inherited].map(([cell, code]) => ({ cell, code }));
    const byCommunity = new Map<string, typeof cells>();
    for (const c of cells) byCommunity.set(c.code, [...(byCommunity.get(c.code) ?? []), c]);
    const results: CommunityResult[] = [];
    for (const ci of info) {
      const list = byCommunity.get(ci.code) ?? [];
      const fresh = list.filter((c) => !keptCells.has(c.id) && !inherited.has(c.id));
      const order = numberingOrder(fresh.map((c) => ({ key: c.id, x: c.x, y: c.y })), { north_y: ci.north_y, row_height_m: p.row_height_m });
      const newCodes = allocateCodes(ci.code, plan.highest[ci.code] ?? 0, order.length);
      order.forEach((cell, i) => assign.push({ cell, code: newCodes[i] }));
      for (const c of list) {
        if (c.parts > 1) issues.push({ kind: 'multipart', community_code: ci.code, message: `a grid of ${Math.round(c.area)} m² has ${c.parts} parts (an isolated sliver joined to its nearest grid)` });
        if (c.area < p.min_area_m2) issues.push({ kind: 'under_min', community_code: ci.code, message: `a grid of ${Math.round(c.area)} m² is below min_area_m2: no neighbour within ${NEAR_M} m in its community` });
        if (c.area > p.max_area_m2 * 1.0001) issues.push({ kind: 'over_max', community_code: ci.code, message: `a grid of ${Math.round(c.area)} m² is above max_area_m2 (slivers merged into it)` });
      }
      results.push({
        community_code: ci.code, name: ci.name, area_m2: ci.area, grids: list.length,
        kept: list.filter((c) => keptCells.has(c.id)).length,
        ended: plan.ended.filter((e) => e.community_code === ci.code).length,
        started: list.length - list.filter((c) => keptCells.has(c.id)).length,
        gap_ratio: 0, overlap_ratio: 0,
      });
    }
    await drawing.insertGrids(tx, assign, valid_from);
    step(`versions: ${plan.unchanged.length} kept, ${plan.ended.length} ended, ${assign.length} started (${inherited.size} keep an ended grid's code)`, t0);

    t0 = performance.now();
    const checks = await drawing.tilingCheck(tx, srid);
    for (const chk of checks) {
      const r = results.find((x) => x.community_code === chk.code)!;
      r.gap_ratio = Math.abs(chk.union_area - chk.community_area) / chk.community_area;
      r.overlap_ratio = Math.max(0, chk.sum_area - chk.union_area) / chk.community_area;
      if (r.gap_ratio > tolerance || r.overlap_ratio > tolerance || chk.outside_area / chk.community_area > tolerance) {
        issues.push({
          kind: 'tiling', community_code: chk.code,
          message: `grids do not tile the community within ${tolerance}: gap ${r.gap_ratio.toExponential(2)}, overlap ${r.overlap_ratio.toExponential(2)}, outside ${(chk.outside_area / chk.community_area).toExponential(2)}`,
        });
      }
    }
    const areas = (await drawing.currentGridAreas(tx)).map((g) => Number(g.area_m2));
    step('tiling checked', t0);
    await drawing.dropWorkTables(tx);

    return {
      valid_from, srid, params: p, communities: results,
      areas: areaStats(areas),
      share_5k_20k: shareWithin(areas, 5_000, 20_000),
      histogram: { bounds: HISTOGRAM_BOUNDS, counts: histogram(areas, HISTOGRAM_BOUNDS) },
      kept: plan.unchanged.length, ended: plan.ended.length, started: assign.length,
      merged: { slivers: slivers + slivers2, small: small + small2 },
      cut: { cells: cut.cells, parts: cut.parts },
      issues,
      worst_gap_ratio: Math.max(0, ...results.map((r) => r.gap_ratio)),
      worst_overlap_ratio: Math.max(0, ...results.map((r) => r.overlap_ratio)),
      seconds: (performance.now() - started) / 1000,
    };
  });
}

/** Throws when cells were lost or doubled: their areas must add up to each community's area. */
async function assertCoverage(db: Queryable, step: string): Promise<void> {
  const bad = await drawing.coverageErrors(db, 1e-6);
  if (bad.length) {
    throw drawing.engineFailure(
      `${step}: cell areas no longer add up to the community in ${bad.map((b) => `${b.code} (${b.cells} cells, off by ${b.ratio.toExponential(1)})`).join(', ')}`,
    );
  }
}

/** Merge rounds until nothing more merges; returns how many cells merged away. */
async function mergeRounds(
  db: Queryable,
  which: 'small' | 'unlabelled',
  o: { below: number; max: number; min_shared?: number; near_fallback?: boolean },
): Promise<number> {
  let merged = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const cands = await drawing.mergeCandidates(db, which, Number.isFinite(o.below) ? o.below : 0, NEAR_M);
    const groups = planMerges(cands, o);
    const away = [...groups].filter(([id, head]) => id !== head).length;
    if (!away) break;
    merged += away;
    await drawing.applyMerges(db, groups);
  }
  return merged;
}

// ---- Cambridge, MA ----

/** Cambridge's district code: 9xxxxx is no GB/T 2260 province (those are 11–82), so it can't be taken for a real one. */
export const CAMBRIDGE_DISTRICT = { code: '900001', name: 'Cambridge' } as const;
export const CAMBRIDGE_DIR = 'data/cambridge';

type Feature<P> = { properties: P; geometry: GeoJsonGeometry };
function features<P>(dir: string, file: string): Feature<P>[] {
  return (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { features: Feature<P>[] }).features.filter((f) => f.geometry);
}

/** The 749 Master Address Blocks, with their UNQ_ID2 ids. */
export function readCambridgeBlocks(dir = CAMBRIDGE_DIR): { id: string; geometry: GeoJsonGeometry }[] {
  return features<{ UNQ_ID2: string }>(dir, 'blocks.geojson').map((f) => ({ id: f.properties.UNQ_ID2, geometry: f.geometry }));
}

/** The street centre-lines with their street names. */
export function readCambridgeLines(dir = CAMBRIDGE_DIR): { name: string; geometry: GeoJsonGeometry }[] {
  return features<{ Street: string | null; ID: string | null }>(dir, 'centerlines.geojson').map((f) => ({
    name: f.properties.Street ?? f.properties.ID ?? 'unnamed street',
    geometry: f.geometry,
  }));
}

export type CambridgeRegionsSummary = {
  district: string;
  streets: { code: string; name: string; communities: number }[];
  communities: { code: string; name: string; area_m2: number; precinct: string }[];
  roads_added: number;
  /** Neighbourhood × precinct pieces below min_community_m2 (or outside every precinct) merged into a neighbour. */
  pieces_merged: number;
};

/**
 * Loads Cambridge as district 900001 (Cambridge) → 13 streets (the CDD neighbourhoods, code 900001 + N_HOOD as 3
 * digits, e.g. 900001005 Cambridgeport) → communities: each neighbourhood ∩ election precinct piece (precincts
 * do not nest in neighbourhoods), numbered 001… in ward-precinct order inside each street and named
 * "<neighbourhood> <ward-precinct>". Pieces below min_community_m2 (boundary slivers where the two layers
 * were drawn apart) and neighbourhood land outside every precinct join the piece of the same neighbourhood with the
 * longest shared edge, so the communities tile each street exactly and the streets tile the district.
 * Neighbourhood overlaps go to the lower N_HOOD; gaps between them to the neighbour with the longest shared edge.
 * Also adds the centre-lines to places (kind 'road'). Idempotent: regions are upserted, roads skipped if present.
 */
export async function loadCambridgeRegions(
  db: Queryable,
  opts: { dir?: string; min_community_m2?: number; srid?: number } = {},
): Promise<CambridgeRegionsSummary> {
  const dir = opts.dir ?? CAMBRIDGE_DIR;
  const minCommunity = opts.min_community_m2 ?? 20_000;
  const hoods = features<{ N_HOOD: number; NAME: string }>(dir, 'neighborhoods.geojson');
  const precincts = features<{ WardPrecinct: string; Ward: number; Precinct: number }>(dir, 'precincts.geojson');
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const streetName = new Map(hoods.map((h) => [pad(h.properties.N_HOOD, 3), h.properties.NAME]));
  // Keys sort in ward-precinct order: "01-1" … "11-3".
  const precinctName = new Map(precincts.map((p) => [`${pad(p.properties.Ward, 2)}-${p.properties.Precinct}`, p.properties.WardPrecinct]));
  const srid = opts.srid ?? 32619;

  return db.transaction(async (tx) => {
    await drawing.createWorkTables(tx);
    await drawing.overlayFaces(
      tx, srid,
      hoods.map((h) => ({ key: pad(h.properties.N_HOOD, 3), name: h.properties.NAME, geometry: h.geometry })),
      precincts.map((p) => ({ key: `${pad(p.properties.Ward, 2)}-${p.properties.Precinct}`, name: p.properties.WardPrecinct, geometry: p.geometry })),
    );
    // Gaps between neighbourhoods take the street (and precinct) of their longest-edge neighbour.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const gaps = (await drawing.gapCandidates(tx)).filter((g) => g.into_code);
      if (!gaps.length) break;
      await drawing.setCellCodes(tx, gaps.map((g) => ({ id: g.id, code: g.into_code!, label: g.into_label })));
    }
    let merged = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      await drawing.dissolveByLabel(tx);
      const cands = await drawing.orphanCandidates(tx, minCommunity, 1);
      const groups = planMerges(cands, { below: minCommunity, max: Infinity });
      const away = [...groups].filter(([id, head]) => id !== head).length;
      if (!away) break;
      merged += away;
      await drawing.applyMerges(tx, groups);
    }
    const pieces = (await drawing.regionsByLabel(tx)).filter((r) => r.code !== '');
    await drawing.dropWorkTables(tx);

    const rows: drawing.RegionRow[] = [];
    const communities: CambridgeRegionsSummary['communities'] = [];
    const streets: CambridgeRegionsSummary['streets'] = [];
    const streetGeoms: string[] = [];
    for (const key of [...new Set(pieces.map((r) => r.code))].sort()) {
      const code = CAMBRIDGE_DISTRICT.code + key;
      const mine = pieces.filter((r) => r.code === key).sort((a, b) => String(a.label).localeCompare(String(b.label)));
      mine.forEach((r, i) => {
        const c = { code: code + pad(i + 1, 3), name: `${streetName.get(key)} ${precinctName.get(r.label ?? '') ?? ''}`.trim() };
        rows.push({ ...c, level: 'community', parent_code: code, geom: r.wgs84 });
        communities.push({ ...c, area_m2: r.area, precinct: precinctName.get(r.label ?? '') ?? '' });
      });
      const geom = await drawing.unionWkb(tx, mine.map((r) => r.wgs84));
      streetGeoms.push(geom);
      rows.push({ code, level: 'street', name: streetName.get(key) ?? key, parent_code: CAMBRIDGE_DISTRICT.code, geom });
      streets.push({ code, name: streetName.get(key) ?? key, communities: mine.length });
    }
    rows.push({ code: CAMBRIDGE_DISTRICT.code, level: 'district', name: CAMBRIDGE_DISTRICT.name, parent_code: null, geom: await drawing.unionWkb(tx, streetGeoms) });
    await drawing.upsertRegions(tx, rows);
    const roads_added = await drawing.insertRoads(tx, readCambridgeLines(dir));
    return { district: CAMBRIDGE_DISTRICT.code, streets, communities, roads_added, pieces_merged: merged };
  });
}
