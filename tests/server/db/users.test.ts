// Users, sessions and the audit log on every engine: storage, session expiry and revocation, demo seeding.
import { describe, expect, test } from 'vitest';
import type { Queryable } from '../../../server/db/types.js';
import * as users from '../../../server/db/users.js';
import * as sessions from '../../../server/db/sessions.js';
import * as audit from '../../../server/db/audit.js';
import * as auth from '../../../server/services/auth.js';
import { seedDemoUsers, DEMO_USERS, UNIT_GRIDS_PER_INSPECTOR } from '../../../server/services/demo-users.js';
import { testBackends, withTestDb } from '../../helpers/backends.js';

const T0 = new Date('2026-11-23T02:00:00Z');

function clockAt(iso: Date) {
  let now = iso;
  return { now: () => now, advance: (minutes: number) => { now = new Date(now.getTime() + minutes * 60_000); } };
}

const deps = (db: Queryable, clock: { now(): Date }, idle = 480): auth.AuthDeps => ({ db, clock, session_idle_minutes: idle });

async function newUser(db: Queryable, username: string, roles: string[] = ['operator']) {
  const u = await users.insert(db, {
    username, display_name: username, phone: '13812341234', password_hash: await auth.hashPassword('correct horse battery'),
    roles, department_id: null, created_at: T0,
  });
  return u!;
}

