// Anonymous POST /api/cases is throttled per client address (issue 8, defect 8): 429 with Retry-After and a
// message saying when to try again; logged-in users and other addresses are not held back.
import { describe, expect, test } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { ANONYMOUS_INTAKE } from '../../../server/http/intake-throttle.js';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';
import { pointInGrid } from '../../helpers/cases.js';

describe.each(testBackends())('anonymous intake throttle on %s', (backend) => {
  test('one address may report anonymously 10 at once, then waits; others, and logged-in users, do not', () => withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z');
    const app = await buildApp(testConfig(), { db, clock: { now: () => now } });
    try {
      const p = await pointInGrid(db);
      const marker = `intake-${Math.random()}`;
      const report = (ip: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) => app.inject({
        method: 'POST', url: '/api/cases', remoteAddress: ip, headers,
        payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: marker, ...extra },
      });
      const stored = async () => Number((await db.query<{ n: number }>(
        'select count(*)::int as n from cases where description = $1', [marker])).rows[0].n);

      expect((await report('198.51.100.7', {}, { lat: 'north' })).statusCode).toBe(400); // malformed: not counted
      for (let i = 1; i <= ANONYMOUS_INTAKE.burst; i++) expect((await report('198.51.100.7')).statusCode).toBe(201);
      const refused = await report('198.51.100.7');
      expect(refused.statusCode).toBe(429);
      const wait = Math.ceil(3600 / ANONYMOUS_INTAKE.per_hour);
      expect(refused.headers['retry-after']).toBe(String(wait));
      expect(refused.json().error).toMatchObject({ code: 'too_many_requests', details: { retry_after_s: wait } });
      expect(refused.json().error.message).toMatch(/try again in 3 minutes, or log in/);
      expect(await stored()).toBe(ANONYMOUS_INTAKE.burst); // nothing stored for the refused one

      expect((await report('198.51.100.8')).statusCode).toBe(201); // another address
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'inspector1', password: 'demo' }, remoteAddress: '198.51.100.7' });
      const inspector = { authorization: `Bearer ${login.json().token}` };
      expect((await report('198.51.100.7', inspector)).statusCode).toBe(201); // logged in: not throttled

      now = new Date(now.getTime() + (wait - 1) * 1000);
      expect((await report('198.51.100.7')).statusCode).toBe(429);
      now = new Date(now.getTime() + 1000);
      expect((await report('198.51.100.7')).statusCode).toBe(201); // one more after the wait
      expect((await report('198.51.100.7')).statusCode).toBe(429);
    } finally {
      await app.close();
    }
  }));
});
