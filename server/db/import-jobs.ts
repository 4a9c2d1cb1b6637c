// Import jobs of the admin console (导入任务): the only SQL for `import_jobs` (migrations/0030_admin_console.sql).
import type { Queryable } from './types.js';

export type ImportKind = 'components' | 'cases';
export type JobStatus = 'running' | 'done' | 'failed';
export type RejectedRow = { row: number; code: string; reason: string; params?: Record<string, string | number> };

export type ImportJobRow = {
  id: string; kind: ImportKind; status: JobStatus; created_by: number | null; created_by_username: string | null;
  created_at: Date; finished_at: Date | null; file_name: string | null; bytes: number;
  options: Record<string, unknown>; result: Record<string, number> | null; error: { code: string; message: string } | null;
};

const COLUMNS = `j.id, j.kind, j.status, j.created_by, u.username as created_by_username, j.created_at, j.finished_at, j.file_name,
  j.bytes, j.options, j.result, j.error`;
type Raw = Omit<ImportJobRow, 'created_by' | 'bytes'> & { created_by: number | string | null; bytes: number | string };
const toRow = (r: Raw): ImportJobRow => ({ ...r, created_by: r.created_by === null ? null : Number(r.created_by), bytes: Number(r.bytes) });

export type NewJob = {
  id: string; kind: ImportKind; created_by: number | null; idempotency_key: string | null; created_at: Date;
  file_name: string | null; bytes: number; options: Record<string, unknown>;
};

/** Inserts a running job; null when this user already started one with the same idempotency key. */
export async function insert(db: Queryable, j: NewJob): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `insert into import_jobs (id, kind, status, created_by, idempotency_key, created_at, file_name, bytes, options)
     values ($1, $2, 'running', $3, $4, $5, $6, $7, $8::jsonb)
     on conflict (created_by, idempotency_key) do nothing returning id`,
    [j.id, j.kind, j.created_by, j.idempotency_key, j.created_at, j.file_name, j.bytes, JSON.stringify(j.options)],
  );
  return rows.length === 1;
}

export async function byKey(db: Queryable, created_by: number, key: string): Promise<ImportJobRow | null> {
  const { rows } = await db.query<Raw>(
    `select ${COLUMNS} from import_jobs j left join users u on u.id = j.created_by where j.created_by = $1 and j.idempotency_key = $2`,
    [created_by, key]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function get(db: Queryable, id: string): Promise<ImportJobRow | null> {
  const { rows } = await db.query<Raw>(`select ${COLUMNS} from import_jobs j left join users u on u.id = j.created_by where j.id = $1`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** Newest first. */
export async function list(db: Queryable, limit: number): Promise<ImportJobRow[]> {
  const { rows } = await db.query<Raw>(
    `select ${COLUMNS} from import_jobs j left join users u on u.id = j.created_by order by j.created_at desc, j.id limit $1`, [limit]);
  return rows.map(toRow);
}

/** Ends a running job: done with its result and rejected rows, or failed with an error. */
export async function finish(db: Queryable, id: string, at: Date, out:
  { status: 'done'; result: Record<string, number>; rejected: RejectedRow[] } | { status: 'failed'; error: { code: string; message: string } }): Promise<void> {
  await db.query(
    `update import_jobs set status = $2, finished_at = $3, result = $4::jsonb, rejected = $5::jsonb, error = $6::jsonb
      where id = $1 and status = 'running'`,
    [id, out.status, at, out.status === 'done' ? JSON.stringify(out.result) : null,
      out.status === 'done' ? JSON.stringify(out.rejected) : null, out.status === 'failed' ? JSON.stringify(out.error) : null],
  );
}

/** The rejected rows of a job, in row order (null when the job has none recorded: running or failed). */
export async function rejected(db: Queryable, id: string): Promise<RejectedRow[] | null> {
  const { rows } = await db.query<{ rejected: RejectedRow[] | null }>('select rejected from import_jobs where id = $1', [id]);
  return rows[0]?.rejected ?? null;
}
