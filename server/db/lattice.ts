// A district of square unit grids over a bounding box, for importing a city's past cases where no real grids have
// been drawn yet (the Boston 311 test and `npm run import:cases -- --lattice …`). Codes follow docs/domain.md §1:
// blocks of `block`×`block` cells are communities (at most 999 grids each), each row of blocks is a street; rows
// are numbered north → south and cells west → east, as the grid tool does. One statement per level. Streets and
// communities are drawn as the boxes of their cells (the cells skipped next to another district included).
import type { Queryable } from './types.js';
import { analyzeTable } from './distribute.js';
import { REGION_TILE_SETS } from './tiles.js';
import { noteTileSets } from './tile-bumps.js';

export type LatticeSpec = {
  /** 6-digit district code (a 9xxxxx code cannot be mistaken for a real Chinese division). */
  district_code: string;
  name: string;
  /** [minLon, minLat, maxLon, maxLat], WGS84. */
  bbox: readonly [number, number, number, number];
  /** Side of a cell in metres (about 100 m gives the standard's ~10,000 m² unit grid). */
  cell_m?: number;
  /** Cells per side of a community (≤ 31: 31² = 961 ≤ 999 grids). */
  block?: number;
  /** Leave out cells that touch a current grid of another district (a lattice next to a real one). */
  skip_covered?: boolean;
  valid_from?: string;
};

export type LatticeOutcome = { streets: number; communities: number; grids: number };

/** Creates the district, its streets, communities and unit grids. @throws RangeError for a bad spec */
export async function createLatticeDistrict(db: Queryable, s: LatticeSpec): Promise<LatticeOutcome> {
  const [minLon, minLat, maxLon, maxLat] = s.bbox;
  const cell = s.cell_m ?? 100;
  const block = s.block ?? 30;
  if (!/^[1-9][0-9]{5}$/.test(s.district_code)) throw new RangeError(`district code must be 6 digits, got "${s.district_code}"`);
  if (!(minLon < maxLon && minLat < maxLat && minLon >= -180 && maxLon <= 180 && minLat >= -90 && maxLat <= 90)) {
    throw new RangeError(`bbox must be minLon,minLat,maxLon,maxLat in range, got ${s.bbox.join(',')}`);
  }
  if (!(cell >= 10 && cell <= 5000)) throw new RangeError(`cell_m must be 10–5000, got ${cell}`);
  if (!(Number.isInteger(block) && block >= 1 && block <= 31)) throw new RangeError(`block must be an integer 1–31, got ${block}`);
  const dLat = cell / 111_320;
  const dLon = cell / (111_320 * Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180));
  const nx = Math.ceil((maxLon - minLon) / dLon);
  const ny = Math.ceil((maxLat - minLat) / dLat);
  if (Math.ceil(nx / block) > 999 || Math.ceil(ny / block) > 999 || nx * ny > 2_000_000) {
    throw new RangeError(`${nx}×${ny} cells is too many for one district; use a larger cell_m or a smaller bbox`);
  }
  return db.transaction((tx) => insertLattice(tx, s, { minLon, minLat, maxLon, maxLat, dLon, dLat, block, nx, ny }));
}

async function insertLattice(db: Queryable, s: LatticeSpec, g: {
  minLon: number; minLat: number; maxLon: number; maxLat: number; dLon: number; dLat: number; block: number; nx: number; ny: number;
}): Promise<LatticeOutcome> {
  const { minLon, minLat, maxLon, maxLat, dLon, dLat, block, nx, ny } = g;
  const from = s.valid_from ?? '2000-01-01';
  // Cell (i, j): i west → east, j north → south; block (bi, bj); street bj + 1, community bi + 1 within it.
  await db.query(
    `create temp table lattice_cells on commit drop as
     select i, j, i / $5::int as bi, j / $5::int as bj,
            st_makeenvelope($1::float8 + i * $3::float8, $2::float8 - (j + 1) * $4::float8,
                            $1::float8 + (i + 1) * $3::float8, $2::float8 - j * $4::float8, 4326) as geom
       from generate_series(0, $6::int - 1) i, generate_series(0, $7::int - 1) j`,
    [minLon, maxLat, dLon, dLat, block, nx, ny],
  );
  // Every cell of a row has the same area on the spheroid: measured once per row.
  await db.exec(`alter table lattice_cells add column area_m2 double precision;
    update lattice_cells c set area_m2 = r.a
      from (select j, st_area(geom::geography) as a from lattice_cells where i = 0) r where r.j = c.j;`);
  if (s.skip_covered ?? true) {
    await db.query(
      // Other districts' grids over the lattice's extent read first (a materialized CTE): on Citus a delete of a
      // temporary table joined with the distributed grids is sent to a connection that cannot see the table.
      `with o as materialized (
         select g.geom from grids g
          where g.valid_to is null and g.district_code <> $1
            and g.geom && (select st_setsrid(st_extent(geom)::geometry, 4326) from lattice_cells))
       delete from lattice_cells c using o where st_intersects(o.geom, c.geom)`,
      [s.district_code]);
  }
  const code = (bj: string, bi?: string) => `$1 || lpad((${bj} + 1)::text, 3, '0')${bi ? ` || lpad((${bi} + 1)::text, 3, '0')` : ''}`;
  await db.query(
    `insert into regions (code, level, name, parent_code, geom, area_m2)
     select $1, 'district', $2, null, st_multi(st_makeenvelope($3, $4, $5, $6, 4326)),
            st_area(st_makeenvelope($3, $4, $5, $6, 4326)::geography)`,
    [s.district_code, s.name, minLon, minLat, maxLon, maxLat]);
  const streets = await db.query<{ n: number }>(
    `with s as (
       insert into regions (code, level, name, parent_code, geom, area_m2)
       select ${code('bj')}, 'street', $2 || ' street ' || (bj + 1), $1, st_multi(st_setsrid(st_extent(geom)::geometry, 4326)), sum(area_m2)
         from lattice_cells group by bj
       returning 1)
     select count(*)::int as n from s`,
    [s.district_code, s.name]);
  const communities = await db.query<{ n: number }>(
    `with c as (
       insert into regions (code, level, name, parent_code, geom, area_m2)
       select ${code('bj', 'bi')}, 'community', $2 || ' community ' || (bj + 1) || '-' || (bi + 1), ${code('bj')},
              st_multi(st_setsrid(st_extent(geom)::geometry, 4326)), sum(area_m2)
         from lattice_cells group by bj, bi
       returning 1)
     select count(*)::int as n from c`,
    [s.district_code, s.name]);
  const grids = await db.query<{ n: number }>(
    `with g as (
       insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
       select ${code('bj', 'bi')} || lpad((row_number() over (partition by bj, bi order by j, i))::text, 3, '0'),
              ${code('bj', 'bi')}, ${code('bj')}, $1, st_multi(geom), area_m2, $2::date
         from lattice_cells
       returning 1)
     select count(*)::int as n from g`,
    [s.district_code, from]);
  await db.query('drop table lattice_cells');
  await noteTileSets(db, REGION_TILE_SETS); // regions and grids: REGION_TILE_SETS holds GRID_TILE_SETS
  await analyzeTable(db, 'grids'); // on a Citus coordinator, its shard (db/distribute.ts)
  return { streets: streets.rows[0].n, communities: communities.rows[0].n, grids: grids.rows[0].n };
}
