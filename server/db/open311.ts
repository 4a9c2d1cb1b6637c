// Open311 GeoReport v2 (issue 11): the only SQL for `open311_keys` and `open311_requests` (migrations/0034_open311.sql),
// and the read-only views of cases and trail entries that the public GET answers are built from: never the
// reporter's name, phone or e-mail.
import type { Queryable } from './types.js';
import type { CaseStatus } from '../domain/workflow.js';
import type { RequestSource, UpdateSource } from '../domain/open311.js';
import { districtWhere } from './visibility.js';
import { districtOfCode } from '../domain/codes.js';

export type KeySource = 'public' | 'hotline' | 'media';
export type KeyAnswer = 'service_request_id' | 'token';

export type Open311KeyRow = {
  id: number; name: string; source: KeySource; answer: KeyAnswer; key_prefix: string;
  /** The district the key is bound to (0052; issue 12), or null: every district. */
  district_code: string | null;
  created_at: Date; created_by: number | null; revoked_at: Date | null; revoked_by: number | null;
};

const KEY_COLUMNS = 'id::float8 as id, name, source, answer, key_prefix, district_code, created_at, created_by::float8 as created_by, revoked_at, revoked_by::float8 as revoked_by';

export async function insertKey(db: Queryable, k: {
  name: string; source: KeySource; answer: KeyAnswer; key_hash: string; key_prefix: string; district_code: string | null; created_at: Date; created_by: number | null;
}): Promise<Open311KeyRow> {
  const { rows } = await db.query<Open311KeyRow>(
    `insert into open311_keys (name, source, answer, key_hash, key_prefix, district_code, created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8)
     returning ${KEY_COLUMNS}`,
    [k.name, k.source, k.answer, k.key_hash, k.key_prefix, k.district_code, k.created_at, k.created_by],
  );
  return rows[0];
}

export async function listKeys(db: Queryable): Promise<Open311KeyRow[]> {
  return (await db.query<Open311KeyRow>(`select ${KEY_COLUMNS} from open311_keys order by id`)).rows;
}

/** Revokes a key that is not revoked yet; null when there is no such key or it was revoked before. */
export async function revokeKey(db: Queryable, id: number, at: Date, by: number | null): Promise<Open311KeyRow | null> {
  const { rows } = await db.query<Open311KeyRow>(
    `update open311_keys set revoked_at = $2, revoked_by = $3 where id = $1 and revoked_at is null returning ${KEY_COLUMNS}`, [id, at, by]);
  return rows[0] ?? null;
}

export async function getKey(db: Queryable, id: number): Promise<Open311KeyRow | null> {
  return (await db.query<Open311KeyRow>(`select ${KEY_COLUMNS} from open311_keys where id = $1`, [id])).rows[0] ?? null;
}

/** The key with this hash that is not revoked. */
export async function activeKeyByHash(db: Queryable, key_hash: string): Promise<Open311KeyRow | null> {
  return (await db.query<Open311KeyRow>(`select ${KEY_COLUMNS} from open311_keys where key_hash = $1 and revoked_at is null`, [key_hash])).rows[0] ?? null;
}

export type Open311RequestRow = {
  /** `district_code`: the case's (0065). */
  case_id: string; district_code: string; key_id: number; token: string; client_request_id: string | null; media_url: string | null;
  email: string | null; device_id: string | null; account_id: string | null; created_at: Date;
};

