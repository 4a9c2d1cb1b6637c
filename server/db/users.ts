// Users: the only SQL for `users` (migrations/0010_users.sql). Password hashes leave this module only through
// findForLogin; every other read returns UserRow, which has none.
import type { Queryable } from './types.js';

export type UserRow = {
  id: number;
  username: string;
  display_name: string;
  phone: string | null;
  roles: string[];
  department_id: number | null;
  /** The district, street or community the user works in (0047); null = every district. */
  region_code: string | null;
  disabled: boolean;
  created_at: Date;
};

const COLUMNS = 'id, username, display_name, phone, roles, department_id, region_code, disabled, created_at';

type Raw = Omit<UserRow, 'id' | 'department_id'> & { id: number | string; department_id: number | string | null };

const toRow = ({ id, department_id, ...r }: Raw): UserRow =>
  ({ ...r, id: Number(id), department_id: department_id === null ? null : Number(department_id) });

export type NewUser = {
  username: string;
  display_name: string;
  phone: string | null;
  password_hash: string;
  roles: readonly string[];
  department_id: number | null;
  region_code?: string | null;
  created_at: Date;
};

/** Inserts a user; null when the username is taken (case-insensitively). */
export async function insert(db: Queryable, u: NewUser): Promise<UserRow | null> {
  const { rows } = await db.query<Raw>(
    `insert into users (username, display_name, phone, password_hash, roles, department_id, created_at, region_code)
     values ($1, $2, $3, $4, $5::text[], $6, $7, $8)
     on conflict ((lower(username))) do nothing
     returning ${COLUMNS}`,
    [u.username, u.display_name, u.phone, u.password_hash, u.roles, u.department_id, u.created_at, u.region_code ?? null],
  );
  return rows[0] ? toRow(rows[0]) : null;
}

export async function get(db: Queryable, id: number): Promise<UserRow | null> {
  const { rows } = await db.query<Raw>(`select ${COLUMNS} from users where id = $1`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** The user with this username, case-insensitively. */
export async function byUsername(db: Queryable, username: string): Promise<UserRow | null> {
  const { rows } = await db.query<Raw>(`select ${COLUMNS} from users where lower(username) = lower($1)`, [username]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** What login needs: the user and its password hash (only here). */
export async function findForLogin(db: Queryable, username: string): Promise<(UserRow & { password_hash: string }) | null> {
  const { rows } = await db.query<Raw & { password_hash: string }>(
    `select ${COLUMNS}, password_hash from users where lower(username) = lower($1)`, [username]);
  return rows[0] ? { ...toRow(rows[0]), password_hash: rows[0].password_hash } : null;
}

export type UserFilter = { role?: string; department_id?: number; include_disabled?: boolean; limit: number; offset: number };

export async function list(db: Queryable, f: UserFilter): Promise<{ items: (UserRow & { open_sessions: number })[]; total: number }> {
  const { rows } = await db.query<Raw & { open_sessions: number; total: number }>(
    `select ${COLUMNS.split(', ').map((c) => `u.${c}`).join(', ')},
            (select count(*)::int from sessions s where s.user_id = u.id and s.ended_at is null) as open_sessions,
            count(*) over ()::int as total
       from users u
      where ($1::text is null or $1 = any (u.roles))
        and ($2::bigint is null or u.department_id = $2)
        and ($3::boolean or not u.disabled)
      order by u.username
      limit $4 offset $5`,
    [f.role ?? null, f.department_id ?? null, f.include_disabled ?? true, f.limit, f.offset],
  );
  const total = rows[0]?.total ?? (f.offset > 0 ? await count(db, f) : 0);
  return { items: rows.map(({ open_sessions, total: _t, ...r }) => ({ ...toRow(r), open_sessions })), total };
}

async function count(db: Queryable, f: UserFilter): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from users u
      where ($1::text is null or $1 = any (u.roles)) and ($2::bigint is null or u.department_id = $2) and ($3::boolean or not u.disabled)`,
    [f.role ?? null, f.department_id ?? null, f.include_disabled ?? true],
  );
  return rows[0].n;
}

export type UserPatch = Partial<{
  display_name: string;
  phone: string | null;
  roles: readonly string[];
  department_id: number | null;
  region_code: string | null;
  disabled: boolean;
  password_hash: string;
}>;

/** Applies the fields present in `patch`; null when there is no such user. */
export async function update(db: Queryable, id: number, patch: UserPatch): Promise<UserRow | null> {
  const has = (k: keyof UserPatch) => Object.prototype.hasOwnProperty.call(patch, k) && patch[k] !== undefined;
  const { rows } = await db.query<Raw>(
    `update users set
        display_name  = case when $2 then $3 else display_name end,
        phone         = case when $4 then $5 else phone end,
        roles         = case when $6 then $7::text[] else roles end,
        department_id = case when $8 then $9::bigint else department_id end,
        disabled      = case when $10 then $11::boolean else disabled end,
        password_hash = case when $12 then $13 else password_hash end,
        region_code   = case when $14 then $15 else region_code end
      where id = $1
  returning ${COLUMNS}`,
    [
      id,
      has('display_name'), patch.display_name ?? null,
      has('phone'), patch.phone ?? null,
      has('roles'), patch.roles ?? null,
      has('department_id'), patch.department_id ?? null,
      has('disabled'), patch.disabled ?? null,
      has('password_hash'), patch.password_hash ?? null,
      has('region_code'), patch.region_code ?? null,
    ],
  );
  return rows[0] ? toRow(rows[0]) : null;
}
