// Login, sessions, throttling, admin and refusals through the real app (app.inject), with a settable clock.
import { describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import * as audit from '../../../server/db/audit.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { testConfig, withTestApp } from '../../helpers/app.js';

type Clock = { now(): Date; advance(minutes: number): void };

/** withTestApp with an injectable clock, and loginAs(username) → Authorization headers. */
function withClockApp<T>(
  backend: Backend,
  fn: (ctx: { app: FastifyInstance; db: Queryable; clock: Clock; loginAs(u: string, ip?: string): Promise<{ authorization: string }> }) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z');
    const clock: Clock = { now: () => now, advance: (m) => { now = new Date(now.getTime() + m * 60_000); } };
    const app = await buildApp(testConfig(env), { db, clock });
    const loginAs = async (username: string, ip = '127.0.0.1') => {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' }, remoteAddress: ip });
      expect(res.statusCode).toBe(200);
      return { authorization: `Bearer ${res.json().token}` };
    };
    try {
      return await fn({ app, db, clock, loginAs });
    } finally {
      await app.close();
    }
  });
}

const login = (app: FastifyInstance, username: string, password: string, ip = '127.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: ip });

describe('GRIDLINE_TRUST_PROXY', () => {
  test('off by default; a hop count or proxy addresses/CIDRs; anything else, and "trust everyone", is refused', () => {
    expect(testConfig().trust_proxy).toBe(false);
    expect(testConfig({ GRIDLINE_TRUST_PROXY: 'off' }).trust_proxy).toBe(false);
    expect(testConfig({ GRIDLINE_TRUST_PROXY: '2' }).trust_proxy).toBe(2);
    expect(testConfig({ GRIDLINE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback' }).trust_proxy)
      .toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'loopback']);
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example', '11', '10.0.0.1/8/1']) {
      expect(() => testConfig({ GRIDLINE_TRUST_PROXY: bad }), bad).toThrow(/GRIDLINE_TRUST_PROXY/);
    }
  });
});

describe.each(testBackends())('auth over HTTP on %s', (backend) => {
  test('login answers api.md\'s shape and the token works on /api/auth/me', () => withTestApp(backend, async ({ app, db }) => {
    const res = await login(app, 'crew1', 'demo');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['token', 'user']);
    expect(Object.keys(body.user).sort()).toEqual(['department_id', 'district_code', 'id', 'region_code', 'roles', 'username']);
    expect(body.user).toMatchObject({ username: 'crew1', roles: ['department'], region_code: null, district_code: null });
    expect(body.user.department_id).toEqual(expect.any(Number));
    const me = await app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${body.token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ id: body.user.id, username: 'crew1', department_id: body.user.department_id });
    expect(me.json().session.idle_minutes).toBe(480);
    const [entry] = await audit.list(db, { action: 'login', user_id: body.user.id, limit: 1 });
    expect(entry).toMatchObject({ username: 'crew1', ip: '127.0.0.1' });
  }));

  test('usernames log in without regard to case', () => withTestApp(backend, async ({ app }) => {
    expect((await login(app, 'Inspector1', 'demo')).json().user.username).toBe('inspector1');
  }));

  test('a wrong password and an unknown user get the same 401, and both are audited', () => withTestApp(backend, async ({ app, db }) => {
    const wrong = await login(app, 'operator1', 'not-the-password');
    const unknown = await login(app, 'nobody-at-all', 'demo');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().error).toMatchObject({ code: 'unauthorized', message: 'Wrong username or password' });
    const entries = await audit.list(db, { action: 'login_failed', limit: 10 });
    expect(entries.map((e) => [e.username, (e.detail as { reason: string }).reason])).toEqual(expect.arrayContaining([
      ['operator1', 'wrong_password'], ['nobody-at-all', 'unknown_user'],
    ]));
    expect(entries.find((e) => e.username === 'operator1')?.user_id).toEqual(expect.any(Number));
  }));

  test('no token, a malformed header or a made-up token get 401 in the error shape', () => withTestApp(backend, async ({ app }) => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: `Bearer ${'x'.repeat(43)}` }, { authorization: 'Bearer short' }]) {
      const res = await app.inject({ url: '/api/auth/me', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  }));

  test('after five failures of a username from one address, the sixth from there is refused with 429 and Retry-After, even with the right password', () =>
    withClockApp(backend, async ({ app, db, clock }) => {
      for (let i = 1; i <= 5; i++) expect((await login(app, 'dispatcher1', `guess-${i}`)).statusCode).toBe(401);
      const sixth = await login(app, 'dispatcher1', 'demo');
      expect(sixth.statusCode).toBe(429);
      expect(sixth.headers['retry-after']).toBe('1');
      expect(sixth.json().error).toMatchObject({ code: 'too_many_requests', details: { retry_after_s: 1 } });
      expect(await audit.list(db, { action: 'login_throttled', username: 'dispatcher1', limit: 5 })).toHaveLength(1);

      clock.advance(1 / 60);                                           // the wait is over: one more try
      expect((await login(app, 'dispatcher1', 'guess-6')).statusCode).toBe(401);
      const waitLonger = await login(app, 'dispatcher1', 'demo');      // 6 failures: 2 s now
      expect(waitLonger.statusCode).toBe(429);
      expect(waitLonger.headers['retry-after']).toBe('2');
      clock.advance(2 / 60);
      expect((await login(app, 'dispatcher1', 'demo')).statusCode).toBe(200);
      for (let i = 1; i <= 5; i++) expect((await login(app, 'dispatcher1', `again-${i}`)).statusCode).toBe(401); // the pair's count was reset by the login
      expect((await login(app, 'dispatcher1', 'demo')).statusCode).toBe(429);
    }));

  test('an attacker\'s failures do not lock the owner out: the right password from another address logs in at once', () =>
    withClockApp(backend, async ({ app, db }) => {
      for (let i = 1; i <= 8; i++) {
        const res = await login(app, 'dispatcher1', `guess-${i}`, '203.0.113.66');
        expect(res.statusCode).toBe(i <= 5 ? 401 : 429); // the pair (dispatcher1, attacker) waits after 5
        if (i > 5) expect(res.json().error.message).toMatch(/for "dispatcher1" from this address: try again in \d+ s/);
      }
      const owner = await login(app, 'dispatcher1', 'demo', '198.51.100.20');
      expect(owner.statusCode).toBe(200);
      const [entry] = await audit.list(db, { action: 'login_throttled', username: 'dispatcher1', limit: 1 });
      expect(entry).toMatchObject({ ip: '203.0.113.66', detail: { by: 'pair' } });
    }));

  test('failures from one address across usernames (spraying) make that address wait, not others', () => withClockApp(backend, async ({ app }) => {
    for (let i = 1; i <= 20; i++) expect((await login(app, `someone${i}`, 'x', '10.6.6.6')).statusCode).toBe(401);
    const res = await login(app, 'leader1', 'demo', '10.6.6.6');
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error.message).toMatch(/from this address: try again in 1 s/);
    expect((await login(app, 'leader1', 'demo', '10.7.7.7')).statusCode).toBe(200);
  }));

  test('failures of one account from many addresses only slow it: the owner still logs in', () => withClockApp(backend, async ({ app, db }) => {
    for (let i = 1; i <= 50; i++) expect((await login(app, 'crew1', `guess-${i}`, `10.50.0.${i}`)).statusCode).toBe(401);
    const t0 = Date.now();
    const owner = await login(app, 'crew1', 'demo', '198.51.100.30');
    expect(owner.statusCode).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950); // held 1 s, not refused
    const t1 = Date.now();
    expect((await login(app, 'inspector2', 'demo', '198.51.100.31')).statusCode).toBe(200);
    expect(Date.now() - t1).toBeLessThan(950); // other accounts are not slowed
    expect(await audit.list(db, { action: 'login_throttled', username: 'crew1', limit: 1 })).toHaveLength(0);
  }), 120_000);

  test('behind a trusted proxy the client\'s address (X-Forwarded-For) is the one audited and throttled', () => withClockApp(backend, async ({ app, db }) => {
    const via = (username: string, password: string, client: string) => app.inject({
      method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': client },
    });
    for (let i = 1; i <= 5; i++) expect((await via('operator1', `guess-${i}`, '203.0.113.9')).statusCode).toBe(401);
    expect((await via('operator1', 'demo', '203.0.113.9')).statusCode).toBe(429);
    const ok = await via('operator1', 'demo', '198.51.100.9'); // another user behind the same proxy
    expect(ok.statusCode).toBe(200);
    const [entry] = await audit.list(db, { action: 'login', user_id: ok.json().user.id, limit: 1 });
    expect(entry.ip).toBe('198.51.100.9');
  }, { GRIDLINE_TRUST_PROXY: '10.0.0.0/8' }));

  test('without GRIDLINE_TRUST_PROXY, X-Forwarded-For is ignored: the socket\'s address counts', () => withClockApp(backend, async ({ app, db }) => {
    const res = await app.inject({
      method: 'POST', url: '/api/auth/login', payload: { username: 'operator1', password: 'demo' }, remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    const [entry] = await audit.list(db, { action: 'login', user_id: res.json().user.id, limit: 1 });
    expect(entry.ip).toBe('10.0.0.5');
  }));

  test('logout ends the session', () => withClockApp(backend, async ({ app, db, loginAs }) => {
    const headers = await loginAs('leader1');
    const out = await app.inject({ method: 'POST', url: '/api/auth/logout', headers });
    expect(out.statusCode).toBe(204);
    expect((await app.inject({ url: '/api/auth/me', headers })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout', headers })).statusCode).toBe(401);
    expect(await audit.list(db, { action: 'logout', username: 'leader1', limit: 5 })).toHaveLength(1);
  }));

  test('a session unused past the idle timeout ends; one in use does not', () => withClockApp(backend, async ({ app, clock, loginAs }) => {
    const busy = await loginAs('operator1');
    const idle = await loginAs('shiftlead1');
    clock.advance(60);
    expect((await app.inject({ url: '/api/auth/me', headers: busy })).statusCode).toBe(200);
    clock.advance(61);
    const res = await app.inject({ url: '/api/auth/me', headers: idle });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/120 minutes/);
    expect((await app.inject({ url: '/api/auth/me', headers: busy })).statusCode).toBe(200);
  }, { GRIDLINE_SESSION_IDLE_MINUTES: '120' }));

  test('admin revoke ends every session of a user (a lost phone)', () => withClockApp(backend, async ({ app, db, loginAs }) => {
    const phone = await loginAs('inspector1', '10.1.1.1');
    const laptop = await loginAs('inspector1', '10.1.1.2');
    const other = await loginAs('inspector2');
    const admin = await loginAs('admin');
    const me = (await app.inject({ url: '/api/auth/me', headers: phone })).json().user;
    const res = await app.inject({ method: 'POST', url: `/api/users/${me.id}/sessions/revoke`, headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revoked: 2 });
    expect((await app.inject({ url: '/api/auth/me', headers: phone })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/auth/me', headers: laptop })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/auth/me', headers: other })).statusCode).toBe(200);
    const [entry] = await audit.list(db, { action: 'sessions_revoked', limit: 1 });
    expect(entry).toMatchObject({ username: 'admin', target: `user:${me.id}` });
    expect((await app.inject({ method: 'POST', url: '/api/users/999999999/sessions/revoke', headers: admin })).statusCode).toBe(404);
  }));

  test('a non-admin gets 403 on /api/users, and the refusal is audited', () => withClockApp(backend, async ({ app, db, loginAs }) => {
    const headers = await loginAs('dispatcher1');
    const res = await app.inject({ url: '/api/users', headers });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'forbidden', details: { required: ['admin'] } });
    const [entry] = await audit.list(db, { action: 'forbidden', username: 'dispatcher1', limit: 1 });
    expect(entry).toMatchObject({ target: 'GET /api/users', detail: { required: ['admin'], roles: ['dispatcher'] } });
    expect((await app.inject({ url: '/api/users' })).statusCode).toBe(401); // anonymous: 401, not 403
  }));

  test('admin lists users without hashes and creates one who can log in', () => withClockApp(backend, async ({ app, db, loginAs }) => {
    const admin = await loginAs('admin');
    const list = await app.inject({ url: '/api/users', headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['admin', 'crew1', 'inspector1']));
    expect(list.body).not.toMatch(/argon2|password/);

    const crewDept = list.json().items.find((u: { username: string }) => u.username === 'crew1').department_id;
    const created = await app.inject({
      method: 'POST', url: '/api/users', headers: admin,
      payload: { username: 'crew2', password: 'long enough passphrase', roles: ['department'], department_id: crewDept, display_name: '王五', phone: '13912345678' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: 'crew2', roles: ['department'], department_id: crewDept, disabled: false });
    expect(created.body).not.toMatch(/argon2|password/);
    const ok = await login(app, 'crew2', 'long enough passphrase');
    expect(ok.json().user).toMatchObject({ username: 'crew2', department_id: crewDept });
    expect(await audit.list(db, { action: 'user_created', username: 'admin', limit: 1 })).toHaveLength(1);

    const again = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'CREW2', password: 'another long passphrase', roles: ['leader'] } });
    expect(again.statusCode).toBe(409);
    const weak = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'weak', password: 'demo', roles: ['leader'] } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.message).toMatch(/at least 12 characters/);
    const noDept = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'crew3', password: 'long enough passphrase', roles: ['department'] } });
    expect(noDept.statusCode).toBe(400);
    const badRole = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'crew4', password: 'long enough passphrase', roles: ['mayor'] } });
    expect(badRole.statusCode).toBe(400);
  }));

  test('disabling a user through the API logs them out everywhere', () => withClockApp(backend, async ({ app, loginAs }) => {
    const admin = await loginAs('admin');
    const crew = await loginAs('crew1');
    const id = (await app.inject({ url: '/api/auth/me', headers: crew })).json().user.id;
    const res = await app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload: { disabled: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json().disabled).toBe(true);
    expect((await app.inject({ url: '/api/auth/me', headers: crew })).statusCode).toBe(401);
    expect((await login(app, 'crew1', 'demo', '10.3.3.3')).statusCode).toBe(401);
  }));

  test('the auth routes are in the OpenAPI document', () => withTestApp(backend, async ({ app }) => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/auth/logout', '/api/auth/me', '/api/users', '/api/users/{id}/sessions/revoke']));
  }));
});
