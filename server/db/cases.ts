// Cases, suspensions, trail, idempotency keys and case events: the only SQL for those tables.
import type { Queryable } from './types.js';
import { prepared } from './prepared.js';
import { lightAtSqlExpression } from '../domain/lights.js';
import { caseNo } from '../domain/codes.js';
import { districtOfCaseId } from '../domain/case-ids.js';
import type { CaseSearch, CaseSort, SearchRefs } from '../domain/case-search.js';
import type { CaseStatus, ClosingType } from '../domain/workflow.js';
import type { Viewer } from '../domain/visibility.js';
import { districtWhere, visibleWhere } from './visibility.js';
import { CASE_TILE_COLUMNS, caseChangeOf, noteCaseChange } from './tile-bumps.js';
import { applyDayDeltas, dayDeltasOf, plusDays } from './grid-counts.js';

export type CaseRow = {
  id: string; case_no: string; status: CaseStatus; source: string; kind: 'component_anomaly' | 'event'; class_code: string; condition: string | null;
  component_id: string | null; description: string | null; address: string | null; lon: number; lat: number;
  district_code: string; street_code: string; community_code: string; grid_code: string; responsibility_code: string | null;
  reporter_id: number | null; reporter_name: string | null; reporter_phone: string | null; self_handled: boolean; urgent: boolean;
  department_id: number | null; suggested_department_id: number | null; suggestion_taken: boolean | null;
  pending_application: 'return' | 'extension' | 'suspension' | null; pending_extension_hours: number | null;
  verify_found: boolean | null; handled_late: boolean; urged: boolean;
  return_count: number; rework_count: number; urge_count: number; extension_count: number; extension_hours: number; suspension_count: number;
  suspended_at: Date | null; closing_type: ClosingType | null; void_reason: string | null;
  step: string | null; step_started_at: Date | null; step_deadline_at: Date | null; yellow_at: Date | null; red_at: Date | null;
  handling_started_at: Date | null; handling_deadline_at: Date | null; overdue_after: Date | null;
  filed_at: Date | null; dispatched_at: Date | null; closed_at: Date | null; merged_into: string | null;
  trail_head: string; version: number; created_at: Date; updated_at: Date;
  /** live, imported (from another system, by source id) or simulated (the demo's generated history). */
  origin: 'live' | 'imported' | 'simulated'; source_system: string | null; source_id: string | null; source_type: string | null;
  light: 'green' | 'yellow' | 'red' | null;
};

/**
 * A case as the rows of its case_* tables are keyed (migrations 0064, 0065: (case_id, district_code)). Their reads
 * name the district too: on Citus, with those tables distributed by district_code, that routes a read to the
 * case's one shard instead of every shard (docs/citus.md). A CaseRow is one; callers hold the case, read first.
 */
export type CaseKey = { readonly id: string; readonly district_code: string };

/**
 * Parameters for reading many cases' rows, `case_id = any($i::uuid[]) and district_code = any($d::text[])`: the ids
 * and their distinct districts (the same rows as by id alone, each row carrying its case's district; on Citus, only
 * those districts' shards).
 */
export const caseKeyArrays = (cases: readonly CaseKey[]): [string[], string[]] =>
  [cases.map((c) => c.id), [...new Set(cases.map((c) => c.district_code))]];

/** Writable columns (everything but id, geometry-derived lon/lat and light). */
export const CASE_FIELDS = [
  'case_no', 'status', 'source', 'kind', 'class_code', 'condition', 'component_id', 'description', 'address',
  'district_code', 'street_code', 'community_code', 'grid_code', 'responsibility_code', 'reporter_id', 'reporter_name',
  'reporter_phone', 'self_handled', 'urgent', 'department_id', 'suggested_department_id', 'suggestion_taken',
  'pending_application', 'pending_extension_hours', 'verify_found', 'handled_late', 'urged', 'return_count',
  'rework_count', 'urge_count', 'extension_count', 'extension_hours', 'suspension_count', 'suspended_at', 'closing_type',
  'void_reason', 'step', 'step_started_at', 'step_deadline_at', 'yellow_at', 'red_at', 'handling_started_at',
  'handling_deadline_at', 'overdue_after', 'filed_at', 'dispatched_at', 'closed_at', 'merged_into', 'trail_head',
  'version', 'created_at', 'updated_at', 'origin', 'source_system', 'source_id', 'source_type',
] as const;
export type CaseField = (typeof CASE_FIELDS)[number];

