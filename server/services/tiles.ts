// Vector tiles for the tile routes: routes call services, and only db/ holds SQL (docs/style.md, the rings).
// serveTile puts the tile cache (services/tile-cache.ts) in front of the tile SQL.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import * as tilesDb from '../db/tiles.js';
import type { CaseTileFilter, Encoder, TileSet } from '../db/tiles.js';
import { fresh, type CachedTile, type LonLatBox, type TileCache } from './tile-cache.js';
import type { TileGenerations } from './tile-generations.js';
import { DISTRICT_SLACK_DEG, type DistrictExtents } from './district-extents.js';

export type { CaseTileFilter, Encoder, TileSet };
export { TileCache } from './tile-cache.js';
export { TileGenerations } from './tile-generations.js';
/** The districts' extents a routed tile is drawn by (serveTile `districts`): app.ts's one instance, shared with the locates. */
export { DistrictExtents } from './district-extents.js';

/** The tile sets served under /api/tiles/{set}/{z}/{x}/{y}.mvt. */
export const TILE_SETS = tilesDb.TILE_SETS;

/**
 * One tile of a set as MVT bytes; `encoder` is the engine's default unless given (tests hold both to the same
 * expectations); `cases` (the cases set only): the instant of the lights, the period and the filters; `districts`:
 * the districts the tile meets (districtsMeeting), for a set read by district (db/tiles.ts drawTile).
 */
export async function renderTile(
  db: Queryable, set: TileSet, z: number, x: number, y: number, encoder?: Encoder, cases?: CaseTileFilter,
  districts?: readonly string[] | null,
): Promise<Buffer> {
  return (await tilesDb.drawTile(db, set, z, x, y, encoder, cases, districts)).mvt;
}

export type TileRequest = {
  set: TileSet; z: number; x: number; y: number;
  /** The cases set only: the lights' instant, the period and the filters. */
  cases?: CaseTileFilter;
  /**
   * The cases set only: whose view of the cases this is (visibility scope; 'all' for the roles that see every case).
   * Part of the cache key, so a tile drawn for one scope is never served to another.
   */
  scope?: string;
};

export type ServedTile = { mvt: Buffer; etag: string | null; cache: 'hit' | 'miss' };

/**
 * The cache key of a tile: set/z/x/y, and for cases the scope and every filter, the district of a user kept to one
 * among them (issue 12: no user is served a tile drawn for another district; the lights' instant is not in the
 * key: it is checked against the entry's [drawn_at, changes_at), services/tile-cache.ts).
 */
export function tileKey(t: TileRequest): string {
  const base = `${t.set}/${t.z}/${t.x}/${t.y}`;
  if (t.set !== 'cases') return base;
  const f = t.cases;
  return [base, t.scope ?? '?', f?.start?.toISOString() ?? '', f?.end?.toISOString() ?? '', f?.class_code ?? '', f?.major ?? '', f?.channel ?? '', f?.district ?? ''].join('|');
}

/** Past this many generations behind, a cache drops a set's tiles rather than read what each step changed. */
const MAX_CHANGE_STEPS = 1000;

/** A tile's envelope with its drawing buffer (db/tiles.ts TILE_BUFFER), in lon/lat. */
export function tileBounds(z: number, x: number, y: number): LonLatBox {
  const n = 2 ** z;
  const m = tilesDb.TILE_BUFFER / tilesDb.TILE_EXTENT;
  const lon = (v: number) => (v / n) * 360 - 180;
  const lat = (v: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * v) / n))) * 180) / Math.PI;
  return [lon(x - m), lat(Math.min(n, y + 1 + m)), lon(x + 1 + m), lat(Math.max(0, y - m))];
}

/** The districts whose extent (db/tiles.ts districtBoxes) meets a tile's buffered envelope (tileBounds), in code order. */
export function districtsMeeting(boxes: readonly tilesDb.DistrictBox[], z: number, x: number, y: number): string[] {
  const [w, s, e, n] = tileBounds(z, x, y);
  // A buffered envelope past ±180° comes back from PostGIS's transform wrapped round, its box spanning the globe:
  // at the antimeridian every district is taken, rather than follow that.
  if (w < -180 || e > 180) return boxes.map((b) => b.district_code);
  const d = DISTRICT_SLACK_DEG;
  return boxes.filter(({ box: b }) => b[0] <= e + d && b[2] >= w - d && b[1] <= n + d && b[3] >= s - d).map((b) => b.district_code);
}

