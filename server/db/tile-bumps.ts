// The tile-cache generations moved by the writers (issue 12, docs/citus.md "The plan", step 1): every writer of a
// table a tile set is drawn from (cases, components and their per-grid counts, places, grids, regions) notes which
// sets it changed, and, for cases, where; the writing transaction bumps them all together just before it commits
// (db/commit-work.ts), so migrations 0048 and 0060 could drop the triggers that did it. Citus runs no trigger on a
// distributed or reference table, and a trigger bumps in statement order: a transaction writing a component and then
// a case locked 'components' then 'cases', another one the other way round, a true deadlock. At the end, every
// transaction locks its sets in one order (by name) and takes no other lock after them.
// What a bump is did not change: '<set>:<gen>' on the 'tile_generations' channel (0040), delivered at commit; for a
// case write, one generation per writing statement with its lon/lat extent in tile_changes (0028), so the tile cache
// keeps every cached cases tile clear of it (services/tiles.ts). A write made outside the application (psql) moves
// nothing: bump the sets by hand, or restart the servers.
import type { CommitTask } from './commit-work.js';
import { copyFields } from './copy-text.js';
import { prepared } from './prepared.js';
import { TILE_GENERATIONS_CHANNEL, type TileSet } from './tiles.js';
import type { Queryable } from './types.js';

/** A lon/lat box: min_lon, min_lat, max_lon, max_lat. */
type Box = [number, number, number, number];

/**
 * Where one statement changed the cases tiles: the box of the changed cases' points (old and new rows), and their
 * communities (old and new), whose polygons are added at the bump. A case shows as a point (z16+), in its grid's
 * cluster (z13–15) and its community's (z ≤ 12): every tile showing it lies over that extent.
 */
export type CaseChange = { points: Box | null; communities: readonly string[] };

/** A transaction's notes: sets changed anywhere ("anything may have changed"), and each case write's extent. */
type TileNotes = { sets: Set<TileSet>; cases: CaseChange[] };

const TILE_BUMPS: CommitTask<TileNotes> = {
  start: () => ({ sets: new Set(), cases: [] }),
  merge: (into, from) => {
    for (const s of from.sets) into.sets.add(s);
    into.cases.push(...from.cases);
  },
  run: bumpNoted,
};

/**
 * Notes that this transaction changed `sets` with no extent (every cached tile of them is drawn again); bumped at its
 * end, or at once outside a transaction. For writers of components (their counts too), places, grids and regions.
 */
export async function noteTileSets(db: Queryable, sets: readonly TileSet[]): Promise<void> {
  if (!sets.length) return;
  await db.commitWork().note(TILE_BUMPS, (n) => { for (const s of sets) n.sets.add(s); });
}

/** Notes a case write's extent (null: no case changed a column a tile reads; nothing to bump). */
export async function noteCaseChange(db: Queryable, change: CaseChange | null): Promise<void> {
  if (!change || (!change.points && !change.communities.length)) return;
  await db.commitWork().note(TILE_BUMPS, (n) => { n.cases.push(change); });
}

/** The change of a case write from its rows (old and new ones of a moved case; null: no row). */
export function caseChangeOf(rows: readonly { lon: number; lat: number; community_code: string | null }[]): CaseChange | null {
  if (!rows.length) return null;
  let box: Box | null = null;
  for (const r of rows) box = union(box, [Number(r.lon), Number(r.lat), Number(r.lon), Number(r.lat)]);
  return { points: box, communities: [...new Set(rows.flatMap((r) => (r.community_code ? [r.community_code] : [])))] };
}

/**
 * The change of a COPY of new cases, from its text in `columns` (geom as EWKT `SRID=4326;POINT(lon lat)`, as
 * db/import-cases.ts writes it; codes are digits, so no COPY escapes).
 */
export function caseChangeOfCopy(columns: readonly string[], text: string): CaseChange | null {
  return caseChangeOf(copyFields(columns, text, ['geom', 'community_code'], 'cases', 'say where it changed the tiles').map(([geom, community]) => {
    const m = /POINT\(\s*(\S+)\s+(\S+?)\s*\)/i.exec(geom);
    if (!m) throw new Error(`a case's geometry in the COPY is not a point: ${geom.slice(0, 60)}`);
    return { lon: Number(m[1]), lat: Number(m[2]), community_code: community === '\\N' ? null : community };
  }));
}