/** The light of a case's current step at `$1` (now): the same thresholds as domain/lights.ts. */
export const LIGHT_SQL = `(case when c.red_at is null or c.status in ('closed', 'void', 'suspended') then null
  else ${lightAtSqlExpression('$1::timestamptz', 'c.yellow_at', 'c.red_at')} end)`;

const SELECT = `c.id::text as id, ${CASE_FIELDS.map((f) => `c.${f}`).join(', ')}, st_x(c.geom) as lon, st_y(c.geom) as lat, ${LIGHT_SQL} as light`;

export async function insert(db: Queryable, row: Partial<Record<CaseField | 'id', unknown>> & { lon: number; lat: number }, now: Date): Promise<CaseRow> {
  await lockBeforeCaseWrite(db);
  const fields = (['id', ...CASE_FIELDS] as const).filter((f) => row[f] !== undefined);
  const params: unknown[] = [now, ...fields.map((f) => row[f]), row.lon, row.lat];
  const { rows } = await db.query<CaseRow>(
    `insert into cases as c (${fields.join(', ')}, geom)
     values (${fields.map((_, i) => `$${i + 2}`).join(', ')}, st_setsrid(st_makepoint($${fields.length + 2}, $${fields.length + 3}), 4326))
     returning ${SELECT}`,
    params,
  );
  await noteCaseChange(db, caseChangeOf(rows)); // its point and community, bumped at commit (db/tile-bumps.ts)
  await applyDayDeltas(db, dayDeltasOf(rows)); // case_grid_days (db/grid-counts.ts)
  return rows[0];
}

/**
 * One case by id; with `district`, only if it is a case of that district (a district-scoped user's reads and every
 * write of a case whose district is known: on Citus the statement then goes to that district's shard alone).
 * Without one, the district the id names (domain/case-ids.ts: every case made since migrations/0068), so a user of
 * every district reads and locks on one shard too; an id that names none (a v4 id made before) is read by id alone.
 */
export async function get(db: Queryable, id: string, now: Date, forUpdate = false, district: string | null = null): Promise<CaseRow | null> {
  if (!district) {
    // The id's district, checked against the row (0068 holds a new row to it): an old row of that shape made outside
    // the application (not checked by 0068) that is not there is read again by id alone, below.
    const named = districtOfCaseId(id);
    if (named) {
      const found = await byId(db, id, now, forUpdate, named);
      if (found) return found;
    }
  }
  if (forUpdate && !district) {
    // A lock names the case's district: on Citus a row is locked only by a statement sent to one shard ("could not
    // run distributed query with FOR UPDATE"), and a case never changes district, so reading it first, unlocked,
    // is safe. On PostgreSQL one more index probe, for a user of every district only.
    district = (await db.query<{ d: string }>('select district_code as d from cases where id = $1', [id])).rows[0]?.d ?? null;
    if (!district) return null;
  }
  return byId(db, id, now, forUpdate, district);
}

async function byId(db: Queryable, id: string, now: Date, forUpdate: boolean, district: string | null): Promise<CaseRow | null> {
  const { rows } = await db.query<CaseRow>(
    `select ${SELECT} from cases c where c.id = $2${district ? ' and c.district_code = $3' : ''} ${forUpdate ? 'for update' : ''}`,
    district ? [now, id, district] : [now, id]);
  return rows[0] ?? null;
}

