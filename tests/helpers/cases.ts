// Factories for case tests: deps with a settable clock, users by role, a point inside a fixture grid.
import type { Queryable } from '../../server/db/types.js';
import { loadWorkRules, type WorkRules } from '../../server/services/work-rules.js';
import type { CaseDeps, CaseUser } from '../../server/services/cases.js';

let rules: WorkRules | null = null;
export const workRules = () => (rules ??= loadWorkRules());

export function caseDeps(db: Queryable, at = '2026-11-23T10:00:00+08:00'): CaseDeps & { clock: { now(): Date; set(iso: string): void; advance(min: number): void } } {
  let now = new Date(at);
  return {
    db, work: workRules(),
    clock: { now: () => now, set: (iso) => { now = new Date(iso); }, advance: (min) => { now = new Date(now.getTime() + min * 60_000); } },
  };
}

/** A department id that exists in the fixture and the class default of 06010 (exposed garbage). */
export async function someDepartment(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ id: number }>(`select department_id as id from class_departments where kind = 'matter' and class_code = '06010'`);
  return Number(rows[0].id);
}


export async function pointInGrid(db: Queryable, offset = 3): Promise<{ lon: number; lat: number; code: string }> {
  const { rows } = await db.query<{ lon: number; lat: number; code: string }>(
    `select st_x(p) as lon, st_y(p) as lat, code from (select code, st_pointonsurface(geom) as p from grids order by code offset ${offset} limit 1) s`);
  return rows[0];
}

/** The demo users of the fixture (docs/api.md), as case actors. */
export async function demoUsers(db: Queryable) {
  const { rows } = await db.query<{ id: number; username: string; roles: string[]; department_id: number | null }>(
    'select id, username, roles, department_id from users');
  const by = (name: string): NonNullable<CaseUser> => {
    const u = rows.find((r) => r.username === name);
    if (!u) throw new Error(`no demo user ${name}`);
    return { id: Number(u.id), username: u.username, roles: u.roles, department_id: u.department_id === null ? null : Number(u.department_id) };
  };
  return {
    inspector: by('inspector1'), inspector2: by('inspector2'), operator: by('operator1'), shiftLead: by('shiftlead1'),
    dispatcher: by('dispatcher1'), crew: by('crew1'), leader: by('leader1'), admin: by('admin'),
  };
}

/** A new user with these roles (and department), for cases the demo users do not cover. */
export async function newUser(db: Queryable, roles: string[], department_id: number | null = null): Promise<NonNullable<CaseUser>> {
  const username = `t${Math.random().toString(36).slice(2, 10)}`;
  const { rows } = await db.query<{ id: number }>(
    `insert into users (username, password_hash, roles, department_id) values ($1, '$argon2id$v=19$m=19456,t=2,p=1$x$y', $2, $3) returning id`,
    [username, roles, department_id]);
  return { id: Number(rows[0].id), username, roles, department_id };
}

/** Photo rows as POST /api/photos leaves them (the files themselves do not matter to the case engine). */
export async function newPhotos(db: Queryable, n = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
    await db.query(`insert into photos (id, mime, bytes, width, height, uploaded_at) values ($1, 'image/jpeg', 1000, 640, 480, now())`, [id]);
    // As though every user there is had uploaded these bytes: any of them may cite the photo (services/photos.ts
    // assertPhotosExist); tests/server/http/photos.test.ts checks who may not.
    await db.query(`insert into photo_uploads (photo_id, user_id, uploaded_at) select $1, id, now() from users`, [id]);
    ids.push(id);
  }
  return ids;
}
