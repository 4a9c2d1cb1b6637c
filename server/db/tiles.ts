// Vector tiles: the one seam between engines (docs/style.md §2.6). Both engines share the row SQL of every layer
// (which features, which properties, geometry in EPSG:3857); PostgreSQL encodes with ST_AsMVTGeom/ST_AsMVT,
// PGlite (its PostGIS is built without protobuf-c) clips and scales in SQL the same way and encodes in JS.
import vtpbf from 'vt-pbf';
import type { Queryable } from './types.js';
import { prepared } from './prepared.js';
import { lightAtSqlExpression } from '../domain/lights.js';
import { districtWhere } from './visibility.js';
import { isCitus } from './distribute.js';

export const TILE_EXTENT = 4096;
export const TILE_BUFFER = 64;
export const TILE_SETS = ['grids', 'components', 'basemap', 'cases'] as const;
export type TileSet = (typeof TILE_SETS)[number];

/** Grids are drawn one by one from this zoom; below it the layer shows communities with their grid counts. */
export const GRID_DETAIL_ZOOM = 13;
/** Components are drawn one by one from this zoom; below it as one cluster per unit grid, and at and below
 * COMPONENT_COMMUNITY_ZOOM one per community, read from grid_component_counts (no scan of the components).
 * z17 because at city densities (5,000 components/km², Jianghan) a z16 tile holds ~1,900 points, ~10 ms of
 * ST_AsMVT alone; at z17 a unit grid is ~80 px wide, so one cluster per grid at z16 reads well. */
export const COMPONENT_DETAIL_ZOOM = 17;
export const COMPONENT_COMMUNITY_ZOOM = 12;

/** Cases are drawn one by one from this zoom (a z16 tile is ~600 m wide, a few dozen unit grids); one cluster per
 * unit grid at CASE_COMMUNITY_ZOOM < z < 16, one per community at and below it (< 13, like the grid layer). */
export const CASE_DETAIL_ZOOM = 16;
export const CASE_COMMUNITY_ZOOM = 12;

/**
 * What the `cases` layer shows: the light at `now`, cases reported in [start, end) when given, and the filters;
 * `district`: only that district's cases (a user kept to a district, issue 12; null or absent: every district).
 */
export type CaseTileFilter = {
  now: Date; start?: Date | null; end?: Date | null; class_code?: string | null; major?: string | null; channel?: string | null;
  district?: string | null;
};

/** Extra parameters of the cases layer's SQL, $4…$9 after z, x, y, and $10 the district when there is one. */
function caseTileParams(f: CaseTileFilter): unknown[] {
  const out: unknown[] = [f.now, f.start ?? null, f.end ?? null, f.class_code ?? null, f.major ?? null, f.channel ?? null];
  if (f.district) out.push(f.district);
  return out;
}

// $4 = now, $5/$6 = reported from/before (null: no bound), $7 class, $8 major, $9 channel (null: any); with a
// district, `c.district_code = $10` (db/visibility.ts districtWhere): the statement names it, one shard on Citus.
const caseFilter = (district: string | null) => [`($5::timestamptz is null or c.created_at >= $5::timestamptz) and ($6::timestamptz is null or c.created_at < $6::timestamptz)
  and ($7::text is null or c.class_code = $7::text) and ($8::text is null or left(c.class_code, 2) = $8::text)
  and ($9::text is null or c.source = $9::text)`, districtWhere(district, () => '$10::text')].filter(Boolean).join(' and ');
const CASE_LIGHT = `(case when c.red_at is null or c.status in ('closed', 'void', 'suspended') then null
  else ${lightAtSqlExpression('$4::timestamptz', 'c.yellow_at', 'c.red_at')} end)`;