/**
 * Applies `patch` only if the case is still at `version`; returns null when someone changed it first. `district`:
 * the case's district, when the caller knows it (it has read the case), so the update names its shard. A patch
 * touching a column a cases tile reads also returns whether one of them changed (its old values, read in the same
 * statement), and then notes the case's point and old and new community for the tile generations' bump.
 */
export async function update(db: Queryable, id: string, version: number, patch: Partial<Record<CaseField, unknown>>, now: Date,
  district: string | null = null): Promise<CaseRow | null> {
  await lockBeforeCaseWrite(db);
  const fields = (Object.keys(patch) as CaseField[]).filter((f) => CASE_FIELDS.includes(f) && f !== 'version');
  // A patch touching a column a cases tile reads, or moving the case in case_grid_days (its district, grid or day),
  // reads the case's old values in the same statement (`o`) and returns them beside the new row.
  const moves = fields.some((f) => f === 'district_code' || f === 'grid_code' || f === 'created_at');
  const sets = fields.map((f, i) => `${f} = $${i + 4}`);
  const params = [now, id, version, ...fields.map((f) => patch[f])];
  if (district) params.push(district);
  const inDistrict = (t: string) => (district ? ` and ${t}.district_code = $${params.length}` : '');
  const tiles = fields.some((f) => (CASE_TILE_COLUMNS as readonly string[]).includes(f));
  const cols = (t: string) => CASE_TILE_COLUMNS.map((k) => `${t}.${k}`).join(', ');
  const olds = [
    ...(tiles ? [`(${cols('c')}) is distinct from (${cols('o')}) as tile_changed`, 'o.community_code as old_community_code'] : []),
    ...(moves ? ['o.district_code as old_district_code', 'o.created_at as old_created_at', 'o.grid_code as old_grid_code'] : []),
  ];
  type Old = { tile_changed?: boolean; old_community_code?: string; old_district_code?: string; old_created_at?: Date; old_grid_code?: string };
  const { rows } = await db.query<CaseRow & Old>(
    `update cases c set ${[...sets, 'version = c.version + 1'].join(', ')}
       ${olds.length ? `from (select ${cols('o')}, o.district_code from cases o where o.id = $2${inDistrict('o')}) o` : ''}
      where c.id = $2 and c.version = $3${inDistrict('c')}
  returning ${[SELECT, ...olds].join(', ')}`,
    params,
  );
  if (!rows[0]) return null;
  const { tile_changed, old_community_code, old_district_code, old_created_at, old_grid_code, ...row } = rows[0];
  if (moves) {
    const old = { district_code: old_district_code!, created_at: old_created_at!, grid_code: old_grid_code! };
    await applyDayDeltas(db, plusDays(dayDeltasOf([old], -1), dayDeltasOf([row]))); // case_grid_days (db/grid-counts.ts)
  }
  if (tile_changed) await noteCaseChange(db, caseChangeOf([row, { ...row, community_code: old_community_code ?? null }]));
  return row;
}

/** A case search (domain/case-search.ts) with paging and the caller's visibility. */
export type CaseFilter = Omit<CaseSearch, 'sort'> & {
  sort?: CaseSort; limit: number; offset: number;
  /** Only the cases this viewer may see (domain/visibility.ts; the SQL is db/visibility.ts). */
  viewer: Viewer;
  /** Only the cases of this district (the viewer's, db/visibility.ts districtOf); null or absent: every district. */
  district?: string | null;
};

const ORDER: Record<CaseSort, string> = {
  light: `case ${LIGHT_SQL} when 'red' then 0 when 'yellow' then 1 when 'green' then 2 else 3 end, c.updated_at desc, c.id`,
  newest: 'c.created_at desc, c.id desc',
  oldest: 'c.created_at, c.id',
};

