// Districts, streets, communities: the only SQL for `regions`.
import type { Queryable } from './types.js';
import type { RegionLevel } from '../domain/codes.js';
import type { Bbox } from '../domain/coords.js';

export type RegionView = { code: string; level: RegionLevel; name: string; parent_code: string | null; bbox: Bbox | null };

const VIEW = `code, level, name, parent_code,
  case when geom is null then null
       else array[st_xmin(geom), st_ymin(geom), st_xmax(geom), st_ymax(geom)] end as bbox`;

export async function list(db: Queryable, p: { level?: RegionLevel; parent_code?: string }): Promise<RegionView[]> {
  const { rows } = await db.query<RegionView>(
    `select ${VIEW} from regions
      where ($1::text is null or level = $1) and ($2::text is null or parent_code = $2)
      order by code`,
    [p.level ?? null, p.parent_code ?? null],
  );
  return rows.map(roundBbox);
}

export async function get(db: Queryable, code: string): Promise<RegionView | null> {
  const { rows } = await db.query<RegionView>(`select ${VIEW} from regions where code = $1`, [code]);
  return rows[0] ? roundBbox(rows[0]) : null;
}

/** The first district (the demo and single-district deployments have exactly one). */
export async function firstDistrict(db: Queryable): Promise<RegionView | null> {
  const { rows } = await db.query<RegionView>(`select ${VIEW} from regions where level = 'district' order by code limit 1`);
  return rows[0] ? roundBbox(rows[0]) : null;
}

export type RegionFeature = { code: string; name: string; level: RegionLevel; parent_code: string | null; area_m2: number | null; geometry: string };

/** Regions of a level with GeoJSON geometry, paged; a bbox keeps the regions whose geometry intersects it (the index
 * finds candidates, st_intersects decides), as OGC API – Features requires. */
export async function features(
  db: Queryable,
  p: { level: RegionLevel; bbox?: Bbox; limit: number; offset: number; code?: string },
): Promise<{ items: RegionFeature[]; total: number }> {
  const params = [p.level, p.bbox?.[0] ?? null, p.bbox?.[1] ?? null, p.bbox?.[2] ?? null, p.bbox?.[3] ?? null, p.code ?? null];
  const where = `level = $1 and geom is not null
    and ($2::float8 is null or st_intersects(geom, st_makeenvelope($2, $3, $4, $5, 4326)))
    and ($6::text is null or code = $6)`;
  const { rows } = await db.query<RegionFeature>(
    `select code, name, level, parent_code, area_m2, st_asgeojson(geom, 7) as geometry from regions
      where ${where} order by code limit ${Number(p.limit)} offset ${Number(p.offset)}`,
    params,
  );
  const count = await db.query<{ n: number }>(`select count(*)::int as n from regions where ${where}`, params);
  return { items: rows, total: count.rows[0].n };
}

function roundBbox(r: RegionView): RegionView {
  return { ...r, bbox: r.bbox ? (r.bbox.map((v) => Math.round(Number(v) * 1e7) / 1e7) as Bbox) : null };
}

/** Bounding box of every region of a level that has geometry, rounded outward to 1e-7° (OGC extent); null when none. */
export async function extent(db: Queryable, level: RegionLevel): Promise<Bbox | null> {
  const { rows } = await db.query<{ bbox: Bbox | null }>(
    `select case when e is null then null else array[floor(st_xmin(e) * 1e7) / 1e7, floor(st_ymin(e) * 1e7) / 1e7,
                                                   ceil(st_xmax(e) * 1e7) / 1e7, ceil(st_ymax(e) * 1e7) / 1e7]::float8[] end as bbox
       from (select st_extent(geom) as e from regions where level = $1) s`,
    [level],
  );
  return rows[0]?.bbox ?? null;
}

/** Whether any region is loaded (the demo loads into an empty database only). */
export async function any(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>('select exists (select 1 from regions) as any');
  return rows[0].any;
}