// The next instant after $4 at which CASE_LIGHT of the case changes (null: never, until a write changes the case):
// CASE_LIGHT compares now > yellow_at and now > red_at, so the light at $4 holds while now ≤ the next of them.
const CASE_NEXT_CHANGE = `(case when c.red_at is null or c.status in ('closed', 'void', 'suspended') then null
  else least(case when c.yellow_at > $4::timestamptz then c.yellow_at end, case when c.red_at > $4::timestamptz then c.red_at end) end)`;
const CASE_COUNTS = `count(*)::int as count, count(*) filter (where c.status not in ('closed', 'void'))::int as open,
  count(*) filter (where ${CASE_LIGHT} = 'red')::int as red, min(${CASE_NEXT_CHANGE}) as next_change`;

/** `timed`: the rows also have `next_change` (timestamptz), when what they show changes with time alone. */
type LayerSql = { name: string; props: string[]; rows: string; timed?: boolean };

// $1 = z, $2 = x, $3 = y. env.e: tile envelope in 3857; env.q: envelope with buffer in 4326 for index filtering.
const ENV_ROW = `select st_tileenvelope($1::int, $2::int, $3::int) as e,
         st_transform(st_tileenvelope($1::int, $2::int, $3::int, margin => ${TILE_BUFFER / TILE_EXTENT}), 4326) as q`;
const ENV = `env as (
  ${ENV_ROW}
)`;
// On Citus, a statement on several shards (a grids tile at two districts' edge, routed to both) inlines env where
// it is read (`not materialized`): read twice (rows, t), a plain CTE is materialized, computed on the coordinator
// and broadcast to the workers as an intermediate result the shards' tasks join, ~250 ms a tile against ~5 ms with
// the envelope a constant in each task (EXPLAIN ANALYZE, province bench, tile 16/53969/24837; issue 12). Only
// there: on PostgreSQL (and a one-shard statement, planned whole on its worker) the inlined envelope is a constant
// the planner may scan by in another order, which changes the bytes of the same tile.
const ENV_INLINED = `env as not materialized (
  ${ENV_ROW}
)`;
const PIXEL = `((st_xmax(env.e) - st_xmin(env.e)) / ${TILE_EXTENT})`;

/**
 * Whether the layers of a set at zoom z read grids by the tile's envelope, so that naming the districts the tile
 * meets ($4, `g.district_code = any($4)`) sends the statement only to those districts' shards on Citus, where grids
 * are distributed by district (issue 12): the grids set at every zoom, the components set's community clusters.
 */
export function routedByDistrict(set: TileSet, z: number): boolean {
  return set === 'grids' || (set === 'components' && z <= COMPONENT_COMMUNITY_ZOOM);
}

/**
 * The layers of a tile set at zoom z: which rows, which properties. `district` (the cases set only): the cases of
 * that district alone (the value is a parameter, $10; only whether there is one shapes the SQL). `routed` (where
 * routedByDistrict): the grids read are those of the districts in $4 (text[]) alone.
 */