/** The where clause of a filter; `$1` is always `now` (the light). */
function whereOf(f: CaseFilter, params: unknown[]): string {
  const where: string[] = [];
  const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
  if (f.text) {
    // three index-friendly tests OR-ed: case_no text_pattern_ops for the prefix, trigram GIN (0018) for the text
    const contains = p(f.text.contains);
    where.push(`(c.case_no like ${p(f.text.prefix)} or c.description ilike ${contains} or c.address ilike ${contains})`);
  }
  if (f.class_code) where.push(`c.class_code = ${p(f.class_code)}`);
  if (f.major_code) where.push(`c.class_code like ${p(`${f.major_code}%`)}`);
  if (f.grid) where.push(`c.grid_code = ${p(f.grid)}`);
  if (f.community) where.push(`c.community_code = ${p(f.community)}`);
  if (f.street) where.push(`c.street_code = ${p(f.street)}`);
  if (f.department !== undefined) where.push(`c.department_id = ${p(f.department)}`);
  if (f.status?.length) where.push(`c.status = any(${p(f.status)}::text[])`);
  if (f.source?.length) where.push(`c.source = any(${p(f.source)}::text[])`);
  if (f.origin?.length) where.push(`c.origin = any(${p(f.origin)}::text[])`);
  if (f.light) where.push(`${LIGHT_SQL} = ${p(f.light)}`);
  if (f.created_from) where.push(`c.created_at >= ${p(f.created_from)}`);
  if (f.created_before) where.push(`c.created_at < ${p(f.created_before)}`);
  const inDistrict = districtWhere(f.district, p);
  if (inDistrict) where.unshift(inDistrict);
  const visible = visibleWhere(f.viewer, p);
  if (visible) where.push(visible);
  return where.length ? `where ${where.join(' and ')}` : '';
}

/** One page of the cases matching `f`, and how many match in all. */
export async function list(db: Queryable, f: CaseFilter, now: Date): Promise<{ items: CaseRow[]; total: number }> {
  const params: unknown[] = [now];
  const w = whereOf(f, params);
  const { rows } = await db.query<CaseRow>(
    `select ${SELECT} from cases c ${w}
      order by ${ORDER[f.sort ?? 'light']}
      limit ${Number(f.limit)} offset ${Number(f.offset)}`,
    params,
  );
  const count = await db.query<{ n: number }>(`select count(*)::int as n, $1::timestamptz as at from cases c ${w}`, params);
  return { items: rows, total: count.rows[0].n };
}

/** Which of the codes a search names the database does not know (any version of a grid counts: old cases keep old codes). */
export async function unknownRefs(db: Queryable, r: SearchRefs): Promise<(keyof SearchRefs)[]> {
  const { rows } = await db.query<Record<keyof SearchRefs, boolean>>(
    `select ($1::text is null or exists (select 1 from classes where kind = 'matter' and code = $1)) as class_code,
            ($2::text is null or exists (select 1 from classes where kind = 'matter' and major_code = $2)) as major_code,
            ($3::text is null or exists (select 1 from grids where code = $3)) as grid,
            ($4::text is null or exists (select 1 from regions where code = $4 and level = 'community')) as community,
            ($5::text is null or exists (select 1 from regions where code = $5 and level = 'street')) as street,
            ($6::bigint is null or exists (select 1 from departments where id = $6)) as department`,
    [r.class_code ?? null, r.major_code ?? null, r.grid ?? null, r.community ?? null, r.street ?? null, r.department ?? null],
  );
  return (Object.keys(rows[0]) as (keyof SearchRefs)[]).filter((k) => !rows[0][k]);
}

/** Open cases of the same class within `meters` of a point (possible duplicates), nearest first. */
const nearbySql = (inDistrict: boolean) => prepared(`
  select c.id::text as id, c.case_no, c.status, c.department_id, c.reporter_id, c.responsibility_code,
         round(st_distance(c.geom::geography, st_setsrid(st_makepoint($3, $4), 4326)::geography))::int as distance_m
    from cases c
   where c.geom && st_expand(st_setsrid(st_makepoint($3::float8, $4::float8), 4326), $5::float8 / 111320 / greatest(cos(radians($4::float8)), 0.01))
     and c.class_code = $2 and c.status not in ('closed', 'void') and ($6::uuid is null or c.id <> $6::uuid) and c.merged_into is null
     and st_dwithin(c.geom::geography, st_setsrid(st_makepoint($3, $4), 4326)::geography, $5)
     and c.created_at <= $1${inDistrict ? ' and c.district_code = $7' : ''}
   order by distance_m limit 10`);
