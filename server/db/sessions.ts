// Sessions and login throttling: the only SQL for `sessions` and `login_throttle` (migrations/0010_users.sql).
// A session is found by the sha256 of its bearer token; the token itself is never stored.
import type { Queryable } from './types.js';

export type EndReason = 'logout' | 'revoked' | 'idle' | 'expired' | 'disabled';

/** An open session with the user it belongs to (disabled users have none that count). */
export type SessionWithUser = {
  session_id: number;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  user_id: number;
  username: string;
  display_name: string;
  roles: string[];
  department_id: number | null;
  /** users.region_code: the region the user is kept to (null = every district). */
  region_code: string | null;
};

export async function create(
  db: Queryable,
  s: { user_id: number; token_sha256: string; now: Date; expires_at: Date; ip: string | null; user_agent: string | null },
): Promise<number> {
  const { rows } = await db.query<{ id: number | string }>(
    `insert into sessions (user_id, token_sha256, created_at, last_seen_at, expires_at, ip, user_agent)
     values ($1, $2, $3, $3, $4, $5, left($6, 512)) returning id`,
    [s.user_id, s.token_sha256, s.now, s.expires_at, s.ip, s.user_agent],
  );
  return Number(rows[0].id);
}

const OPEN_WITH_USER = `
  select s.id as session_id, s.created_at, s.last_seen_at, s.expires_at,
         u.id as user_id, u.username, u.display_name, u.roles, u.department_id, u.region_code
    from sessions s join users u on u.id = s.user_id
   where s.ended_at is null and not u.disabled`;

/** The open session with this token hash, if its user is enabled. Expiry is judged by the caller (domain/auth.ts). */
export async function findOpen(db: Queryable, token_sha256: string): Promise<SessionWithUser | null> {
  return one(db, `${OPEN_WITH_USER} and s.token_sha256 = $1`, token_sha256);
}

/** The open session with this id, if its user is enabled. */
export async function getOpen(db: Queryable, id: number): Promise<SessionWithUser | null> {
  return one(db, `${OPEN_WITH_USER} and s.id = $1`, id);
}

async function one(db: Queryable, sql: string, param: unknown): Promise<SessionWithUser | null> {
  const { rows } = await db.query<SessionWithUser & { session_id: number | string; user_id: number | string; department_id: number | string | null }>(
    sql, [param]);
  const r = rows[0];
  if (!r) return null;
  return { ...r, session_id: Number(r.session_id), user_id: Number(r.user_id), department_id: r.department_id === null ? null : Number(r.department_id) };
}

/** Moves last_seen_at to `now` unless another request already moved it past `staleBefore` (one write a minute at most). */
export async function touch(db: Queryable, id: number, now: Date, staleBefore: Date): Promise<void> {
  await db.query('update sessions set last_seen_at = $2 where id = $1 and ended_at is null and last_seen_at <= $3', [id, now, staleBefore]);
}

/**
 * Sessions ending are announced on this channel (NOTIFY, delivered at commit to every server process on the
 * database, PGlite's in-process LISTEN too): live/hub.ts closes the streams of ended sessions at once.
 */
export const SESSION_ENDS_CHANNEL = 'gridline_session_ends';

async function announce(db: Queryable, what: string): Promise<void> {
  await db.query(`select pg_notify('${SESSION_ENDS_CHANNEL}', $1)`, [what]);
}

/** Ends one session; false when it had already ended. Announced on SESSION_ENDS_CHANNEL. */
export async function end(db: Queryable, id: number, now: Date, reason: EndReason): Promise<boolean> {
  const { rows } = await db.query<{ id: number }>(
    'update sessions set ended_at = $2, end_reason = $3 where id = $1 and ended_at is null returning id', [id, now, reason]);
  if (rows.length) await announce(db, `session:${id}`);
  return rows.length > 0;
}

/** Ends every open session of a user; returns how many. Announced on SESSION_ENDS_CHANNEL (also when none were
 * open: a disabled user's streams end whatever the count says). */
export async function endAllOfUser(db: Queryable, user_id: number, now: Date, reason: EndReason): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with e as (update sessions set ended_at = $2, end_reason = $3 where user_id = $1 and ended_at is null returning 1)
     select count(*)::int as n from e`,
    [user_id, now, reason],
  );
  await announce(db, `user:${user_id}`);
  return rows[0].n;
}

/** What a live stream needs to know of its session: whether it still holds, and why not. */
export type StreamSessionState = {
  session_id: number;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  end_reason: EndReason | null;
  user_disabled: boolean;
};

/** The state of these sessions; a session missing from the answer no longer exists (purged). */
export async function streamStates(db: Queryable, ids: readonly number[]): Promise<StreamSessionState[]> {
  if (!ids.length) return [];
  const { rows } = await db.query<StreamSessionState & { session_id: number | string }>(
    `select s.id as session_id, s.created_at, s.last_seen_at, s.expires_at, s.ended_at, s.end_reason, u.disabled as user_disabled
       from sessions s join users u on u.id = s.user_id
      where s.id = any ($1::bigint[])`,
    [ids],
  );
  return rows.map((r) => ({ ...r, session_id: Number(r.session_id) }));
}

export async function countOpen(db: Queryable, user_id: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from sessions where user_id = $1 and ended_at is null', [user_id]);
  return rows[0].n;
}

/** Deletes sessions that ended, or reached their lifetime, before `before` (housekeeping; the audit log keeps the logins). */
export async function purgeEndedBefore(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with d as (delete from sessions where ended_at < $1 or (ended_at is null and expires_at < $1) returning 1)
     select count(*)::int as n from d`,
    [before],
  );
  return rows[0].n;
}

// ── login_throttle ──────────────────────────────────────────────────────────────────────────────────────────

export type ThrottleRow = { key: string; failures: number; last_failed_at: Date };

export async function throttleStates(db: Queryable, keys: readonly string[]): Promise<ThrottleRow[]> {
  const { rows } = await db.query<ThrottleRow>(
    'select key, failures, last_failed_at from login_throttle where key = any ($1::text[])', [keys]);
  return rows;
}

/** Counts one more failure under each key; a counter last bumped before `forgetBefore` starts over at 1. */
export async function recordFailure(db: Queryable, keys: readonly string[], now: Date, forgetBefore: Date): Promise<void> {
  await db.query(
    `insert into login_throttle (key, failures, last_failed_at)
     select k, 1, $2::timestamptz from unnest($1::text[]) as k
     on conflict (key) do update
        set failures = case when login_throttle.last_failed_at < $3::timestamptz then 1 else login_throttle.failures + 1 end,
            last_failed_at = greatest(login_throttle.last_failed_at, excluded.last_failed_at)`,
    [keys, now, forgetBefore],
  );
}

export async function clearThrottle(db: Queryable, keys: readonly string[]): Promise<void> {
  await db.query('delete from login_throttle where key = any ($1::text[])', [keys]);
}

/** Drops counters nobody has failed under since `before` (housekeeping; they would start over anyway). */
export async function pruneThrottle(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'with d as (delete from login_throttle where last_failed_at < $1 returning 1) select count(*)::int as n from d', [before]);
  return rows[0].n;
}