export function tileLayers(set: TileSet, z: number, district: string | null = null, routed = false): LayerSql[] {
  const CASE_FILTER = caseFilter(district);
  // The districts the tile meets, a parameter (not a subquery on regions): Citus prunes shards by a value it knows
  // when it plans the statement, not by the result of a subquery.
  const IN_DISTRICTS = routed && routedByDistrict(set, z) ? ' and g.district_code = any($4::text[])' : '';
  switch (set) {
    case 'grids':
      if (z >= GRID_DETAIL_ZOOM) {
        return [{
          name: 'grids', props: ['code', 'community_code', 'area_m2'],
          rows: `select g.code, g.community_code, round(g.area_m2)::int as area_m2, st_transform(g.geom, 3857) as g3857
                   from grids g, env where g.valid_to is null and g.geom && env.q${IN_DISTRICTS}`,
        }];
      }
      return [{
        name: 'grids', props: ['code', 'name', 'grid_count', 'aggregated'],
        // The grid count per community as an aggregate joined to regions, not a subquery per community: Citus
        // refuses a correlated subquery on a distributed table (grids) from a reference one (regions).
        rows: `select r.code, r.name, coalesce(n.grid_count, 0)::int as grid_count, true as aggregated,
                      st_simplifypreservetopology(st_transform(r.geom, 3857), ${PIXEL}) as g3857
                 from regions r cross join env
                 left join (select g.community_code, count(*) as grid_count
                              from grids g
                             where g.valid_to is null${IN_DISTRICTS}
                               and g.community_code in (select r2.code from regions r2, env where r2.level = 'community' and r2.geom && env.q)
                             group by g.community_code) n on n.community_code = r.code
                where r.level = 'community' and r.geom && env.q`,
      }];
    case 'components':
      if (z >= COMPONENT_DETAIL_ZOOM) {
        return [{
          name: 'components', props: ['id', 'class_code', 'major_code', 'status'],
          rows: `select c.id, c.class_code, left(c.class_code, 2) as major_code, c.status, st_transform(c.geom, 3857) as g3857
                   from components c, env where c.geom && env.q`,
        }];
      }
      if (z > COMPONENT_COMMUNITY_ZOOM) {
        return [{
          name: 'components', props: ['count', 'major_code', 'cluster', 'grid_code'],
          rows: `select sum(k.n)::int as count, (array_agg(k.major_code order by k.n desc, k.major_code))[1] as major_code,
                        true as cluster, k.grid_code, st_transform((array_agg(k.pt))[1], 3857) as g3857
                   from grid_component_counts k, env
                  where k.pt && env.q
                  group by k.grid_code`,
        }];
      }
      // The counts joined to their grids on the district too: both are distributed by it on Citus, which joins
      // distributed tables only on their distribution column.
      return [{
        name: 'components', props: ['count', 'major_code', 'cluster', 'community_code'],
        rows: `select s.count, s.major_code, true as cluster, r.code as community_code, st_transform(st_pointonsurface(r.geom), 3857) as g3857
                 from (select m.community_code, sum(m.n)::int as count,
                              (array_agg(m.major_code order by m.n desc, m.major_code))[1] as major_code
                         from (select g.community_code, k.major_code, sum(k.n)::int as n
                                 from grids g join grid_component_counts k on k.district_code = g.district_code and k.grid_code = g.code, env
                                where g.valid_to is null and g.geom && env.q${IN_DISTRICTS}
                                group by 1, 2) m
                        group by m.community_code) s
                 join regions r on r.code = s.community_code`,
      }];
    case 'cases':
      // No personal data: no reporter, no description, no address; the light at $4 (the server's now).
      if (z >= CASE_DETAIL_ZOOM) {
        return [{
          name: 'cases', props: ['id', 'case_no', 'status', 'class_code', 'light', 'origin', 'created_at'], timed: true,
          rows: `select c.id::text as id, c.case_no, c.status, c.class_code, ${CASE_LIGHT} as light, ${CASE_NEXT_CHANGE} as next_change, c.origin,
                        to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as created_at,
                        st_transform(c.geom, 3857) as g3857
                   from cases c, env where c.geom && env.q and ${CASE_FILTER}`,
        }];
      }
      if (z > CASE_COMMUNITY_ZOOM) {
        // Every case of each grid the tile touches, drawn at the grid's label point (in the tile that holds it). With
        // a district, its grids alone (named, as the cases are: one shard on Citus, where a grid's code is unique
        // only with its district).
        const GRID_DISTRICT = district ? ' and g.district_code = $10::text' : '';
        return [{
          name: 'cases', props: ['count', 'open', 'red', 'cluster', 'grid_code'], timed: true,
          rows: `select s.count, s.open, s.red, s.next_change, true as cluster, g.code as grid_code, st_transform(st_pointonsurface(g.geom), 3857) as g3857
                   from (select c.grid_code, ${CASE_COUNTS}
                           from cases c where c.grid_code in (select g.code from grids g, env where g.valid_to is null and g.geom && env.q${GRID_DISTRICT})
                            and ${CASE_FILTER}
                          group by c.grid_code) s
                   join grids g on g.code = s.grid_code and g.valid_to is null${GRID_DISTRICT}`,
        }];
      }
      return [{
        name: 'cases', props: ['count', 'open', 'red', 'cluster', 'community_code'], timed: true,
        rows: `select s.count, s.open, s.red, s.next_change, true as cluster, r.code as community_code, st_transform(st_pointonsurface(r.geom), 3857) as g3857
                 from (select c.community_code, ${CASE_COUNTS}
                         from cases c where c.community_code in (select r.code from regions r, env where r.level = 'community' and r.geom && env.q)
                          and ${CASE_FILTER}
                        group by c.community_code) s
                 join regions r on r.code = s.community_code`,
      }];
    case 'basemap':
      return [
        {
          name: 'streets', props: ['code', 'name'],
          rows: `select r.code, r.name, st_simplifypreservetopology(st_transform(r.geom, 3857), ${PIXEL}) as g3857
                   from regions r, env where r.level = 'street' and r.geom && env.q`,
        },
        {
          name: 'communities', props: ['code', 'name', 'street_code'],
          rows: `select r.code, r.name, r.parent_code as street_code,
                        st_simplifypreservetopology(st_transform(r.geom, 3857), ${PIXEL}) as g3857
                   from regions r, env where r.level = 'community' and r.geom && env.q`,
        },
        {
          name: 'roads', props: ['name'],
          rows: `select p.name, st_simplify(st_transform(p.geom, 3857), ${PIXEL}) as g3857
                   from places p, env where p.kind in ('road', 'lane') and p.geom && env.q`,
        },
      ];
  }
}

