// Components (管理部件): the only SQL for `components` and `component_sequences`.
import type { Queryable } from './types.js';
import type { Bbox } from '../domain/coords.js';
import type { ComponentStatus } from '../domain/import/vocabulary.js';
import { applyCountDeltas, countDeltasSql, deltasOfCopy, type CountDeltas } from './grid-counts.js';
import { noteTileSets } from './tile-bumps.js';

export type ComponentFeature = {
  id: string; class_code: string; class_name_zh: string; class_name_en: string; major_code: string; status: ComponentStatus;
  survey_date: string; change_date: string | null; data_source: string | null; note: string | null;
  grid_code: string | null; community_code: string | null; street_code: string | null; source_id: string | null;
  supervising_department: string | null; owner_department: string | null; maintainer_department: string | null;
  attrs: Record<string, unknown>; geometry: string;
};

const FEATURE = `c.id, c.class_code, k.name_zh as class_name_zh, k.name_en as class_name_en, k.major_code, c.status,
  to_char(c.survey_date, 'YYYY-MM-DD') as survey_date, to_char(c.change_date, 'YYYY-MM-DD') as change_date,
  c.data_source, c.note, c.grid_code, c.community_code, c.street_code, c.source_id,
  ds.name as supervising_department, dow.name as owner_department, dm.name as maintainer_department,
  c.attrs, st_asgeojson(c.geom, 7) as geometry`;

const FROM = `components c
  join classes k on k.kind = 'component' and k.code = c.class_code
  left join departments ds on ds.id = c.supervising_department_id
  left join departments dow on dow.id = c.owner_department_id
  left join departments dm on dm.id = c.maintainer_department_id`;

/**
 * What a bbox keeps: `bbox` every component whose bounding box overlaps it (`&&`, the GiST index alone: the map's
 * list), `intersects` only components whose geometry intersects it (st_intersects: the index finds candidates, then
 * the exact test; the same for points), as OGC API – Features requires.
 */
export type BboxPredicate = 'bbox' | 'intersects';

/** Components in a bbox (see BboxPredicate; `bbox` by default), optionally of one class, by id, paged; `total` counts them all. */
export async function inBbox(
  db: Queryable,
  p: { bbox?: Bbox; class_code?: string; limit: number; offset: number; predicate?: BboxPredicate },
): Promise<{ items: ComponentFeature[]; total: number }> {
  const params = [p.bbox?.[0] ?? null, p.bbox?.[1] ?? null, p.bbox?.[2] ?? null, p.bbox?.[3] ?? null, p.class_code ?? null];
  const envelope = 'st_makeenvelope($1, $2, $3, $4, 4326)';
  const where = `($1::float8 is null or ${p.predicate === 'intersects' ? `st_intersects(c.geom, ${envelope})` : `c.geom && ${envelope}`})
    and ($5::text is null or c.class_code = $5)`;
  const { rows } = await db.query<ComponentFeature>(
    `select ${FEATURE} from ${FROM} where ${where} order by c.id limit ${Number(p.limit)} offset ${Number(p.offset)}`,
    params,
  );
  const count = await db.query<{ n: number }>(`select count(*)::int as n from components c where ${where}`, params);
  return { items: rows, total: count.rows[0].n };
}

export type ComponentDetail = ComponentFeature & { community_name: string | null; street_name: string | null };

/**
 * One component by id. Its district is the id's first six digits (components_check), so the read names the whole key
 * (id, district_code) of 0062: on Citus, once components is distributed, it goes to that district's shard alone.
 */
export async function get(db: Queryable, id: string): Promise<ComponentDetail | null> {
  const { rows } = await db.query<ComponentDetail>(
    `select ${FEATURE}, rc.name as community_name, rs.name as street_name
       from ${FROM}
       left join regions rc on rc.code = c.community_code
       left join regions rs on rs.code = c.street_code
      where c.id = $1 and c.district_code = $2`,
    [id, id.slice(0, 6)],
  );
  return rows[0] ?? null;
}

/**
 * COPY components (text format with `columns`, which must include district_code, grid_code and class_code), then
 * their per-grid counts (db/grid-counts.ts): a bulk writer's one COPY and one count change per batch.
 */
export async function copyRows(db: Queryable, columns: readonly string[], text: string): Promise<void> {
  await db.copyFrom('components', columns, text);
  await applyCountDeltas(db, deltasOfCopy(columns, text));
  await noteTileSets(db, ['components']); // the tile bump, at commit (db/tile-bumps.ts)
}