describe.each(testBackends())('users on %s', (backend) => {
  test('usernames are unique without regard to case, and found the same way', () => withTestDb(backend, async (db) => {
    const u = await newUser(db, 'Alice.W');
    expect(u).toMatchObject({ username: 'Alice.W', roles: ['operator'], department_id: null, disabled: false });
    expect(await users.insert(db, { ...u, username: 'alice.w', password_hash: '$argon2id$x', created_at: T0 })).toBeNull();
    expect((await users.byUsername(db, 'ALICE.W'))?.id).toBe(u.id);
    expect((await users.findForLogin(db, 'alice.w'))?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  }));

  test('the table refuses unknown roles and a crew without a department', () => withTestDb(backend, async (db) => {
    const bad = (roles: string[]) => db.transaction((tx) => users.insert(tx, {
      username: `x${roles.join('')}`, display_name: '', phone: null, password_hash: '$argon2id$x', roles, department_id: null, created_at: T0,
    }));
    await expect(bad(['mayor'])).rejects.toThrow();
    await expect(bad(['department'])).rejects.toThrow();
    await expect(bad([])).rejects.toThrow();
  }));

  test('a list never carries password hashes and counts open sessions', () => withTestDb(backend, async (db) => {
    const u = await newUser(db, 'listed', ['dispatcher']);
    await sessions.create(db, { user_id: u.id, token_sha256: 'a'.repeat(64), now: T0, expires_at: new Date(T0.getTime() + 1e9), ip: null, user_agent: null });
    const { items, total } = await users.list(db, { role: 'dispatcher', limit: 100, offset: 0 });
    const mine = items.find((i) => i.id === u.id)!;
    expect(mine.open_sessions).toBe(1);
    expect(total).toBe(items.length);
    expect(JSON.stringify(items)).not.toContain('argon2');
  }));

  test('an update changes only the fields given', () => withTestDb(backend, async (db) => {
    const u = await newUser(db, 'patched');
    const p = await users.update(db, u.id, { phone: null, roles: ['operator', 'leader'] });
    expect(p).toMatchObject({ display_name: 'patched', phone: null, roles: ['operator', 'leader'], disabled: false });
    expect(await users.update(db, 999_999_999, { disabled: true })).toBeNull();
  }));
});

describe.each(testBackends())('sessions on %s', (backend) => {
  async function loggedIn(db: Queryable, clock: { now(): Date }, username = 'sess.user', idle = 480) {
    const u = await newUser(db, username);
    const { token } = await auth.login(deps(db, clock, idle), { username, password: 'correct horse battery' }, { ip: '10.1.2.3' });
    return { u, token };
  }

  test('a token is stored only as its sha256 and finds its user', () => withTestDb(backend, async (db) => {
    const clock = clockAt(T0);
    const { u, token } = await loggedIn(db, clock);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { rows } = await db.query<{ token_sha256: string }>('select token_sha256 from sessions where user_id = $1', [u.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_sha256).not.toContain(token);
    expect(await auth.authenticate(deps(db, clock), token)).toMatchObject({ id: u.id, username: 'sess.user', roles: ['operator'] });
  }));

  test('a session used within the idle timeout lives on; unused it ends', () => withTestDb(backend, async (db) => {
    const clock = clockAt(T0);
    const { token } = await loggedIn(db, clock, 'idle.user', 30);
    const d = deps(db, clock, 30);
    clock.advance(29);
    await auth.authenticate(d, token);               // moves last_seen_at
    clock.advance(29);
    await auth.authenticate(d, token);               // 29 min after the last use: still fine
    clock.advance(30);
    await expect(auth.authenticate(d, token)).rejects.toMatchObject({ code: 'unauthorized' });
    const { rows } = await db.query<{ end_reason: string }>(`select end_reason from sessions s join users u on u.id = s.user_id where u.username = 'idle.user'`);
    expect(rows).toEqual([{ end_reason: 'idle' }]);
    await expect(auth.authenticate(d, token)).rejects.toMatchObject({ code: 'unauthorized' });
  }));

  test('last_seen_at is written at most once a minute', () => withTestDb(backend, async (db) => {
    const clock = clockAt(T0);
    const { u, token } = await loggedIn(db, clock, 'touch.user');
    const seen = async () => (await db.query<{ t: Date }>('select last_seen_at as t from sessions where user_id = $1', [u.id])).rows[0].t.getTime();
    clock.advance(0.5);
    await auth.authenticate(deps(db, clock), token);
    expect(await seen()).toBe(T0.getTime());
    clock.advance(0.5);
    await auth.authenticate(deps(db, clock), token);
    expect(await seen()).toBe(T0.getTime() + 60_000);
  }));

  test('a session ends at its absolute lifetime however busy', () => withTestDb(backend, async (db) => {
    const clock = clockAt(T0);
    const { token } = await loggedIn(db, clock, 'busy.user');
    for (let step = 1; step < 24; step++) {          // every 7 h for 7 days: never idle for 8 h
      clock.advance(7 * 60);
      await auth.authenticate(deps(db, clock), token);
    }
    clock.advance(7 * 60);                           // exactly 7 days after login
    await expect(auth.authenticate(deps(db, clock), token)).rejects.toMatchObject({ code: 'unauthorized' });
  }));

  test('revoking ends every session of the user and no one else\'s', () => withTestDb(backend, async (db) => {
    const clock = clockAt(T0);
    const a = await loggedIn(db, clock, 'lost.phone');
    const { token: second } = await auth.login(deps(db, clock), { username: 'lost.phone', password: 'correct horse battery' }, { ip: '10.9.9.9' });
    const other = await loggedIn(db, clock, 'bystander');
    expect(await sessions.countOpen(db, a.u.id)).toBe(2);
    expect(await auth.revokeSessions(deps(db, clock), null, a.u.id, { ip: null })).toEqual({ revoked: 2 });
    await expect(auth.authenticate(deps(db, clock), a.token)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(auth.authenticate(deps(db, clock), second)).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await auth.authenticate(deps(db, clock), other.token)).username).toBe('bystander');
    const [entry] = await audit.list(db, { action: 'sessions_revoked', limit: 1 });
    expect(entry).toMatchObject({ target: `user:${a.u.id}`, detail: { revoked: 2, username: 'lost.phone' } });
  }));

  test('disabling a user ends their sessions and stops their tokens', () => withTestDb(backend, async (db) => {
    const clock = clockAt(T0);
    const { u, token } = await loggedIn(db, clock, 'leaver');
    await auth.updateUser(deps(db, clock), null, u.id, { disabled: true }, { ip: null });
    await expect(auth.authenticate(deps(db, clock), token)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(auth.login(deps(db, clock), { username: 'leaver', password: 'correct horse battery' }, { ip: null }))
      .rejects.toMatchObject({ code: 'unauthorized' });
  }));

  test('failures count per key and start over after the window', () => withTestDb(backend, async (db) => {
    const keys = ['user:nobody-here', 'ip:192.0.2.1', 'pair:["192.0.2.1","nobody-here"]'];
    for (let i = 0; i < 3; i++) await sessions.recordFailure(db, keys, T0, new Date(T0.getTime() - 15 * 60_000));
    expect((await sessions.throttleStates(db, keys)).map((r) => r.failures)).toEqual([3, 3, 3]);
    const later = new Date(T0.getTime() + 16 * 60_000);
    await sessions.recordFailure(db, keys.slice(0, 1), later, new Date(later.getTime() - 15 * 60_000));
    const byKey = Object.fromEntries((await sessions.throttleStates(db, keys)).map((r) => [r.key, r.failures]));
    expect(byKey).toEqual({ 'user:nobody-here': 1, 'ip:192.0.2.1': 3, 'pair:["192.0.2.1","nobody-here"]': 3 });
  }));
});

describe.each(testBackends())('audit log on %s', (backend) => {
  test('record appends; entries cannot be changed', () => withTestDb(backend, async (db) => {
    await audit.record(db, { at: T0, action: 'case.dispatch', username: 'dispatcher1', target: 'case:x', ip: '10.0.0.1', detail: { to: 15 } });
    const [e] = await audit.list(db, { action: 'case.dispatch', limit: 5 });
    expect(e).toMatchObject({ at: T0, action: 'case.dispatch', user_id: null, username: 'dispatcher1', target: 'case:x', detail: { to: 15 } });
    await expect(db.transaction((tx) => tx.query(`update audit_log set action = 'x' where id = $1`, [e.id]))).rejects.toThrow(/append-only/);
  }));

  test('a purge deletes only entries older than the cut-off, and the table keeps anything under 184 days', () => withTestDb(backend, async (db) => {
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    await audit.record(db, { at: daysAgo(400), action: 'old.one' });
    await audit.record(db, { at: daysAgo(190), action: 'kept.one' });
    await audit.record(db, { at: daysAgo(1), action: 'new.one' });
    expect(await audit.purgeBefore(db, daysAgo(300))).toBe(1);
    const left = (await audit.list(db, { limit: 1000 })).map((e) => e.action);
    expect(left).toEqual(expect.arrayContaining(['kept.one', 'new.one']));
    expect(left).not.toContain('old.one');
    await expect(db.transaction((tx) => audit.purgeBefore(tx, daysAgo(0)))).rejects.toThrow(/184 days/);
  }));
});

describe.each(testBackends())('demo users on %s', (backend) => {
  test('every demo user of api.md exists and logs in with "demo"', () => withTestDb(backend, async (db) => {
    const names = DEMO_USERS.map((u) => u.username);
    expect(names).toEqual(['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1', 'admin']);
    const clock = clockAt(T0);
    for (const username of names) {
      const { user } = await auth.login(deps(db, clock), { username, password: 'demo' }, { ip: null });
      expect(user.username).toBe(username);
    }
  }));

  test('crew1 belongs to the sanitation department, the default of exposed garbage', () => withTestDb(backend, async (db) => {
    const crew = await users.byUsername(db, 'crew1');
    const { rows } = await db.query<{ name: string }>('select name from departments where id = $1', [crew!.department_id]);
    expect(crew!.roles).toEqual(['department']);
    expect(rows[0].name).toMatch(/^sanitation/);
  }));

  test('each demo inspector patrols about 18 unit grids in responsibility grids of one community each', () => withTestDb(backend, async (db) => {
    const { rows } = await db.query<{ username: string; rgrids: number; grids: number; bad_codes: number }>(
      `select u.username, count(distinct r.code)::int as rgrids, count(m.grid_code)::int as grids,
              count(*) filter (where left(m.grid_code, 12) <> r.community_code or r.code !~ '^[0-9]{12}R[0-9]{2}$')::int as bad_codes
         from users u join responsibility_grids r on r.inspector_id = u.id join responsibility_grid_members m on m.responsibility_code = r.code
        group by u.username order by u.username`);
    expect(rows.map((r) => r.username)).toEqual(['inspector1', 'inspector2']);
    for (const r of rows) {
      expect(r.grids).toBeGreaterThanOrEqual(UNIT_GRIDS_PER_INSPECTOR);
      expect(r.grids).toBeLessThan(2 * UNIT_GRIDS_PER_INSPECTOR);
      expect(r.bad_codes).toBe(0);
    }
  }));

  test('seeding again creates nothing', () => withTestDb(backend, async (db) => {
    const before = await db.query<{ n: number }>('select count(*)::int as n from responsibility_grid_members');
    expect(await seedDemoUsers(db)).toBe(0);
    const after = await db.query<{ n: number }>('select count(*)::int as n from responsibility_grid_members');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  }));
});