/** The SQL PostgreSQL runs for one layer: one row, the encoded layer (bytea) and, for a timed layer, next_change.
 * `inline_env`: env inlined where it is read (ENV_INLINED: Citus, several shards). */
export function postgresLayerSql(l: LayerSql, inline_env = false): string {
  const env = inline_env ? ENV_INLINED : ENV;
  const props = l.props.map((p) => `rows.${p}`).join(', ');
  const mvt = `st_asmvt(t, '${l.name}', ${TILE_EXTENT}, 'geom')`;
  // The clipped rows are a materialized CTE, not a subquery: on Citus, with grids distributed, a subquery's rows
  // would come back from the shards as anonymous records for st_asmvt, which Citus cannot read ("input of anonymous
  // composite types is not implemented"); a CTE's come back as named columns, encoded on the coordinator.
  const t = `t as materialized (select ${props}, st_asmvtgeom(rows.g3857, env.e, ${TILE_EXTENT}, ${TILE_BUFFER}, true) as geom from rows, env)`;
  const from = 'from t where t.geom is not null';
  // A timed layer's next change is taken over all its rows, also those the clip drops: at worst a tile is redrawn early.
  if (l.timed) return `with ${env}, rows as (${l.rows}), ${t}
  select (select ${mvt} ${from}) as mvt, (select min(rows.next_change) from rows) as next_change`;
  return `with ${env}, rows as (${l.rows}), ${t}
  select ${mvt} as mvt
    ${from}`;
}

/** The SQL PGlite runs for one layer: rows with properties and GeoJSON geometry in tile coordinates (y down). */
export function pgliteLayerSql(l: LayerSql): string {
  const timed = l.timed ? ', next_change' : '';
  const props = l.props.map((p) => `rows.${p}`).join(', ') + (l.timed ? ', rows.next_change' : '');
  // Same clip, scale and snap as ST_AsMVTGeom; exterior rings are forced clockwise before the y flip so they
  // end up with positive area in tile coordinates, as the MVT spec wants.
  return `with ${ENV}, rows as (${l.rows}), t as (
    select ${props},
           st_snaptogrid(st_affine(st_forcepolygoncw(st_clipbybox2d(rows.g3857, st_expand(env.e, ${PIXEL} * ${TILE_BUFFER}))),
             ${TILE_EXTENT} / (st_xmax(env.e) - st_xmin(env.e)), 0, 0, -${TILE_EXTENT} / (st_ymax(env.e) - st_ymin(env.e)),
             -st_xmin(env.e) * ${TILE_EXTENT} / (st_xmax(env.e) - st_xmin(env.e)),
             st_ymax(env.e) * ${TILE_EXTENT} / (st_ymax(env.e) - st_ymin(env.e))), 1) as g
      from rows, env)
  select ${l.props.join(', ')}${timed}, st_asgeojson(g, 0) as geom from t where g is not null and not st_isempty(g)`;
}