/**
 * Deletes the components whose source_id is like `pattern`, and their per-grid counts; returns how many went. The
 * cases citing them lose the citation first (component_id null, the case's district kept), in the caller's
 * transaction: what `on delete set null` did before 0062, which Citus refuses on a key with the distribution column.
 */
export async function deleteBySource(db: Queryable, pattern: string): Promise<number> {
  await db.query(
    `update cases c set component_id = null
       from components k
      where k.source_id like $1 and c.component_id = k.id and c.district_code = k.district_code`, [pattern]);
  const { rows: [d] } = await db.query<CountDeltas & { deleted: number }>(
    `with gone as (delete from components where source_id like $1 returning district_code, grid_code, class_code, -1 as n)
     select (select count(*)::int from gone) as deleted, x.* from (${countDeltasSql('gone')}) x`, [pattern]);
  await applyCountDeltas(db, d);
  if (d.deleted) await noteTileSets(db, ['components']);
  return d.deleted;
}

/** Reserves `n` consecutive sequence numbers for (district, class); returns the first. */
export async function reserveSequence(db: Queryable, district_code: string, class_code: string, n = 1): Promise<number> {
  const { rows } = await db.query<{ last_seq: number }>(
    `insert into component_sequences (district_code, class_code, last_seq) values ($1, $2, $3)
     on conflict (district_code, class_code) do update set last_seq = component_sequences.last_seq + $3
     returning last_seq`,
    [district_code, class_code, n],
  );
  return rows[0].last_seq - n + 1;
}

/** Bounding box of all components rounded outward to 1e-7° (OGC collection extent); null when there are none. Exact: st_extent scans the table. */
export async function extent(db: Queryable): Promise<Bbox | null> {
  const { rows } = await db.query<{ bbox: Bbox | null }>(
    `select case when e is null then null else array[floor(st_xmin(e) * 1e7) / 1e7, floor(st_ymin(e) * 1e7) / 1e7,
                                                   ceil(st_xmax(e) * 1e7) / 1e7, ceil(st_ymax(e) * 1e7) / 1e7]::float8[] end as bbox
       from (select st_extent(geom) as e from components) s`,
  );
  return rows[0]?.bbox ?? null;
}

/** One component with the columns of inBbox (OGC single feature); null when there is none. */
export async function feature(db: Queryable, id: string): Promise<ComponentFeature | null> {
  const { rows } = await db.query<ComponentFeature>(`select ${FEATURE} from ${FROM} where c.id = $1 and c.district_code = $2`,
    [id, id.slice(0, 6)]); // the id names its district (see get)
  return rows[0] ?? null;
}

export type NearComponent = {
  id: string; class_code: string; class_name_zh: string; class_name_en: string; status: ComponentStatus;
  grid_code: string | null; distance_m: number; lon: number; lat: number;
};

/**
 * Components within `radius_m` metres of a WGS84 point, nearest first (at most `limit`): the GiST index finds the
 * candidates in a box of the radius (degrees of longitude widened by the latitude), then the geodesic distance
 * filters and sorts. lon/lat: the component's point nearest to the given one.
 */
export async function near(db: Queryable, p: { lon: number; lat: number; radius_m: number; limit: number }): Promise<NearComponent[]> {
  const deg = p.radius_m / (111_320 * Math.max(Math.cos((p.lat * Math.PI) / 180), 0.01));
  const { rows } = await db.query<NearComponent>(
    `with pt as (select st_setsrid(st_makepoint($1::float8, $2::float8), 4326) as g)
     select c.id, c.class_code, k.name_zh as class_name_zh, k.name_en as class_name_en, c.status, c.grid_code,
            round(st_distance(c.geom::geography, pt.g::geography)::numeric, 1)::float8 as distance_m,
            round(st_x(st_closestpoint(c.geom, pt.g))::numeric, 7)::float8 as lon,
            round(st_y(st_closestpoint(c.geom, pt.g))::numeric, 7)::float8 as lat
       from components c
       join classes k on k.kind = 'component' and k.code = c.class_code, pt
      where c.geom && st_expand(pt.g, $3::float8)
        and st_distance(c.geom::geography, pt.g::geography) <= $4::float8
      order by distance_m, c.id
      limit ${Number(p.limit)}`,
    [p.lon, p.lat, deg, p.radius_m],
  );
  return rows;
}
