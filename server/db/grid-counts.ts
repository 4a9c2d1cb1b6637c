// The per-grid counts, kept by the statements that write components and cases, in their transaction (issue 12,
// docs/citus.md "The plan", step 3; migration 0061 dropped the triggers of 0008 and 0017, which Citus does not run
// on a distributed table): grid_component_counts (components per unit grid and major class, 部件统计, with the
// grid's label point; the component cluster tiles) and case_grid_days (cases per district, UTC day and unit grid; the
// choropleth). A writer turns the rows it wrote into count changes (in SQL over its RETURNING rows, or from the
// COPY text it sends) and applies them here: a few statements per batch whatever its size, each touching one table,
// so they run wherever Citus puts components, cases, grids and the counts.
import { copyFields } from './copy-text.js';
import type { Queryable } from './types.js';

/** Count changes, one entry per (district, grid, major class): four arrays of the same length, keys in order. */
export type CountDeltas = { district_code: string[]; grid_code: string[]; major_code: string[]; n: number[] };

export const NO_DELTAS: CountDeltas = { district_code: [], grid_code: [], major_code: [], n: [] };

/**
 * A select of one row (`district_code`, `grid_code`, `major_code`, `n`: arrays) summing `rows`, a relation with
 * district_code, grid_code, class_code and n (+1 for a row written, −1 for a row's old version or a deleted row);
 * rows without a grid count nowhere and changes that net to zero are left out. Keys sorted, so two writers lock
 * count rows in one order.
 */
export function countDeltasSql(rows: string): string {
  const key = 'order by d.district_code, d.grid_code, d.major_code';
  return `select coalesce(array_agg(d.district_code ${key}), '{}') as district_code,
                 coalesce(array_agg(d.grid_code ${key}), '{}') as grid_code,
                 coalesce(array_agg(d.major_code ${key}), '{}') as major_code,
                 coalesce(array_agg(d.n ${key}), '{}') as n
            from (select r.district_code, r.grid_code, left(r.class_code, 2) as major_code, sum(r.n)::int as n
                    from ${rows} r where r.grid_code is not null group by 1, 2, 3) d
           where d.n <> 0`;
}

/** Count changes of rows in COPY text with `columns` (each row +1), as the COPY writes them; a null grid counts nowhere. */
export function deltasOfCopy(columns: readonly string[], text: string): CountDeltas {
  const rows = copyFields(columns, text, ['district_code', 'grid_code', 'class_code'], 'components', 'keep grid_component_counts')
    .filter(([, g]) => g !== '\\N' && g !== '')
    .map(([d, g, c]): [string[], number] => [[d, g, c.slice(0, 2)], 1]);
  const [[district_code, grid_code, major_code], n] = sumKeyed(rows, 3);
  return { district_code, grid_code, major_code, n };
}

/**
 * Sums `rows` (key parts, n) by key: the key parts as `width` arrays and the sums, keys in order (two writers lock
 * count rows in one order), keys that net to zero left out.
 */
function sumKeyed(rows: readonly [readonly string[], number][], width: number): [string[][], number[]] {
  const sums = new Map<string, number>();
  for (const [key, n] of rows) {
    const k = key.join('\t');
    sums.set(k, (sums.get(k) ?? 0) + n);
  }
  const parts: string[][] = Array.from({ length: width }, () => []);
  const ns: number[] = [];
  for (const k of [...sums.keys()].sort()) {
    if (sums.get(k) === 0) continue;
    k.split('\t').forEach((v, i) => parts[i].push(v));
    ns.push(sums.get(k)!);
  }
  return [parts, ns];
}

const UNNEST = `unnest($1::text[], $2::text[], $3::text[], $4::int[]) as d(district_code, grid_code, major_code, n)`;

/**
 * Applies count changes: existing rows are updated in place (fillfactor 50 since 0038, so HOT), rows that fall to
 * zero are deleted, and new (district, grid, major) rows are inserted with their grid's label point, read from the
 * grids in a statement of its own. A concurrent insert of the same new row is added to (on conflict). A decrease of
 * a row that is missing changes nothing: the counts were already wrong (a write outside the writers, e.g. psql;
 * a recount as in migration 0061 repairs them).
 */
export async function applyCountDeltas(db: Queryable, d: CountDeltas): Promise<void> {
  if (!d.n.length) return;
  const args = [d.district_code, d.grid_code, d.major_code, d.n];
  const { rows: updated } = await db.query<{ i: number; n: number }>(
    `update grid_component_counts k set n = k.n + d.n
       from unnest($1::text[], $2::text[], $3::text[], $4::int[]) with ordinality as d(district_code, grid_code, major_code, n, i)
      where k.district_code = d.district_code and k.grid_code = d.grid_code and k.major_code = d.major_code
     returning d.i::int as i, k.n`,
    args,
  );
  if (updated.some((r) => r.n === 0)) {
    await db.query(
      `delete from grid_component_counts k using ${UNNEST}
        where k.district_code = d.district_code and k.grid_code = d.grid_code and k.major_code = d.major_code and k.n = 0`,
      args,
    );
  }
  const done = new Set(updated.map((r) => r.i - 1));
  const fresh = d.n.map((_, i) => i).filter((i) => !done.has(i) && d.n[i] > 0);
  if (!fresh.length) return;
  const pick = <T>(a: T[]) => fresh.map((i) => a[i]);
  const [districts, grids] = [pick(d.district_code), pick(d.grid_code)];
  const { rows: pts } = await db.query<{ code: string; pt: string }>(
    `select g.code, st_pointonsurface(g.geom)::text as pt from grids g
      where g.district_code = any ($1::text[]) and g.code = any ($2::text[]) and g.valid_to is null`,
    [[...new Set(districts)], grids],
  );
  const ptOf = new Map(pts.map((p) => [p.code, p.pt]));
  await db.query(
    `insert into grid_component_counts as k (district_code, grid_code, major_code, n, pt)
     select d.district_code, d.grid_code, d.major_code, d.n, d.pt::geometry
       from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[]) as d(district_code, grid_code, major_code, n, pt)
     on conflict (district_code, grid_code, major_code) do update set n = k.n + excluded.n`,
    [districts, grids, pick(d.major_code), pick(d.n), grids.map((g) => ptOf.get(g) ?? null)],
  );
}