type Geo = { type: string; coordinates?: any; geometries?: Geo[] };
type VtFeature = { type: 1 | 2 | 3; geometry: number[][][] | number[][]; tags: Record<string, unknown> };

/** GeoJSON in tile coordinates → vt-pbf features (one per input, or none when the clip left nothing drawable). */
function toVtFeatures(g: Geo, tags: Record<string, unknown>, out: VtFeature[]): void {
  switch (g.type) {
    case 'Point': out.push({ type: 1, geometry: [g.coordinates], tags }); break;
    case 'MultiPoint': if (g.coordinates.length) out.push({ type: 1, geometry: g.coordinates, tags }); break;
    case 'LineString': if (g.coordinates.length > 1) out.push({ type: 2, geometry: [g.coordinates], tags }); break;
    case 'MultiLineString': {
      const lines = g.coordinates.filter((l: unknown[]) => l.length > 1);
      if (lines.length) out.push({ type: 2, geometry: lines, tags });
      break;
    }
    case 'Polygon': {
      const rings = g.coordinates.filter((r: unknown[]) => r.length > 3);
      if (rings.length) out.push({ type: 3, geometry: rings, tags });
      break;
    }
    case 'MultiPolygon': {
      const rings = g.coordinates.flat(1).filter((r: unknown[]) => r.length > 3);
      if (rings.length) out.push({ type: 3, geometry: rings, tags });
      break;
    }
    case 'GeometryCollection': for (const part of g.geometries ?? []) toVtFeatures(part, tags, out); break;
  }
}

export type Encoder = 'postgis' | 'js';

/** The encoder an engine uses: ST_AsMVT where PostGIS has protobuf-c (PostgreSQL), JS on PGlite. */
export function defaultEncoder(db: Queryable): Encoder {
  return db.engine === 'postgres' ? 'postgis' : 'js';
}

// Per database handle: whether it is a Citus node (one catalog read per pool or transaction, not per tile).
const CITUS_NODES = new WeakMap<Queryable, Promise<boolean>>();
function citusNode(db: Queryable): Promise<boolean> {
  let known = CITUS_NODES.get(db);
  if (!known) {
    known = isCitus(db);
    CITUS_NODES.set(db, known);
    known.catch(() => CITUS_NODES.delete(db)); // a failed read (the connection lost) is asked again next time
  }
  return known;
}

/** One drawn tile: its MVT bytes (empty: nothing to draw) and, for a tile whose content changes with time alone
 * (the lights of the cases layer), the first instant at which it would be drawn differently; null: not before a write. */
export type DrawnTile = { mvt: Buffer; changes_at: Date | null };

/**
 * Renders one tile of a tile set as MVT bytes. `encoder` is normally the engine's default; tests run the JS
 * encoder on PostgreSQL too, so both sides of the seam are held to the same expectations on the same data.
 * `cases` (the cases layer only): the instant of the lights, the period and the filters.
 */
export async function renderTile(
  db: Queryable, set: TileSet, z: number, x: number, y: number, encoder: Encoder = defaultEncoder(db),
  cases?: CaseTileFilter,
): Promise<Buffer> {
  return (await drawTile(db, set, z, x, y, encoder, cases)).mvt;
}