/**
 * The columns of a case a cases tile reads besides its point (db/tiles.ts cases layers; the list of 0028's trigger):
 * an update changing none of them (a note, a photo, the trail head, the version) changes no tile.
 */
export const CASE_TILE_COLUMNS = [
  'case_no', 'status', 'source', 'class_code', 'grid_code', 'community_code', 'yellow_at', 'red_at', 'origin', 'created_at',
] as const;

function union(a: Box | null, b: Box | null): Box | null {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

const COMMUNITY_BOXES = prepared(`select code, st_xmin(e) as x0, st_ymin(e) as y0, st_xmax(e) as x1, st_ymax(e) as y1
  from (select code, st_extent(geom) as e from regions where code = any ($1::text[]) group by code) r where e is not null`);

/** Each noted case write as a box (points and communities), duplicates once: one generation each. */
async function caseBoxes(tx: Queryable, changes: readonly CaseChange[]): Promise<Box[]> {
  if (!changes.length) return [];
  const codes = [...new Set(changes.flatMap((c) => c.communities))];
  const areas = new Map<string, Box>();
  if (codes.length) {
    const { rows } = await tx.query<{ code: string; x0: number; y0: number; x1: number; y1: number }>(COMMUNITY_BOXES, [codes]);
    for (const r of rows) areas.set(r.code, [Number(r.x0), Number(r.y0), Number(r.x1), Number(r.y1)]);
  }
  const boxes = new Map<string, Box>();
  for (const c of changes) {
    let box = c.points;
    for (const code of c.communities) box = union(box, areas.get(code) ?? null);
    if (box) boxes.set(box.join(','), box);
  }
  return [...boxes.values()];
}

// Rows locked in name order whatever order the sets were noted in (tile_generations_bump() of 0028 did the same).
const LOCK = prepared('select 1 from tile_generations where tile_set = any ($1::text[]) order by tile_set for update');
const BUMP = prepared(`with b as (
    update tile_generations t set gen = t.gen + s.steps
      from unnest($1::text[], $2::int[]) as s(tile_set, steps)
     where t.tile_set = s.tile_set
    returning t.tile_set, t.gen)
  select tile_set, gen::text as gen, pg_notify($3, tile_set || ':' || gen) from b`);
// One row per case write: generations after+1 … after+n. The last 10,000 per set are kept (0028).
const CHANGES = prepared(`with ins as (
    insert into tile_changes (tile_set, gen, min_lon, min_lat, max_lon, max_lat)
    select 'cases', $1::bigint + u.i, u.x0, u.y0, u.x1, u.y1
      from unnest($2::float8[], $3::float8[], $4::float8[], $5::float8[]) with ordinality as u(x0, y0, x1, y1, i)
    returning 1)
  delete from tile_changes where tile_set = 'cases' and gen <= $1::bigint + cardinality($2::float8[]) - 10000`);

/**
 * The bump of a transaction's notes, its last statements before COMMIT: each set noted one generation further, the
 * cases set one per noted case write (plus one when it was also noted without an extent: then a step has no
 * tile_changes row, and a cache drops every cases tile), and a notice per set with its new generation.
 */
async function bumpNoted(tx: Queryable, n: TileNotes): Promise<void> {
  const boxes = await caseBoxes(tx, n.cases);
  const steps = new Map<TileSet, number>([...n.sets].map((s) => [s, 1]));
  if (boxes.length) steps.set('cases', (steps.get('cases') ?? 0) + boxes.length);
  if (!steps.size) return;
  const sets = [...steps.keys()].sort();
  if (sets.length > 1) await tx.query(LOCK, [sets]); // one row needs no order
  const { rows } = await tx.query<{ tile_set: TileSet; gen: string }>(BUMP, [sets, sets.map((s) => steps.get(s)!), TILE_GENERATIONS_CHANNEL]);
  if (!boxes.length) return;
  const gen = rows.find((r) => r.tile_set === 'cases')!.gen;
  await tx.query(CHANGES, [String(BigInt(gen) - BigInt(boxes.length)),
    boxes.map((b) => b[0]), boxes.map((b) => b[1]), boxes.map((b) => b[2]), boxes.map((b) => b[3])]);
}