// Cases per UTC day and grid --------------------------------------------------------------------------------------

/** Case count changes: one entry per (district, UTC day YYYY-MM-DD, grid), four arrays of the same length. */
export type DayDeltas = { district_code: string[]; day: string[]; grid_code: string[]; n: number[] };

/**
 * A select of one row of DayDeltas arrays summing `rows`, a relation with district_code, created_at, grid_code and
 * n (+1 a row written, −1 a row's old version or a deleted row); changes that net to zero are left out.
 */
export function dayDeltasSql(rows: string): string {
  const key = 'order by d.district_code, d.day, d.grid_code';
  return `select coalesce(array_agg(d.district_code ${key}), '{}') as district_code,
                 coalesce(array_agg(to_char(d.day, 'YYYY-MM-DD') ${key}), '{}') as day,
                 coalesce(array_agg(d.grid_code ${key}), '{}') as grid_code,
                 coalesce(array_agg(d.n ${key}), '{}') as n
            from (select r.district_code, (r.created_at at time zone 'UTC')::date as day, r.grid_code, sum(r.n)::int as n
                    from ${rows} r group by 1, 2, 3) d
           where d.n <> 0`;
}

/** Day changes of case rows (each `sign`: +1 written, −1 removed or replaced). */
export function dayDeltasOf(rows: readonly { district_code: string; created_at: Date; grid_code: string }[], sign: 1 | -1 = 1): DayDeltas {
  return sumDays(rows.map((r) => [r.district_code, r.created_at.toISOString().slice(0, 10), r.grid_code, sign]));
}

/** Day changes of case rows in COPY text with `columns` (each row +1); created_at as the COPY sends it (ISO, UTC). */
export function dayDeltasOfCopy(columns: readonly string[], text: string): DayDeltas {
  return sumDays(copyFields(columns, text, ['district_code', 'created_at', 'grid_code'], 'cases', 'keep case_grid_days')
    .map(([d, t, g]) => [d, new Date(t).toISOString().slice(0, 10), g, 1]));
}

function sumDays(rows: readonly [string, string, string, number][]): DayDeltas {
  const [[district_code, day, grid_code], n] = sumKeyed(rows.map(([d, day, g, k]) => [[d, day, g], k]), 3);
  return { district_code, day, grid_code, n };
}

/** Both changes together (a move: the old rows' −1 and the new rows' +1). */
export function plusDays(a: DayDeltas, b: DayDeltas): DayDeltas {
  return sumDays([a, b].flatMap((d) => d.n.map((n, i): [string, string, string, number] => [d.district_code[i], d.day[i], d.grid_code[i], n])));
}

/**
 * Applies case count changes: decreases update existing rows (a row at zero is kept, harmless to a sum, as in 0017),
 * increases are upserted. A decrease of a missing row changes nothing (the counts were already wrong).
 */
export async function applyDayDeltas(db: Queryable, d: DayDeltas): Promise<void> {
  const down = d.n.map((_, i) => i).filter((i) => d.n[i] < 0);
  const up = d.n.map((_, i) => i).filter((i) => d.n[i] > 0);
  const args = (ix: number[]) => [ix.map((i) => d.district_code[i]), ix.map((i) => d.day[i]), ix.map((i) => d.grid_code[i]), ix.map((i) => d.n[i])];
  const DAYS = 'unnest($1::text[], $2::date[], $3::text[], $4::int[]) as d(district_code, day, grid_code, n)';
  if (down.length) {
    await db.query(
      `update case_grid_days k set n = k.n + d.n from ${DAYS}
        where k.district_code = d.district_code and k.day = d.day and k.grid_code = d.grid_code`, args(down));
  }
  const UPSERT = 'on conflict (district_code, day, grid_code) do update set n = k.n + excluded.n';
  if (up.length === 1) {
    // One case written (every intake, every action moving a case): a plain values row, which Citus routes to the
    // district's shard; an insert … select from unnest is planned on the coordinator, its rows pulled there and sent
    // on (issue 12, the province bench's intake routing). Same row, same upsert.
    const [i] = up;
    await db.query(`insert into case_grid_days as k (district_code, day, grid_code, n) values ($1, $2::date, $3, $4) ${UPSERT}`,
      [d.district_code[i], d.day[i], d.grid_code[i], d.n[i]]);
  } else if (up.length) {
    await db.query(
      `insert into case_grid_days as k (district_code, day, grid_code, n) select d.district_code, d.day, d.grid_code, d.n from ${DAYS}
       ${UPSERT}`, args(up));
  }
}

/**
 * Recounts one district's case_grid_days from its cases (a bulk loader that wrote cases with its own SQL, e.g. the
 * benches): the district's rows are replaced by a fresh count. Not for concurrent writers of that district.
 */
export async function recountDays(db: Queryable, district_code: string): Promise<void> {
  await db.query('delete from case_grid_days where district_code = $1', [district_code]);
  const { rows: [fresh] } = await db.query<DayDeltas>(dayDeltasSql(
    `(select district_code, created_at, grid_code, 1 as n from cases where district_code = $1)`), [district_code]);
  await applyDayDeltas(db, fresh);
}