/**
 * renderTile with the instant the drawing stops being true (DrawnTile.changes_at), for the tile cache. `districts`
 * (where routedByDistrict; ignored elsewhere): every district the tile meets (services/tiles.ts districtsMeeting),
 * so that only their grids are read; none: the empty tile, without a query. Absent: every district's grids, the
 * same bytes.
 */
export async function drawTile(
  db: Queryable, set: TileSet, z: number, x: number, y: number, encoder: Encoder = defaultEncoder(db),
  cases?: CaseTileFilter, districts?: readonly string[] | null,
): Promise<DrawnTile> {
  if (set === 'cases' && !cases) throw new Error('the cases layer needs a CaseTileFilter (at least now, for the lights)');
  const routed = districts != null && routedByDistrict(set, z);
  if (routed && !districts.length) return { mvt: Buffer.alloc(0), changes_at: null };
  const layers = tileLayers(set, z, set === 'cases' ? (cases!.district ?? null) : null, routed);
  const params = set === 'cases' ? [z, x, y, ...caseTileParams(cases!)] : routed ? [z, x, y, districts] : [z, x, y];
  let changes: number | null = null;
  const changesAt = (v: unknown) => {
    if (v == null) return;
    const t = new Date(v as string | Date).getTime();
    if (changes === null || t < changes) changes = t;
  };
  if (encoder === 'postgis') {
    const inline_env = routed && districts.length > 1 && await citusNode(db);
    const parts: Buffer[] = [];
    for (const l of layers) {
      const { rows } = await db.query<{ mvt: Buffer | null; next_change?: Date | null }>(prepared(postgresLayerSql(l, inline_env)), params);
      if (rows[0]?.mvt?.length) parts.push(rows[0].mvt);
      changesAt(rows[0]?.next_change);
    }
    // MVT layers are independent messages: concatenation is a valid tile
    return { mvt: Buffer.concat(parts), changes_at: changes === null ? null : new Date(changes) };
  }
  const vtLayers: Record<string, { features: VtFeature[] }> = {};
  for (const l of layers) {
    const { rows } = await db.query<Record<string, unknown> & { geom: string }>(prepared(pgliteLayerSql(l)), params);
    if (!rows.length) continue;
    const features: VtFeature[] = [];
    for (const r of rows) {
      const tags: Record<string, unknown> = {};
      for (const p of l.props) tags[p] = r[p];
      if (l.timed) changesAt(r.next_change);
      toVtFeatures(JSON.parse(r.geom), tags, features);
    }
    if (features.length) vtLayers[l.name] = { features };
  }
  const changes_at = changes === null ? null : new Date(changes);
  if (!Object.keys(vtLayers).length) return { mvt: Buffer.alloc(0), changes_at };
  return { mvt: Buffer.from(vtpbf.fromGeojsonVt(vtLayers as never, { version: 2, extent: TILE_EXTENT })), changes_at };
}

/** [min_lon, min_lat, max_lon, max_lat] of everything of one district a routed layer draws. */
export type DistrictBox = { district_code: string; box: [number, number, number, number] };

// Per district, the extent of its current grids and of its regions (a community drawn at low zoom may have no grid
// yet); regions' geometry alone would not do: it may be missing (null) or not cover every grid of its district.
// One statement per table: grids grouped by their distribution column (a task per shard on Citus), regions local.
const DISTRICT_EXTENTS = [
  prepared(`select district_code, st_xmin(e) as x0, st_ymin(e) as y0, st_xmax(e) as x1, st_ymax(e) as y1
              from (select district_code, st_extent(geom) as e from grids where valid_to is null group by district_code) x`),
  prepared(`select district_code, st_xmin(e) as x0, st_ymin(e) as y0, st_xmax(e) as x1, st_ymax(e) as y1
              from (select left(code, 6) as district_code, st_extent(geom) as e from regions where geom is not null group by 1) x`),
];