const NEARBY_OPEN = nearbySql(false);
const NEARBY_OPEN_IN_DISTRICT = nearbySql(true);

/** Open cases of the same class within `meters` of a point (possible duplicates), nearest first, with the fields
 * visibility depends on (domain/visibility.ts). The box test (degrees of longitude shrink with latitude) lets the
 * GiST index find candidates before the exact distance. */
export async function nearbyOpen(db: Queryable, p: { class_code: string; lon: number; lat: number; meters: number; exclude: string | null; district?: string | null },
  now: Date) {
  const { rows } = await db.query<{
    id: string; case_no: string; status: CaseStatus; distance_m: number;
    department_id: number | null; reporter_id: number | null; responsibility_code: string | null;
  }>(p.district ? NEARBY_OPEN_IN_DISTRICT : NEARBY_OPEN, [now, p.class_code, p.lon, p.lat, p.meters, p.exclude, ...(p.district ? [p.district] : [])]);
  const id = (v: number | null) => (v === null ? null : Number(v)); // bigint: a number on both engines
  return rows.map((r) => ({ ...r, department_id: id(r.department_id), reporter_id: id(r.reporter_id) }));
}

// Case numbers ---------------------------------------------------------------------------------------------------

/** What a new case's number depends on: its district and its local report date (YYYY-MM-DD, the district's calendar). */
export type CaseNoKey = { district_code: string; local_date: string };

/**
 * Takes `n` serials of each (district, local date) from case_no_counters in one upsert and returns the last serial of
 * each block, in the order given (its first is last − n + 1). The upsert is atomic per row: two transactions taking
 * from the same district and day get disjoint blocks, the second waiting for the first's row until it commits (a
 * rolled-back block is handed out again: numbers have no gaps). Keys must be distinct; give them in one order (as
 * caseNumbers does, sorted) so two writers lock rows in the same order.
 */
export async function takeCaseSerials(db: Queryable, blocks: readonly (CaseNoKey & { n: number })[]): Promise<number[]> {
  if (!blocks.length) return [];
  const { rows } = blocks.length === 1
    ? await db.query<CounterRow>(TAKE_ONE, [blocks[0].district_code, blocks[0].local_date, blocks[0].n])
    : await db.query<CounterRow>(TAKE_MANY, [blocks.map((b) => b.district_code), blocks.map((b) => b.local_date), blocks.map((b) => b.n)]);
  const dayOf = (epochDay: number | string) => new Date(Number(epochDay) * 86_400_000).toISOString().slice(0, 10);
  const last = new Map(rows.map((r) => [`${r.district_code} ${dayOf(r.epoch_day)}`, Number(r.last_no)]));
  return blocks.map((b) => last.get(`${b.district_code} ${b.local_date}`)!);
}

// The day comes back as days since 1970-01-01 (date − date, immutable): Citus's router refuses a function that is not
// immutable in RETURNING, and to_char or a date's text depend on settings.
type CounterRow = { district_code: string; epoch_day: number | string; last_no: string | number };
const TAKE = (rows: string) => `insert into case_no_counters as k (district_code, local_date, last_no) ${rows}
  on conflict (district_code, local_date) do update set last_no = k.last_no + excluded.last_no
  returning k.district_code, k.local_date - date '1970-01-01' as epoch_day, k.last_no`;
// An intake's one block as VALUES: once the counters are distributed, a single-row upsert goes straight to its
// shard (Citus's fast path); the unnest of a batch goes through the coordinator (an intermediate result per shard).
const TAKE_ONE = prepared(TAKE('values ($1, $2::date, $3::bigint)'));
const TAKE_MANY = TAKE('select * from unnest($1::text[], $2::date[], $3::bigint[])');