export async function insertRequest(db: Queryable, r: Open311RequestRow): Promise<void> {
  await db.query(
    `insert into open311_requests (case_id, district_code, key_id, token, client_request_id, media_url, email, device_id, account_id, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [r.case_id, r.district_code, r.key_id, r.token, r.client_request_id, r.media_url, r.email, r.device_id, r.account_id, r.created_at],
  );
}

export async function requestOfCase(db: Queryable, c: { id: string; district_code: string }): Promise<{ token: string } | null> {
  return (await db.query<{ token: string }>('select token from open311_requests where case_id = $1 and district_code = $2', [c.id, c.district_code])).rows[0] ?? null;
}

/** `and c.district_code = $n` for a district (db/visibility.ts districtWhere), '' for every district. */
function andDistrict(district: string | null | undefined, params: unknown[]): string {
  const w = districtWhere(district, (v) => { params.push(v); return `$${params.length}`; });
  return w ? ` and ${w}` : '';
}

/** The case number a token stands for (of `district` only, when given). */
export async function caseNoOfToken(db: Queryable, token: string, district: string | null = null): Promise<string | null> {
  const params: unknown[] = [token];
  const { rows } = await db.query<{ case_no: string }>(
    `select c.case_no from open311_requests r join cases c on c.id = r.case_id and c.district_code = r.district_code where r.token = $1${andDistrict(district, params)}`, params);
  return rows[0]?.case_no ?? null;
}

export type RequestFilter = {
  ids: string[] | null; service_codes: string[] | null; statuses: ('open' | 'closed')[] | null;
  from: Date | null; to: Date | null; limit: number;
  /** Only this district's requests (a jurisdiction_id, or a key bound to a district; issue 12); null: every district. */
  district?: string | null;
};

/**
 * Service requests, newest first: by case numbers (no window), else within [from, to] of created_at. Simulated demo
 * history is left out (it is not something anyone reported). Only public columns are selected.
 */
export async function requestRows(db: Queryable, f: RequestFilter): Promise<RequestSource[]> {
  const closed = f.statuses?.length === 1 ? f.statuses[0] === 'closed' : null;
  const params: unknown[] = [f.ids, f.service_codes, closed, f.from, f.to, f.limit];
  const inDistrict = andDistrict(f.district, params);
  // By case numbers: their districts too (a number starts with its case's district, 0063), so that on Citus only
  // those districts' shards are asked; the same rows everywhere (a number naming no district names no case).
  if (f.ids) params.push([...new Set(f.ids.map(districtOfCode).filter((d): d is string => d !== null))]);
  const ofNumbers = f.ids ? ` and c.district_code = any($${params.length}::text[])` : '';
  const { rows } = await db.query<RequestSource & { status: CaseStatus }>(
    `select c.case_no, c.status, c.class_code, k.name_zh as class_name, c.description, d.name as department_name,
            c.created_at, c.updated_at, c.handling_deadline_at as deadline_at, c.address,
            st_x(c.geom) as lon, st_y(c.geom) as lat, r.media_url, c.district_code, c.pending_application, c.closing_type,
            (c.merged_into is not null) as merged
       from cases c
       left join classes k on k.kind = 'matter' and k.code = c.class_code
       left join departments d on d.id = c.department_id
       left join open311_requests r on r.case_id = c.id and r.district_code = c.district_code
      where c.origin <> 'simulated'
        and ($1::text[] is null or c.case_no = any($1::text[]))
        and ($2::text[] is null or c.class_code = any($2::text[]))
        and ($3::boolean is null or (c.status in ('closed', 'void')) = $3)
        and ($4::timestamptz is null or c.created_at >= $4)
        and ($5::timestamptz is null or c.created_at <= $5)${inDistrict}${ofNumbers}
      order by c.created_at desc, c.case_no desc
      limit $6`,
    params,
  );
  return rows.map((r) => ({ ...r, lon: Number(r.lon), lat: Number(r.lat) }));
}

/** Trail entries within [from, to] (their time), oldest first, with their case number; demo history left out; of `district` only when given. */
export async function updateRows(db: Queryable, w: { from: Date; to: Date; limit: number; district?: string | null }): Promise<UpdateSource[]> {
  const params: unknown[] = [w.from, w.to, w.limit];
  const { rows } = await db.query<UpdateSource & { id: number | string }>(
    `select t.id::float8 as id, c.case_no, t.at, t.action, t.to_status
       from case_trail t join cases c on c.id = t.case_id and c.district_code = t.district_code
      where t.at >= $1 and t.at <= $2 and c.origin <> 'simulated'${andDistrict(w.district, params)}
      order by t.at, t.id
      limit $3`,
    params,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** The district codes served (jurisdiction_id). */
export async function districtCodes(db: Queryable): Promise<string[]> {
  return (await db.query<{ code: string }>(`select code from regions where level = 'district' order by code`)).rows.map((r) => r.code);
}
