// Real races (committed transactions on a pool): two dispatchers on one case, exactly one wins; many devices
// retrying the same Idempotency-Key, exactly one case.
import { describe, expect, test } from 'vitest';
import { committedDb, testBackends } from '../../helpers/backends.js';
import { caseDeps, demoUsers, newUser, pointInGrid } from '../../helpers/cases.js';
import { actOnCase, reportCase, readCase } from '../../../server/services/cases.js';
import { randomUUID } from 'node:crypto';

const PAIRS = 200;

describe.each(testBackends())('races on %s', (backend) => {
  test(`${PAIRS} pairs of dispatchers acting on one case at once: one wins, one gets stale_version, one dispatch in the trail`, async () => {
    const db = await committedDb(backend);
    const deps = caseDeps(db);
    const p = await pointInGrid(db, 11);
    const marker = `race-${randomUUID()}`;
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const dispatcher2 = await newUser(db, ['dispatcher']);
    const ids: { id: string; version: number }[] = [];
    // The cases to race on, filed 8 at a time (the pool's size): only the dispatches below race, and one case after
    // another took most of the test's time on a Citus coordinator (each transaction a two-phase commit on the workers).
    const filed = async () => {
      let c = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: marker }, null)).case;
      c = await actOnCase(deps, operator, c.id, { action: 'accept', version: c.version });
      c = await actOnCase(deps, shiftLead, c.id, { action: 'file', version: c.version });
      return { id: c.id, version: c.version };
    };
    while (ids.length < PAIRS) ids.push(...await Promise.all(Array.from({ length: Math.min(8, PAIRS - ids.length) }, filed)));
    expect(ids).toHaveLength(PAIRS);
    const outcomes = await Promise.all(ids.map(async ({ id, version }) => {
      const attempt = (who: typeof dispatcher) => actOnCase(deps, who, id, { action: 'dispatch', version })
        .then(() => 'won', (e) => (e.code === 'stale_version' ? 'stale' : `error ${e.code ?? e.message}`));
      return Promise.all([attempt(dispatcher), attempt(dispatcher2)]);
    }));
    for (const pair of outcomes) expect(pair.sort()).toEqual(['stale', 'won']);
    for (const { id } of ids.slice(0, 20)) {
      const c = await readCase(deps, operator, id);
      expect(c.trail.filter((e) => e.action === 'dispatch')).toHaveLength(1);
      expect(c.status).toBe('handling');
    }
  }, 300_000); // on a Citus coordinator ~135 s at load 15 (case writes serialise, each a two-phase commit), PostgreSQL ~45 s, PGlite ~65 s

  test('20 retries of one report with the same key, all at once: one case, every answer names it', async () => {
    const db = await committedDb(backend);
    const deps = caseDeps(db);
    const p = await pointInGrid(db, 12);
    const marker = `retry-${randomUUID()}`;
    const { inspector } = await demoUsers(db);
    const body = { kind: 'event' as const, class_code: '06010', lon: p.lon, lat: p.lat, description: marker };
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      reportCase(deps, inspector, body, marker).then((r) => r.case.id, (e) => `error ${e.code}`)));
    const { rows } = await db.query<{ id: string }>('select id::text as id from cases where description = $1', [marker]);
    expect(rows).toHaveLength(1);
    // a retry that finds the first still running gets 409 (conflict); every other answer is the one case
    for (const r of results) expect([rows[0].id, 'error conflict']).toContain(r);
    expect(results).toContain(rows[0].id);
  });
});