/**
 * The numbers of new cases, one per key, in the order given (domain/codes.ts caseNo): per district and local day
 * consecutive serials from case_no_counters (migrations/0063), one block per (district, day) however many cases.
 * Taken under the case-write lock (lockCaseWrites), as the insert that follows: a transaction never holds a
 * counter row while it waits for that lock, so the counters add no lock cycle between case writers (a transaction
 * that wrote a case and then numbers another, an import's next batch, would otherwise wait for a counter row held by
 * an intake that waits for the lock).
 */
export async function caseNumbers(db: Queryable, keys: readonly CaseNoKey[]): Promise<string[]> {
  if (!keys.length) return [];
  await lockBeforeCaseWrite(db);
  const counts = new Map<string, { key: CaseNoKey; n: number }>();
  for (const k of keys) {
    const id = `${k.district_code} ${k.local_date}`;
    const c = counts.get(id);
    if (c) c.n++;
    else counts.set(id, { key: k, n: 1 });
  }
  const ids = [...counts.keys()].sort();
  const last = await takeCaseSerials(db, ids.map((id) => ({ ...counts.get(id)!.key, n: counts.get(id)!.n })));
  const next = new Map(ids.map((id, i) => [id, last[i] - counts.get(id)!.n + 1]));
  return keys.map((k) => {
    const id = `${k.district_code} ${k.local_date}`;
    const n = next.get(id)!;
    next.set(id, n + 1);
    return caseNo(k.district_code, k.local_date, n);
  });
}

/** The number of one new case of `district` reported on `localDate` (YYYY-MM-DD, the district's calendar). */
export async function nextCaseNo(db: Queryable, district: string, localDate: string): Promise<string> {
  return (await caseNumbers(db, [{ district_code: district, local_date: localDate }]))[0];
}

// Suspensions ----------------------------------------------------------------------------------------------------

export async function suspensions(db: Queryable, c: CaseKey): Promise<{ started_at: Date; ended_at: Date | null }[]> {
  const { rows } = await db.query<{ started_at: Date; ended_at: Date | null }>(
    'select started_at, ended_at from case_suspensions where case_id = $1 and district_code = $2 order by started_at', [c.id, c.district_code]);
  return rows;
}

/** `district_code`: the case's (the row carries it, part of its key to cases; migrations/0064). */
export async function openSuspension(db: Queryable, caseId: string, district_code: string, at: Date): Promise<void> {
  await db.query('insert into case_suspensions (case_id, district_code, started_at) values ($1, $2, $3)', [caseId, district_code, at]);
}

export async function closeSuspension(db: Queryable, caseId: string, district_code: string, at: Date): Promise<void> {
  await db.query('update case_suspensions set ended_at = $3 where case_id = $1 and district_code = $2 and ended_at is null', [caseId, district_code, at]);
}

// Trail ----------------------------------------------------------------------------------------------------------

export type TrailRow = {
  case_id: string; seq: number; at: Date; actor: string | null; role: string | null; action: string;
  from_status: string | null; to_status: string; note: string | null; photo_ids: string[] | null;
  deadline_at: Date | null; data: Record<string, unknown> | null; prev_hash: string; hash: string;
};

const TRAIL_COLUMNS = 'case_id::text as case_id, seq, at, actor, role, action, from_status, to_status, note, photo_ids, deadline_at, data, prev_hash, hash';

/**
 * Appends one chained entry (domain/trail.ts chainEntry) of a case of `district_code` (the case's: the entry's key to
 * cases, migrations/0064; not part of the hash); missing optional fields are stored as null.
 */
