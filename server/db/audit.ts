// The audit log (电子监察): the only SQL for `audit_log` (migrations/0010_users.sql). Append-only: a trigger refuses
// updates, and deletes of entries younger than 184 days; only scripts/purge-audit.ts deletes older ones.
import type { Queryable } from './types.js';

export type AuditEntry = {
  at: Date;
  /** Machine name of what happened: `login`, `login_failed`, `forbidden`, `case.dispatch` … (^[a-z][a-z0-9_.]*$). */
  action: string;
  /** Who did it, when known; `username` is kept as typed even when no such user exists (failed logins). */
  user_id?: number | null;
  username?: string | null;
  /** What it was done to: `user:12`, `case:<uuid>`, `GET /api/users` … */
  target?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown> | null;
};

export type AuditRow = Required<AuditEntry> & { id: number };

/** Appends one entry. Call it inside the transaction of the change it records, so both commit or neither does. */
export async function record(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (at, user_id, username, action, target, ip, detail) values ($1, $2, left($3, 100), $4, $5, $6, $7::jsonb)`,
    [e.at, e.user_id ?? null, e.username ?? null, e.action, e.target ?? null, e.ip ?? null, e.detail == null ? null : JSON.stringify(e.detail)],
  );
}

export type AuditFilter = {
  user_id?: number; username?: string; action?: string; since?: Date; until?: Date; limit: number;
  /** Actions starting with this, e.g. `department.` (the admin console's filter). */
  action_prefix?: string;
  /** Entries older than this id (the next page, newest first). */
  before_id?: number;
};

/** Newest first. */
export async function list(db: Queryable, f: AuditFilter): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow & { id: number | string; user_id: number | string | null }>(
    `select id, at, user_id, username, action, target, ip, detail
       from audit_log
      where ($1::bigint is null or user_id = $1)
        and ($2::text is null or lower(username) = lower($2))
        and ($3::text is null or action = $3)
        and ($4::timestamptz is null or at >= $4)
        and ($5::timestamptz is null or at < $5)
        and ($7::text is null or left(action, length($7)) = $7)
        and ($8::bigint is null or id < $8)
      order by at desc, id desc
      limit $6`,
    [f.user_id ?? null, f.username ?? null, f.action ?? null, f.since ?? null, f.until ?? null, f.limit, f.action_prefix ?? null, f.before_id ?? null],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), user_id: r.user_id === null ? null : Number(r.user_id) }));
}

/** Deletes the entries older than `before`; returns how many. The table's guard refuses anything under 184 days old. */
export async function purgeBefore(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'with d as (delete from audit_log where at < $1 returning 1) select count(*)::int as n from d', [before]);
  return rows[0].n;
}

/** How many entries are older than `before` (what purgeBefore would delete). */
export async function countBefore(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from audit_log where at < $1', [before]);
  return rows[0].n;
}