/**
 * Each district's extent: its current grids and its regions (what the routed layers, routedByDistrict, draw of it).
 * Reads every current grid: the server keeps the result per generation of the grids set, for the tile routes and the
 * locates without a district alike (services/district-extents.ts DistrictExtents), which every writer of grids and
 * regions moves.
 */
export async function districtBoxes(db: Queryable): Promise<DistrictBox[]> {
  const out = new Map<string, [number, number, number, number]>();
  for (const sql of DISTRICT_EXTENTS) {
    const { rows } = await db.query<{ district_code: string; x0: number; y0: number; x1: number; y1: number }>(sql);
    for (const r of rows) {
      const b = out.get(r.district_code);
      const [x0, y0, x1, y1] = [Number(r.x0), Number(r.y0), Number(r.x1), Number(r.y1)];
      out.set(r.district_code, b ? [Math.min(b[0], x0), Math.min(b[1], y0), Math.max(b[2], x1), Math.max(b[3], y1)] : [x0, y0, x1, y1]);
    }
  }
  return [...out].map(([district_code, box]) => ({ district_code, box })).sort((a, b) => (a.district_code < b.district_code ? -1 : 1));
}

const GENERATION = prepared('select gen from tile_generations where tile_set = $1');

/**
 * The committed generation of a tile set (migrations/0028_tile_generations.sql): it moves, in the writing
 * transaction, whenever a table the set is drawn from changes. One primary-key read.
 */
export async function tileGeneration(db: Queryable, set: TileSet): Promise<string> {
  const { rows } = await db.query<{ gen: string | number }>(GENERATION, [set]);
  return String(rows[0]?.gen ?? 0);
}

const GENERATIONS = prepared('select tile_set, gen from tile_generations');

/** Every set's committed generation (one read of four rows): what a tile cache trusts when it cannot listen. */
export async function tileGenerations(db: Queryable): Promise<Map<TileSet, string>> {
  const { rows } = await db.query<{ tile_set: TileSet; gen: string | number }>(GENERATIONS);
  return new Map(rows.map((r) => [r.tile_set, String(r.gen)]));
}

/**
 * The channel the generation bumps are announced on, payload '<tile_set>:<gen>' (migrations/0040): delivered at
 * commit, in commit order, to every listening session.
 */
export const TILE_GENERATIONS_CHANNEL = 'tile_generations';

/** A payload of TILE_GENERATIONS_CHANNEL, or null if it is not one. */
export function parseGenerationNotice(payload: string): { set: TileSet; gen: string } | null {
  const m = /^([a-z]+):([0-9]+)$/.exec(payload);
  return m && (TILE_SETS as readonly string[]).includes(m[1]) ? { set: m[1] as TileSet, gen: m[2] } : null;
}

const CHANGES = prepared(`select gen, min_lon, min_lat, max_lon, max_lat from tile_changes
  where tile_set = $1 and gen > $2::bigint and gen <= $3::bigint order by gen`);

/**
 * Where each generation of a set in (after, upto] changed something, as lon/lat extents (migrations/0028
 * tile_changes); fewer rows than generations means some step is not described (then anything may have changed).
 */
export async function tileChanges(db: Queryable, set: TileSet, after: string, upto: string): Promise<[number, number, number, number][]> {
  const { rows } = await db.query<{ min_lon: number; min_lat: number; max_lon: number; max_lat: number }>(CHANGES, [set, after, upto]);
  return rows.map((r) => [Number(r.min_lon), Number(r.min_lat), Number(r.max_lon), Number(r.max_lat)]);
}

/** The tile sets a write to unit grids changes: grids, and the components and cases drawn in grid clusters. */
export const GRID_TILE_SETS: readonly TileSet[] = ['grids', 'components', 'cases'];
/** The tile sets a write to regions changes: every set (communities in grids, clusters in components and cases,
 * outlines in the basemap). */
export const REGION_TILE_SETS: readonly TileSet[] = ['grids', 'components', 'cases', 'basemap'];