export async function appendTrail(db: Queryable, district_code: string, e: Omit<TrailRow, 'note' | 'photo_ids' | 'deadline_at' | 'data' | 'at'> & {
  at: Date | string; note?: string | null; photo_ids?: readonly string[] | null; deadline_at?: Date | string | null; data?: Readonly<Record<string, unknown>> | null;
}): Promise<void> {
  await db.query(
    `insert into case_trail (case_id, district_code, seq, at, actor, role, action, from_status, to_status, note, photo_ids, deadline_at, data, prev_hash, hash)
     values ($1, $15, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [e.case_id, e.seq, e.at, e.actor, e.role, e.action, e.from_status, e.to_status, e.note ?? null, e.photo_ids ?? null, e.deadline_at ?? null,
      e.data == null ? null : JSON.stringify(e.data), e.prev_hash, e.hash, district_code],
  );
}

export async function trail(db: Queryable, c: CaseKey): Promise<TrailRow[]> {
  const { rows } = await db.query<TrailRow>(`select ${TRAIL_COLUMNS} from case_trail where case_id = $1 and district_code = $2 order by seq`, [c.id, c.district_code]);
  return rows;
}

/** A trail entry as read for people: the actor's display name beside the id the hash covers. */
export type NamedTrailRow = TrailRow & { actor_name: string | null };

/**
 * The trail with each actor's name (display name, else username; null for the public, the system or a user id that
 * no longer resolves). Only for reading: verification uses `trail`, whose rows are exactly what the hash covers.
 */
export async function namedTrail(db: Queryable, c: CaseKey): Promise<NamedTrailRow[]> {
  const { rows } = await db.query<NamedTrailRow>(
    `select t.*, case when u.id is null then null when u.display_name <> '' then u.display_name else u.username end as actor_name
       from (select ${TRAIL_COLUMNS} from case_trail where case_id = $1 and district_code = $2) t
       left join users u on u.id::text = t.actor
      order by t.seq`, [c.id, c.district_code]);
  return rows;
}

export async function lastTrail(db: Queryable, c: CaseKey): Promise<{ seq: number; hash: string } | null> {
  const { rows } = await db.query<{ seq: number; hash: string }>(
    'select seq, hash from case_trail where case_id = $1 and district_code = $2 order by seq desc limit 1', [c.id, c.district_code]);
  return rows[0] ?? null;
}

/** Every case id (with its district, to read its trail) and stored head, page by page (for verifying all chains). */
export async function caseHeads(db: Queryable, after: string | null, limit: number): Promise<{ id: string; district_code: string; case_no: string; trail_head: string }[]> {
  const { rows } = await db.query<{ id: string; district_code: string; case_no: string; trail_head: string }>(
    `select id::text as id, district_code, case_no, trail_head from cases where ($1::uuid is null or id > $1::uuid) order by id limit ${Number(limit)}`,
    [after]);
  return rows;
}

// Idempotency ----------------------------------------------------------------------------------------------------

/** Takes the key's transaction lock; false when another transaction holds it (a retry while the first runs). */
export async function lockKey(db: Queryable, scope: string, key: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(`select pg_try_advisory_xact_lock(hashtextextended($1, 7)) as ok`, [`${scope}\n${key}`]);
  return rows[0].ok;
}

export async function findKey(db: Queryable, scope: string, key: string): Promise<{ request_hash: string; case_id: string } | null> {
  const { rows } = await db.query<{ request_hash: string; case_id: string }>(
    'select request_hash, case_id::text as case_id from idempotency_keys where scope = $1 and key = $2', [scope, key]);
  return rows[0] ?? null;
}

/** `district_code`: the case's (0065); the key stays (scope, key), read before the case and its district exist. */
export async function saveKey(db: Queryable, p: { scope: string; key: string; request_hash: string; case_id: string; district_code: string; now: Date }): Promise<void> {
  await db.query('insert into idempotency_keys (scope, key, request_hash, case_id, district_code, created_at) values ($1, $2, $3, $4, $5, $6)',
    [p.scope, p.key, p.request_hash, p.case_id, p.district_code, p.now]);
}

// Events (the live stream's source) ------------------------------------------------------------------------------

export const EVENTS_CHANNEL = 'gridline_case_events';
const EVENT_LOCK = 7_242_001;

/**
 * Takes the case-write lock (the live events' advisory lock, held to commit) before a statement fires the cases
 * triggers. Every case write takes it first (insert, update; again, at no cost, in appendEvent), so two case-writing
 * transactions never hold each other's trigger rows: the triggers of a case write lock a row of case_grid_days (the
 * case's grid and day) and then the 'cases' row of tile_generations, and a transaction writing a second case (a
 * merge, a test's transaction) wanted a case_grid_days row that a writer waiting for tile_generations held: a
 * deadlock, which Citus's distributed detector was the first to cancel (issue 12). The writes serialised on
 * tile_generations from the statement on already; now from the lock, before any of those rows. A case's own row is
 * locked earlier, by `get … for update` (which keeps the serialised part short): a transaction acting on a case
 * reads it for update before writing anything, so it waits for that row holding none of the triggers' rows.
 */
export async function lockCaseWrites(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(${EVENT_LOCK})`);
}