/** A strong ETag of tile bytes (a content hash, so every process gives the same tile the same tag). */
export function tileEtag(mvt: Buffer): string | null {
  return mvt.length ? `"${createHash('sha256').update(mvt).digest('base64url').slice(0, 27)}"` : null;
}

/**
 * A tile of a public set (not cases: they need their caller's scope and the lights' instant) straight from the cache,
 * with no I/O at all, or null: only while the set's generation is known without a read (services/tile-generations.ts
 * current) and the cache already holds that generation; anything else (a generation to read or to advance to, a
 * tile not cached) is for serveTile. Same answer as serveTile would give, with the same guarantee.
 */
export function cachedTile(deps: { cache: TileCache; gens?: TileGenerations }, t: { set: Exclude<TileSet, 'cases'>; z: number; x: number; y: number }): ServedTile | null {
  const gen = deps.gens?.current(t.set);
  if (gen === undefined || deps.cache.generation(t.set) !== gen) return null;
  const hit = deps.cache.peek(tileKey(t), gen, 0);
  return hit ? { mvt: hit.mvt, etag: hit.etag, cache: 'hit' } : null;
}

/**
 * One tile, from the cache when it may be served (same generation of its set; for cases, lights still true at
 * `cases.now`), else drawn, cached and returned. `cache.max_bytes` 0: always drawn, no generation read. `gens`:
 * where the generations come from (without it, read from the database on every call). `districts`: a tile whose
 * layers read grids by envelope (db/tiles.ts routedByDistrict) reads those of the districts it meets alone (issue
 * 12), with the same bytes; without it, or with the cache off, every district's.
 */
export async function serveTile(deps: { db: Queryable; cache: TileCache; gens?: TileGenerations; districts?: DistrictExtents }, t: TileRequest): Promise<ServedTile> {
  if (t.set === 'cases' && (!t.cases || !t.scope)) throw new Error('a cases tile needs its filter and the caller\'s visibility scope');
  const { db, cache } = deps;
  // Only the cases set changes with time; the others are true until their generation moves.
  const now = t.set === 'cases' ? t.cases!.now.getTime() : 0;
  if (cache.max_bytes === 0) {
    // No cache: the tile SQL alone, without reading a generation nothing would be kept at.
    const d = await tilesDb.drawTile(db, t.set, t.z, t.x, t.y, undefined, t.cases);
    return { mvt: d.mvt, etag: tileEtag(d.mvt), cache: 'miss' };
  }
  const key = tileKey(t);
  // Heard, while this process listens to the bumps (services/tile-generations.ts), else read: a hit then needs no query.
  const gen = deps.gens ? await deps.gens.generation(t.set) : await tilesDb.tileGeneration(db, t.set);
  const held = cache.generation(t.set);
  if (held !== gen) {
    // A step forward whose every generation says where it changed (db/tiles.ts tileChanges) keeps the tiles clear of it.
    const steps = held === undefined ? 0 : Number(gen) - Number(held);
    const changed = steps > 0 && steps <= MAX_CHANGE_STEPS ? await tilesDb.tileChanges(db, t.set, held!, gen) : [];
    cache.advance(t.set, held, gen, steps > 0 && changed.length === steps ? changed : null);
  }
  const hit = cache.get(key, gen, now);
  if (hit) return { mvt: hit.mvt, etag: hit.etag, cache: 'hit' };
  const draw = async (): Promise<CachedTile> => {
    let districts: string[] | null = null;
    if (deps.districts && tilesDb.routedByDistrict(t.set, t.z)) {
      // The grids set's generation moves with every write of grids or regions; another set's (components) may
      // move with other writes too, so the extents are keyed by the grids set's own.
      const gridsGen = t.set === 'grids' ? gen : deps.gens ? await deps.gens.generation('grids') : await tilesDb.tileGeneration(db, 'grids');
      districts = districtsMeeting(await deps.districts.boxes(db, gridsGen), t.z, t.x, t.y);
    }
    const d = await tilesDb.drawTile(db, t.set, t.z, t.x, t.y, undefined, t.cases, districts);
    return { set: t.set, gen, bounds: tileBounds(t.z, t.x, t.y), mvt: d.mvt, etag: tileEtag(d.mvt), drawn_at: now, changes_at: d.changes_at?.getTime() ?? null };
  };
  let tile = await cache.once(key, gen, draw);
  if (!fresh(tile, gen, now)) tile = await draw(); // a concurrent drawing for another instant (cases' lights)
  cache.put(key, tile);
  return { mvt: tile.mvt, etag: tile.etag, cache: 'miss' };
}