/** lockCaseWrites before a case statement; PGlite serves one connection, so there it would never wait: skipped. */
async function lockBeforeCaseWrite(db: Queryable): Promise<void> {
  if (db.engine !== 'pglite') await lockCaseWrites(db);
}

/**
 * Records a case change for GET /api/live. The advisory lock (held to commit, lockCaseWrites) makes event ids commit
 * in order; NOTIFY is delivered at commit, so listeners never hear of a change that rolled back. The payload is
 * `<id>:<district>` (eventNotice): a hub that has heard every notice up to an id knows which districts' shards hold
 * the events up to it, and reads only those (eventsHeard, issue 12).
 */
export async function appendEvent(db: Queryable, p: { case_id: string; district_code: string; version: number; at: Date; payload: Record<string, unknown> }): Promise<number> {
  await lockCaseWrites(db);
  const { rows } = await db.query<{ id: number }>(
    'insert into case_events (case_id, district_code, version, at, payload) values ($1, $2, $3, $4, $5) returning id',
    [p.case_id, p.district_code, p.version, p.at, JSON.stringify(p.payload)]);
  await db.query(`select pg_notify('${EVENTS_CHANNEL}', $1)`, [eventNotice({ id: Number(rows[0].id), district_code: p.district_code })]);
  return Number(rows[0].id);
}

export type EventRow = { id: number; case_id: string; version: number; payload: Record<string, unknown> };

const EVENTS_AFTER = prepared('select id, case_id::text as case_id, version, payload from case_events where id > $1 order by id limit $2');

export async function eventsAfter(db: Queryable, afterId: number, limit = 1000): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(EVENTS_AFTER, [afterId, limit]);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** An event as a committing transaction or a notice names it: enough to know which shard holds it. */
export type HeardEvent = { id: number; district_code: string };

/** The NOTIFY payload of an event: `<id>:<district>`. */
export function eventNotice(e: HeardEvent): string {
  return `${e.id}:${e.district_code}`;
}

/**
 * Reads a NOTIFY payload of EVENTS_CHANNEL. A bare id (a server process of the previous version, during a rolling
 * restart) gives a null district: the reader cannot tell which shard holds it. Anything else is null.
 */
export function parseEventNotice(payload: string): { id: number; district_code: string | null } | null {
  const m = /^(\d+)(?::(.+))?$/.exec(payload.trim());
  if (!m) return null;
  return { id: Number(m[1]), district_code: m[2] ?? null };
}

const EVENTS_HEARD = prepared(`select id, case_id::text as case_id, version, payload from case_events
  where district_code = any($1::text[]) and id > $2 and id <= $3 order by id limit $4`);

/**
 * The events of `districts` in (afterId, upTo], in id order: the live stream's read when every event in that range
 * is known to be of one of them (on Citus, one task per district's shard rather than all 32).
 */
export async function eventsHeard(db: Queryable, districts: readonly string[], afterId: number, upTo: number, limit = 1000): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(EVENTS_HEARD, [districts, afterId, upTo, limit]);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function lastEventId(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ id: number | null }>('select max(id) as id from case_events');
  return Number(rows[0].id ?? 0);
}
